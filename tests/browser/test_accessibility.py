"""Every page type against WCAG 2.2 AA (axe-core) and at 320 px wide; the skip link."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from .conftest import Site
from .support import axe_violations, describe_violations

pytestmark = pytest.mark.browser

NORTH_SOMERSET_2017 = "north-somerset-2017-06-12-sif"


def _about(site: Site) -> str:
    try:
        return reverse("about")
    except NoReverseMatch:
        pytest.skip("The site has no about page yet.")


# Every kind of page the public site serves, with the status it should answer.
PAGE_TYPES = {
    "home": (lambda site: "/", 200),
    "authority list": (lambda site: "/authorities/", 200),
    "authority": (lambda site: "/authorities/somerset/", 200),
    "inspection": (lambda site: f"/inspections/{NORTH_SOMERSET_2017}/", 200),
    "inspections": (lambda site: "/inspections/", 200),
    "inspections filtered": (
        lambda site: "/inspections/?area=in_care&area_grade=requires_improvement&region=south-west",
        200,
    ),
    "findings": (lambda site: "/findings/", 200),
    "findings filtered and searched": (
        lambda site: "/findings/?theme=management-oversight&grade=inadequate&q=supervision",
        200,
    ),
    "findings searched for a council": (lambda site: "/findings/?q=somerset+or+sussex", 200),
    "authority with no report loaded": (lambda site: "/authorities/cornwall/", 200),
    "recommendations filtered": (
        lambda site: "/recommendations/?authority=north-somerset&year=2017",
        200,
    ),
    "finding": (lambda site: site.finding, 200),
    "recommendation": (lambda site: site.recommendation, 200),
    "recommendation followed through": (lambda site: site.followed, 200),
    "subjects raised again": (lambda site: "/follow-through/", 200),
    "subjects by status, year and framework": (
        lambda site: "/follow-through/?follow_through=not_improved&year=2013&framework=protection",
        200,
    ),
    "subjects, malformed": (lambda site: "/follow-through/?year=20x3", 400),
    "themes": (lambda site: "/themes/", 200),
    "theme": (lambda site: "/themes/management-oversight/", 200),
    "about": (_about, 200),
    "two inspections compared": (
        lambda site: (
            "/authorities/somerset/compare/"
            "somerset-2013-06-24-protection/somerset-2017-05-02-monitoring-visit/"
        ),
        200,
    ),
    "neighbours on a theme": (
        lambda site: "/authorities/somerset/neighbours/management-oversight/",
        200,
    ),
    "a bad choice": (lambda site: "/authorities/somerset/compare/?a=x", 400),
    "not found": (lambda site: "/authorities/atlantis/", 404),
    "malformed filters": (lambda site: "/findings/?grade=bogus&year=20x3", 400),
}


@pytest.fixture(params=list(PAGE_TYPES))
def page_type(request, site: Site) -> tuple[str, int]:
    """(path, expected status) of one page type."""
    path_of, status = PAGE_TYPES[request.param]
    return path_of(site), status


def test_page_meets_wcag_2_2_aa_and_reflows_at_320_pixels(page, site: Site, page_type):
    """axe-core finds no violation, and at 320 CSS pixels wide nothing scrolls sideways."""
    path, status = page_type
    response = page.goto(site(path))
    assert response.status == status
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(describe_violations(path, violations))
    # WCAG 1.4.10 Reflow: 320 CSS pixels, as on a small phone or at 400% zoom.
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > 320:
        problems.append(f"{path} is {width} px wide at 320: {page.evaluate(FIND_OVERFLOW)}")
    assert not problems, "\n" + "\n".join(problems)


# Which element makes the page too wide: descend from <body> into the child whose hiding
# ends the overflow (an element's box can fit while its text overflows it).
FIND_OVERFLOW = """() => {
  const root = document.documentElement;
  const path = [];
  let el = document.body;
  descend: while (true) {
    for (const child of el.children) {
      const display = child.style.display;
      child.style.display = "none";
      const fixed = root.scrollWidth <= root.clientWidth;
      child.style.display = display;
      if (fixed) {
        path.push(child.tagName.toLowerCase() + (child.id ? "#" + child.id : "") +
          [...child.classList].map((name) => "." + name).join(""));
        el = child;
        continue descend;
      }
    }
    break;
  }
  // Absolutely positioned elements escape a scrolling box unless it is positioned itself.
  const escaped = [...document.querySelectorAll("body *")]
    .filter((child) => getComputedStyle(child).position === "absolute")
    .filter((child) => child.getBoundingClientRect().right > root.clientWidth + 1)
    .slice(0, 3)
    .map((child) => child.outerHTML.slice(0, 100));
  return path.join(" > ") + ": " + el.outerHTML.slice(0, 200) +
    (escaped.length ? "; absolutely positioned beyond the edge: " + escaped.join(", ") : "");
}"""


def _use_skip_link(page, site: Site) -> None:
    page.goto(site("/findings/"))
    page.keyboard.press("Tab")
    first = page.evaluate(
        "() => ({text: document.activeElement.textContent.trim(),"
        " href: document.activeElement.getAttribute('href')})"
    )
    assert first["text"].lower().startswith("skip to main content"), first
    main_id = page.get_by_role("main").get_attribute("id")
    assert main_id
    assert first["href"] == f"#{main_id}"
    page.keyboard.press("Enter")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, site: Site):
    _use_skip_link(page, site)
    assert page.evaluate("() => document.activeElement.tagName") == "MAIN"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


def test_skip_link_works_without_javascript(page_without_js, site: Site):
    _use_skip_link(page_without_js, site)
    # Focus may stay on <body>, but the next Tab goes on from the top of the main content.
    page_without_js.keyboard.press("Tab")
    assert page_without_js.evaluate("() => document.activeElement.closest('main') !== null")
