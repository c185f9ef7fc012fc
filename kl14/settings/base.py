"""Settings shared by every environment; values come from the environment (12-factor)."""

import hashlib
import ipaddress
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from kl14.objectstorage import default_storage_from_env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "kl14.apps.KL14AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # widget templates for kl14.forms.Renderer
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "guardian",
    "treebeard",
    "kl14",
    "accounts",
    "units",
    "workdays",
    "ledger",
    "notifications",
    "proposals",
    "pilots",
    "reviews",
    "documents",
    "exports",
    "onboarding",
    "guide",
    "django_prometheus",
    "ops",
    "signing",
    # Row-level triggers (PostgreSQL only): the ledger and frozen versions refuse UPDATE/DELETE.
    "pgtrigger",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "ops.requestid.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kl14.middleware.LanguageMiddleware",
    "kl14.middleware.StrictEncodingMiddleware",
    # Invisible characters out of every form's text, letters composed (kl14/text.py).
    "kl14.middleware.PlainTextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kl14.errors.DomainErrorMiddleware",
    "kl14.errors.MethodNotAllowedPageMiddleware",
    # Turns a lock-out django-axes marked during sign-in into 429 (accounts.lockout).
    "axes.middleware.AxesMiddleware",
    # At most KL14_HEAVY_SLOTS of the heavy reads at once per process (kl14/bulkhead.py).
    "kl14.bulkhead.HeavyViewMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # A write sent again with the same one-time key gets the first one's answer, not done twice
    # (ops/submissions.py); before the retry, which runs a write again within its one claim.
    "ops.submissions.SubmitOnceMiddleware",
    # Last: a write the database aborted for a passing reason (a deadlock, a lock it could not
    # take) is run again; what still fails answers 503, nothing saved (kl14/transient.py).
    "kl14.transient.TransientRetryMiddleware",
]

# Content-Security-Policy (django-csp): scripts only from the app's own static files — no inline
# <script> and no on…= handler attributes in any template (tests/kl14/test_csp.py fails on one);
# JSON for scripts goes in json_script blocks. Styles may still be inline (style attributes for
# indentation, a few <style> blocks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}

# A form refused by the CSRF check gets KL14's page, in the user's language (kl14.errors).
CSRF_FAILURE_VIEW = "kl14.errors.csrf_failure"
ROOT_URLCONF = "kl14.urls"
WSGI_APPLICATION = "kl14.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kl14.context_processors.navigation",
                "guide.context_processors.help_link",
            ],
            # `widget`, `field`, `money`: one rendering of fields and amounts on every page.
            "builtins": ["kl14.templatetags.kl14"],
        },
    },
]

FORM_RENDERER = "kl14.forms.Renderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
# A persistent connection that PostgreSQL closed meanwhile (restart, pg_terminate_backend, a
# proxy's idle timeout) is noticed at the start of the next request and replaced, not a 500.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # `make run` on SQLite: the web server, the Celery worker and beat write to one file at once.
    # Deferred transactions that read, then write, fail at once with "database is locked" when
    # another process writes meanwhile (SQLite cannot wait there without a deadlock); transactions
    # that take the write lock when they begin wait for it instead (up to `timeout` seconds), and
    # the write-ahead log lets readers go on while one process writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
    # The covering indexes (INCLUDE) are PostgreSQL's; SQLite builds them on their key columns,
    # which is all it needs at its scale.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# A PostgreSQL read replica for dashboards, period reports and exports (kl14/dbrouter.py).
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"].setdefault("CONN_HEALTH_CHECKS", True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
KL14_REPLICA_READS = "replica" in DATABASES
# PgBouncer in transaction pooling: set DJANGO_DISABLE_SERVER_SIDE_CURSORS=1 (iterator() then
# fetches in chunks on the client instead of a server-side cursor that outlives a transaction).
for _alias in DATABASES.values():
    _alias["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DJANGO_DISABLE_SERVER_SIDE_CURSORS", default=False
    )
