"""Template filters for the public pages: codes in DOMAIN.md's words."""

from django import template

from ..importer.vocabulary import ADDRESSEES, AREAS, FRAMEWORKS, GRADES, TIMESCALES

register = template.Library()


@register.filter
def grade_label(code: str | None) -> str:
    """ "requires_improvement" → "Requires improvement"; empty for no grade."""
    return GRADES.get(code or "", "")


@register.filter
def area_label(code: str | None) -> str:
    """A judgement area code in words."""
    return AREAS.get(code or "", "")


@register.filter
def framework_label(code: str | None) -> str:
    """A framework code in words."""
    return FRAMEWORKS.get(code or "", "")


@register.filter
def addressee_label(code: str | None) -> str:
    """Who a recommendation is addressed to, in words."""
    return ADDRESSEES.get(code or "", "")


@register.filter
def timescale_label(code: str | None) -> str:
    """A recommendation's timescale in words."""
    return TIMESCALES.get(code or "", "")


@register.filter
def get_item(mapping: dict, key):
    """`mapping[key]`, or None: for tables keyed by codes."""
    return mapping.get(key)
