"""Public pages: short functions that call one named selector and render.

`listings` serves /findings/, /recommendations/ and /inspections/ (with their CSV and JSON
twins), `comparisons` the side-by-side pages (two inspections; an authority and its neighbours),
`follow_through` the subjects raised again across councils and the links' download, `pages`
everything else.
"""

from .about import about
from .comparisons import (
    authority_neighbours,
    authority_neighbours_theme,
    compare_choice,
    inspection_comparison,
)
from .crawlers import robots_txt
from .follow_through import follow_through
from .listings import finding_list, inspection_list, recommendation_list
from .pages import (
    authority_detail,
    authority_list,
    finding_detail,
    healthz,
    home,
    inspection_detail,
    inspection_source,
    recommendation_detail,
    theme_detail,
    theme_list,
)

__all__ = [
    "about",
    "authority_detail",
    "authority_list",
    "authority_neighbours",
    "authority_neighbours_theme",
    "compare_choice",
    "finding_detail",
    "finding_list",
    "follow_through",
    "healthz",
    "home",
    "inspection_comparison",
    "inspection_detail",
    "inspection_list",
    "inspection_source",
    "recommendation_detail",
    "recommendation_list",
    "robots_txt",
    "theme_detail",
    "theme_list",
]
