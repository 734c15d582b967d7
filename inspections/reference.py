"""Load the bundled reference data: regions, authorities, statistical neighbours, themes.

Called by data migrations (with historical models) and safe to run again: every row is
matched on its natural key and updated in place.
"""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

from django.utils.text import slugify

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
AUTHORITIES_CSV = FIXTURES / "authorities.csv"
THEMES_CSV = FIXTURES / "themes.csv"

# The nine English regions by ONS code. The CSV's own rgn22cd column is wrong for two
# rows (Buckinghamshire has East Midlands' code, Gloucestershire Yorkshire's) and its
# region_code is blank for Medway, so the region is read from region_name, which is right
# for every row, and the code from this table.
REGIONS = {
    "North East": "E12000001",
    "North West": "E12000002",
    "Yorkshire and the Humber": "E12000003",
    "East Midlands": "E12000004",
    "West Midlands": "E12000005",
    "East of England": "E12000006",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
}

# Reorganisations the CSV does not record: (former authority's URN, the date its
# children's services passed on, successors' URNs). Somerset and North Yorkshire became
# unitary councils under the same URN, so they stay one authority each.
REORGANISATIONS = [
    (137316, datetime.date(2019, 4, 1), [2532287]),  # Poole -> BCP
    (121939, datetime.date(2021, 4, 1), [2637539, 2637548]),  # Northamptonshire -> N/W
    (135513, datetime.date(2023, 4, 1), [2733690, 2733698]),  # Cumbria -> Cumberland, W&F
]


def alternative_names(row: dict[str, str]) -> list[str]:
    """The CSV's also_known_as column ("[BCP, Bournemouth, Christchurch & Poole]") as names."""
    return [alias.strip() for alias in row["also_known_as"].strip("[]").split(",") if alias.strip()]


def read_authority_rows(path: Path = AUTHORITIES_CSV) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_authorities(
    Region, Authority, AlternativeName, StatisticalNeighbour, path: Path = AUTHORITIES_CSV
) -> None:
    """Create or update every region and authority in the CSV, with their links."""
    rows = read_authority_rows(path)
    regions = {
        name: Region.objects.update_or_create(
            code=code, defaults={"name": name, "slug": slugify(name)}
        )[0]
        for name, code in REGIONS.items()
    }
    by_la_code = {}
    for row in rows:
        ons_code = row["la_code_new"]
        previous = row["ltla23cd"] if row["ltla23cd"] != ons_code else ""
        population = row["ons_population_0-25"]
        authority, _ = Authority.objects.update_or_create(
            urn=int(row["urn"]),
            defaults={
                "name": row["local_authority_ons_name"],
                "slug": slugify(row["local_authority_ons_name"]),
                "la_code": row["la_code"],
                "ons_code": ons_code,
                "ons_code_previous": previous,
                "region": regions[row["region_name"]],
                "ons_type": row["ons_la_type"],
                "population_0_to_25": int(population) if population else None,
            },
        )
        by_la_code[row["la_code"]] = authority
        for alias in alternative_names(row):
            AlternativeName.objects.update_or_create(name=alias, defaults={"authority": authority})
    for row in rows:
        authority = by_la_code[row["la_code"]]
        codes = [c.strip() for c in row["stat_neighbours"].split(",") if c.strip()]
        StatisticalNeighbour.objects.filter(authority=authority).delete()
        StatisticalNeighbour.objects.bulk_create(
            StatisticalNeighbour(authority=authority, neighbour=by_la_code[code], rank=rank)
            for rank, code in enumerate(codes, start=1)
        )
    for urn, abolished_on, successor_urns in REORGANISATIONS:
        former = Authority.objects.get(urn=urn)
        former.abolished_on = abolished_on
        former.save(update_fields=["abolished_on"])
        former.successors.set(Authority.objects.filter(urn__in=successor_urns))


def load_themes(Theme, path: Path = THEMES_CSV) -> None:
    """Create the seed themes; an existing theme (perhaps tuned by curators) is left alone."""
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            cues = "\n".join(cue.strip() for cue in row["cues"].split(",") if cue.strip())
            Theme.objects.get_or_create(
                slug=row["slug"],
                defaults={"name": row["name"], "description": row["description"], "cues": cues},
            )
