"""The reverse proxy (kl14/proxy.py, deploy/nginx.conf): its heavy routes are the bulkhead's heavy
views, docker-compose.yml mounts exactly what `proxy_config` writes, and a real nginx with that
configuration sends the heavy reads to web-heavy and everything else to web, headers intact."""

import http.server
import json
import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
import requests
import yaml
from django.conf import settings
from django.core.management import call_command
from django.urls import resolve

from kl14 import proxy
from tests.conftest import skip_or_fail
from tests.factories.units import grant
from units.models import Role

ROOT = Path(settings.BASE_DIR)
TIMEOUT = 30


def test_the_heavy_routes_are_the_bulkheads_heavy_views():
    paths = proxy.heavy_paths()
    assert {resolve(path).view_name for path in paths} == set(settings.KL14_HEAVY_VIEWS)
    assert len(paths) == len(settings.KL14_HEAVY_VIEWS)
    config = proxy.nginx_config(web=["a:1"], heavy=["b:2"])
    for path in paths:
        assert f"location = {path} {{ proxy_pass http://$kl14_read_upstream; }}" in config


def test_a_heavy_view_without_an_address_is_refused(settings):
    settings.KL14_HEAVY_VIEWS = [*settings.KL14_HEAVY_VIEWS, "proposals:detail"]  # takes a pk
    with pytest.raises(ValueError, match="proposals:detail"):
        proxy.heavy_paths()


def test_compose_mounts_what_proxy_config_writes():
    out = StringIO()
    call_command("proxy_config", stdout=out)
    written = (ROOT / "deploy" / "nginx.conf").read_text()
    assert written == out.getvalue(), "manage.py proxy_config --output deploy/nginx.conf"
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]
    # The names in the configuration are the services' (web and web-2 answer as web-pool).
    (pool,) = {address.split(":")[0] for address in proxy.COMPOSE["web"]}
    for name in ("web", "web-2"):
        assert pool in services[name]["networks"]["default"]["aliases"]
    assert {address.split(":")[0] for address in proxy.COMPOSE["heavy"]} == {"web-heavy"}
    assert services["web-heavy"]["command"].startswith("nice -n 10 gunicorn kl14.wsgi")
    # The proxy adds a hop to X-Forwarded-For: the sign-in limits must count it.
    for name in ("web", "web-heavy", "web-2"):
        assert services[name]["environment"]["KL14_NUM_PROXIES"] == "${KL14_NUM_PROXIES:-1}"


def _nginx_binary() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        skip_or_fail("nginx is not installed (apt-get install nginx)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def nginx(tmp_path, *, web: str, heavy: str):
    """A real nginx with kl14.proxy's configuration on a free port; yields its base URL."""
    binary = _nginx_binary()
    port = _free_port()
    site = proxy.nginx_config(web=[web], heavy=[heavy], listen=f"127.0.0.1:{port}")
    conf = tmp_path / "nginx.conf"
    conf.write_text(proxy.standalone_config(site, tmp_path))
    process = subprocess.Popen(  # noqa: S603 (our own nginx and configuration)
        [binary, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def stub(name: str):
    """A backend answering, as JSON, who it is and what reached it."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            received = 0
            while received < length:
                received += len(self.rfile.read(min(65536, length - received)))
            body = json.dumps(
                {
                    "backend": name,
                    "method": self.command,
                    "path": self.path,
                    "host": self.headers.get("Host"),
                    "forwarded_for": self.headers.get("X-Forwarded-For"),
                    "forwarded_proto": self.headers.get("X-Forwarded-Proto"),
                    "received": received,
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Backend", name)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_HEAD = do_PUT = answer

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_nginx_sends_the_heavy_reads_to_web_heavy_and_the_rest_to_web(tmp_path):
    with stub("web") as web, stub("heavy") as heavy, nginx(tmp_path, web=web, heavy=heavy) as base:
        http = requests.Session()
        for path in proxy.heavy_paths():
            got = http.get(f"{base}{path}?unit=3&page=2", timeout=TIMEOUT).json()
            assert (got["backend"], got["method"], got["path"]) == (
                "heavy",
                "GET",
                f"{path}?unit=3&page=2",
            )
            head = http.head(f"{base}{path}", timeout=TIMEOUT)
            assert head.headers["X-Backend"] == "heavy"
            # A write to the same address is not a heavy read.
            assert http.post(f"{base}{path}", json={}, timeout=TIMEOUT).json()["backend"] == "web"
        for path in ("/", "/proposals/", "/proposals/7/", "/dashboard/export/", "/lessons/x/"):
            got = http.get(f"{base}{path}", timeout=TIMEOUT).json()
            assert (got["backend"], got["path"]) == ("web", path)
        # What Django needs to build addresses and count the proxy in the sign-in limits.
        got = http.get(f"{base}/proposals/", timeout=TIMEOUT).json()
        assert got["host"] == base.removeprefix("http://")
        assert got["forwarded_for"] == "127.0.0.1"
        assert got["forwarded_proto"] == "http"
        behind_tls = http.get(
            f"{base}/dashboard/",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
            timeout=TIMEOUT,
        ).json()
        assert behind_tls["forwarded_proto"] == "https"
        assert behind_tls["forwarded_for"] == "203.0.113.9, 127.0.0.1"
        # The largest upload the app accepts (20 MiB and the form) reaches it: the app, not
        # nginx, answers a larger one, in the user's language.
        size = 21 * 1024 * 1024
        got = http.post(f"{base}/proposals/1/attachments/", data=b"x" * size, timeout=TIMEOUT)
        assert (got.status_code, got.json()["received"]) == (200, size)


def test_the_app_answers_through_nginx(tmp_path, live_server, tree, transactional_db, settings):
    """The real app behind the real proxy: a token, a proposal created (201, its Location on the
    proxy's address), and the heavy list read through the web-heavy route."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    agency = tree["agency"]
    grant(agency, Role.CADRE, username="canbo")
    address = live_server.url.removeprefix("http://")
    with nginx(tmp_path, web=address, heavy=address) as base:
        http = requests.Session()
        token = http.post(
            f"{base}/api/v1/auth/token/",
            json={"username": "canbo", "password": "secret-pass-123"},
            timeout=TIMEOUT,
        )
        assert token.status_code == 200, token.text
        http.headers["Authorization"] = f"Token {token.json()['token']}"
        created = http.post(
            f"{base}/api/v1/proposals/",
            json={"title": "Một cửa liên thông điện tử", "field": "administrative_reform",
                  "home_unit": agency.pk},
            timeout=TIMEOUT,
        )  # fmt: skip
        assert created.status_code == 201, created.text
        assert created.headers["Location"].startswith(f"{base}/api/v1/proposals/")
        listed = http.get(f"{base}/api/v1/proposals/", timeout=TIMEOUT)
        assert listed.status_code == 200
        assert [p["id"] for p in listed.json()["results"]] == [created.json()["id"]]
