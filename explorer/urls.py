"""The explorer's URLs: the public site from the inspections app, and the staff admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("inspections.urls")),
]
