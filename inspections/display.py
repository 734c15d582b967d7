"""How the public pages show codes and records: in DOMAIN.md's words, with GOV.UK Frontend's
classes. Plain functions; `inspections.jinja2` hands them to the templates."""

from collections.abc import Sequence

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from .vocabulary import FOLLOW_THROUGH_STATUSES, GRADES, TIMESCALES


def grade_label(code: str | None) -> str:
    """ "requires_improvement" → "Requires improvement"; empty for no grade."""
    return GRADES.get(code or "", "")


def timescale_label(code: str | None) -> str:
    """A recommendation's timescale in words."""
    return TIMESCALES.get(code or "", "")


def follow_through_label(code: str | None) -> str:
    """What happened next to a recommendation, in words ("Raised again")."""
    return FOLLOW_THROUGH_STATUSES.get(code or "", "")


def get_item(mapping: dict | Sequence, key):
    """`mapping[key]`, or None: for tables keyed by codes, or a column by its position."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


# GOV.UK Frontend tag colours per grade. The tag's words name the grade; colour repeats it.
# Adequate (before 2013) and requires improvement (2013 on) are different grades: each
# has its own colour as well as its own words.
GRADE_TAG_CLASSES = {
    "outstanding": "govuk-tag--green",
    "good": "",  # the default tag colour, blue
    "adequate": "govuk-tag--purple",
    "requires_improvement": "govuk-tag--orange",
    "inadequate": "govuk-tag--red",
}
NOT_GRADED_TAG_CLASS = "govuk-tag--grey"


def grade_tag_class(code: str | None) -> str:
    """The tag colour class for a grade code; grey for none."""
    return GRADE_TAG_CLASSES.get(code or "", NOT_GRADED_TAG_CLASS)


def grade_tag(code: str | None) -> str:
    """A grade as a coloured tag with its words ("Not graded" for none).

    A function rather than an included template: listings show one or two per row, and
    an include costs several times as much to render.
    """
    return format_html(
        '<strong class="govuk-tag app-grade {}" data-grade="{}">{}</strong>',
        grade_tag_class(code),
        code or "none",
        grade_label(code) if code else "Not graded",
    )


# The service navigation: (words, URL name, URL names that count as inside the section).
NAVIGATION = [
    (
        "Authorities",
        "authority-list",
        {
            "authority-list",
            "authority-detail",
            "inspection-detail",
            "inspection-comparison",
            "authority-neighbours",
            "authority-neighbours-theme",
        },
    ),
    ("Inspections", "inspection-list", {"inspection-list"}),
    ("Findings", "finding-list", {"finding-list", "finding-detail"}),
    (
        "Recommendations",
        "recommendation-list",
        {"recommendation-list", "recommendation-detail", "follow-through"},
    ),
    ("Themes", "theme-list", {"theme-list", "theme-detail"}),
    ("About", "about", {"about"}),
]


def navigation_items(request: HttpRequest | None) -> list[dict]:
    """The navigation links, each saying whether the page is that section or its front page."""
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else None
    items = []
    for label, name, section in NAVIGATION:
        url = reverse(name)
        items.append(
            {
                "label": label,
                "url": url,
                "active": current in section,
                # aria-current="page" only on the section's own page, "true" inside it.
                "current": "page" if current == name else ("true" if current in section else ""),
            }
        )
    return items
