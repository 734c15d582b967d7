"""The public pages' template environment: what differs from Django's language, kept alike."""

import datetime
from types import SimpleNamespace

import pytest
from django.template import TemplateDoesNotExist, engines
from django.template.loader import get_template
from django.utils.html import format_html


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_text_is_escaped_once_and_safe_html_not_again():
    assert render("{{ text }}", text="<b>'a' & \"b\"</b>") == (
        "&lt;b&gt;&#39;a&#39; &amp; &#34;b&#34;&lt;/b&gt;"
    )
    assert render("{{ tag }}", tag=format_html("<i>{}</i>", "<x>")) == "<i>&lt;x&gt;</i>"


def test_a_missing_value_renders_as_nothing_as_in_django():
    assert render("[{{ missing }}|{{ missing.deeper.still }}|{{ thing.nothing }}]", thing=1) == (
        "[||]"
    )


def test_dates_are_shown_in_the_sites_time_zone():
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    late = datetime.datetime(2024, 6, 30, 23, 30, tzinfo=datetime.UTC)
    assert render('{{ when|date("j F Y H:i") }}', when=late) == "1 July 2024 00:30"
    assert render('{{ when|date("j F Y") }}', when=None) == ""


def test_regroup_keeps_the_order_given():
    rows = [SimpleNamespace(addressee=a, n=n) for n, a in enumerate(["la", "lscb", "la"])]
    html = render(
        '{% for group in regroup(rows, "addressee") %}'
        "{{ group.grouper }}:{% for row in group.list %}{{ row.n }}{% endfor %};{% endfor %}",
        rows=rows,
    )
    assert html == "la:0;lscb:1;la:2;"  # runs, as Django's regroup; not sorted and merged


def test_djangos_default_replaces_empty_values_too():
    assert render("{{ n|default(0, true) }} {{ s|default('none', true) }}", n=None, s="") == (
        "0 none"
    )


def test_each_backend_finds_only_its_own_templates():
    jinja, django_templates = engines["jinja2"], engines["django"]
    for name in ("base.html", "404.html", "503.html", "robots.txt", "inspections/listing.html"):
        assert get_template(name).backend is jinja, name
        with pytest.raises(TemplateDoesNotExist):
            django_templates.get_template(name)
    for name in ("admin/inspections/sourcedocument/review.html", "admin/base_site.html"):
        assert get_template(name).backend is django_templates, name
        with pytest.raises(TemplateDoesNotExist):
            jinja.get_template(name)
