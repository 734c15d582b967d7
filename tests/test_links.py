"""Links to filtered listings: literal URLs, in the order given, and escaped in pages."""

import pytest
from django.template import engines

from inspections.links import filter_url


def test_a_link_keeps_its_parameters_in_the_order_given():
    assert (
        filter_url("recommendation-list", authority="somerset", theme="neglect", year=2013)
        == "/recommendations/?authority=somerset&theme=neglect&year=2013"
    )
    assert filter_url("finding-list", framework="sif") == "/findings/?framework=sif"
    assert filter_url("authority-list", region="south-west") == "/authorities/?region=south-west"


def test_a_list_repeats_the_parameter_and_an_empty_value_is_left_out():
    assert (
        filter_url("finding-list", theme=["neglect", "missing"], authority=None, grade="")
        == "/findings/?theme=neglect&theme=missing"
    )
    assert filter_url("finding-list") == "/findings/"


def test_values_are_encoded_as_the_listings_encode_them():
    assert filter_url("finding-list", q="a b&c") == "/findings/?q=a+b%26c"


def test_a_parameter_the_page_does_not_take_is_an_error():
    with pytest.raises(ValueError, match="themes"):
        filter_url("finding-list", themes="neglect")
    with pytest.raises(ValueError, match="addressee"):
        filter_url("finding-list", addressee="lscb")  # recommendations only


def test_the_pages_escape_the_ampersands():
    template = engines["jinja2"].from_string(
        '<a href="{{ filter_url("recommendation-list", authority=slug, theme="neglect") }}">'
    )
    assert (
        template.render({"slug": "somerset"})
        == '<a href="/recommendations/?authority=somerset&amp;theme=neglect">'
    )
