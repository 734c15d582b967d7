#!/usr/bin/env python
"""How fast the theme model tags, in one process, on every paragraph of the real reports.

    .venv/bin/python scripts/benchmark_themes.py [CORPUS ...] [--repeat 3]

Parses the reports (default: ../shared/corpus/pdfs and ../shared/seeds) with the importer's
pure steps, then tags every finding and recommendation with the bundled theme model
(fixtures/themes/model.gz), as an import does: with the explanations, and without them; and
with cue words alone (the tagger before the model), for comparison. Prints paragraphs per
second (the best of --repeat runs, and the first, when every word is new to the process:
what one import sees) and the process's peak memory. No database. THEME_MODEL=PATH measures
another model artefact (an earlier model.gz, say) the same way.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.processes import peak_rss_mib  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "explorer.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "corpus",
        nargs="*",
        default=[str(ROOT.parent / "shared/corpus/pdfs"), str(ROOT.parent / "shared/seeds")],
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from inspections.importer.pipeline import parse_report
    from inspections.importer.report import ImportRefused
    from inspections.management.commands.import_reports import walk
    from inspections.themes.classifier import ThemeClassifier
    from inspections.themes.features import Paragraph
    from inspections.themes.store import BUNDLED_MODEL
    from inspections.themes.tagger import ThemeTagger

    paragraphs = []
    for path in walk(args.corpus):
        try:
            report = parse_report(path.read_bytes())
        except ImportRefused:
            continue
        paragraphs += [Paragraph(f.text, f.section, "finding") for f in report.findings]
        paragraphs += [Paragraph(r.text, "", "recommendation") for r in report.recommendations]
    started = time.perf_counter()
    artefact = Path(os.environ.get("THEME_MODEL", BUNDLED_MODEL))
    classifier = ThemeClassifier.from_bytes(artefact.read_bytes())
    loaded = time.perf_counter() - started
    rules = list(classifier.cue_rules)  # the seed themes' cues, as the model was trained
    model = ThemeTagger(classifier, rules)
    cues = ThemeTagger(None, rules)
    print(f"{len(paragraphs)} paragraphs; model loaded in {loaded * 1000:.0f} ms")
    for label, tag in [
        ("theme model, with explanations", lambda: model.tag(paragraphs)),
        ("theme model, no explanations", lambda: model.tag(paragraphs, explain=False)),
        ("cue words alone (before)", lambda: cues.tag(paragraphs)),
    ]:
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            tags = tag()
            runs.append(time.perf_counter() - started)
        per = sum(map(len, tags)) / len(paragraphs)
        print(
            f"  {label:<32} {len(paragraphs) / min(runs):8.0f} paragraphs/s "
            f"(first run {len(paragraphs) / runs[0]:.0f}/s)  {per:.2f} themes each"
        )
    peak = peak_rss_mib()
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
