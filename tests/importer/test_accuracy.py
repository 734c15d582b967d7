"""Accuracy on every labelled file in ../shared, scored field by field with the shared
scoring tool's own comparison, so a parser change that loses accuracy fails here. Each
file goes the import's own way from bytes to outcome (service.dry_run_outcome), with
nothing saved.

Issue 3's bar is 98% per field; today every field scores 100%.
"""

import importlib.util
import json

import pytest

from inspections.importer.service import AuthorityResolver, dry_run_outcome

from ..conftest import SHARED

SCORER = SHARED / "tools" / "score_import.py"
LABELLED = [("corpus/labels.jsonl", "corpus/pdfs"), ("seeds/labels.jsonl", "seeds")]

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.django_db,
    pytest.mark.skipif(not SCORER.exists(), reason="../shared is not beside the project"),
]


def scorer():
    spec = importlib.util.spec_from_file_location("score_import", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("labels", "folder"), LABELLED)
def test_every_field_scores_at_least_98_percent(labels, folder):
    score = scorer()
    resolver = AuthorityResolver()
    totals = {field: [0, 0] for field in score.FIELDS}
    mismatches = []
    for line in (SHARED / labels).read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        path = SHARED / folder / label["file"]
        out = dry_run_outcome(str(path), path.read_bytes(), resolver)
        for field in score.FIELDS:
            pair = score.expected_and_got(field, label, out)
            if pair is None:
                continue
            totals[field][1] += 1
            if pair[0] == pair[1]:
                totals[field][0] += 1
            else:
                mismatches.append((label["file"], field, *pair))
    below = {f: (r, n) for f, (r, n) in totals.items() if n and r / n < 0.98}
    assert not below, mismatches
    assert totals["status"][1] == len((SHARED / labels).read_text().splitlines())
