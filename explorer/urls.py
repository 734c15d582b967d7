"""The explorer's URLs: the public site from the inspections app, and the staff admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("inspections.urls")),
]

# A database that cannot be reached answers 503 with Retry-After, not a bare 500.
handler500 = "inspections.views.errors.server_error"
