"""Public pages: short functions that call one named query and render."""

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import Authority, Finding, Inspection, Recommendation


@require_safe
def home(request):
    authorities = Authority.objects.filter(abolished_on__isnull=True).select_related("region")
    return render(request, "inspections/home.html", {"authorities": authorities})


@never_cache
@require_safe
def healthz(request):
    """200 when the app and its database answer, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
def authority_detail(request, slug):
    authority = get_object_or_404(Authority.objects.select_related("region"), slug=slug)
    inspections = authority.inspections.order_by("-start_date")
    return render(
        request,
        "inspections/authority_detail.html",
        {"authority": authority, "inspections": inspections},
    )


@require_safe
def inspection_detail(request, slug):
    inspection = get_object_or_404(Inspection.objects.select_related("authority"), slug=slug)
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "judgements": inspection.judgements.all(),
            "recommendations": inspection.recommendations.filter(is_hidden=False),
            "findings": inspection.findings.filter(is_hidden=False, withdrawn_at__isnull=True),
        },
    )


@require_safe
def finding_detail(request, public_id):
    finding = get_object_or_404(
        Finding.objects.select_related("inspection__authority"),
        public_id=public_id,
        is_hidden=False,
    )
    return render(
        request,
        "inspections/finding_detail.html",
        {"finding": finding},
        status=410 if finding.withdrawn_at else 200,
    )


@require_safe
def recommendation_detail(request, public_id):
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("inspection__authority"),
        public_id=public_id,
        is_hidden=False,
    )
    return render(
        request,
        "inspections/recommendation_detail.html",
        {"recommendation": recommendation},
        status=410 if recommendation.withdrawn_at else 200,
    )
