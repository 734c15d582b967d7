"""One import's outcome as the JSON object DOMAIN.md's import command contract specifies."""

from __future__ import annotations

from typing import Any

from .report import ParsedReport

STATUSES = ("created", "updated", "unchanged", "rejected", "failed")


def outcome_record(
    path: str,
    status: str,
    *,
    error: str | None = None,
    report: ParsedReport | None = None,
    authority: dict[str, Any] | None = None,
    url: str | None = None,
    warnings: list[str] | None = None,
    published_date_source: str | None = None,
) -> dict[str, Any]:
    """The contract's object for one input file. `authority` is {"slug", "name", "urn"}.

    `published_date_source` (added to the contract) says where the saved inspection's
    publication date came from ("report", "ofsted_listing", "curator"), or null when none
    is known; without a saved inspection, "report" when the report prints the date."""
    assert status in STATUSES, status
    record: dict[str, Any] = {
        "path": path,
        "status": status,
        "error": error,
        "authority": authority,
        "framework": None,
        "start_date": None,
        "end_date": None,
        "published_date": None,
        "lead_inspector": None,
        "judgements": {},
        "recommendations": None,
        "lscb_recommendations": None,
        "findings": None,
        "warnings": list(warnings or []),
        "url": url,
        "published_date_source": published_date_source,
    }
    if report is not None:
        # Null, not 0, where the report has no LSCB review to make recommendations to.
        has_lscb_list = report.framework == "lscb_review" or any(
            j.area == "lscb" for j in report.judgements
        )
        record.update(
            framework=report.framework,
            start_date=_iso(report.start_date),
            end_date=_iso(report.end_date),
            published_date=_iso(report.published_date),
            lead_inspector=report.lead_inspector,
            judgements={j.area: j.grade for j in report.judgements},
            recommendations=report.recommendation_count("authority"),
            lscb_recommendations=(report.recommendation_count("lscb") if has_lscb_list else None),
            findings=len(report.findings),
            warnings=list(report.warnings) + list(warnings or []),
        )
        if published_date_source is None and report.published_date:
            record["published_date_source"] = "report"
    return record


def _iso(value):
    return value.isoformat() if value else None
