"""The Jinja2 environment of the public pages (templates/jinja2/; the admin stays on Django's
template language).

Jinja2 compiles a template to Python; Django's template language walks nodes and resolves
each `{{ a.b.c }}` by trial at every render, which was two thirds of a listing page's CPU.
The templates get the same helpers the Django templates had, reused rather than rewritten:
Django's own filters (`date`, `pluralize`, `truncatewords`...), `inspections.display`'s
labels and grade tags, `inspections.links.filter_url`, and the grade chart's geometry.

What differs from Django's language, and how the templates deal with it:
- methods are called explicitly: `{{ record.get_absolute_url() }}`;
- a missing variable or attribute renders as nothing, as in Django (`ChainableUndefined`),
  rather than raising;
- `default(x, true)` is Django's `default` (also for empty values); plain `default(x)`
  only replaces a missing value;
- `{% cache seconds, "name", key %}` is Django's fragment cache (`FragmentCacheExtension`).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable
from typing import Any

from django.core.cache import InvalidCacheBackendError, caches
from django.core.cache.utils import make_template_fragment_key
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils.timezone import template_localtime
from jinja2 import ChainableUndefined, Environment, nodes
from jinja2.ext import Extension
from markupsafe import Markup

from . import display, grade_chart, links


def date(value: Any, arg: str | None = None) -> str:
    """Django's `date` filter, with an aware datetime first put in the site's time zone
    (Django's template language does that for filters marked `expects_localtime`)."""
    return defaultfilters.date(template_localtime(value), arg)


def regroup(items: Iterable[Any], attribute: str) -> list[dict[str, Any]]:
    """Django's `{% regroup %}`: runs of consecutive items with the same `attribute`, as
    `{grouper, list}`, in the order given (Jinja2's `groupby` would sort them)."""
    return [
        {"grouper": grouper, "list": list(group)}
        for grouper, group in itertools.groupby(items, key=operator.attrgetter(attribute))
    ]


class FragmentCacheExtension(Extension):
    """`{% cache seconds, "name", key... %}…{% endcache %}`: Django's `{% cache %}` tag.

    The same cache (`template_fragments` if configured, else `default`) and the same keys
    (`make_template_fragment_key`); the body is rendered only on a miss, so anything lazy in
    it (a listing's facets) is worked out only then. A cache that is out answers misses
    (explorer.cache), so the fragment is then rendered every time.
    """

    tags = {"cache"}

    def parse(self, parser: Any) -> nodes.Node:
        lineno = next(parser.stream).lineno
        args = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            args.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_cached", args), [], [], body).set_lineno(lineno)

    @staticmethod
    def _cached(timeout: int | None, fragment_name: str, *vary_on: Any, caller: Any) -> Markup:
        try:
            fragment_cache = caches["template_fragments"]
        except InvalidCacheBackendError:
            fragment_cache = caches["default"]
        key = make_template_fragment_key(fragment_name, vary_on)
        value = fragment_cache.get(key)
        if value is None:
            value = caller()
            fragment_cache.set(key, value, timeout)
        return Markup(value)


def environment(**options: Any) -> Environment:
    """The public pages' environment (settings.TEMPLATES names it)."""
    # A missing variable renders as nothing, as in Django's templates, whatever DEBUG says.
    options["undefined"] = ChainableUndefined
    options.setdefault("extensions", []).append(FragmentCacheExtension)
    env = Environment(**options)
    env.globals.update(
        {
            "url": reverse,
            "static": static,
            "filter_url": links.filter_url,
            "navigation_items": display.navigation_items,
            "grade_chart": grade_chart.grade_chart,
            "regroup": regroup,
        }
    )
    env.filters.update(
        {
            "date": date,
            "pluralize": defaultfilters.pluralize,
            "capfirst": defaultfilters.capfirst,
            "truncatewords": defaultfilters.truncatewords,
            "truncatechars": defaultfilters.truncatechars,
            "grade_tag": display.grade_tag,
            "timescale_label": display.timescale_label,
            "follow_through_label": display.follow_through_label,
            "get_item": display.get_item,
        }
    )
    return env
