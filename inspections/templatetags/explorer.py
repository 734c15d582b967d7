"""The admin's template filter (the admin's pages are Django templates; the public pages are
Jinja2, `inspections.jinja2`)."""

from django import template

from .. import display

register = template.Library()
register.filter("get_item", display.get_item)
