"""A real OpenID Connect provider (django-oauth-toolkit, tests/sso/provider.py) in a subprocess
on a free loopback port, and KL14 configured to use it (as the environment would)."""

import json
import os
import re
import subprocess
import sys
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = "kl14-test", "kl14-test-secret"
IDP_PASSWORD = "idp-pass-2026"
PEOPLE = [
    {"username": "an.nv", "email": "an.nv@gialai.gov.vn", "staff_code": "GL-0001", "name": "An"},
    {"username": "binh.tt", "email": "binh.tt@gialai.gov.vn", "staff_code": "GL-0002", "name": "B"},
    {"username": "la.mat", "email": "la.mat@gialai.gov.vn", "staff_code": "GL-9999", "name": "Lạ"},
]


class Provider:
    def __init__(self, issuer, process):
        self.issuer = issuer
        self.process = process


def start_provider(tmp_path, redirect_uri, *extra) -> Provider:
    port = free_port()
    people = tmp_path / "people.json"
    people.write_text(json.dumps([{**p, "password": IDP_PASSWORD} for p in PEOPLE]))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
        [
            sys.executable,
            str(ROOT / "tests" / "sso" / "provider.py"),
            "--port",
            str(port),
            "--redirect-uri",
            redirect_uri,
            "--workdir",
            str(tmp_path / "idp"),
            "--people",
            str(people),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if not line.startswith("READY "):
        process.kill()
        pytest.fail(f"the OIDC provider did not start: {line}{process.stderr.read()}")
    issuer = line.split()[1]
    for _attempt in range(50):
        try:
            requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    return Provider(issuer, process)


@pytest.fixture
def oidc_provider(live_server, tmp_path, settings):
    """The provider, registered with KL14's callback on the live server, and KL14's settings
    pointing at it."""
    provider = start_provider(
        tmp_path,
        # The browser reaches the live server; the test client calls itself "testserver".
        f"{live_server.url}/accounts/sso/callback/ http://testserver/accounts/sso/callback/",
    )
    settings.KL14_OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    yield provider
    stop_provider(provider)


def stop_provider(provider):
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()
    provider.process.stdout.close()
    provider.process.stderr.close()


def _hidden_inputs(html: str) -> dict:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    return fields


def idp_round_trip(client, username, *, password=IDP_PASSWORD, next_url=""):
    """The code flow with Django's test client as KL14's browser and a requests session as the
    person's browser at the provider: sign in there, authorise KL14, come back with the code.
    Returns KL14's answer to the callback."""
    start = client.get("/accounts/sso/login/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start
    idp = requests.Session()
    login_page = idp.get(start["Location"], timeout=10)
    assert "Cổng đăng nhập một lần" in login_page.text
    form = _hidden_inputs(login_page.text)
    consent = idp.post(
        login_page.url,
        data={**form, "username": username, "password": password},
        headers={"Referer": login_page.url},
        timeout=10,
    )
    assert 'name="allow"' in consent.text, consent.text[:500]
    answer = idp.post(
        consent.url,
        data={**_hidden_inputs(consent.text), "allow": "Authorize"},
        headers={"Referer": consent.url},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    callback = urlsplit(answer.headers["Location"])
    assert callback.path == "/accounts/sso/callback/"
    return client.get(f"{callback.path}?{callback.query}")
