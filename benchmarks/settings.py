"""Settings for benchmarks only: production settings (explorer.settings, from the same
environment) with this package installed as an app, for `manage.py generate_corpus`, and
one more URL, a view that returns a constant string (benchmarks/urls.py).

Never deployed: the public URLconf stays as it is. Comparing a page with the constant view
under the same gunicorn (scripts/benchmark_web) shows what the page costs beyond Django's
own request handling.
"""

from explorer.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405
ROOT_URLCONF = "benchmarks.urls"
# The benchmarks ask the listings far faster than any one visitor may.
PUBLIC_LISTING_RATE = "off"
