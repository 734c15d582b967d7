"""Settings for the explorer, read from the environment (see DOMAIN.md "Configuration").

Every setting that differs between a laptop and production comes from an environment
variable; nothing else needs editing here to deploy.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable, refusing values that are neither."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set SECRET_KEY in the environment (or DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "inspections",
]

# The order matters; explorer/middleware.py and inspections/public_site.py say what each
# of ours does.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so that static files get the policy too.
    "explorer.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "explorer.middleware.ReplicaReadsMiddleware",
    # Before sessions and CSRF: answers 405 before CSRF can answer 403, and sees the
    # Vary: Cookie that the session middleware adds to a response.
    "inspections.public_site.PublicSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "inspections.login_throttle.AdminLoginThrottleMiddleware",
]

ROOT_URLCONF = "explorer.urls"

TEMPLATES = [
    {
        # The public pages, error pages and robots.txt: Jinja2, about twice as fast to render
        # as Django's template language (README, "Templates"). First, so they are looked up
        # there first; it finds only templates/jinja2/.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "inspections.jinja2.environment",
            # The request itself the backend adds.
            "context_processors": ["inspections.context_processors.freshness"],
            "keep_trailing_newline": True,  # robots.txt ends with one, as Django kept it
        },
    },
    {
        # The admin's pages (templates/admin/ and Django's own): Django's template language.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inspections.context_processors.freshness",
            ],
        },
    },
]

WSGI_APPLICATION = "explorer.wsgi.application"

# Session settings for every PostgreSQL connection, measured at 1M findings:
# - JIT compiled the big facet and search queries anew each time: 17-50 ms per statement,
#   never paid back (190 -> 88 ms per rare-word listing with it off);
# - random_page_cost 4 (the default) prices a random read as on a spinning disk, so for a
#   theme filter on one inspection's 2,266 findings the planner hashed all 324,000 of the
#   theme's links (90 ms) rather than probe the index per finding (14 ms at 1.1, the
#   usual figure for SSDs and for data that fits in memory).
# - work_mem 32MB: a common word's theme cells (60,000 groups at 1M findings) were sorted
#   on disk at the default 4MB.
POSTGRESQL_OPTIONS = "-c jit=off -c random_page_cost=1.1 -c work_mem=32MB"

# SQLite in the project folder unless DATABASE_URL names another database.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the public site read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            # Concurrent imports queue for the write lock rather than fail after 5 s.
            "timeout": 30,
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", POSTGRESQL_OPTIONS)

# A read replica for the public pages (explorer/routers.py): GET and HEAD requests outside
# the admin read from it; everything else uses the primary. In tests it mirrors `default`.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("options", POSTGRESQL_OPTIONS)
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["replica"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;"}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["explorer.routers.ReplicaRouter"]


CACHE_TIMEOUT_SECONDS = float(os.environ.get("CACHE_TIMEOUT_SECONDS", "0.25"))


def cache_from_url(url: str) -> dict:
    """CACHES["default"] for CACHE_URL: locmem://[name], redis://… or rediss://…, dummy://."""
    scheme, _, rest = url.partition("://")
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    if scheme in {"redis", "rediss"}:
        return {
            # An outage is a cache miss, logged once (explorer/cache.py).
            "BACKEND": "explorer.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "explorer",
            "OPTIONS": {
                # A nearby Redis answers in a millisecond; one that hangs costs this much.
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
                # After a failure, skip the cache this long before trying it again.
                "retry_seconds": 10,
            },
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL must start with locmem://, redis://, rediss:// or dummy://, not {url!r}."
    )


# How long the shared cache keeps a built page, a listing's counts or its filter form. Each
# is keyed by the page identity or data version (inspections.freshness), so a change makes
# it stale at once; this only bounds how long an unread one takes room.
SHARED_CACHE_SECONDS = 24 * 60 * 60

# The cache holds built pages and listing summaries; with several servers use one Redis
# for all. Log-in throttling keeps its counts in the database instead.
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", "locmem://"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Where a log-in without a `next` address lands: the admin is the only signed-in part
# (Django's default, /accounts/profile/, is no page here).
LOGIN_REDIRECT_URL = "admin:index"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded source documents. Kept outside the static tree; served only through a view.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

