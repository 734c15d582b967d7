"""The bundled reference data: every authority, its region, neighbours and successors."""

import pytest

from inspections.models import Authority, Region, StatisticalNeighbour, Theme

pytestmark = pytest.mark.django_db


def test_every_authority_is_loaded_153_current_and_3_former():
    assert Authority.objects.count() == 156
    assert Authority.objects.filter(abolished_on__isnull=True).count() == 153
    former = Authority.objects.filter(abolished_on__isnull=False).order_by("name")
    assert [a.name for a in former] == ["Cumbria", "Northamptonshire", "Poole"]


def test_former_authorities_link_to_their_successors():
    def successors(slug):
        return sorted(Authority.objects.get(slug=slug).successors.values_list("slug", flat=True))

    assert successors("cumbria") == ["cumberland", "westmorland-and-furness"]
    assert successors("northamptonshire") == ["north-northamptonshire", "west-northamptonshire"]
    assert successors("poole") == ["bournemouth-christchurch-and-poole"]
    bcp = Authority.objects.get(slug="bournemouth-christchurch-and-poole")
    assert list(bcp.predecessors.values_list("slug", flat=True)) == ["poole"]


def test_regions_come_from_the_region_name_where_the_csv_code_is_wrong():
    assert Region.objects.count() == 9
    assert Authority.objects.get(slug="medway").region.name == "South East"
    assert Authority.objects.get(slug="buckinghamshire").region.code == "E12000008"
    assert Authority.objects.get(slug="gloucestershire").region.code == "E12000009"
    assert Authority.objects.get(slug="cumbria").region.name == "North West"


def test_each_current_authority_has_ten_ranked_statistical_neighbours():
    for authority in Authority.objects.filter(abolished_on__isnull=True):
        ranks = list(
            StatisticalNeighbour.objects.filter(authority=authority).values_list("rank", flat=True)
        )
        assert sorted(ranks) == list(range(1, 11)), authority
    somerset = Authority.objects.get(slug="somerset")
    closest = StatisticalNeighbour.objects.get(authority=somerset, rank=1).neighbour
    assert closest.la_code == "935"  # Suffolk, first in the CSV's list


def test_slugs_follow_the_url_contract():
    slugs = set(Authority.objects.values_list("slug", flat=True))
    assert {"somerset", "north-somerset", "devon", "bath-and-north-east-somerset"} <= slugs


def test_the_seed_themes_are_loaded_with_their_cues():
    assert Theme.objects.count() == 30
    missing = Theme.objects.get(slug="missing")
    assert "return home interview" in missing.cue_list


def test_every_seed_theme_has_a_plain_english_description():
    assert not Theme.objects.filter(description="").exists()
