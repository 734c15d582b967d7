"""Links to filtered listings: their parameters' names and encoding in one place.

The query string is the whole state of a listing (Datasette's rule), so a link to
"this authority's recommendations on this theme" is a permalink. Pages build such links
with `filter_url` (in templates, `{{ filter_url('finding-list', theme=theme.slug) }}`), and
the listings build their own toggles and pages with `query_url`. Parameters keep the order
given: the same filters in another order are another URL, and another cache entry.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.urls import reverse

from .filters import AuthorityFilterSet, FindingFilterSet, RecommendationFilterSet
from .listing_kinds import FINDINGS, RECOMMENDATIONS

# The filter set of each filterable page, by URL name: what parameters it takes.
FILTER_SETS = {
    FINDINGS.url_name: FindingFilterSet,
    RECOMMENDATIONS.url_name: RecommendationFilterSet,
    "authority-list": AuthorityFilterSet,
}


def query_url(path: str, params: QueryDict) -> str:
    """`path` with `params`, or bare `path` when there are none."""
    encoded = params.urlencode()
    return f"{path}?{encoded}" if encoded else path


def filter_url(url_name: str, /, **params: Any) -> str:
    """The page `url_name` filtered by `params`, in the order given.

    A value may be a list (the parameter repeats); None or "" leaves it out. A name the
    page's filter set does not take is a ValueError: a typo would otherwise link to the
    unfiltered page without a word.
    """
    known = FILTER_SETS[url_name].base_filters
    unknown = [name for name in params if name not in known]
    if unknown:
        raise ValueError(f"{url_name} takes no parameter {', '.join(unknown)}.")
    query = QueryDict(mutable=True)
    for name, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        query.setlist(name, [str(v) for v in values if v is not None and v != ""])
    return query_url(reverse(url_name), query)
