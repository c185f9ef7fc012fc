"""Production settings, checked in a subprocess with a clean environment: `check --deploy` finds
nothing with a proper secret key, and production refuses to start without one."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _manage(*args, **env):
    """manage.py in production settings, with only what the test gives in the environment."""
    if (ROOT / ".env").exists():
        pytest.skip(".env is read by the settings and may set DJANGO_SECRET_KEY")
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "KL14_")) and key not in ("DATABASE_URL", "REDIS_URL")
    }
    clean.update(DJANGO_SETTINGS_MODULE="kl14.settings.production", **env)
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _signing():
    """Production signs with a certificate from the environment (here the tests' demo one)."""
    return {
        "KL14_SIGNING_PKCS12": str(Path(settings.KL14_SIGNING_DIR) / "demo-signer.p12"),
        "KL14_SIGNING_PKCS12_PASSWORD": "kl14-demo-signing",
    }


def test_check_deploy_is_clean_with_a_real_secret_key():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **_signing(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_a_weak_secret_key():
    """With DJANGO_SECRET_KEY=x the only finding is the key itself (security.W009)."""
    result = _manage("check", "--deploy", DJANGO_SECRET_KEY="x", **_signing())
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "security.W009" in output
    assert "identified 1 issue" in output


def test_check_deploy_refuses_production_without_a_signing_certificate():
    """Issue 9: production signs with the organisation's certificate, never the demo CA."""
    result = _manage("check", "--deploy", DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0
    assert "signing.E001" in result.stdout + result.stderr
    result = _manage(
        "check",
        "--deploy",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        KL14_SIGNING_PKCS12="/nonexistent.p12",
    )
    assert "signing.E002" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("module", ("kl14.wsgi", "kl14.asgi"))
def test_the_wsgi_and_asgi_applications_default_to_production(module):
    """README: DJANGO_SETTINGS_MODULE defaults to `production` for wsgi/asgi, which must then
    refuse to start without a secret key."""
    if (ROOT / ".env").exists():
        pytest.skip(".env is read by the settings and may set DJANGO_SECRET_KEY")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


EXPECTED = {
    "DEBUG": False,
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "CSRF_COOKIE_SECURE": True,
    "LANGUAGE_COOKIE_SECURE": True,
    "SECURE_CONTENT_TYPE_NOSNIFF": True,
    "SECURE_SSL_REDIRECT": True,
    "X_FRAME_OPTIONS": "DENY",
    "SECURE_HSTS_SECONDS": 31_536_000,
}


def test_production_values():
    names = ", ".join(f"{name!r}: settings.{name}" for name in EXPECTED)
    result = _manage(
        "shell",
        "-c",
        f"from django.conf import settings; print(repr({{{names}}}))",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == repr(EXPECTED)
