"""Test settings: the database comes from DATABASE_URL when set (CI points it at PostgreSQL)."""

import os
import tempfile

from .base import *
from .base import FRAGMENTS_CACHE, env

SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
KL14_EMAIL_BACKEND = env(
    "KL14_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": FRAGMENTS_CACHE,
}
WHITENOISE_AUTOREFRESH = True

# pytest-xdist: every worker process gets its own test database (pytest-django adds the worker id
# to its name), and here its own Celery queue and cache key prefix, so a task queued by one worker's
# test can never be consumed by another worker, whose database would not hold its rows. Tests that
# run a real worker on Redis also name a queue of their own (tests/notifications/test_worker.py).
XDIST_WORKER = env("PYTEST_XDIST_WORKER", default="main")
CELERY_TASK_DEFAULT_QUEUE = f"kl14-test-{XDIST_WORKER}"
CACHES["default"]["KEY_PREFIX"] = f"kl14-test-{XDIST_WORKER}"
# The demo CA of the tests lives in a temporary directory (tests/conftest.py creates it).
KL14_SIGNING_DIR = env("KL14_TEST_SIGNING_DIR", default="")
# No checkpoint files: rows roll back after each test, files would not (tests that need them set a
# temporary directory).
KL14_CHECKPOINT_DIR = ""
# Every ledger event and payload key has a human label (ledger/events.py), or the step fails.
KL14_LEDGER_STRICT_EVENTS = True
# axe-core (npm, a devDependency) served by the app to the browser tests' pages: no CDN.
STATICFILES_DIRS = [*STATICFILES_DIRS, ("vendor/axe-core", NODE_MODULES / "axe-core")]
# The read replica as Django's test mirror of the default database (kl14/dbrouter.py); routing
# to it is off except in the tests that check it (tests/kl14/test_dbrouter.py).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
KL14_REPLICA_READS = False
# The tests decide on responsibility at once; the hearing before it (5 working days in production)
# is tested where it matters with its own setting (tests/reviews/test_responsibility_per_person.py).
KL14_RESPONSIBILITY_EXPLANATION_DAYS = 0

# The bulkhead's slots are machine-wide lock files: each test process (xdist worker) gets its own,
# so one test holding a slot never holds back another process's dashboard.
KL14_HEAVY_LOCK_DIR = os.path.join(tempfile.gettempdir(), f"kl14-heavy-test-{os.getpid()}")
