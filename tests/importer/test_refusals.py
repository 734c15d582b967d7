"""Everything that is not an importable report is refused with a specific sentence, and
nothing but the record of the attempt is saved."""

import json
import tracemalloc

import pytest
from django.core.management import call_command

from inspections.importer.report import ImportRefused
from inspections.importer.service import import_source, store_source
from inspections.models import Finding, ImportAttempt, Inspection
from inspections.themes.store import theme_tagger

from ..conftest import ROOT

pytestmark = pytest.mark.django_db

BAD = ROOT / "fixtures" / "bad"
A_REAL_PDF = sorted((ROOT / "fixtures" / "reports").glob("*.pdf"))
assert A_REAL_PDF, "the truncation test needs a real PDF in fixtures/reports/"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("report-not-found-web-page.pdf", "a saved web page"),
        ("encrypted.pdf", "encrypted with a password"),
        ("scanned-no-text.pdf", "no text layer"),
        ("unrelated-parish-minutes.pdf", "does not read as an Ofsted"),
    ],
)
def test_a_stored_file_that_is_not_a_report_is_rejected(name, message):
    source, _ = store_source((BAD / name).read_bytes(), name)
    attempt = import_source(source)
    assert attempt.outcome == "rejected"
    assert message in attempt.error
    assert not Inspection.objects.exists()
    assert ImportAttempt.objects.get().source_document == source


def test_an_empty_file_is_refused_before_it_is_stored():
    with pytest.raises(ImportRefused, match="The file is empty"):
        store_source((BAD / "empty.pdf").read_bytes(), "empty.pdf")


def test_a_file_over_the_limit_is_refused_before_it_is_stored(settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(ImportRefused, match="over the 1 KB limit"):
        store_source(b"%PDF-1.7" + b" " * 2000, "big.pdf")


def test_a_truncated_pdf_is_rejected_as_damaged():
    data = A_REAL_PDF[0].read_bytes()
    source, _ = store_source(data[: len(data) // 3], "truncated.pdf")
    attempt = import_source(source)
    assert attempt.outcome == "rejected"
    assert "damaged" in attempt.error
    assert not Finding.objects.exists()


def test_the_command_rejects_each_bad_file_and_goes_on(capsys):
    with pytest.raises(SystemExit) as exit_status:
        call_command("import_reports", str(BAD), format="json")
    assert exit_status.value.code == 1
    out = capsys.readouterr().out.strip().splitlines()
    # Five bad files and the folder's README.md, which is not a report either.
    assert len(out) == 6
    assert all('"status": "rejected"' in line for line in out)


def test_the_command_refuses_a_file_over_the_limit_without_reading_it(settings, tmp_path, capsys):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    big = tmp_path / "big.txt"
    with big.open("wb") as out:
        out.truncate(40 * 1024 * 1024)  # 40 MB of NULs, on disk only
    theme_tagger()  # installs and unpacks the theme model once per process: not measured
    tracemalloc.start()
    try:
        with pytest.raises(SystemExit):
            call_command("import_reports", str(big), format="json")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"{peak / 1048576:.0f} MB held for a 40 MB file"
    record = json.loads(capsys.readouterr().out)
    assert record["status"] == "rejected"
    assert record["error"] == "The file is 40.0 MB, over the 1.0 MB limit for a report."
