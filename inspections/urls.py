"""Public URLs. Paths are contracts (DOMAIN.md): add, never change.

A list and its items share a prefix (`findings/` and `findings/<public_id>/`); the list's
pattern is the empty remainder, so the two can never match the same path.
"""

from django.urls import path

from . import feeds, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("authorities/", views.authority_list, name="authority-list"),
    path("authorities/<slug:slug>/", views.authority_detail, name="authority-detail"),
    path("inspections/<slug:slug>/", views.inspection_detail, name="inspection-detail"),
    path("inspections/<slug:slug>/source/", views.inspection_source, name="inspection-source"),
    path("findings/", views.finding_list, name="finding-list"),
    path("findings/<slug:public_id>/", views.finding_detail, name="finding-detail"),
    path("recommendations/", views.recommendation_list, name="recommendation-list"),
    path(
        "recommendations/<slug:public_id>/",
        views.recommendation_detail,
        name="recommendation-detail",
    ),
    path("themes/", views.theme_list, name="theme-list"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
    path("about/", views.about, name="about"),
    path("feeds/inspections/", feeds.InspectionFeed(), name="feed-inspections"),
    path(
        "authorities/<slug:slug>/feed/",
        feeds.AuthorityInspectionFeed(),
        name="feed-authority-inspections",
    ),
    path("themes/<slug:slug>/feed/", feeds.ThemeInspectionFeed(), name="feed-theme-inspections"),
]
