"""The benchmarks' baseline URLconf (benchmarks/settings.py): the public site plus
/benchmark/constant, a Django view returning a constant string."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def constant(request: HttpRequest) -> HttpResponse:
    """The cheapest Django response: no database, no template."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("benchmark/constant", constant, name="benchmark-constant"),
    path("", include("explorer.urls")),
]
