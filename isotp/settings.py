"""One settings module for every environment.

Environments differ only by environment variables (see `.env.example`). Development defaults exist only when
`DJANGO_DEBUG=true`; without it every value that production needs must be given, or start-up fails loudly.
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG: bool = env.bool("DJANGO_DEBUG", default=False)
# `make run`: the demo accounts' helpers (`demo_logins`, `totp_code`) may run. The demo itself runs without DEBUG.
DEMO: bool = env.bool("ISOTP_DEMO", default=False)


def _required(name: str, dev_default: str) -> str:
    """Read a variable that production must set; only a DEBUG run may fall back to a development value."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(
        f"Set the environment variable {name} (it has no default outside DJANGO_DEBUG)."
    )


SECRET_KEY = _required("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-use-in-production-0123456789")
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only")):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a random value of at least 50 characters.")

ALLOWED_HOSTS: list[str] = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS to the host names the service answers on.")
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "isotp",
    "accounts",
    "audit",
    "referrals",
    "sessions.apps.ProgrammeSessionsConfig",
    "notifications",
    "dataprotection",
    "transfers",
    "assessments",
    "reports",
    "quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "isotp.middleware.NoStoreMiddleware",
    "isotp.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "isotp.middleware.ServiceErrorPagesMiddleware",
]

ROOT_URLCONF = "isotp.urls"
FORM_RENDERER = (
    "django.forms.renderers.TemplatesSetting"  # widgets use the GOV.UK templates in templates/govuk
)
WSGI_APPLICATION = "isotp.wsgi.application"
ASGI_APPLICATION = "isotp.asgi.application"

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
                "isotp.context_processors.service",
                "notifications.context_processors.unread",
            ],
        },
    },
    {  # the rows of the longest lists (`{% jinja_rows %}`, isotp/jinja.py): `*.jinja` beside the Django templates
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "isotp.jinja.environment"},
    },
]