# The largest report file the importer accepts (Ofsted's largest are about 3 MB).
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(30 * 1024 * 1024)))
# Reading and parsing one file, PDF or text (inspections/importer/limits.py), happens in a
# worker process with these limits, so a hostile file cannot hang or exhaust a web worker:
# wall-clock seconds, and MB of memory on top of the reader's own.
IMPORT_PARSE_SECONDS = float(os.environ.get("IMPORT_PARSE_SECONDS", "30"))
IMPORT_PARSE_MEMORY_MB = int(os.environ.get("IMPORT_PARSE_MEMORY_MB", "1024"))
# All the files one admin request reads (an upload's review, its import, a re-import) share
# this many seconds, so the request answers inside gunicorn's timeout (30 s by default)
# however many slow files it holds; the files not read in time say so and wait.
IMPORT_REQUEST_SECONDS = float(os.environ.get("IMPORT_REQUEST_SECONDS", "25"))
# The largest upload one admin request may carry, all its files together: a body whose
# Content-Length is over it has none of its files kept, and any one file is dropped as soon
# as it passes IMPORT_MAX_BYTES (inspections/uploads.py), so neither reaches memory or disk.
IMPORT_UPLOAD_MAX_BYTES = int(os.environ.get("IMPORT_UPLOAD_MAX_BYTES", str(100 * 1024 * 1024)))
# Harvesting reports from Ofsted's site (manage.py harvest_ofsted; DOMAIN.md "Harvesting").
# Each authority's provider page, a template with {urn}.
OFSTED_PROVIDER_URL = os.environ.get(
    "OFSTED_PROVIDER_URL", "https://reports.ofsted.gov.uk/provider/44/{urn}"
)
# The only hosts report files are downloaded from: a link elsewhere is refused with a
# warning, so a changed or tampered page cannot make the harvester fetch arbitrary URLs.
OFSTED_FILE_HOSTS = [
    host.strip().lower()
    for host in os.environ.get("OFSTED_FILE_HOSTS", "files.ofsted.gov.uk").split(",")
    if host.strip()
]
# Off: harvested reports are imported and published at once, as import_reports does. On:
# they wait, as uploads do, in the admin's review (Source documents, "Awaiting review").
HARVEST_REVIEW = env_bool("HARVEST_REVIEW")
# Politeness towards Ofsted's site: seconds between requests (one at a time), and the
# first wait before retrying a 5xx answer or a broken connection (doubled each retry).
HARVEST_DELAY_SECONDS = float(os.environ.get("HARVEST_DELAY_SECONDS", "2"))
HARVEST_RETRY_SECONDS = float(os.environ.get("HARVEST_RETRY_SECONDS", "5"))
HARVEST_RETRIES = int(os.environ.get("HARVEST_RETRIES", "3"))
# An address Ofsted can reach whoever runs the harvester at; it goes in the User-Agent,
# and the harvester refuses to run without one.
HARVEST_CONTACT = os.environ.get("HARVEST_CONTACT", "")

FILE_UPLOAD_HANDLERS = [
    "inspections.uploads.SizeLimitUploadHandler",  # first: it sees every chunk
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Each database statement of a public page may run this long; past it the page answers
# 503, "narrow your search" (inspections/statement_timeout.py). The admin is not limited.
PUBLIC_STATEMENT_TIMEOUT_SECONDS = float(os.environ.get("PUBLIC_STATEMENT_TIMEOUT_SECONDS", "5"))

# Each client may ask the listings (findings, recommendations: the pages whose filters,
# searches and page numbers combine without end) for this many filtered pages in this many
# seconds, "requests/seconds"; past it they answer 429 with Retry-After. "off" turns the
# limit off (the benchmarks do). Counted in the shared cache (CACHE_URL), so per client
# across all servers with Redis; a cache that is out of reach lets every request through.
PUBLIC_LISTING_RATE = os.environ.get("PUBLIC_LISTING_RATE", "120/60")

# --- HTTP caching of the public pages (inspections.public_site.PublicSiteMiddleware) ---
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "300"))
PUBLIC_CACHE_STALE_SECONDS = 60
ERROR_CACHE_SECONDS = 60
# Part of every ETag, so a deploy never answers 304 with an old page; a digest of the code
# and templates when unset.
RELEASE_ID = os.environ.get("RELEASE_ID", "")

# --- Security (`manage.py check --deploy` reports nothing with DEBUG off) ---
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Redirect http:// to https://. Turn off only where the proxy in front already does it.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers check health over plain http, straight to each server.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips the client's own).
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append to X-Forwarded-For: login throttling counts failures
# per client address, which without this would be the proxy's.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Browsers refuse plain http for a year once they have seen this over https.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django 6.0's setting name and shape; served by explorer.middleware until then. No
# 'unsafe-inline' anywhere: templates have no inline script, style or event handlers.
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Admin log-in: this many failures for one username from one address lock that pair out
# for LOGIN_LOCKOUT_SECONDS (inspections.login_throttle), counted in the database.
LOGIN_FAILURE_LIMIT = 5
LOGIN_LOCKOUT_SECONDS = 15 * 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
