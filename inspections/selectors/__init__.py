"""The public site's reads: one function per page, keyword-only, used by views and exports.

Each returns everything its page shows with a fixed number of queries, whatever the amount
of data (select_related for single objects, prefetch_related for lists, one GROUP BY per
facet); tests pin the counts. Only published findings and recommendations appear
(`.published()`: not hidden by a curator, not withdrawn from the report), except on a
withdrawn record's own permalink, which answers 410.

One module per family of pages: `listings` (/findings/, /recommendations/, /inspections/
and their facets), `exports` (their downloads' rows), `authorities`, `comparisons` (two
inspections side by side; an authority beside its neighbours), `records` (an inspection
and the permalinks), `follow_through` (what happened next to recommendations: on
permalinks, council pages, /follow-through/ and its download), `themes`, `home`, `about`
and `feeds`. What views call is importable from here.
"""

from .about import coverage
from .authorities import (
    authorities_named,
    authority_history,
    authority_list,
    latest_grades,
    region_choices,
)
from .comparisons import (
    SameInspection,
    comparison_choices,
    inspection_comparison,
    neighbour_comparison,
)
from .follow_through import link_download, national_follow_through
from .home import home_page, national_picture
from .listings import (
    Listing,
    ListingPages,
    finding_list,
    inspection_list,
    listing_facets,
    listing_summary,
    recommendation_list,
)
from .records import (
    finding_permalink,
    inspection_detail,
    inspection_source,
    recommendation_permalink,
    source_sha256,
)
from .themes import theme_detail, theme_list

__all__ = [
    "Listing",
    "ListingPages",
    "SameInspection",
    "authorities_named",
    "authority_history",
    "authority_list",
    "comparison_choices",
    "coverage",
    "finding_list",
    "finding_permalink",
    "home_page",
    "inspection_comparison",
    "inspection_detail",
    "inspection_list",
    "inspection_source",
    "latest_grades",
    "link_download",
    "listing_facets",
    "listing_summary",
    "national_follow_through",
    "national_picture",
    "neighbour_comparison",
    "recommendation_list",
    "recommendation_permalink",
    "region_choices",
    "source_sha256",
    "theme_detail",
    "theme_list",
]
