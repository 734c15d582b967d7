"""Measure the follow-through matcher (inspections/follow_through.py) on imported reports.

    DATABASE_URL=sqlite:////tmp/ft.sqlite3 SECRET_KEY=x DEBUG=true \
        .venv/bin/python scripts/evaluate_follow_through.py            # the sample to judge
    ... scripts/evaluate_follow_through.py --judgements fixtures/follow_through/judgements.jsonl

Councils with two or more inspections are split in two by name (alternately, in order):
the threshold is chosen on the first half and precision reported on the second, so it is
never tuned to the links it is measured on. The sample is every recommendation's best
suggestion scoring at least POOL (well below any threshold), so that recall can be pooled:
a recommendation "has an obvious follow-up" when a judge said its pooled link speaks to the
same subject, and it is found when that link scores at or above the threshold.
Judgements are JSON lines: {"recommendation": public_id, "later": public_id, "same": bool}.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "explorer.settings")
django.setup()

from django.db.models import Count  # noqa: E402

from inspections import follow_through  # noqa: E402
from inspections.models import Authority, Finding, Recommendation  # noqa: E402

POOL = 0.05
# Links judged per half: a fixed, arbitrary choice of the pooled links (by a hash of their
# ids), so the sample is the same on every run and favours no score.
PER_HALF = 50


def councils() -> tuple[list[Authority], list[Authority]]:
    """(tuning, held-out) councils: those with two or more inspections, alternately."""
    many = list(
        Authority.objects.annotate(n=Count("inspections")).filter(n__gte=2).order_by("name")
    )
    return many[0::2], many[1::2]


def sample(authorities: list[Authority]) -> list[dict]:
    """Each recommendation's best suggestion at POOL or above, for judging."""
    rows = []
    for authority in authorities:
        for s in follow_through.suggest(authority, threshold=POOL, limit=1):
            recommendation = Recommendation.objects.select_related("inspection").get(
                pk=s.recommendation_id
            )
            model = Recommendation if s.later_is_recommendation else Finding
            later = model.objects.select_related("inspection").get(pk=s.later_id)
            rows.append(
                {
                    "council": authority.name,
                    "recommendation": recommendation.public_id,
                    "later": later.public_id,
                    "score": s.score,
                    "stance": s.stance,
                    "recommendation_text": recommendation.text[:300],
                    "later_text": later.text[:400],
                    "later_inspection": str(later.inspection),
                }
            )
    rows.sort(
        key=lambda r: hashlib.sha256(f"{r['recommendation']}{r['later']}".encode()).hexdigest()
    )
    return rows[:PER_HALF]


def measure(rows: list[dict], judged: dict, threshold: float) -> tuple[float, int, float, int]:
    """(precision, links shown, pooled recall, recommendations with a follow-up)."""
    shown = [
        r for r in rows if r["score"] >= threshold and (r["recommendation"], r["later"]) in judged
    ]
    right = sum(judged[r["recommendation"], r["later"]] for r in shown)
    relevant = [r for r in rows if judged.get((r["recommendation"], r["later"]))]
    found = sum(r["score"] >= threshold for r in relevant)
    precision = right / len(shown) if shown else 0.0
    recall = found / len(relevant) if relevant else 0.0
    return precision, len(shown), recall, len(relevant)


def main() -> None:
    """Print the sample to judge, or, given judgements, the threshold and the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--judgements", type=Path)
    args = parser.parse_args()
    tuning, held_out = councils()
    print(f"{len(tuning) + len(held_out)} councils with two or more inspections.")
    if args.judgements is None:
        for row in sample(tuning) + sample(held_out):
            print(json.dumps(row, ensure_ascii=False))
        return
    judged = {}
    for line in args.judgements.read_text().splitlines():
        if line.strip():
            j = json.loads(line)
            judged[j["recommendation"], j["later"]] = bool(j["same"])
    tune_rows, test_rows = sample(tuning), sample(held_out)
    print(
        f"Tuning: {len(tuning)} councils, {len(tune_rows)} links; held out: "
        f"{len(held_out)} councils, {len(test_rows)} links; {len(judged)} judged."
    )
    best = None
    for step in range(5, 31):
        threshold = step / 100
        precision, n, recall, relevant = measure(tune_rows, judged, threshold)
        print(
            f"  tuning  threshold {threshold:.2f}: precision {precision:.2f} of {n}, "
            f"recall {recall:.2f} of {relevant}"
        )
        if best is None and precision >= 0.8 and n:
            best = threshold
    best = best or follow_through.THRESHOLD
    for name, rows in (("tuning", tune_rows), ("held out", test_rows)):
        precision, n, recall, relevant = measure(rows, judged, best)
        print(
            f"{name} at {best:.2f}: precision {precision:.2f} ({n} links), "
            f"pooled recall {recall:.2f} ({relevant} recommendations with a follow-up)"
        )
    print(f"THRESHOLD in use: {follow_through.THRESHOLD:.2f}")


if __name__ == "__main__":
    main()