DATABASE_ROUTERS = ["kl14.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out address or account before the password is even checked.
    "accounts.lockout.LockoutBackend",
    "accounts.backends.PasswordBackend",
    "accounts.sso.SSOBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.MaximumLengthValidator"},
]
# Single sign-on (OpenID Connect, mozilla-django-oidc; accounts/sso.py). Off unless an issuer is
# given: the endpoints and keys come from the issuer's discovery document.
KL14_OIDC_ISSUER = env("KL14_OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env("KL14_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("KL14_OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env("KL14_OIDC_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = env("KL14_OIDC_SIGN_ALGO", default="RS256")
# How a person is matched to an account: "email" (User.email) or "staff_code" (User.staff_code),
# read from the claim KL14_OIDC_MATCH_CLAIM (by default the claim of the same name).
KL14_OIDC_MATCH = env("KL14_OIDC_MATCH", default="email")
KL14_OIDC_MATCH_CLAIM = env("KL14_OIDC_MATCH_CLAIM", default=KL14_OIDC_MATCH)
# Off: people who have signed in through SSO can no longer use a password (superusers can).
KL14_OIDC_LOCAL_PASSWORDS = env.bool("KL14_OIDC_LOCAL_PASSWORDS", default=True)
OIDC_CREATE_USER = False  # accounts and roles come from the unit admins, never from sign-in
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env.int("KL14_OIDC_TIMEOUT", default=10)
OIDC_VERIFY_SSL = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
if KL14_OIDC_MATCH not in ("email", "staff_code"):
    raise ValueError("KL14_OIDC_MATCH must be 'email' or 'staff_code'")

# Two-factor sign-in (django-otp; accounts/two_factor.py): the name authenticator apps show.
OTP_TOTP_ISSUER = "KL14"

# Sign-in limits (django-axes, in the database, so they hold while Redis is down): only failed
# attempts count, per client address and per account, on the page and on the token endpoint.
AXES_FAILURE_LIMIT = env.int("KL14_SIGN_IN_FAILURES", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("KL14_SIGN_IN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = False  # a success elsewhere must not wipe an attacker's count
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # failures are recorded; successes need no row each
AXES_VERBOSE = False
# API tokens (django-rest-knox): stored hashed, expiring, one per client of a user.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 (a model name)
# knox's own migrations create its AuthToken table even when the model is swapped (as here): with
# no migrations that table is never created (Django skips swapped models).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("KL14_TOKEN_TTL_HOURS", default=8)),
    "TOKEN_LIMIT_PER_USER": env.int("KL14_TOKEN_LIMIT_PER_USER", default=10),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
# Password reset e-mails: at most this many per hour per client address and per account.
KL14_PASSWORD_RESET_PER_ADDRESS = env.int("KL14_PASSWORD_RESET_PER_ADDRESS", default=5)
KL14_PASSWORD_RESET_PER_ACCOUNT = env.int("KL14_PASSWORD_RESET_PER_ACCOUNT", default=3)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # django-guardian: no anonymous user row

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "kl14_language"
LOCALE_PATHS = [
    BASE_DIR / "kl14" / "locale",  # the project-wide templates/ land here
    # The messages of Django REST framework and of Django itself that their vi catalogues lack;
    # hand-written, never touched by makemessages, which writes only to the first path.
    BASE_DIR / "kl14" / "locale_vendor",
]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
FORMAT_MODULE_PATH = ["kl14.formats"]  # one date format: dd/mm/yyyy (kl14/formats/)
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
MEDIA_URL = "media/"
# Uploads on S3-compatible object storage when STORAGE_URL or AWS_* say so (kl14/objectstorage.py).
OBJECT_STORAGE = default_storage_from_env(env)
STORAGES = {
    "default": OBJECT_STORAGE or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 21 * 1024 * 1024

# Every e-mail goes through the outbox (notifications.outbox): Django's mail writes a row in the
# caller's transaction, the dispatcher delivers it through KL14_EMAIL_BACKEND.
EMAIL_BACKEND = "notifications.mail.OutboxBackend"
KL14_EMAIL_BACKEND = env(
    "KL14_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=30)  # seconds; below KL14_OUTBOX_LEASE
KL14_OUTBOX_RETRY_BASE = env.int("KL14_OUTBOX_RETRY_BASE", default=60)  # seconds, then doubling
KL14_OUTBOX_RETRY_MAX = env.int("KL14_OUTBOX_RETRY_MAX", default=3600)
KL14_OUTBOX_MAX_ATTEMPTS = env.int("KL14_OUTBOX_MAX_ATTEMPTS", default=60)  # about 2.5 days
KL14_OUTBOX_LEASE = env.int("KL14_OUTBOX_LEASE", default=600)  # without row locks (SQLite)
KL14_OUTBOX_KEEP_DAYS = env.int("KL14_OUTBOX_KEEP_DAYS", default=30)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="KL14 <no-reply@kl14.local>")

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # A miss, not a 500, while Redis is down (kl14/cache.py).
            "BACKEND": "kl14.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered fragments kept by their content (kl14/fragments.py): in each process's memory, so a
# deployment, which restarts the processes, never serves those of the former templates.
FRAGMENTS_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "kl14-fragments",
    "TIMEOUT": 24 * 3600,
    "OPTIONS": {"MAX_ENTRIES": 20_000},  # a few kB each: some tens of MB per process at most
}
CACHES["fragments"] = FRAGMENTS_CACHE

# Celery: Redis when REDIS_URL is set, else kombu's file-system transport (no server needed).
CELERY_QUEUE_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # kombu's file-system transport, writing each message whole before a worker can see it
    # (kl14/brokerfs.py registers the scheme).
    CELERY_BROKER_URL = "kl14fs://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
        # A busy worker looks for its next message only once per polling interval (kombu's
        # default: 1 s), so a backlog such as the demo's first e-mails would hold an export back.
        "polling_interval": 0.1,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic tasks live here, in the code, rather than in django-celery-beat's database tables:
# they are part of the product (the sweep's exactly-once records make any schedule safe), they
# are reviewed and versioned with it, and every environment runs the same ones.
CELERY_BEAT_SCHEDULE = {
    # The outbox: every e-mail that is due (the on-commit fast path may have missed it: broker
    # down, worker killed). Expires so that a stopped worker does not find a pile of them.
    "outbox-dispatch": {
        "task": "notifications.dispatch_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "outbox-purge": {
        "task": "notifications.purge_outbox",
        "schedule": crontab(minute=45, hour=2),
    },
    # Hourly through the working day: a run missed while the worker or broker was down is caught
    # up by the next one. Non-working days send nothing (the task checks the calendar).
    "reminders-sweep": {
        "task": "notifications.sweep_reminders",
        "schedule": crontab(minute=5, hour="7-17"),
    },
    "daily-digest": {
        "task": "notifications.send_digests",
        "schedule": crontab(minute=30, hour=17),
    },
    # Sends the previous quarter's (and in January the previous year's) review once, from the
    # first working day of the quarter on.
    "periodic-reviews": {
        "task": "notifications.send_periodic_reviews",
        "schedule": crontab(minute=0, hour=8),
    },
    # Official documents still pending: those whose enqueue the broker refused, a worker died on,
    # or whose back-off after a failure ran out. A broker outage only delays them.
    "documents-issue-pending": {
        "task": "documents.issue_pending",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Export jobs still queued: those whose enqueue the broker refused, whose message was lost,
    # whose worker died (its lease ran out), or whose retry waited out its back-off.
    "exports-dispatch-due": {
        "task": "exports.dispatch_due",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "exports-purge-expired": {
        "task": "exports.purge_expired",
        "schedule": crontab(minute=15),
    },
    # The one-time keys of writes (ops/submissions.py), once past KL14_SUBMISSION_TTL.
    "submissions-purge": {
        "task": "ops.purge_submissions",
        "schedule": crontab(minute=40),
    },
    # Files left behind by uploads whose transaction rolled back.
    "orphan-uploads": {
        "task": "kl14.delete_orphan_uploads",
        "schedule": crontab(minute=30, hour=2, day_of_week=0),
    },
    # A signed checkpoint of every chain head (ledger/checkpoints.py), at least daily; nothing
    # new when the heads did not change.
    "ledger-checkpoint": {
        "task": "ledger.checkpoint",
        "schedule": crontab(minute=55, hour=23),
    },
}
# Reminders (lifecycle.md, "Deadlines and reminders").
KL14_REMINDER_LEAD_DAYS = env.int("KL14_REMINDER_LEAD_DAYS", default=2)
# How many tasks the hourly sweep is handed out as, each a share of the items, for the workers to
# run side by side (docs/scaling.md: 2 at national scale, on a 2-core box).
KL14_SWEEP_PARTS = env.int("KL14_SWEEP_PARTS", default=1)
KL14_RESPONSIBILITY_DECISION_DAYS = env.int("KL14_RESPONSIBILITY_DECISION_DAYS", default=15)
# Working days the authors have to explain (giải trình) in an abuse case.
KL14_ABUSE_EXPLANATION_DAYS = env.int("KL14_ABUSE_EXPLANATION_DAYS", default=10)
# Working days each author has to explain (giải trình) before the decision on their responsibility
# (amendment of 2026-11-29); 0: no fixed period, the head need not wait.
KL14_RESPONSIBILITY_EXPLANATION_DAYS = env.int("KL14_RESPONSIBILITY_EXPLANATION_DAYS", default=5)
# Calendar days an author has to complain (khiếu nại) against the decision on their responsibility,
# from the day it was issued (Law on Complaints 2011, Art. 9: 90 days from receiving it).
KL14_COMPLAINT_DAYS = env.int("KL14_COMPLAINT_DAYS", default=90)
# Calendar days the head of the deciding unit has to resolve such a complaint, from its filing
# (Law on Complaints 2011, Art. 28: 30 days from its acceptance, 45 for a complex case; KL14
# accepts a complaint when it is filed). Reminded before and on the day, escalated once passed.
KL14_COMPLAINT_RESOLUTION_DAYS = env.int("KL14_COMPLAINT_RESOLUTION_DAYS", default=30)
# ... and once the head has declared it a complex case, before the 30 days run out.
KL14_COMPLAINT_RESOLUTION_DAYS_COMPLEX = env.int(
    "KL14_COMPLAINT_RESOLUTION_DAYS_COMPLEX", default=45
)
# /readyz calls the outbox late when its oldest unsent e-mail waits longer than this (seconds).
KL14_READY_OUTBOX_MAX_AGE = env.int("KL14_READY_OUTBOX_MAX_AGE", default=600)
# Official documents (documents app): the place in their date line (Decree 30: the province
# where the issuing body sits; default: the root unit's name without "Tỉnh"), and the back-off
# of a failed issue (seconds after the first failure, doubling up to the cap).
KL14_DOCUMENT_PLACE = env("KL14_DOCUMENT_PLACE", default="")
KL14_DOCUMENT_RETRY_BASE = env.int("KL14_DOCUMENT_RETRY_BASE", default=60)
KL14_DOCUMENT_RETRY_MAX = env.int("KL14_DOCUMENT_RETRY_MAX", default=3600)
KL14_DOCUMENT_LEASE = env.int("KL14_DOCUMENT_LEASE", default=600)
# Export jobs (exports app): how long a finished file is kept (seconds), how many exports one
# person may have under way at once, when the sweep hands a queued job to the broker again after
# it took it (seconds), a worker's lease on a job (seconds, longer than the slowest build), and
# the attempts and back-off of a build that failed unexpectedly.
KL14_EXPORT_TTL = env.int("KL14_EXPORT_TTL", default=24 * 3600)
KL14_EXPORT_MAX_IN_FLIGHT = env.int("KL14_EXPORT_MAX_IN_FLIGHT", default=5)
KL14_EXPORT_REDISPATCH_AFTER = env.int("KL14_EXPORT_REDISPATCH_AFTER", default=600)
KL14_EXPORT_LEASE = env.int("KL14_EXPORT_LEASE", default=900)
KL14_EXPORT_MAX_ATTEMPTS = env.int("KL14_EXPORT_MAX_ATTEMPTS", default=3)

# The bulkhead (kl14/bulkhead.py): on the machine (all web processes), at most KL14_HEAVY_SLOTS of
# these reads run at once (default: one less than the cores; 0: no limit); the others wait up to
# KL14_HEAVY_WAIT seconds, then answer 503. The slots are lock files in KL14_HEAVY_LOCK_DIR.
KL14_HEAVY_VIEWS = env.list(
    "KL14_HEAVY_VIEWS",
    default=[
        "reviews:dashboard",
        "api:dashboard",
        "api:proposal-list",
        "reviews:lessons",
        "api:lesson-list",
    ],
)
KL14_HEAVY_SLOTS = env.int("KL14_HEAVY_SLOTS", default=max(1, (os.cpu_count() or 2) - 1))
KL14_HEAVY_LOCK_DIR = env(
    "KL14_HEAVY_LOCK_DIR",
    default=os.path.join(
        tempfile.gettempdir(),
        "kl14-heavy-" + hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:12],
    ),
)
KL14_HEAVY_WAIT = env.float("KL14_HEAVY_WAIT", default=30)
# Writes sent with a one-time key (ops/submissions.py): how long a copy waits for the first one's
# answer (seconds), after how long a claim still without an answer is said to be of unknown
# outcome rather than under way (seconds; it is never run a second time either way), and how long
# keys are remembered (seconds).
KL14_SUBMISSION_WAIT = env.float("KL14_SUBMISSION_WAIT", default=10)
KL14_SUBMISSION_STALE = env.int("KL14_SUBMISSION_STALE", default=120)
KL14_SUBMISSION_TTL = env.int("KL14_SUBMISSION_TTL", default=24 * 3600)
# The share of a slot's time the heavy reads may compute (kl14/bulkhead.py's duty cycle; 1: all).
KL14_HEAVY_DUTY = env.float("KL14_HEAVY_DUTY", default=0.5)
KL14_EXPORT_RETRY_BASE = env.int("KL14_EXPORT_RETRY_BASE", default=60)
KL14_EXPORT_RETRY_MAX = env.int("KL14_EXPORT_RETRY_MAX", default=900)
# A queue of their own for the builds (e.g. "exports", served by `celery -A kl14 worker -Q
# exports`), so that a burst of national reports never delays the e-mails and reminders of the
# default queue. Empty: the default queue.
KL14_EXPORT_QUEUE = env("KL14_EXPORT_QUEUE", default="")
if KL14_EXPORT_QUEUE:
    CELERY_TASK_ROUTES = {"exports.build": {"queue": KL14_EXPORT_QUEUE}}
# Where links in e-mails point.
KL14_SITE_URL = env("KL14_SITE_URL", default="http://127.0.0.1:8000")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header turns "not signed in" into 401, not 403.
        "accounts.auth.TokenAuthentication",
        "accounts.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API's forms would list users and units to anyone signed in.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "kl14.drf.JSONFallbackNegotiation",
    # JSON bodies nested too deeply are a 400; form bodies of invalid UTF-8 too
    # (kl14.middleware.StrictEncodingMiddleware, for the whole site).
    "DEFAULT_PARSER_CLASSES": [
        "kl14.drf.JSONParser",
        "kl14.drf.FormParser",
        "kl14.drf.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "kl14.drf.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "kl14.drf.exception_handler",
    # Trusted proxies in front of the app that add X-Forwarded-For (0: use the socket address);
    # the sign-in limits read it too (accounts.lockout.client_address).
    "NUM_PROXIES": env.int("KL14_NUM_PROXIES", default=0) or None,
    "PAGE_SIZE": 20,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KL14 API",
    "DESCRIPTION": "Innovation proposals under Conclusion 14-KL/TW and Decree 73/2023/ND-CP.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the drf-spectacular-sidecar package, served by the app: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RecognitionKindEnum": "reviews.models.RecognitionKind",
        "BoardRequestKindEnum": "reviews.models.RequestKind",
        "BoardRequestStateEnum": "reviews.models.RequestState",
        "BoardRequestDecisionEnum": "reviews.models.REQUEST_DECISIONS",
        "ProposalStateEnum": "proposals.models.State",
        "ResponsibilityDecisionEnum": "reviews.models.Decision",
        "EvaluationBallotChoiceEnum": "reviews.models.BallotChoice",
        "ChoiceEnum": "proposals.models.Vote.Choice",
        "ConditionAssessmentEnum": "proposals.transitions.ASSESSMENT_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kl14.api.paginated_lists_answer_404",
        "kl14.api.writes_take_an_idempotency_key",
    ],
}

# Logs: one JSON object a line (python-json-logger) with the request's id (ops/requestid.py),
# or plain text (KL14_LOG_FORMAT=text, the default of local development).
KL14_LOG_FORMAT = env("KL14_LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "log_request_id.filters.RequestIDFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if KL14_LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
# The id of each request: generated, or taken from a trusted proxy's header when it looks like an
# id (e.g. KL14_REQUEST_ID_HEADER=HTTP_X_REQUEST_ID); sent back as X-Request-ID.
LOG_REQUEST_ID_HEADER = env("KL14_REQUEST_ID_HEADER", default="")
GENERATE_REQUEST_ID_IF_NOT_IN_HEADER = True
REQUEST_ID_RESPONSE_HEADER = "X-Request-ID"
NO_REQUEST_ID = "-"
# The worker and beat log through the same configuration (JSON), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Metrics (ops/metrics.py) at /metrics, for Prometheus. Not public: a scrape needs the bearer
# token, or comes from an address listed here (the socket's address; behind a reverse proxy on
# the same host every request comes from 127.0.0.1, so use the token there). Neither: off.
KL14_METRICS_TOKEN = env("KL14_METRICS_TOKEN", default="")
KL14_METRICS_ALLOWED_IPS = env.list("KL14_METRICS_ALLOWED_IPS", default=[])
KL14_METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(address, strict=False) for address in KL14_METRICS_ALLOWED_IPS
]
KL14_METRICS_CACHE_SECONDS = env.int("KL14_METRICS_CACHE_SECONDS", default=30)

# Errors to Sentry when a DSN is given (nothing is sent otherwise; no personal data).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )

# Signatures (signing/keys.py): the key and certificate never live in the database. PKCS#11 token
# first, then a PKCS#12 file, else the demo CA that `manage.py signing_demo` creates under
# KL14_SIGNING_DIR (make run and the tests only; production refuses it: check --deploy).
KL14_SIGNING_DIR = env("KL14_SIGNING_DIR", default=str(VAR_DIR / "signing"))
KL14_SIGNING_PKCS12 = env("KL14_SIGNING_PKCS12", default="")
KL14_SIGNING_PKCS12_PASSWORD = env("KL14_SIGNING_PKCS12_PASSWORD", default="")
KL14_SIGNING_PKCS11_MODULE = env("KL14_SIGNING_PKCS11_MODULE", default="")
KL14_SIGNING_PKCS11_TOKEN = env("KL14_SIGNING_PKCS11_TOKEN", default="")
KL14_SIGNING_PKCS11_KEY_LABEL = env("KL14_SIGNING_PKCS11_KEY_LABEL", default="")
KL14_SIGNING_PKCS11_CERT_LABEL = env("KL14_SIGNING_PKCS11_CERT_LABEL", default="")
KL14_SIGNING_PKCS11_PIN = env("KL14_SIGNING_PKCS11_PIN", default="")
KL14_SIGNING_TRUST_ROOTS = env.list("KL14_SIGNING_TRUST_ROOTS", default=[])
KL14_SIGNING_REQUIRED = False
# Where signed ledger checkpoints are exported (ledger/checkpoints.py): in production a directory
# the database administrator cannot rewrite (another host's mount, WORM storage). Empty: no files.
KL14_CHECKPOINT_DIR = env("KL14_CHECKPOINT_DIR", default=str(VAR_DIR / "checkpoints"))
# RFC 3161 timestamp authority for signatures and checkpoints (none: no timestamp).
KL14_TSA_URL = env("KL14_TSA_URL", default="")

# Domain settings (lifecycle.md, "Deadlines and reminders").
KL14_DEMO_PASSWORD = env("DEMO_PASSWORD", default="kl14-demo-2026")
