"""KL14's system checks (kl14/checks.py): a mistaken bulkhead setting stops `manage.py check`
(and so `migrate`, which docker-compose.yml's web runs before gunicorn) instead of failing a
user's request."""

import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core import checks

from kl14 import checks as kl14_checks


def ids(errors):
    return [e.id for e in errors]


def test_the_settings_as_shipped_pass():
    assert kl14_checks.check_bulkhead() == []
    assert kl14_checks.check_heavy_views() == []
    assert not [e for e in checks.run_checks() if e.id.startswith("kl14.")]


@pytest.mark.parametrize("duty", [0, -0.5, 1.5, "half", None, True])
def test_a_duty_outside_zero_to_one_is_an_error(settings, duty):
    settings.KL14_HEAVY_DUTY = duty
    assert ids(kl14_checks.check_bulkhead()) == ["kl14.E001"]


@pytest.mark.parametrize("duty", [1, 0.5, 0.01])
def test_a_duty_inside_zero_to_one_passes(settings, duty):
    settings.KL14_HEAVY_DUTY = duty
    assert kl14_checks.check_bulkhead() == []


@pytest.mark.parametrize("slots", [-1, 1.5, "2", None])
def test_slots_must_be_a_whole_number_of_zero_or_more(settings, slots):
    settings.KL14_HEAVY_SLOTS = slots
    assert ids(kl14_checks.check_bulkhead()) == ["kl14.E002"]


def test_zero_slots_turns_the_gate_off_and_passes(settings):
    settings.KL14_HEAVY_SLOTS = 0
    assert kl14_checks.check_bulkhead() == []


@pytest.mark.parametrize("wait", [-1, "soon", None])
def test_a_negative_or_missing_wait_is_an_error(settings, wait):
    settings.KL14_HEAVY_WAIT = wait
    assert ids(kl14_checks.check_bulkhead()) == ["kl14.E003"]


def test_a_heavy_view_without_an_address_is_an_error(settings):
    settings.KL14_HEAVY_VIEWS = [*django_settings.KL14_HEAVY_VIEWS, "reviews:no-such-view"]
    errors = kl14_checks.check_heavy_views()
    assert ids(errors) == ["kl14.E004"]
    assert "reviews:no-such-view" in errors[0].msg


def test_errors_are_reported_together(settings):
    settings.KL14_HEAVY_DUTY = 2
    settings.KL14_HEAVY_SLOTS = -3
    settings.KL14_HEAVY_WAIT = -1
    assert ids(kl14_checks.check_bulkhead()) == ["kl14.E001", "kl14.E002", "kl14.E003"]


def test_manage_py_check_refuses_an_invalid_duty_from_the_environment(tmp_path):
    """As a deployment meets it: the value comes from the environment, `manage.py check` (and
    `migrate`) exits non-zero with the error, before any request is served."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "kl14.settings.local",
        "KL14_HEAVY_DUTY": "1.5",
        "KL14_HEAVY_LOCK_DIR": str(tmp_path / "slots"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "kl14.E001" in done.stderr and "KL14_HEAVY_DUTY" in done.stderr
    env["KL14_HEAVY_DUTY"] = "0.5"
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
