"""Names as reports spell them resolve to the right authority."""

import json

import pytest

from inspections.authority_names import AuthorityNameIndex, name_key
from inspections.importer.service import AuthorityResolver

from .conftest import SHARED


def labelled_names():
    pairs = set()
    for labels in ("corpus/labels.jsonl", "seeds/labels.jsonl"):
        path = SHARED / labels
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            label = json.loads(line)
            if label["kind"] == "report":
                pairs.add((label["authority_name"], int(label["authority_urn"])))
    return sorted(pairs)


# Spellings seen in reports and papers, beyond the labels files.
SPELLINGS = [
    ("Metropolitan Borough of Barnsley Council", 80426),
    ("Bristol City of", 80441),
    ("Bristol City Council", 80441),
    ("Somerset County Council", 80555),
    ("North Somerset Council", 80528),
    ("Windsor & Maidenhead", 80546),
    ("Royal Borough of Windsor and Maidenhead", 80546),
    ("London Borough of Lambeth", 80506),
    ("Kingston upon Hull City Council", 80477),
    ("Hull", 80477),
    ("Kingston upon Thames", 80545),
    ("City of York Council", 80453),
    ("Durham County Council", 80465),
    ("St Helens", 80560),
    ("City of London", 80450),
    ("BCP", 2532287),
    ("Poole", 137316),
    ("Cumbria County Council", 135513),
    ("Bath & North East Somerset Council", 80427),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "urn"), labelled_names() + SPELLINGS)
def test_name_resolves_to_the_right_authority(name, urn):
    authority = AuthorityResolver().resolve(name)
    assert authority is not None, name
    assert authority.urn == urn


def test_labels_files_are_read():
    if not (SHARED / "corpus").exists():
        pytest.skip("../shared is not beside the project")
    assert len(labelled_names()) >= 40


def test_unknown_name_resolves_to_nothing():
    index = AuthorityNameIndex([(1, "Somerset"), (2, "North Somerset")])
    assert index.resolve("Atlantis District Council") is None
    assert index.resolve("") is None


def test_the_longest_contained_name_wins():
    index = AuthorityNameIndex([(1, "Somerset"), (2, "North Somerset")])
    assert index.resolve("children's services in North Somerset") == 2
    assert index.resolve("Somerset County Council") == 1


def test_name_key_keeps_only_distinctive_words():
    assert name_key("Metropolitan Borough of Barnsley Council") == "barnsley"
    assert name_key("Windsor & Maidenhead") == name_key("Windsor and Maidenhead")
    assert name_key("City of London") == "city of london"


def test_a_short_form_of_one_authoritys_name_resolves_to_it():
    """The name's words run together within exactly one authority's name: its last
    words ("Hull"), its first ("Brighton"), without the generic ones ("Durham")."""
    index = AuthorityNameIndex(
        [(1, "Kingston upon Hull, City of"), (2, "Brighton and Hove"), (3, "County Durham")]
    )
    assert index.resolve("Hull") == 1
    assert index.resolve("Hull City Council") == 1
    assert index.resolve("Brighton") == 2
    assert index.resolve("Durham") == 3


def test_an_ambiguous_short_form_is_refused_with_its_candidates():
    index = AuthorityNameIndex([(1, "Kingston upon Hull"), (2, "Kingston upon Thames")])
    assert index.resolve("Kingston") is None
    assert index.candidates("Kingston") == [1, 2]
    # Connecting words and generic words alone are no short form of anything.
    assert index.candidates("upon") == []
    assert index.candidates("City Council") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "urn"),
    [("Brighton", 80438), ("Brighton Council", 80438), ("Telford", 80570), ("Redcar", 80541)],
)
def test_short_forms_resolve_among_the_real_authorities(name, urn):
    authority = AuthorityResolver().resolve(name)
    assert authority is not None and authority.urn == urn


@pytest.mark.django_db
def test_an_ambiguous_short_form_among_the_real_authorities_names_its_candidates():
    resolver = AuthorityResolver()
    assert resolver.resolve("Kingston") is None
    assert sorted(a.urn for a in resolver.candidates("Kingston")) == [80477, 80545]
