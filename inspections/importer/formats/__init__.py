"""The report formats the importer knows, in the order they are tried.

Each format is one module with:

- ``FRAMEWORK``: its framework code (vocabulary.FRAMEWORKS);
- ``recognise(text: ReportText) -> bool``: whether the report says it is of this format
  (by what it says, e.g. its title, never by a proxy such as its length);
- ``extract(text: ReportText) -> ParsedReport``: the facts, as plain dataclasses.

Its docstring names the format, its years and a sample of the text it expects. Adding a
format means adding its module to FORMATS and its fixtures under fixtures/reports/.
"""

from __future__ import annotations

from types import ModuleType

from . import (
    cra_unannounced,
    focused_visit,
    ilacs,
    jtai,
    looked_after,
    lscb_review,
    monitoring_visit,
    protection,
    safeguarding_lac,
    sif,
)

FORMATS: list[ModuleType] = [
    cra_unannounced,
    safeguarding_lac,
    protection,
    looked_after,
    sif,
    lscb_review,
    ilacs,
    focused_visit,
    monitoring_visit,
    jtai,
]
