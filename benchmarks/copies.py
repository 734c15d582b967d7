"""The search benchmark's corpus (scripts/benchmark_search.py): the real reports imported,
then every inspection copied, moved to another authority and a few days later, with its
judgements, findings, recommendations and theme links, by INSERT ... SELECT, until there
are about as many findings as asked for. PostgreSQL only. (Recommendations' evidence links
are not copied.)

Quicker than the synthetic corpus (benchmarks/synthetic.py) and made only of whole real
paragraphs, so that a word's share of paragraphs stays the real corpus's.
"""

from __future__ import annotations

import contextlib
import math
import os
import time


def build(corpus: str, target: int) -> None:
    """Migrate, import the corpus (a folder of reports) into an empty database, then copy
    it until there are about `target` findings; skipped where copies were made before."""
    from django.core.management import call_command
    from django.db import connection

    from inspections.models import Finding

    call_command("migrate", verbosity=0)
    if Finding.objects.count() == 0:
        started = time.perf_counter()
        # Some corpus files are rejected on purpose, so the command exits 1.
        with open(os.devnull, "w") as devnull, contextlib.suppress(SystemExit):
            call_command("import_reports", corpus, format="json", stdout=devnull)
        print(f"imported the corpus in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inspections_inspection WHERE slug LIKE '%-copy-%'")
        if cursor.fetchone()[0]:
            print(f"already grown: {Finding.objects.count():,} findings")
            return
        cursor.execute("SELECT count(*) FROM inspections_finding")
        originals = cursor.fetchone()[0]
    copies = max(0, math.ceil(target / originals) - 1)
    started = time.perf_counter()
    grow(copies)
    print(
        f"grew {originals:,} findings x{copies + 1} to {Finding.objects.count():,} "
        f"in {time.perf_counter() - started:.0f} s"
    )


GROW = """
SET CONSTRAINTS ALL IMMEDIATE;
DROP INDEX inspections_finding_search;
DROP INDEX inspections_recommendation_search;
CREATE TEMP TABLE copies ON COMMIT DROP AS SELECT generate_series(1, {copies}) AS k;
CREATE TEMP TABLE place ON COMMIT DROP AS
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS total
    FROM inspections_authority;
INSERT INTO inspections_inspection (framework, slug, title, start_date, end_date,
    published_date, lead_inspector, overall_grade, curated_fields, imported_at, authority_id,
    source_document_id)
SELECT i.framework, i.slug || '-copy-' || c.k, i.title, i.start_date + c.k, i.end_date + c.k,
    i.published_date + c.k, i.lead_inspector, i.overall_grade, i.curated_fields, i.imported_at,
    p2.id, i.source_document_id
FROM inspections_inspection i
JOIN place p ON p.id = i.authority_id
CROSS JOIN copies c
JOIN place p2 ON p2.n = (p.n + c.k * 7) % p.total
ON CONFLICT DO NOTHING;
CREATE TEMP TABLE moved ON COMMIT DROP AS
    SELECT o.id AS old, n.id AS new, c.k
    FROM inspections_inspection o CROSS JOIN copies c
    JOIN inspections_inspection n ON n.slug = o.slug || '-copy-' || c.k
    WHERE o.slug NOT LIKE '%-copy-%';
INSERT INTO inspections_judgement (area, grade, words, curated_fields, inspection_id)
SELECT j.area, j.grade, j.words, j.curated_fields, m.new
FROM inspections_judgement j JOIN moved m ON m.old = j.inspection_id;
INSERT INTO inspections_finding (public_id, text, is_hidden, withdrawn_at, curated_fields,
    section, area, paragraph, position, kind, inspection_id)
SELECT left(md5(f.public_id || '~' || m.k), 16), f.text, f.is_hidden, f.withdrawn_at,
    f.curated_fields, f.section, f.area, f.paragraph, f.position, f.kind, m.new
FROM moved m JOIN inspections_finding f ON f.inspection_id = m.old
ORDER BY m.k, f.id;
INSERT INTO inspections_findingtheme (cue, finding_id, theme_id)
SELECT t.cue, n.id, t.theme_id
FROM inspections_findingtheme t
JOIN inspections_finding f ON f.id = t.finding_id
JOIN moved m ON m.old = f.inspection_id
JOIN inspections_finding n ON n.public_id = left(md5(f.public_id || '~' || m.k), 16);
INSERT INTO inspections_recommendation (public_id, text, is_hidden, withdrawn_at,
    curated_fields, position, addressee, timescale, inspection_id)
SELECT left(md5(r.public_id || '~' || m.k), 16), r.text, r.is_hidden, r.withdrawn_at,
    r.curated_fields, r.position, r.addressee, r.timescale, m.new
FROM moved m JOIN inspections_recommendation r ON r.inspection_id = m.old
ORDER BY m.k, r.id;
INSERT INTO inspections_recommendationtheme (cue, recommendation_id, theme_id)
SELECT t.cue, n.id, t.theme_id
FROM inspections_recommendationtheme t
JOIN inspections_recommendation r ON r.id = t.recommendation_id
JOIN moved m ON m.old = r.inspection_id
JOIN inspections_recommendation n ON n.public_id = left(md5(r.public_id || '~' || m.k), 16);
"""
INDEX = """
SET maintenance_work_mem = '512MB';
CREATE INDEX inspections_finding_search ON inspections_finding USING gin (search_vector);
CREATE INDEX inspections_recommendation_search ON inspections_recommendation
    USING gin (search_vector);
RESET maintenance_work_mem;
"""


def grow(copies: int) -> None:
    """Add `copies` copies of every inspection (GROW), then rebuild the search indexes it
    dropped, and VACUUM ANALYZE."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for statement in GROW.format(copies=copies).split(";\n"):
            if statement.strip():
                cursor.execute(statement)  # no parameters: % is the operator
    with connection.cursor() as cursor:
        for statement in INDEX.split(";\n"):
            if statement.strip():
                cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE")
