"""Settings for the real processes the fault tests start (gunicorn, manage.py).

Production settings from the environment, except that static files are served from the
app folders (no collectstatic into the shared staticfiles/ folder needed).
"""

from explorer.settings import *  # noqa: F403

STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# generate_corpus (benchmarks/), which the fault tests run; never installed in production.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405
