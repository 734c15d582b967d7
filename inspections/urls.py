"""Public URLs. Paths are contracts (DOMAIN.md): add, never change."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("authorities/<slug:slug>/", views.authority_detail, name="authority-detail"),
    path("inspections/<slug:slug>/", views.inspection_detail, name="inspection-detail"),
    path("findings/<str:public_id>/", views.finding_detail, name="finding-detail"),
    path(
        "recommendations/<str:public_id>/",
        views.recommendation_detail,
        name="recommendation-detail",
    ),
]
