"""Public URLs. Paths are contracts (DOMAIN.md): add, never change.

Every route here is a public page and is marked so (`public_page`): the public-site policy
(inspections/public_site.py) applies to marked views only.

A list and its items share a prefix (`findings/` and `findings/<public_id>/`); the list's
pattern is the empty remainder, so the two can never match the same path.
"""

from django.urls import path

from . import feeds, views
from .public_site import public_page
from .views.pages import source_validators

DOWNLOADS = ("csv", "json")  # the `format`s a page with a download offers

urlpatterns = [
    path("", public_page(views.home), name="home"),
    path("healthz", public_page(views.healthz, cacheable=False), name="healthz"),
    path(
        "authorities/", public_page(views.authority_list, formats=DOWNLOADS), name="authority-list"
    ),
    path("authorities/<slug:slug>/", public_page(views.authority_detail), name="authority-detail"),
    path(
        "inspections/",
        public_page(views.inspection_list, limited=True, formats=DOWNLOADS),
        name="inspection-list",
    ),
    path(
        "authorities/<slug:slug>/compare/",
        public_page(views.compare_choice),
        name="authority-compare",
    ),
    path(
        "authorities/<slug:slug>/compare/<slug:first>/<slug:second>/",
        public_page(views.inspection_comparison),
        name="inspection-comparison",
    ),
    path(
        "authorities/<slug:slug>/neighbours/",
        public_page(views.authority_neighbours),
        name="authority-neighbours",
    ),
    path(
        "authorities/<slug:slug>/neighbours/<slug:theme>/",
        public_page(views.authority_neighbours_theme),
        name="authority-neighbours-theme",
    ),
    path(
        "inspections/<slug:slug>/", public_page(views.inspection_detail), name="inspection-detail"
    ),
    path(
        "inspections/<slug:slug>/source/",
        public_page(views.inspection_source, validators=source_validators),
        name="inspection-source",
    ),
    path("robots.txt", public_page(views.robots_txt), name="robots-txt"),
    path(
        "findings/",
        public_page(views.finding_list, limited=True, formats=DOWNLOADS),
        name="finding-list",
    ),
    path("findings/<slug:public_id>/", public_page(views.finding_detail), name="finding-detail"),
    path(
        "recommendations/",
        public_page(views.recommendation_list, limited=True, formats=DOWNLOADS),
        name="recommendation-list",
    ),
    path(
        "recommendations/<slug:public_id>/",
        public_page(views.recommendation_detail),
        name="recommendation-detail",
    ),
    path(
        "follow-through/",
        public_page(views.follow_through, limited=True, formats=DOWNLOADS),
        name="follow-through",
    ),
    path("themes/", public_page(views.theme_list), name="theme-list"),
    path("themes/<slug:slug>/", public_page(views.theme_detail), name="theme-detail"),
    path("about/", public_page(views.about), name="about"),
    path("feeds/inspections/", public_page(feeds.InspectionFeed()), name="feed-inspections"),
    path(
        "authorities/<slug:slug>/feed/",
        public_page(feeds.AuthorityInspectionFeed()),
        name="feed-authority-inspections",
    ),
    path(
        "themes/<slug:slug>/feed/",
        public_page(feeds.ThemeInspectionFeed()),
        name="feed-theme-inspections",
    ),
]
