"""Resoc settings, read from the environment (see README: Configuration)."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from resoc.env import env_bool, env_list, secret_key
from resoc.ops.config import logging_config, storages

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RESOC_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("RESOC_DEBUG")
DEMO = env_bool("RESOC_DEMO")
SECRET_KEY = secret_key(VAR_DIR, may_generate=DEBUG or DEMO)
ALLOWED_HOSTS = env_list(
    "RESOC_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if (DEBUG or DEMO) else []
)
RESOC_BASE_URL = os.environ.get("RESOC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [RESOC_BASE_URL]
# The reverse proxies whose X-Forwarded-For gives the client's address (docs/deployment.md).
RESOC_TRUSTED_PROXIES = env_list("RESOC_TRUSTED_PROXIES", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "resoc.core",
    "resoc.accounts",
    "resoc.audit",
    "resoc.registry",
    "resoc.people",
    "resoc.imports",
    "resoc.equipment",
    "resoc.procurement",
    "resoc.work",
    "resoc.training",
    "resoc.certificates",
    "resoc.reentry",
    "resoc.grants",
    "resoc.reporting",
    "resoc.jobs",
    "resoc.ops",
]

MIDDLEWARE = [
    "resoc.ops.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "resoc.audit.middleware.RequestContextMiddleware",
    "resoc.ops.middleware.AccessLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "resoc.accounts.middleware.RequireSecondFactorMiddleware",
    "resoc.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "resoc.urls"
WSGI_APPLICATION = "resoc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "resoc" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "resoc.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'resoc.sqlite3'}"),
        conn_max_age=int(os.environ.get("RESOC_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (`resoc db_worker` runs it); see resoc/jobs.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

CACHES = {
    # The database cache is shared by every process, so login lock-out holds across workers.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "resoc_cache",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# allauth: accounts are made by the operator (`resoc user add`); nobody signs up.
ACCOUNT_ADAPTER = "resoc.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
# Lock-out: after 5 failed attempts an account is refused for 15 minutes.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/900s/key"}
ACCOUNT_SESSION_REMEMBER = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Resoc"

SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: each request renews the 30 minutes
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if RESOC_BASE_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("RESOC_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("RESOC_HSTS_PRELOAD", True)
    # Load balancers probe the application servers directly, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("sr-latn", _("Serbian (Latin)")),
    ("sq", _("Albanian")),
    ("bs", _("Bosnian")),
]
LOCALE_PATHS = [BASE_DIR / "resoc" / "locale"]
TIME_ZONE = "Europe/Belgrade"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("RESOC_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("RESOC_MEDIA_ROOT", VAR_DIR / "media"))
# Uploads on disk or in S3 (RESOC_S3_BUCKET); static files served by WhiteNoise, from the apps'
# folders when nothing was collected (debug, demo). See docs/deployment.md.
STORAGES = storages(static_from_apps=DEBUG or DEMO)
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = DEBUG or DEMO
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "resoc.accounts.api_auth.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "resoc.core.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_RATES": {"user": "600/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Resoc API",
    "DESCRIPTION": "Registry, people and programme records, filtered by the caller's scope.",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PersonKindEnum": "resoc.people.models.Person.Kind",
        "InstitutionKindEnum": "resoc.registry.models.Institution.Kind",
        "OrganisationKindEnum": "resoc.registry.models.Organisation.Kind",
        "TenderStatusEnum": "resoc.procurement.models.Tender.Status",
        "TenderMethodEnum": "resoc.procurement.models.Tender.Method",
        "EquipmentStatusEnum": "resoc.equipment.models.Status",
        "EquipmentCategoryEnum": "resoc.equipment.models.Category",
        "EquipmentFileKindEnum": "resoc.equipment.models.EquipmentFile.Kind",
        "PlanActionStatusEnum": "resoc.reentry.models.PlanAction.Status",
        "ReferralStatusEnum": "resoc.reentry.models.Referral.Status",
        "FollowUpModeEnum": "resoc.reentry.models.FollowUp.Mode",
        "OutcomeEventKindEnum": "resoc.reentry.models.OutcomeEvent.Kind",
        "EnrollmentStatusEnum": "resoc.training.models.Enrollment.Status",
        "AttendanceStatusEnum": "resoc.training.models.Attendance.Status",
        "CohortModeEnum": "resoc.training.models.Cohort.Mode",
    },
}

LOGGING = logging_config(
    log_format=os.environ.get("RESOC_LOG_FORMAT", "plain"),
    level=os.environ.get("RESOC_LOG_LEVEL", "INFO"),
)

# Resoc's own settings
RESOC_ROLES_WITH_PERSONAL_DATA = (
    "admin",
    "manager",
    "coordinator",
    "officer",
    "trainer",
    "commissioner",
    "grants",
    "auditor",
)
RESOC_IMPORT_MAX_ROWS = int(os.environ.get("RESOC_IMPORT_MAX_ROWS", "200000"))
# The most hours one person may work in a month, over all their workshops together.
RESOC_WORK_MAX_HOURS_PER_MONTH = int(os.environ.get("RESOC_WORK_MAX_HOURS_PER_MONTH", "180"))
# Completing a course asks for attendance of at least this share (in %) of the recorded sessions,
# excused ones left out (and a passed assessment where the course has one).
RESOC_COMPLETION_MIN_ATTENDANCE = int(os.environ.get("RESOC_COMPLETION_MIN_ATTENDANCE", "80"))
# A release plan is due this many days before the expected release.
RESOC_PLAN_DAYS_BEFORE_RELEASE = int(os.environ.get("RESOC_PLAN_DAYS_BEFORE_RELEASE", "90"))
# Follow-up contacts are scheduled these many months after release.
RESOC_FOLLOW_UP_MONTHS = tuple(
    int(m) for m in env_list("RESOC_FOLLOW_UP_MONTHS", ["1", "3", "6", "12", "24"])
)
# The key of the audit chain's HMAC. Keep it with the backups: without it the trail cannot be
# verified. Defaults to one derived from the secret key.
RESOC_AUDIT_KEY = os.environ.get("RESOC_AUDIT_KEY", "")
# Certificate numbers are PREFIX-YYYY-NNNNNN; the prefix is capital letters (checked at start-up).
RESOC_CERTIFICATE_PREFIX = os.environ.get("RESOC_CERTIFICATE_PREFIX", "RESOC")
# Who issues a certificate whose course names no certifying organisation.
RESOC_PROGRAMME_OPERATOR = os.environ.get("RESOC_PROGRAMME_OPERATOR", "Resoc programme")
# How long the file a background job made (e.g. a zip of certificates) can be downloaded.
RESOC_JOB_RESULT_HOURS = int(os.environ.get("RESOC_JOB_RESULT_HOURS", "24"))
# A running background job without progress for this many minutes is taken as stopped (its
# worker died): it is marked failed and its requester may run it again.
RESOC_JOB_STALE_MINUTES = int(os.environ.get("RESOC_JOB_STALE_MINUTES", "30"))
# An import (on the web) of more rows than this runs as a background job after its preview.
RESOC_IMPORT_BACKGROUND_ROWS = int(os.environ.get("RESOC_IMPORT_BACKGROUND_ROWS", "2000"))
# Public certificate checks allowed per client address and minute.
RESOC_VERIFY_RATE_PER_MINUTE = int(os.environ.get("RESOC_VERIFY_RATE_PER_MINUTE", "30"))
# Years after which `resoc retention apply` pseudonymises a person (see resoc/ops/retention.py).
RESOC_RETENTION_YEARS = {
    "released": int(os.environ.get("RESOC_RETENTION_RELEASED_YEARS", "10")),
    "staff_left": int(os.environ.get("RESOC_RETENTION_STAFF_LEFT_YEARS", "10")),
}
# Counts of fewer people than this are shown to donors as "<N" (see resoc/reporting/disclosure.py).
RESOC_DISCLOSURE_THRESHOLD = int(os.environ.get("RESOC_DISCLOSURE_THRESHOLD", "10"))
# Grants: an applicant was released at most this many months before applying (a call may change
# it), or is in custody with the release expected within this many days.
RESOC_GRANTS_RELEASED_WITHIN_MONTHS = int(
    os.environ.get("RESOC_GRANTS_RELEASED_WITHIN_MONTHS", "24")
)
RESOC_GRANTS_RELEASE_WITHIN_DAYS = int(os.environ.get("RESOC_GRANTS_RELEASE_WITHIN_DAYS", "90"))
# The programme's IATI organisation identifier (see org-id.guide) and organisation type code, for
# `resoc export iati`.
RESOC_IATI_ORG_REF = os.environ.get("RESOC_IATI_ORG_REF", "XX-RESOC")
RESOC_IATI_ORG_TYPE = os.environ.get("RESOC_IATI_ORG_TYPE", "21")
