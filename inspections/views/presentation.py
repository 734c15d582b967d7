"""What listing templates receive ready-made: facet options with their URLs, highlighted text.

Templates never build URLs or mark up report text themselves: the query string is the whole
state of a listing (Datasette's rule), so every option is a link to a permalinkable view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .. import search
from ..links import query_url
from ..selectors.listings import FacetCounts

# Parameters that describe one response rather than the filtered set.
NOT_FILTERS = ("page", "format", "rows")


@dataclass(frozen=True)
class FacetOption:
    """One choice of a facet as a template shows it."""

    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str  # the same listing with this choice added or removed


@dataclass
class Facet:
    """One filter's choices, those with rows first."""

    name: str
    label: str
    options: list[FacetOption]

    @property
    def selected(self) -> list[FacetOption]:
        return [option for option in self.options if option.selected]


def without_response_params(params: QueryDict) -> QueryDict:
    """A copy of `params` without page, format and rows: the filters alone."""
    copy = params.copy()
    for name in NOT_FILTERS:
        copy.pop(name, None)
    return copy


def toggled(path: str, params: QueryDict, name: str, values: Iterable[str], on: bool) -> str:
    """The URL of the first page of the listing with `values` of `name` added or removed."""
    copy = without_response_params(params)
    current = copy.getlist(name)
    values = list(values)
    if on:
        current = [*current, *(v for v in values[:1] if v not in current)]
    else:
        current = [v for v in current if v not in values]
    copy.setlist(name, current)
    return query_url(path, copy)


def present_facets(facets: list[FacetCounts], params: QueryDict, path: str) -> list[Facet]:
    """Facet counts as options with `selected` and `toggle_url`.

    Choices with no rows are left out unless selected (then with a count of 0), so a
    filter that matches nothing can still be removed.
    """
    presented = []
    for facet in facets:
        chosen = params.getlist(facet.name)
        # A region may be chosen by ONS code: treat the code as its slug.
        aliases: dict[str, list[str]] = {}
        for value in chosen:
            canonical = facet.labels.get(value, value) if facet.name == "region" else value
            aliases.setdefault(canonical, []).append(value)
        options = []
        seen = set()
        for count in facet.counts:
            seen.add(count.value)
            names = aliases.get(count.value, [count.value])
            selected = count.value in aliases
            options.append(
                FacetOption(
                    count.value,
                    count.label,
                    count.count,
                    selected,
                    toggled(path, params, facet.name, names, on=not selected),
                )
            )
        for value, names in aliases.items():
            if value not in seen:
                label = facet.labels.get(value, value) if facet.name != "region" else value
                options.append(
                    FacetOption(
                        value, label, 0, True, toggled(path, params, facet.name, names, on=False)
                    )
                )
        presented.append(Facet(facet.name, facet.label, options))
    return presented


def highlight(text: str, queries: Iterable[str]) -> SafeString:
    """`text` escaped, with the words that matched `queries` wrapped in <mark>.

    The words are those the search matched, stemmed variants included ("supervision" for
    q=supervise on PostgreSQL): see `search.marked_spans`. Report text is data, never
    markup: every piece is escaped before the marks go in.
    """
    pieces = []
    last = 0
    for start, end in search.marked_spans(text, list(queries)):
        pieces.append(escape(text[last:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # safe: every piece above is escaped
