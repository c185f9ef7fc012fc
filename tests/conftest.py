import logging
import os

import pytest

from tests.factories import UnitFactory

REQUIRE_SERVICES = os.environ.get("KL14_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str):
    """Skip a test whose service is missing, except in CI (KL14_REQUIRE_SERVICES=1): there, fail."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _signing_demo(tmp_path_factory):
    """The demo CA and signing certificate of the tests, in a temporary directory (never var/)."""
    from django.conf import settings

    from signing import keys

    directory = tmp_path_factory.mktemp("signing")
    keys.create_demo(directory)
    settings.KL14_SIGNING_DIR = str(directory)
    keys.clear_caches()
    return directory


@pytest.fixture(autouse=True)
def _root_log_level_restored():
    """An embedded Celery worker (celery.contrib.testing's start_worker) sets the root logger's
    level for the whole process (to ERROR by default): a later test on the same xdist worker would
    then never see a WARNING. Each test gets back the level it started with."""
    root = logging.getLogger()
    level = root.level
    yield
    root.setLevel(level)


@pytest.fixture
def sqlite_reads_take_no_table_lock(transactional_db):
    """For tests with a Celery worker thread. On SQLite the test database is in memory with a
    shared cache, where a table this thread is reading (a request through the test client, a
    poll for the worker's result) is locked for the worker's write, which then fails at once
    ("database table is locked") instead of waiting as it would on a file. In read-uncommitted
    mode this thread's reads take no table lock."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA read_uncommitted = 1")
    yield
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA read_uncommitted = 0")


@pytest.fixture(autouse=True)
def _language_restored():
    """Each test starts in the default language: a request through the test client activates
    the requester's language in this thread (kl14.middleware.LanguageMiddleware) and nothing
    deactivates it, so a test after an English user's request would otherwise run in English."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters (sign-in attempts), rendered fragments (kl14/fragments.py) and other
    cached values never leak between tests."""
    from django.core.cache import caches

    for alias in ("default", "fragments"):
        caches[alias].clear()
    yield
    for alias in ("default", "fragments"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _fresh_storage():
    """Files stored by earlier tests (InMemoryStorage lives as long as the process) never show
    in a later one, whatever the order or the xdist worker. (The security audit's module-scoped
    world brings its own storage back: tests/security/conftest.py.)"""
    from django.core.files.storage import default_storage, storages
    from django.utils.functional import empty

    storages._storages.pop("default", None)
    default_storage._wrapped = empty
    yield


@pytest.fixture
def tree(db):
    """province ── agency ── office
    └─ commune"""
    province = UnitFactory(code="P", name="Tỉnh")
    agency = UnitFactory(code="P-A", name="Sở", parent=province)
    office = UnitFactory(code="P-A-O", name="Phòng", parent=agency)
    commune = UnitFactory(code="P-C", name="Xã", parent=province)
    return {
        name: type(unit).objects.get(pk=unit.pk)
        for name, unit in {
            "province": province,
            "agency": agency,
            "office": office,
            "commune": commune,
        }.items()
    }


@pytest.fixture
def postgres(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip_or_fail("this test needs PostgreSQL (set DATABASE_URL)")
    return connection


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        skip_or_fail("this test needs Redis (set REDIS_URL)")
    return url
