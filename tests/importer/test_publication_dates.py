"""Where a publication date comes from: printed in the report, Ofsted's listing of the
file, or a curator; never the import time or the file's name."""

import datetime

import pytest

from inspections.importer.service import import_source, store_source
from inspections.models import Inspection

from ..conftest import REPORTS

pytestmark = pytest.mark.django_db

# Prints "Report published: 25 August 2017".
NORTH_SOMERSET = REPORTS / "seed_001_north_somerset_sif_2017.txt"
# Prints no publication date.
DEVON = REPORTS / "seed_004_devon_protection_2013.txt"
LISTED = datetime.date(2013, 8, 16)


def stored(path, listed=None):
    source, _ = store_source(path.read_bytes(), path.name)
    if listed:
        source.listed_published_date = listed
        source.save(update_fields=["listed_published_date"])
    return source


def test_a_date_printed_in_the_report_is_saved_with_its_source():
    attempt = import_source(stored(NORTH_SOMERSET))
    inspection = Inspection.objects.get()
    assert inspection.published_date == datetime.date(2017, 8, 25)
    assert inspection.published_date_source == "report"
    assert attempt.summary["published_date_source"] == "report"


def test_the_printed_date_wins_over_the_listing():
    import_source(stored(NORTH_SOMERSET, listed=LISTED))
    inspection = Inspection.objects.get()
    assert inspection.published_date == datetime.date(2017, 8, 25)
    assert inspection.published_date_source == "report"


def test_a_report_without_a_date_takes_the_listings():
    attempt = import_source(stored(DEVON, listed=LISTED))
    inspection = Inspection.objects.get()
    assert (inspection.published_date, inspection.published_date_source) == (
        LISTED,
        "ofsted_listing",
    )
    assert attempt.summary["published_date_source"] == "ofsted_listing"
    # The contract's published_date stays what the report prints.
    assert attempt.summary["published_date"] is None


def test_with_no_date_anywhere_it_is_unknown_never_the_import_time():
    attempt = import_source(stored(DEVON))
    inspection = Inspection.objects.get()
    assert (inspection.published_date, inspection.published_date_source) == (None, "")
    assert attempt.summary["published_date_source"] is None


def test_a_listing_date_learned_later_fills_in_an_unknown_date():
    source = stored(DEVON)
    import_source(source)
    source.listed_published_date = LISTED
    source.save(update_fields=["listed_published_date"])
    assert import_source(source).outcome == "updated"
    assert Inspection.objects.get().published_date_source == "ofsted_listing"


def test_a_curated_date_and_its_source_survive_a_reimport_with_a_listing_date():
    source = stored(DEVON)
    import_source(source)
    inspection = Inspection.objects.get()
    inspection.published_date = datetime.date(2013, 9, 1)
    inspection.published_date_source = "curator"
    inspection.curated_fields = ["published_date"]
    inspection.save()
    source.listed_published_date = LISTED
    source.save(update_fields=["listed_published_date"])
    assert import_source(source).outcome == "unchanged"
    inspection.refresh_from_db()
    assert (inspection.published_date, inspection.published_date_source) == (
        datetime.date(2013, 9, 1),
        "curator",
    )
