"""JSON logs with the request's id; Sentry when a DSN is given; `make run` on $PORT."""

import gzip
import http.server
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_every_response_carries_a_request_id(client):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_proxy_id_is_kept_only_when_it_looks_like_one(client, settings):
    settings.LOG_REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
    from ops.requestid import RequestIDMiddleware

    def answer(header):
        middleware = RequestIDMiddleware(lambda request: None)
        return middleware._get_request_id(type("R", (), {"META": {"HTTP_X_REQUEST_ID": header}}))

    assert answer("lb-7f3a.91") == "lb-7f3a.91"
    assert answer('x"\n{"level": "fake"}') != 'x"\n{"level": "fake"}'


def test_log_lines_are_json_with_the_request_id(client, caplog):
    from django.conf import settings

    config = settings.LOGGING
    formatter = logging.config.DictConfigurator(config).configure_custom(
        dict(config["formatters"]["json"])
    )
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/")
    record = next(r for r in caplog.records if r.name == "django.request")
    line = json.loads(formatter.format(record))
    assert line["level"] == "WARNING"
    assert line["logger"] == "django.request"
    assert line["request_id"] == response["X-Request-ID"]
    assert "Not Found" in line["message"]


class _Sentry(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        _Sentry.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_errors_go_to_sentry_when_a_dsn_is_given(tmp_path):
    """A fresh interpreter with SENTRY_DSN pointing at a stand-in Sentry on this machine: an
    error in a view arrives there as an event, without personal data."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sentry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dsn = f"http://public@127.0.0.1:{server.server_port}/42"
    script = """
import django, sentry_sdk
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from django.urls import path
import kl14.urls as urls

def boom(request):
    raise ValueError("boom for sentry")

urls.urlpatterns.append(path("boom/", boom))
Client(raise_request_exception=False, HTTP_HOST="localhost").get("/boom/")
sentry_sdk.flush(5)
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kl14.settings.test",
        "SENTRY_DSN": dsn,
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    try:
        subprocess.run(  # noqa: S603 - our interpreter, a fixed script
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=120,
            capture_output=True,
        )
    finally:
        server.shutdown()
    assert _Sentry.received, "nothing reached Sentry"
    assert {path for path, _body in _Sentry.received} == {"/api/42/envelope/"}
    events = [body for _path, body in _Sentry.received if b"boom for sentry" in body]
    assert events, [body for _path, body in _Sentry.received]
    assert b"ValueError" in events[0]


@pytest.mark.skipif(sys.platform == "win32", reason="honcho and runserver on a POSIX machine")
def test_make_run_serves_on_the_port_it_is_given(tmp_path):
    """The web process of Procfile.dev, started as `make run` starts it, listens on $PORT."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kl14.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
    }
    process = subprocess.Popen(  # noqa: S603 - honcho from the virtualenv, fixed arguments
        [
            sys.executable,
            "-m",
            "honcho",
            "--procfile",
            "Procfile.dev",
            "start",
            "--port",
            str(port),
            "web",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        answer = None
        for _attempt in range(240):
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.5)
        assert answer is not None, f"nothing listens on {port}"
        assert answer.status_code == 200
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
