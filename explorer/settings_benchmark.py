"""Settings for scripts/benchmark_web's baseline server only: production settings
(explorer.settings, from the same environment) with one more URL, a view that returns a
constant string.

Never deployed: the public URLconf stays as it is. Comparing a page with this view under the
same gunicorn shows what the page costs beyond Django's own request handling.
"""

from explorer.settings import *  # noqa: F403

ROOT_URLCONF = "explorer.benchmark_urls"
