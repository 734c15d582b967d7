"""What the browser tests do to pages: run axe-core, follow links by keyboard, read counts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
# WCAG 2.2 level AA, which includes everything at level A and in earlier versions.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],  // details of passes are not needed: faster
  });
  return results.violations.map((rule) => ({
    id: rule.id,
    impact: rule.impact,
    help: rule.help,
    nodes: rule.nodes.map((node) => ({
      target: node.target.join(" "),
      html: node.html,
      summary: node.failureSummary,
    })),
  }));
}"""


def axe_violations(page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now."""
    # Evaluated through the DevTools protocol, not as a <script> element, so it runs
    # whatever Content-Security-Policy the page sends.
    page.evaluate(AXE_SOURCE)
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def describe_violations(path: str, violations: list[dict[str, Any]]) -> str:
    """One line per failing element: the page, the rule, the element and what is wrong."""
    lines = []
    for rule in violations:
        for node in rule["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(
                f"{path}: {rule['id']} ({rule['impact']}): {rule['help']}\n"
                f"    at {node['target']}: {node['html'][:160]}\n    {summary[:300]}"
            )
    return "\n".join(lines)


def follow(page, link) -> None:
    """Follow a link as a keyboard user does: focus it, press Enter, wait for the page."""
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def menu_link(page, name: str):
    """A link in the site's main navigation."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def link_to(page, path: str):
    """The link (by its accessible role) that leads to `path`; the first if several do."""
    return page.get_by_role("link").and_(page.locator(f'[href="{path}"]')).first


def query(url: str) -> list[tuple[str, str]]:
    """A URL's non-empty query parameters, sorted: filters compare whatever their order."""
    return sorted(parse_qsl(urlsplit(url).query))


COUNT = re.compile(r"(\d[\d,]*)\s+(?:findings?|recommendations?)\b", re.IGNORECASE)


def result_count(page) -> int:
    """The number of results a listing says match, as it prints it ("37 findings …")."""
    counter = page.locator("[data-result-count]")
    where = counter if counter.count() else page.get_by_role("main")
    found = COUNT.search(where.first.inner_text())
    assert found, f"no result count on {page.url}"
    return int(found.group(1).replace(",", ""))


def result_links(page, kind: str) -> list[str]:
    """The permalinks a listing's page shows, in order (kind: "findings" or "recommendations")."""
    return page.eval_on_selector_all(
        f'main a[href^="/{kind}/"]',
        """(links, kind) => links.map((a) => a.getAttribute("href"))
            .filter((href) => new RegExp(`^/${kind}/[0-9a-z]+/$`).test(href))""",
        kind,
    )


def checked_filters(page) -> list[tuple[str, str]]:
    """The (name, value) of every checked checkbox on the page, sorted."""
    return sorted(
        (name, value)
        for name, value in page.eval_on_selector_all(
            "input[type=checkbox]:checked", "(boxes) => boxes.map((b) => [b.name, b.value])"
        )
    )


def tick(page, group: str, option: str) -> None:
    """Tick the checkbox `option` ("Inadequate") in the fieldset `group` ("Overall grade").

    A group folded away in a <details> element is opened first, as a person would.
    """
    # Inside a closed <details>, the box is hidden, which roles exclude unless told.
    box = page.get_by_role("group", name=group, exact=True, include_hidden=True).get_by_role(
        "checkbox",
        name=re.compile(rf"^{re.escape(option)}\b", re.IGNORECASE),
        include_hidden=True,
    )
    if not box.is_visible():
        page.locator("details").filter(has=box).locator("summary").first.click()
    box.check()


def submit(page, button: str) -> None:
    """Press a form's button by its name and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def download(page, link) -> str:
    """Click a download link and return what it saved, as text."""
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_text(encoding="utf-8")


LINKS_BY_HEADING = """(prefix) => {
  // Each link under `prefix`, with the text of the last heading before it in the page.
  const found = {};
  let heading = "";
  for (const el of document.querySelectorAll("main h1, main h2, main h3, main h4, main a")) {
    if (el.tagName !== "A") { heading = el.textContent.trim().replace(/\\s+/g, " "); continue; }
    const href = el.getAttribute("href") || "";
    if (href.startsWith(prefix)) (found[heading] ||= new Set()).add(href);
  }
  return Object.fromEntries(Object.entries(found).map(([h, links]) => [h, links.size]));
}"""


def links_by_heading(page, prefix: str) -> dict[str, int]:
    """How many different links under `prefix` follow each heading of the main content."""
    return page.evaluate(LINKS_BY_HEADING, prefix)