# Database: PostgreSQL in production and tests; `make run` points DATABASE_URL at a SQLite file.
DATABASES = {
    "default": env.db("DATABASE_URL", default="" if not DEBUG else f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
if not DATABASES["default"].get("ENGINE"):
    raise ImproperlyConfigured("Set DATABASE_URL, e.g. postgres://user:password@host:5432/isotp.")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# A connection kept across requests is checked before reuse, so a restarted PostgreSQL is reconnected to.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded `make run` default serves a small team: WAL lets readers run beside a writer, IMMEDIATE
    # transactions take the write lock up front (no deadlocked upgrade from a read lock), and a writer waits
    # for the lock instead of answering "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL: str = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Degrades to "no cache" when Redis is down (isotp/cache.py); short timeouts so a dead Redis costs little.
    CACHES = {
        "default": {
            "BACKEND": "isotp.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The statistics pages and API (figures over whole years of the national history) are cached for this long,
# keyed by scope (chosen after the permission check), filters and day: the TTL is how stale the figures may be
# (writes since are not in them; each answer says when it was computed). 0 turns it off.
STATISTICS_CACHE_SECONDS: int = env.int("STATISTICS_CACHE_SECONDS", default=600)

# Accounts and authentication
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first: it refuses locked-out credentials
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Idle sessions expire: every request renews the cookie, so the age is the idle limit.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="isotp")
OTP_TOTP_THROTTLE_FACTOR = 1

# django-axes: repeated failed logins lock the account (by email) for a cool-off period.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# Lock an account after repeated failures, and a client address that sprays many accounts (the address alone:
# a changed User-Agent must not escape the lock).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# The lockout page: 429 with Retry-After, worded for an account or an address lock (accounts.views.locked_out).
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False  # axes would otherwise log the email address tried: no personal data in logs

# Security headers. Production values are the defaults; DEBUG relaxes only what plain HTTP needs.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []
CSRF_FAILURE_VIEW = "isotp.views.csrf_failure"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Internationalisation: stored in UTC, shown in Europe/London.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"

# Static files: GOV.UK Frontend assets from npm, compiled CSS from frontend/ (see Makefile `css`).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static_build",
    ("assets", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "assets"),
    ("moj/assets", BASE_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj" / "assets"),
]
# Issued reports (PDFs about people) live in private storage, served only through a permission-checked view:
# files under PRIVATE_MEDIA_ROOT (outside the static and public roots) by default, S3-compatible object storage
# when REPORTS_S3_BUCKET is set (several web and worker machines must see the same files).
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
REPORTS_S3_BUCKET: str = env.str("REPORTS_S3_BUCKET", default="")
if REPORTS_S3_BUCKET:
    _reports_storage: dict = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": REPORTS_S3_BUCKET,
            "endpoint_url": env.str("REPORTS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("REPORTS_S3_REGION", default="") or None,
            "access_key": env.str("REPORTS_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("REPORTS_S3_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,  # never a public URL; the app streams the file after its own checks
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
else:
    _reports_storage = {
        # A PDF appears under its name whole or not at all (a worker killed mid-write leaves no half file).
        "BACKEND": "reports.storage.AtomicFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "reports": _reports_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Email goes through Django's backend: console in development, SMTP in production (EMAIL_URL).
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "")
if not _email.get("EMAIL_BACKEND"):
    raise ImproperlyConfigured("Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587.")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="isotp <no-reply@isotp.invalid>")
# The service's own address, for links in email (notifications name a page, never its content).
SERVICE_URL = env.str("SERVICE_URL", default="http://127.0.0.1:8000" if DEBUG else "https://isotp.invalid")

# Celery: Redis broker. Tasks run in-process only when CELERY_TASK_ALWAYS_EAGER is set (`make run`).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A message a worker took but never acknowledged (it died) goes back on the queue after `visibility_timeout`
# seconds; it must exceed the longest task. JSON, e.g. {"visibility_timeout": 3600}; keys given replace these.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 1,
    **env.json("CELERY_BROKER_TRANSPORT_OPTIONS", default={}),
}
# Publishing never hangs a request when Redis is down (isotp/outbox.py keeps the task and the sweep sends it
# later): a short connect timeout and one quick retry for the broker, and the same for the result store, whose
# default is 20 reconnection attempts a second apart.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Tasks kept in the database while the broker was down are sent once it answers again (isotp/outbox.py).
    "dispatch-outbox": {"task": "isotp.outbox.dispatch_outbox", "schedule": 60},
    "find-retention-candidates": {
        "task": "dataprotection.tasks.find_retention_candidates",
        "schedule": 24 * 60 * 60,
    },
    "deactivate-dormant-accounts": {
        "task": "accounts.tasks.deactivate_dormant_accounts",
        "schedule": 24 * 60 * 60,
    },
    # Groups and one-to-one plans whose last session has passed with every register taken are completed
    # (sessions.services.completion; the last register normally does it at once).
    "complete-finished-programmes": {
        "task": "sessions.tasks.complete_finished_programmes",
        "schedule": 24 * 60 * 60,
    },
    # The statistics' default figures (every area and national, every programme filter) computed ahead of the
    # cache's expiry, so the first readers after it do not compute them (quality.tables.refresh_statistics).
    "refresh-statistics": {
        "task": "quality.tasks.refresh_statistics",
        "schedule": max(60, STATISTICS_CACHE_SECONDS // 2),
    },
}
# Retention (issue 12): people whose supervision ended more than this many years ago, with no open referral, are
# listed nightly for an administrator, who confirms the deletion of their personal data.
RETENTION_YEARS = env.int("RETENTION_YEARS", default=7)
DORMANT_ACCOUNT_DAYS = env.int("DORMANT_ACCOUNT_DAYS", default=90)
# Rendering a report: transient failures (storage, database) are retried this many times with backoff.
REPORT_RENDER_MAX_RETRIES = env.int("REPORT_RENDER_MAX_RETRIES", default=5)
# A render claimed longer ago than this is taken as abandoned (a worker died) and may be claimed again.
REPORT_RENDER_STALE_SECONDS = env.int("REPORT_RENDER_STALE_SECONDS", default=600)
# Notification emails the mail server refuses: tried again this many times (the first wait doubling each time),
# then marked failed and listed for the treatment manager ("Emails not delivered").
NOTIFICATION_EMAIL_MAX_RETRIES = env.int("NOTIFICATION_EMAIL_MAX_RETRIES", default=5)
NOTIFICATION_EMAIL_RETRY_SECONDS = env.int("NOTIFICATION_EMAIL_RETRY_SECONDS", default=60)
# The longest an API token lasts (days); a member of staff may choose a shorter life when they create one.
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)

# REST API: deny by default; every view names its permission classes from accounts/permissions.py.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so an unauthenticated request answers 401 with `WWW-Authenticate: Token`.
        "accounts.authentication.ApiTokenAuthentication",
        "accounts.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.DenyAll"],
    # Applies only to views that name a `throttle_scope` (rates: API_THROTTLE_RATES).
    "DEFAULT_THROTTLE_CLASSES": ["isotp.throttling.ScopedThrottle"],
    "DEFAULT_PAGINATION_CLASS": "isotp.api.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "isotp.schema.AutoSchema",
    "EXCEPTION_HANDLER": "isotp.api.exception_handler",
    "DATE_FORMAT": "%Y-%m-%d",
    "TIME_FORMAT": "%H:%M",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON nested beyond the recursion limit is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "isotp.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Rate limits (429 with Retry-After) on the token endpoint and the stateless calculators, per member of staff.
API_THROTTLE_RATES: dict[str, str] = {
    "calculators": env.str("API_THROTTLE_CALCULATORS", default="120/minute"),
    "tokens": env.str("API_THROTTLE_TOKENS", default="10/minute"),
}
# The longest free text a form field or an API string may hold (a field's own max_length is stricter).
MAX_TEXT_LENGTH = env.int("MAX_TEXT_LENGTH", default=10_000)
# Request bodies over this many bytes answer 413 (isotp.middleware.RequestLimitsMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("REQUEST_MAX_BYTES", default=2_621_440)

SPECTACULAR_SETTINGS = {
    "TITLE": "isotp API",
    "DESCRIPTION": "Accredited sex-offender treatment programmes: referrals, eligibility, delivery.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["accounts.permissions.IsVerifiedStaff"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The errors every endpoint can answer (401, 403, 404, 400, 413, 415), documented on each operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "isotp.schema.document_standard_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ApiTokenStatusEnum": "accounts.models.API_TOKEN_STATUSES",
        # referrals: one name per choice set shared by several fields (risk levels, statuses, programmes).
        "RiskLevelEnum": "referrals.models.RISK_CHOICES",
        "DevianceLevelEnum": "referrals.models.DEVIANCE_CHOICES",
        "ReferralStatusEnum": "referrals.models.STATUS_CHOICES",
        "ReferralProgrammeEnum": "referrals.models.Programme",
        "RecommendedProgrammeEnum": "referrals.serializers.ELIGIBILITY_PROGRAMMES",
        "ProgrammeFormatEnum": "referrals.models.Format",
        "OffenceCategoryEnum": "referrals.rules.OFFENCE_CHOICES",
        "WaitingUrgencyEnum": "referrals.serializers.URGENCY_CHOICES",
        "AssessmentOutcomeEnum": "referrals.models.AssessmentOutcome",
        "RiskSourceEnum": "referrals.models.RiskSource",
        "Rm2000SexEnum": "referrals.serializers.RM2000_SEXES",
        "SexEnum": "referrals.models.Sex",  # RM2000 and OGRS3: recorded or calculated
        # sessions: the delivery statuses and attendance outcomes.
        "DeliveryStatusEnum": "sessions.models.GroupStatus",  # plans share the same choices
        "SessionStatusEnum": "sessions.models.SessionStatus",
        "MembershipStatusEnum": "sessions.models.MembershipStatus",
        "AttendanceOutcomeEnum": "sessions.models.AttendanceOutcome",
        # reports
        "ReportStatusEnum": "reports.models.PostProgrammeReport.Status",
        "ReportKindEnum": "reports.models.PostProgrammeReport.Kind",
        "CatchUpOutcomeEnum": "sessions.models.CatchUpOutcome",
        "EnforcementStatusEnum": "referrals.serializers.ENFORCEMENT_STATUSES",
        # assessments: pre- or post-programme administrations.
        "PsychometricKindEnum": "assessments.models.Kind",
    },
}

SERVICE_NAME = "Run sex offender treatment programmes"
SERVICE_PHASE = env.str("SERVICE_PHASE", default="beta")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request errors would log URLs and request bodies; they can carry personal data.
        "django.request": {"level": "ERROR", "handlers": ["console"], "propagate": False},
        "axes": {"level": "WARNING"},
        # WeasyPrint and fontTools report progress at INFO; the reports' rendering logs only its own outcome.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
