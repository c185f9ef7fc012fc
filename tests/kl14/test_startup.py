"""Web, worker and beat start every time, whatever order DRF's settings are first read in.

DRF imports the classes its settings name lazily, and `rest_framework.views` reads several of
them while it is itself being imported. A module named there that imports `rest_framework.views`
therefore breaks start-up when its own setting happens to be read first — as the Celery worker's
Django fix-up does when DRF's pagination check runs before the others (the order of system checks
varies from process to process). Each case runs in a fresh interpreter, as a process starts."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PROCESSES = {
    # make run: runserver, `celery worker` and `celery beat` on the local settings.
    "local": {"DJANGO_SETTINGS_MODULE": "kl14.settings.local"},
    # docker-compose: gunicorn, worker and beat on the production settings.
    "production": {
        "DJANGO_SETTINGS_MODULE": "kl14.settings.production",
        "DJANGO_SECRET_KEY": "startup-test-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "example.org",
    },
}
DOTTED_SETTINGS = sorted(
    key
    for key, value in settings.REST_FRAMEWORK.items()
    if (isinstance(value, str) and "." in value)
    or (isinstance(value, list) and value and all("." in v for v in value))
)

READ_FIRST = """
import sys
import django
django.setup()
from rest_framework.settings import api_settings
getattr(api_settings, sys.argv[1])
for key in sys.argv[2:]:
    getattr(api_settings, key)
import rest_framework.views, rest_framework.generics  # noqa: E401
print("ok")
"""

WORKER_CHECKS = """
from kl14.celery import app
from celery.fixups.django import DjangoWorkerFixup
# What `celery worker` runs at start-up: django.setup(), then the system checks.
DjangoWorkerFixup(app).validate_models()
print("ok")
"""

OWN_MODULE_IMPORTS = """
import sys, importlib
import django
django.setup()
importlib.import_module(sys.argv[1])
print("rest_framework.views" in sys.modules)
"""


def run(script, env, *args):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script, *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("process", sorted(PROCESSES))
@pytest.mark.parametrize("first", DOTTED_SETTINGS)
def test_any_drf_setting_can_be_read_first(process, first):
    result = run(READ_FIRST, PROCESSES[process], first, *DOTTED_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_the_worker_start_up_checks_pass(process):
    result = run(WORKER_CHECKS, PROCESSES[process])
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "module",
    sorted(
        {
            path.rsplit(".", 1)[0]
            for value in settings.REST_FRAMEWORK.values()
            for path in (value if isinstance(value, list) else [value])
            if isinstance(path, str) and path.startswith("kl14.")
        }
    ),
)
def test_our_modules_named_in_drf_settings_do_not_import_drf_views(module):
    result = run(OWN_MODULE_IMPORTS, PROCESSES["local"], module)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
