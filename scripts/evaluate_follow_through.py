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
LINKS_FROM = 0.10
# Links judged per half: a fixed, arbitrary choice of the pooled links (by a hash of their
# ids), so the sample is the same on every run and favours no score.
PER_HALF = 50
LINKS_PER_HALF = 100


def councils() -> tuple[list[Authority], list[Authority]]:
    """(tuning, held-out) councils: those with two or more inspections, alternately."""
    many = list(
        Authority.objects.annotate(n=Count("inspections")).filter(n__gte=2).order_by("name")
    )
    return many[0::2], many[1::2]


def _row(authority: Authority, s: follow_through.Suggestion) -> dict:
    recommendation = Recommendation.objects.select_related("inspection").get(pk=s.recommendation_id)
    model = Recommendation if s.later_is_recommendation else Finding
    later = model.objects.select_related("inspection").get(pk=s.later_id)
    return {
        "council": authority.name,
        "recommendation": recommendation.public_id,
        "later": later.public_id,
        "score": s.score,
        "stance": s.stance,
        "recommendation_text": recommendation.text[:300],
        "later_text": later.text[:400],
        "later_inspection": str(later.inspection),
    }


def _fixed_choice(rows: list[dict], n: int = PER_HALF) -> list[dict]:
    """PER_HALF of the rows, chosen by a hash of their ids: arbitrary, and the same on
    every run."""
    key = lambda r: hashlib.sha256(f"{r['recommendation']}{r['later']}".encode()).hexdigest()  # noqa: E731
    return sorted(rows, key=key)[:n]


def samples(authorities: list[Authority]) -> tuple[list[dict], list[dict]]:
    """(links, best links) to judge: for precision, suggestions of any rank scoring at
    least LINKS_FROM (below any threshold tried); for pooled recall, each recommendation's
    best suggestion scoring at least POOL."""
    links, best = [], []
    for authority in authorities:
        for s in follow_through.suggest(authority, threshold=POOL):
            rows = [_row(authority, s)]
            if s.score >= LINKS_FROM:
                links += rows
            if not best or best[-1]["recommendation"] != rows[0]["recommendation"]:
                best += rows
    return _fixed_choice(links, LINKS_PER_HALF), _fixed_choice(best)


def precision(rows: list[dict], judged: dict, threshold: float) -> tuple[float, int]:
    """The share of judged links at or above the threshold that speak to the same subject."""
    shown = [
        r for r in rows if r["score"] >= threshold and (r["recommendation"], r["later"]) in judged
    ]
    right = sum(judged[r["recommendation"], r["later"]] for r in shown)
    return (right / len(shown) if shown else 0.0), len(shown)


def recall(best: list[dict], judged: dict, threshold: float) -> tuple[float, int]:
    """Of the recommendations whose best candidate a judge said is a follow-up, the share
    the matcher links at the threshold."""
    relevant = [r for r in best if judged.get((r["recommendation"], r["later"]))]
    found = sum(r["score"] >= threshold for r in relevant)
    return (found / len(relevant) if relevant else 0.0), len(relevant)


def main() -> None:
    """Print the links still to judge, or, given judgements, the threshold and figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--judgements", type=Path, required=True)
    parser.add_argument("--to-judge", action="store_true", help="List the unjudged links.")
    args = parser.parse_args()
    judged = {}
    if args.judgements.exists():
        for line in args.judgements.read_text().splitlines():
            if line.strip():
                j = json.loads(line)
                judged[j["recommendation"], j["later"]] = bool(j["same"])
    tuning, held_out = councils()
    halves = {"tuning": samples(tuning), "held out": samples(held_out)}
    if args.to_judge:
        for links, best in halves.values():
            for row in links + best:
                if (row["recommendation"], row["later"]) not in judged:
                    judged[row["recommendation"], row["later"]] = None
                    print(json.dumps(row, ensure_ascii=False))
        return
    print(
        f"{len(tuning) + len(held_out)} councils with two or more inspections: "
        f"{len(tuning)} to choose the threshold on, {len(held_out)} held out."
    )
    links, best = halves["tuning"]
    chosen = None
    for step in range(10, 41, 2):
        threshold = step / 100
        p, n = precision(links, judged, threshold)
        r, relevant = recall(best, judged, threshold)
        print(
            f"  tuning, threshold {threshold:.2f}: precision {p:.2f} of {n} links, "
            f"pooled recall {r:.2f} of {relevant}"
        )
        if chosen is None and p >= 0.8 and n:
            chosen = threshold
    chosen = chosen or follow_through.THRESHOLD
    for name, (links, best) in halves.items():
        p, n = precision(links, judged, chosen)
        r, relevant = recall(best, judged, chosen)
        print(
            f"{name} at {chosen:.2f}: precision {p:.2f} ({n} links judged), pooled recall "
            f"{r:.2f} ({relevant} recommendations with an obvious follow-up)"
        )
    print(f"THRESHOLD in use (inspections/follow_through.py): {follow_through.THRESHOLD:.2f}")


if __name__ == "__main__":
    main()
