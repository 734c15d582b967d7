"""The structure step: running headers, page numbers and footnotes go; split words join."""

from pathlib import Path

from inspections.importer.read import read_document
from inspections.importer.report import Document
from inspections.importer.structure import structure

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "reports"


def _pdf(name):
    return structure(read_document((FIXTURES / name).read_bytes()))


def test_ilacs_running_header_and_page_numbers_are_removed():
    text = _pdf("ilacs_bristol_2023.pdf")
    assert text.lines[0] == "Inspection of Bristol local authority"  # the title stays
    assert not any(
        line.startswith("Inspection of Bristol local authority children’s services")
        for line in text.lines
    )
    assert not any(line.startswith("16 to 27 January 2023 ") for line in text.lines)
    assert "" not in text.lines
    assert len(text.lines) == len(text.page_of_line)


def test_sif_bare_page_numbers_and_footnotes_are_removed():
    text = _pdf("sif_coventry_2017.pdf")
    assert text.lines[0] == "Coventry City Council"
    assert not any(line.strip().isdigit() for line in text.lines)
    # "Information about this local authority area1" loses its footnote mark and the
    # footnote text at the page's foot goes.
    assert "Information about this local authority area" in text.lines
    assert not any(line.startswith("1 The local authority was given") for line in text.lines)


def test_words_hyphenated_across_lines_and_pages_are_joined():
    text = _pdf("sif_coventry_2017.pdf")
    assert any("community-based services" in line for line in text.lines)
    assert not any("\x02" in line for line in text.lines)


def test_hyphenated_word_split_over_a_page_break_joins():
    document = Document(
        media_type="application/pdf",
        pages=["1\nLife story work is part of day-to-", "2\nday practice for every child."],
        page_count=2,
    )
    text = structure(document)
    assert text.lines == ["Life story work is part of day-to-day practice for every child."]
    assert text.page_of_line == [1]


def test_footnote_with_a_rule_above_it_is_removed_with_its_mark():
    page = "2\nThe chair of the Board1 meets the leaders.\n \n1 The board is the LSCB."
    text = structure(Document("application/pdf", ["1\nTitle", page], 2))
    assert text.lines == ["Title", "The chair of the Board meets the leaders."]


def test_text_documents_keep_one_line_per_source_line():
    document = read_document((FIXTURES / "seed_001_north_somerset_sif_2017.txt").read_bytes())
    text = structure(document)
    assert len(text.lines) == len(document.pages[0].split("\n"))
    assert "" in text.lines
    # Superscript footnote marks are dropped; the footnote line is blanked, not removed.
    assert "Review of the effectiveness of the Local Safeguarding Children Board" in text.lines
    assert not any(line.startswith("¹") for line in text.lines)


def test_footnote_mark_is_not_taken_from_a_decimal_number():
    """ "74.3 per 10,000" holds no footnote mark: the mark is the "3" glued to a word."""
    page = (
        "2\nA rate of 74.3 per 10,000 children.\n- six live in residential special "
        "schools3, all out of the area\n \n3\nThese are residential special schools."
    )
    text = structure(Document("application/pdf", ["1\nTitle", page], 2))
    assert text.lines == [
        "Title",
        "A rate of 74.3 per 10,000 children.",
        "- six live in residential special schools, all out of the area",
    ]
