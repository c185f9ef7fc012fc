"""The reverse proxy (kl14/proxy.py, deploy/nginx.conf): its heavy routes are the bulkhead's heavy
views, docker-compose.yml mounts exactly what `proxy_config` writes, and a real nginx with that
configuration sends the heavy reads to web-heavy and everything else to web, headers intact."""

import http.server
import json
import re
import threading
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
from tests.factories.units import grant
from tests.nginx import nginx
from tests.servers import free_port
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
    pages = {path.name: path.read_text() for path in (ROOT / "deploy" / "nginx-errors").iterdir()}
    assert pages == proxy.error_pages(), "manage.py proxy_config --write-errors deploy/nginx-errors"
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]
    mount = f"./deploy/nginx-errors:{proxy.COMPOSE['errors']}:ro"
    assert mount in services["proxy"]["volumes"]
    # The names in the configuration are the services' (web and web-2 answer as web-pool).
    (pool,) = {address.split(":")[0] for address in proxy.COMPOSE["web"]}
    for name in ("web", "web-2"):
        assert pool in services[name]["networks"]["default"]["aliases"]
    assert {address.split(":")[0] for address in proxy.COMPOSE["heavy"]} == {"web-heavy"}
    # The bench serves web-heavy at compose's priority (read from its text: importing the bench
    # would set its own environment).
    (bench_nice,) = re.findall(
        r"^HEAVY_NICE = (\d+)$", (ROOT / "bench" / "national.py").read_text(), re.M
    )
    assert services["web-heavy"]["command"].startswith(f"nice -n {bench_nice} gunicorn kl14.wsgi")
    # ... and both with compose's number of gunicorn workers.
    for service, constant in (("web", "WEB_WORKERS"), ("web-heavy", "HEAVY_WORKERS")):
        (workers,) = re.findall(
            rf"^{constant} = (\d+)$", (ROOT / "bench" / "national.py").read_text(), re.M
        )
        assert re.search(rf"gunicorn kl14\.wsgi\S* .*--workers {workers}\b",
                         services[service]["command"]), service  # fmt: skip
    # The proxy adds a hop to X-Forwarded-For: the sign-in limits must count it.
    for name in ("web", "web-heavy", "web-2"):
        assert services[name]["environment"]["KL14_NUM_PROXIES"] == "${KL14_NUM_PROXIES:-1}"


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
    with stub("web") as web, stub("heavy") as heavy, nginx(tmp_path, web=web, heavy=heavy) as px:
        base = px.url
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
    with nginx(tmp_path, web=address, heavy=address) as px:
        base = px.url
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


def test_nginx_answers_its_own_errors_with_our_pages(tmp_path):
    """A web process down (502) or an upload above the proxy's limit (413): nginx answers with
    our page, in Vietnamese unless the person switched to English, as the API's JSON error under
    /api/; the app's own errors (the bulkhead's 503) pass through untouched."""
    dead = f"127.0.0.1:{free_port()}"  # nothing listens there
    with nginx(tmp_path, web=dead, heavy=dead) as px:
        http = requests.Session()
        page = http.get(f"{px.url}/proposals/", timeout=TIMEOUT)
        assert page.status_code == 502
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert '<html lang="vi">' in page.text
        assert "Hệ thống KL14 tạm thời chưa phản hồi" in page.text and "Lỗi 502" in page.text
        english = http.get(
            f"{px.url}/dashboard/", cookies={"kl14_language": "en"}, timeout=TIMEOUT
        )  # a heavy route: the same page
        assert english.status_code == 502
        assert '<html lang="en">' in english.text
        assert "KL14 is not answering right now" in english.text
        # A cookie of a language the app does not have: the default, as the app itself does.
        other = http.get(f"{px.url}/", cookies={"kl14_language": "fr"}, timeout=TIMEOUT)
        assert '<html lang="vi">' in other.text
        api = http.post(f"{px.url}/api/v1/proposals/", json={}, timeout=TIMEOUT)
        assert api.status_code == 502
        assert api.headers["Content-Type"] == "application/json; charset=utf-8"
        assert api.json()["code"] == "unavailable"
        assert api.json()["detail"].startswith("Máy chủ đang bận")
        assert http.head(f"{px.url}/api/v1/lessons/", timeout=TIMEOUT).status_code == 502
        # The error pages are not addresses of their own (nginx's internal location).
        direct = http.get(f"{px.url}/_kl14_errors/502.vi.html", timeout=TIMEOUT)
        assert direct.status_code == 404 and "Lỗi 502" not in direct.text
    with stub("web") as web, nginx(tmp_path / "up", web=web, heavy=web) as px:
        too_large = 33 * 1024 * 1024
        page = requests.post(
            f"{px.url}/proposals/1/attachments/", data=b"x" * too_large, timeout=TIMEOUT
        )
        assert page.status_code == 413
        assert "Tệp tải lên quá lớn" in page.text and "Tệp lớn hơn 20 MB." in page.text
        api = requests.post(
            f"{px.url}/api/v1/proposals/1/attachments/",
            data=b"x" * too_large,
            cookies={"kl14_language": "en"},
            timeout=TIMEOUT,
        )
        assert (api.status_code, api.json()["code"]) == (413, "too_large")
        assert api.json()["detail"].startswith("The file is larger than 20 MB.")


def test_the_apps_own_errors_pass_through_the_proxy(tmp_path):
    """nginx replaces only the errors it makes itself: an app's 503 (the bulkhead's, with its
    Retry-After) or 404 reaches the person as the app wrote it."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            status = 503 if self.path.startswith("/dashboard/") else 404
            body = f"app {status}".encode()
            self.send_response(status)
            self.send_header("Retry-After", "3")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"127.0.0.1:{server.server_address[1]}"
    try:
        with nginx(tmp_path, web=address, heavy=address) as px:
            busy = requests.get(f"{px.url}/dashboard/", timeout=TIMEOUT)
            assert (busy.status_code, busy.text, busy.headers["Retry-After"]) == (
                503,
                "app 503",
                "3",
            )
            missing = requests.get(f"{px.url}/proposals/999/", timeout=TIMEOUT)
            assert (missing.status_code, missing.text) == (404, "app 404")
    finally:
        server.shutdown()
        server.server_close()
