"""Settings for the homecare brokerage platform, read from the environment.

Embedded defaults let a fresh clone run with no services at all: SQLite for the database and
kombu's SQLAlchemy transport over SQLite as the Celery broker, so a real worker still runs.
Set ``DATABASE_URL`` and ``REDIS_URL`` to use PostgreSQL and Redis. ``DJANGO_ENV=production``
switches on the secure defaults and makes ``DJANGO_SECRET_KEY`` mandatory.
Every variable is listed in the README's configuration table.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import csp.constants
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from config.beat import BEAT_SCHEDULE
from homecare.accounts.client_ip import client_ip_meta_precedence
from homecare.env import (
    database_from_env,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_optional,
    env_pairs,
    env_path,
    env_rate,
    env_str,
    env_url,
)

# Lets ModelAdmin[Model] and QuerySet[Model] be subscripted at run time, as django-stubs types them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("HOMECARE_VAR_DIR", BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"

ENVIRONMENT = env_choice("DJANGO_ENV", "development", {"development", "production"})
IS_PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DJANGO_DEBUG", default=not IS_PRODUCTION)

if IS_PRODUCTION:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters in production.")
else:
    # Development only: a fixed key is fine because nothing real is signed with it.
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-insecure-key-" + "x" * 40)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "homecare.accounts.admin_config.HomecareAdminConfig",  # django.contrib.admin, behind sign-in and MFA
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_standardized_errors",
    "crispy_forms",
    "crispy_forms_gds",
    "govuk_frontend_django",
    "django_htmx",
    "health_check",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "homecare.accounts",
    "homecare.audit",
    "homecare.apitokens",
    "homecare.webhooks",
    "homecare.notify",
    "oauth2_provider",
    "demo",  # the demo orchestration (top level: it runs every app's demo step)
    "providers",
    "contracts",
    "dps",
    "brokerage",
    "commissioning",  # tenders, procurement timetables, dynamic markets, funding formula, neighbourhood model
    "visits",  # visits delivered (ECM), planned against actual, pay runs
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "homecare.correlation.CorrelationIdMiddleware",  # early: every later log line and event carries the id
    "homecare.audit.actor.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "homecare.accounts.middleware.IdleSessionTimeoutMiddleware",  # after messages: it leaves one
    "homecare.boundary.RequestBoundaryMiddleware",
    "homecare.api_versions.LegacyApiMiddleware",  # size and characters of every request, before any view
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into the sign-in page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "homecare.accounts.context_processors.audience",
            ],
        },
    },
]

DATABASES = {"default": database_from_env("DATABASE_URL", default_sqlite=VAR_DIR / "homecare.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in protection (README "Security: sign-in"). Lockout: django-axes counts failed passwords per
# username and per client address; a successful sign-in clears the count.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("HOMECARE_SIGNIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HOMECARE_SIGNIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "homecare.accounts.lockout.lockout_response"
# The client address is REMOTE_ADDR unless the deployment names the header its own proxy sets
# (HOMECARE_CLIENT_IP_HEADER); its right-most entry is the one that proxy appended, not the client.
AXES_IPWARE_META_PRECEDENCE_ORDER = client_ip_meta_precedence(env_optional("HOMECARE_CLIENT_IP_HEADER"))
AXES_IPWARE_PROXY_ORDER = "right-most"
# Second factor (django-otp TOTP): required for officers, CCC staff and admins; optional for providers.
HOMECARE_MFA_REQUIRED = env_bool("HOMECARE_MFA_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Homecare brokerage"
# Idle timeout: a session unused this long is signed out; SESSION_COOKIE_AGE stays the absolute limit.
SESSION_IDLE_TIMEOUT = env_int("DJANGO_SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for an hour

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk-frontend", NODE_MODULES / "govuk-frontend"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("chartjs", NODE_MODULES / "chart.js" / "dist"),
]
# GOV.UK Frontend's compiled CSS asks for its images at /assets/.
WHITENOISE_ROOT = NODE_MODULES / "govuk-frontend" / "dist" / "govuk"
# Outside production WhiteNoise serves straight from the finders (node_modules included), also
# under pytest's live server where DEBUG is off; STATIC_ROOT only exists after collectstatic.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "homecare.apitokens.authentication.ApiTokenAuthentication",
        "homecare.apitokens.oauth.ClientCredentialsAuthentication",  # systems: OAuth2 client credentials
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Page numbers for people, a keyset cursor in order of change for polling clients (homecare.api_lists).
    "DEFAULT_PAGINATION_CLASS": "homecare.api_lists.ListPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "homecare.apitokens.throttling.ApiUserRateThrottle",
        "homecare.apitokens.throttling.ApiAnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_rate("HOMECARE_API_THROTTLE_USER", "1000/minute"),
        "anon": env_rate("HOMECARE_API_THROTTLE_ANON", "60/minute"),
    },
    # Proxies in front of the service that append to X-Forwarded-For; 0 trusts only the socket's address.
    "NUM_PROXIES": env_int("HOMECARE_API_TRUSTED_PROXIES", 0, minimum=0),
}
# API tokens: knox, hashed and expiring, with our named model (homecare.apitokens.models.ApiToken).
KNOX_TOKEN_MODEL = "apitokens.ApiToken"  # noqa: S105 - a model name, not a secret
MIGRATION_MODULES = {"knox": None}  # knox's migrations would create its unused (swapped-out) token table
REST_KNOX = {"TOKEN_TTL": timedelta(days=env_int("HOMECARE_API_TOKEN_TTL_DAYS", 90, minimum=1)), "AUTO_REFRESH": False}
# OAuth2 client credentials for systems (homecare.apitokens.oauth): an hour per access token, no other grant.
OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "Read the API (every GET)",
        "referrals": "Post referrals (ISAs) for brokering",
        "offers": "Accept and decline your organisation's offers",
    },
    "DEFAULT_SCOPES": ["read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("HOMECARE_OAUTH_TOKEN_SECONDS", 3600, minimum=60),
    # Only client credentials are used; follow RFC 9700 (the OAuth 2.0 Security BCP) everywhere else too:
    # no implicit or password grant, no PKCE "plain", tokens only in the Authorization header, tokens stored
    # hashed, refresh-token replay revokes the family, https-only redirect URIs.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "PKCE_REQUIRED": True,
}
# The request boundary (homecare.boundary, homecare.problems): one error format, body, depth and date limits.
REST_FRAMEWORK |= {
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "homecare.problems.ProblemAutoSchema",
    # \u-escape non-ASCII, so an error that quotes a lone surrogate back to its sender still encodes.
    "UNICODE_JSON": False,
    "DEFAULT_PARSER_CLASSES": [
        "homecare.json_parser.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "homecare.problems.ProblemExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "homecare.problems.ProblemFormatter",
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "406", "413", "415", "429", "500"],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)
HOMECARE_MAX_UPLOAD_BYTES = env_int("HOMECARE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024)
HOMECARE_JSON_MAX_DEPTH = env_int("HOMECARE_JSON_MAX_DEPTH", 32, minimum=4)
# Cursor pages hold back rows changed this recently: their transaction may not have committed yet.
HOMECARE_API_POLL_SETTLE_SECONDS = env_float("HOMECARE_API_POLL_SETTLE_SECONDS", 5.0, minimum=0.0)
HOMECARE_START_PAST_DAYS = env_int("HOMECARE_START_PAST_DAYS", 7, minimum=0)
HOMECARE_START_HORIZON_DAYS = env_int("HOMECARE_START_HORIZON_DAYS", 730, minimum=1)

SPECTACULAR_SETTINGS = {
    "TITLE": "Homecare brokerage API",
    "DESCRIPTION": "For integrators: case-management systems (e.g. Mosaic) and provider systems.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["homecare.api_versions.only_current_version"],
    "COMPONENT_SPLIT_REQUEST": True,
    # A package's status appears in several outputs; one named enum for it (not a hashed name).
    "ENUM_NAME_OVERRIDES": {"PackageStatusEnum": "brokerage.models.CarePackage.Status"},
}

# Content-Security-Policy (django-csp): scripts and styles only from our own static files; an inline
# script needs the request's nonce (README, "Content-Security-Policy"). Swagger UI and Redoc come from
# drf-spectacular-sidecar's pinned copies, so no page loads anything from another host.
INSTALLED_APPS += ["csp", "drf_spectacular_sidecar"]
MIDDLEWARE.insert(MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.constants.SELF],
        "script-src": [csp.constants.SELF, csp.constants.NONCE],
        # Redoc (pinned by drf-spectacular-sidecar) adds two <style> elements before it can be given the
        # nonce: perfect-scrollbar's CSS and an empty sheet. Allowed by hash, so nothing else inline is.
        "style-src": [
            csp.constants.SELF,
            csp.constants.NONCE,
            "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        ],
        "img-src": [csp.constants.SELF, "data:"],  # GOV.UK Frontend's and Swagger UI's icons are data: URIs
        "font-src": [csp.constants.SELF],
        "connect-src": [csp.constants.SELF],
        "worker-src": [csp.constants.SELF, "blob:"],  # Redoc's search runs in a worker made from its own bundle
        "object-src": [csp.constants.NONE],
        "base-uri": [csp.constants.SELF],
        "frame-ancestors": [csp.constants.NONE],
        "form-action": [csp.constants.SELF],
    },
}
SPECTACULAR_SETTINGS |= {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Outbound webhooks (homecare.webhooks): exponential backoff from the base, doubling up to the maximum.
HOMECARE_WEBHOOK_RETRY_BASE_SECONDS = env_float("HOMECARE_WEBHOOK_RETRY_BASE_SECONDS", 30.0, minimum=0.01)
HOMECARE_WEBHOOK_RETRY_MAX_SECONDS = env_float("HOMECARE_WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600.0, minimum=0.01)
HOMECARE_WEBHOOK_MAX_ATTEMPTS = env_int("HOMECARE_WEBHOOK_MAX_ATTEMPTS", 15, minimum=1)
HOMECARE_WEBHOOK_TIMEOUT_SECONDS = env_float("HOMECARE_WEBHOOK_TIMEOUT_SECONDS", 10.0, minimum=0.1)

# Celery: the broker only carries ids; state lives in the database.
REDIS_URL = env_url("REDIS_URL", schemes={"redis", "rediss"})
CELERY_BROKER_URL = (
    env_url("CELERY_BROKER_URL", schemes={"redis", "rediss", "amqp", "amqps", "sqla+sqlite", "sqla+postgresql"})
    or REDIS_URL
    or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
CELERY_RESULT_BACKEND = (
    env_url("CELERY_RESULT_BACKEND", schemes={"redis", "rediss", "db+sqlite", "db+postgresql"})
    or REDIS_URL
    or f"db+sqlite:///{VAR_DIR / 'celery-results.sqlite3'}"
)
CELERY_TASK_ACKS_LATE = True
# Each task to its queue by name (config.queues): the sweeps and alerts on ``control``, emails on ``notify``.
HOMECARE_CELERY_QUEUE_PREFIX = env_str("HOMECARE_CELERY_QUEUE_PREFIX", "")
CELERY_TASK_DEFAULT_QUEUE = f"{HOMECARE_CELERY_QUEUE_PREFIX}default"
CELERY_TASK_ROUTES = ("config.queues.route_task",)
# Offer emails wait this long after the offers are made, so a burst's offers to one provider share one email.
HOMECARE_OFFER_EMAIL_BATCH_SECONDS = env_float("HOMECARE_OFFER_EMAIL_BATCH_SECONDS", 10.0, minimum=0.0)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30 if CELERY_TASK_TIME_LIMIT > 60 else None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that enqueues work must never wait on a broker that is down: the write is saved already and the
# beat sweeps recover the work from the database (homecare.queue). So connecting gives up after
# CELERY_BROKER_CONNECTION_TIMEOUT seconds and a publish is retried once, at once; the worker keeps
# reconnecting on its own. (A broker that refuses the connection, as a stopped local one does, fails at once.)
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 1, minimum=1)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis's own socket options; other transports (the embedded SQLite broker) take different ones.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT, "max_retries": 1}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_CONNECTION_TIMEOUT
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# API throttle counts: shared by every process through Redis when it is configured; per process otherwise.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "homecare",
            # Fail fast when Redis is down (the throttle then lets requests through), never hang a request.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "homecare-brokerage@localhost")

# GOV.UK Notify (homecare.notify): email through it with DJANGO_EMAIL_BACKEND set to its backend,
# homecare.notify.backend.NotifyEmailBackend; text messages for urgent offers once a key and template are set.
HOMECARE_NOTIFY_API_KEY = env_str("HOMECARE_NOTIFY_API_KEY", "")
HOMECARE_NOTIFY_BASE_URL = env_str("HOMECARE_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
HOMECARE_NOTIFY_TEMPLATES = env_pairs("HOMECARE_NOTIFY_TEMPLATES")
HOMECARE_NOTIFY_CALLBACK_TOKEN = env_str("HOMECARE_NOTIFY_CALLBACK_TOKEN", "")
if EMAIL_BACKEND == "homecare.notify.backend.NotifyEmailBackend" and not (
    HOMECARE_NOTIFY_API_KEY and "message_email" in HOMECARE_NOTIFY_TEMPLATES
):
    raise ImproperlyConfigured(
        "The GOV.UK Notify email backend needs HOMECARE_NOTIFY_API_KEY and a message_email template in "
        "HOMECARE_NOTIFY_TEMPLATES."
    )


def public_data_dir_default(*, shared: Path, fetched: Path) -> Path:
    """``shared`` (../shared/data) when this checkout sits beside it, else where ``fetch_public_data`` writes."""
    return shared if shared.is_dir() else fetched


# Real public data (CQC, ONS postcodes, boundaries). Not copied into the repo: loaded by path, from
# ../shared/data beside the checkout when it is there, else from what `manage.py fetch_public_data` fetched.
HOMECARE_DATA_DIR = env_path(
    "HOMECARE_DATA_DIR",
    public_data_dir_default(shared=BASE_DIR.parent / "shared" / "data", fetched=VAR_DIR / "public-data"),
)
HOMECARE_BOUNDARY_FILE = env_path("HOMECARE_BOUNDARY_FILE", HOMECARE_DATA_DIR / "boundaries" / "leeds_lad.geojson")
CQC_API_BASE_URL = env_str("CQC_API_BASE_URL", "https://api.service.cqc.org.uk/public/v1")
CQC_API_KEY = env_optional("CQC_API_KEY")
# The largest CSV an import command or upload reads (homecare.uploads); refused before it is read.
HOMECARE_IMPORT_MAX_BYTES = env_int("HOMECARE_IMPORT_MAX_MB", 100, minimum=1) * 1024 * 1024
# A package CSV upload with more rows than this is imported by a background job, followed on its own page.
HOMECARE_IMPORT_IN_REQUEST_MAX_ROWS = env_int("HOMECARE_IMPORT_IN_REQUEST_MAX_ROWS", 500, minimum=0)
# An ECM file with more visits than this is imported by a background job (visits.services.import_jobs).
HOMECARE_ECM_IN_REQUEST_MAX_ROWS = env_int("HOMECARE_ECM_IN_REQUEST_MAX_ROWS", 20000, minimum=0)
COUNCIL_NAME = env_str("HOMECARE_COUNCIL_NAME", "Leeds City Council")
# Fernet keys for personal details at rest (encrypted_model_fields): the first encrypts, all decrypt, so a new
# key goes first and `manage.py person_details_reencrypt` moves old rows to it before the old key is dropped.
FIELD_ENCRYPTION_KEY = env_list(
    "HOMECARE_FIELD_ENCRYPTION_KEYS", [] if IS_PRODUCTION else ["aG9tZWNhcmUtZGV2ZWxvcG1lbnQtb25seS1rZXktISE="]
)
if not FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured(
        "HOMECARE_FIELD_ENCRYPTION_KEYS is required in production (comma-separated Fernet keys)."
    )
# Where people reach the service: links in emails (e.g. to an offer in the provider portal) start with it.
HOMECARE_SITE_URL = env_str("HOMECARE_SITE_URL", "http://localhost:8000")

if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe /health/ over plain HTTP inside the council's network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if not SECURE_HSTS_PRELOAD:
        # Joining the browser preload list binds every subdomain of the council's domain:
        # that is the council's decision (DJANGO_SECURE_HSTS_PRELOAD), not a deployment default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every log line names the request's (or task's) correlation id (homecare.correlation).
    "filters": {"correlation_id": {"()": "homecare.correlation.CorrelationIdFilter"}},
    "formatters": {"plain": {"format": "%(levelname)s %(name)s [%(correlation_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["correlation_id"], "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_choice("DJANGO_LOG_LEVEL", "INFO", LOG_LEVELS, upper=True)},
}

# Carer ids in ECM files are pseudonymised with this key (HMAC-SHA-256, visits.pseudonyms). Its own variable, so
# rotating DJANGO_SECRET_KEY does not change every carer's pseudonym; by default derived from the secret key.
HOMECARE_CARER_ID_KEY = env_str("HOMECARE_CARER_ID_KEY", "carer-ids:" + SECRET_KEY)
