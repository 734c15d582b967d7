// Progressive enhancement only: every page works without this file.
// Loaded as a module, so it runs only in browsers GOV.UK Frontend supports; it marks the
// body as such (what GOV.UK's template does with an inline script, which our
// Content-Security-Policy forbids), then starts GOV.UK Frontend's components.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// "Copy" buttons for citations: <pre data-copy-label="Copy the citation as text">.
const status = document.createElement("p");
status.className = "govuk-visually-hidden";
status.setAttribute("role", "status");
document.body.append(status);

for (const block of document.querySelectorAll("pre[data-copy-label]")) {
  if (!navigator.clipboard) break;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-6";
  button.textContent = block.dataset.copyLabel;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(block.textContent);
      status.textContent = "Copied.";
    } catch {
      status.textContent = "Could not copy: select the text and copy it instead.";
    }
  });
  block.after(button);
}
