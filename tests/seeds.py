"""The seed reports imported by the real importer, for the public site's tests."""

from __future__ import annotations

from inspections.importer.service import import_source, store_source
from inspections.models import Inspection

from .conftest import REPORTS

SOMERSET_2013 = "seed_000_somerset_protection_2013.txt"
NORTH_SOMERSET_2017 = "seed_001_north_somerset_sif_2017.txt"
SOMERSET_2010 = "seed_002_somerset_cra_2010.txt"
SOMERSET_2017_VISIT = "seed_003_somerset_monitoring_visit_2017.txt"
DEVON_2013 = "seed_004_devon_protection_2013.txt"
ALL = [SOMERSET_2013, NORTH_SOMERSET_2017, SOMERSET_2010, SOMERSET_2017_VISIT, DEVON_2013]


def import_seeds(*names: str) -> list[Inspection]:
    """Import the named seed files; fail loudly if the importer refuses one."""
    inspections = []
    for name in names:
        path = REPORTS / name
        source, _ = store_source(path.read_bytes(), path.name)
        attempt = import_source(source)
        assert attempt.outcome == "created", (attempt.error, attempt.log)
        inspections.append(source.inspections.get())
    return inspections
