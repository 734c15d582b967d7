"""What a public page shows, read from its HTML.

The public pages are Jinja2 templates, which (unlike Django's) send no `template_rendered`
signal, so `response.context` is None: tests read what a visitor reads instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape


def result_count(html: str) -> int:
    """A listing's exact count of matching rows ("<strong>12</strong> findings")."""
    match = re.search(r"data-result-count><strong>(\d+)</strong>", html)
    assert match, "no exact result count on the page"
    return int(match.group(1))


def result_links(html: str) -> list[str]:
    """The permalinks of a listing page's rows, in order."""
    return re.findall(
        r'<li class="app-result">\s*<h3 [^>]*><a class="govuk-link" href="([^"]+)"', html
    )


def next_page(html: str) -> str | None:
    """The address of the next page of results, if any."""
    match = re.search(r'href="([^"]+)" rel="next"', html)
    return unescape(match.group(1)) if match else None


@dataclass(frozen=True)
class Checkbox:
    """One choice of a listing's filter form."""

    checked: bool
    label: str  # its words and count: "Devon (12)"


def checkboxes(html: str, name: str) -> dict[str, Checkbox]:
    """The filter form's choices for the parameter `name`, by value."""
    found = re.findall(
        rf'<input class="govuk-checkboxes__input" type="checkbox" id="[^"]+" name="{name}" '
        r'value="([^"]*)"( checked)?>\s*<label [^>]*>([^<]*)</label>',
        html,
    )
    return {
        unescape(value): Checkbox(bool(checked), unescape(label)) for value, checked, label in found
    }


def removal_links(html: str) -> dict[str, str]:
    """The chosen filters' "remove" links: the filter in words ("Theme: Neglect") to the
    address without it."""
    found = re.findall(
        r'<a class="app-filter-summary__link" rel="nofollow" href="([^"]*)">'
        r'<span class="govuk-visually-hidden">Remove (?:filter )?</span>(.*?) <span aria-hidden',
        html,
    )
    return {unescape(words): unescape(href) for href, words in found}


def citation(html: str) -> dict[str, str]:
    """A permalink page's "Cite this": its url, text and bibtex, as a reader copies them."""
    url = re.search(r'Permalink: <a class="govuk-link" href="([^"]+)">', html)
    text = re.search(r'data-copy-label="Copy the citation as text">(.*?)</pre>', html, re.S)
    bibtex = re.search(r'data-copy-label="Copy the BibTeX">(.*?)</pre>', html, re.S)
    assert url and text and bibtex, "no citation on the page"
    return {
        "url": unescape(url.group(1)),
        "text": unescape(text.group(1)),
        "bibtex": unescape(bibtex.group(1)),
    }
