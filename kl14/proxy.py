"""The reverse proxy in front of the web processes (issue 12): nginx sends the heavy reads (the
views of `KL14_HEAVY_VIEWS`: the dashboards, the API's lists, the lessons search) to web processes
of their own (`web-heavy`, started with a lower CPU priority) and every other request to `web`.

A heavy read then never computes in the same process as a cadre's page (no shared interpreter
lock), and when the cores are busy the kernel serves the everyday pages first. The bulkhead
(kl14/bulkhead.py) still limits how many heavy reads run at once inside `web-heavy`, and in `web`
for a request that reaches it directly.

`nginx_config()` writes the routes from the URLconf, so the proxy's list can never drift from the
bulkhead's: deploy/nginx.conf is its output for docker-compose.yml (`manage.py proxy_config`
writes it again; a test compares), and bench/national.py runs nginx with it on local ports.
"""

import json
import os
import pwd
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Above the largest request the app accepts (an attachment of MAX_UPLOAD_BYTES, 20 MiB, in a
# multipart body), so that the app, not nginx, answers a too large upload, in the user's language.
CLIENT_MAX_BODY = "32m"


# nginx's own answers (a web process down or starting: 502, 504; a body above CLIENT_MAX_BODY:
# 413) are pages of ours, in the language of the person's switch (the kl14_language cookie, as
# kl14.middleware.LanguageMiddleware reads it), as JSON under /api/. deploy/nginx-errors/ holds
# them for docker-compose.yml (`manage.py proxy_config --errors` writes them again).
ERROR_PAGES = {
    "unavailable": {
        "statuses": (502, 503, 504),
        "code": "unavailable",
        "title": _("KL14 is not answering right now"),
        "paragraphs": (
            _("The server is busy or restarting. Please try again in a few minutes."),
            _(
                "If you had just sent a form, open the page again and check whether it was "
                "saved before you send it again."
            ),
        ),
        "again": _("Open the page again"),
    },
    "too-large": {
        "statuses": (413,),
        "code": "too_large",
        "title": _("The upload is too large"),
        "paragraphs": (
            _("The file is larger than 20 MB."),
            _("Please choose a smaller file, or split it into several, and send the form again."),
        ),
        "again": _("Open the form again"),
    },
}
ERRORS_URI = "/_kl14_errors/"
# Where the proxy's container finds deploy/nginx-errors/ (docker-compose.yml mounts it there).
COMPOSE_ERRORS_DIR = "/usr/share/nginx/kl14-errors"


def error_pages() -> dict[str, str]:
    """File name → content of each of nginx's error answers, per status and language, as a page
    and as the API's error body."""
    files = {}
    for page in ERROR_PAGES.values():
        for status in page["statuses"]:
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    context = {"language": language, "page": {**page, "status": status}}
                    html = render_to_string("proxy/error_page.html", context)
                    body = {
                        "detail": " ".join(map(str, page["paragraphs"])),
                        "code": page["code"],
                        "errors": {},
                    }
                files[f"{status}.{language}.html"] = html
                files[f"{status}.{language}.json"] = json.dumps(body, ensure_ascii=False) + "\n"
    return files


def write_error_pages(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in error_pages().items():
        (directory / name).write_text(content, encoding="utf-8")


def _error_lines(errors: str) -> tuple[list[str], list[str]]:
    languages = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    lines = [
        "    # nginx's own errors: our pages, in the person's language, as JSON under /api/.",
        *(
            f"    error_page {status} {ERRORS_URI}{status}.$kl14_language.$kl14_error_format;"
            for page in ERROR_PAGES.values()
            for status in page["statuses"]
        ),
        f"    location ^~ {ERRORS_URI} {{",
        "        internal;",
        f"        alias {errors.rstrip('/')}/;",
        "        types { text/html html; application/json json; }",
        "        charset utf-8;",
        "        charset_types application/json;",
        "    }",
    ]
    maps = [
        "# The language of nginx's error pages: the person's switch (kl14.middleware), else "
        f"{settings.LANGUAGE_CODE}.",
        f"map $cookie_{settings.LANGUAGE_COOKIE_NAME} $kl14_language {{",
        *(f"    {code} {code};" for code in languages),
        f"    default {settings.LANGUAGE_CODE};",
        "}",
        "",
        "map $request_uri $kl14_error_format {",
        "    ~^/api/ json;",
        "    default html;",
        "}",
        "",
    ]
    return maps, lines


def heavy_paths() -> list[str]:
    """The path of each heavy view, as nginx must match it (the views take no arguments)."""
    paths = []
    for name in settings.KL14_HEAVY_VIEWS:
        try:
            paths.append(reverse(name))
        except NoReverseMatch as error:
            raise ValueError(f"KL14_HEAVY_VIEWS names {name!r}, which has no URL") from error
    return sorted(set(paths))


def nginx_config(
    *, web: list[str], heavy: list[str], listen: str = "80", errors: str = COMPOSE_ERRORS_DIR
) -> str:
    """An nginx `http`-level configuration (upstreams and one server): a read (GET, HEAD) of a
    heavy path, exactly (any query string), to `heavy`; everything else to `web`. The proxy adds
    its hop to X-Forwarded-For: count it in KL14_NUM_PROXIES, or every client would share the
    proxy's address in the sign-in limits. nginx's own errors are the pages of `errors` (a
    directory holding what write_error_pages() writes)."""
    error_maps, error_lines = _error_lines(errors)
    lines = [
        "# Written by `python manage.py proxy_config` (kl14/proxy.py); do not edit by hand.",
        "# The heavy reads (KL14_HEAVY_VIEWS) go to web-heavy, everything else to web.",
        "",
        "upstream kl14_web {",
        *(f"    server {address};" for address in web),
        "    keepalive 32;",
        "}",
        "",
        "upstream kl14_heavy {",
        *(f"    server {address};" for address in heavy),
        "    keepalive 16;",
        "}",
        "",
        "# Only reads are heavy: a write to the same address (creating a proposal) stays on web.",
        "map $request_method $kl14_read_upstream {",
        "    GET kl14_heavy;",
        "    HEAD kl14_heavy;",
        "    default kl14_web;",
        "}",
        "",
        "# A TLS terminator in front sets X-Forwarded-Proto; without one, the scheme of this hop.",
        "map $http_x_forwarded_proto $kl14_forwarded_proto {",
        "    default $http_x_forwarded_proto;",
        '    "" $scheme;',
        "}",
        "",
        *error_maps,
        "server {",
        f"    listen {listen};",
        f"    client_max_body_size {CLIENT_MAX_BODY};",
        "    proxy_http_version 1.1;",
        '    proxy_set_header Connection "";',
        "    proxy_set_header Host $http_host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $kl14_forwarded_proto;",
        "    proxy_read_timeout 300s;",
        "",
        *(
            f"    location = {path} {{ proxy_pass http://$kl14_read_upstream; }}"
            for path in heavy_paths()
        ),
        "",
        "    location / { proxy_pass http://kl14_web; }",
        "",
        *error_lines,
        "}",
        "",
    ]
    return "\n".join(lines)


def standalone_config(site: str, prefix: Path) -> str:
    """A whole nginx configuration around `site` for a private nginx under `prefix` (the bench,
    the tests): one worker, as the current user (so it may write its temporary files there), no
    access log, errors on stderr."""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "".join(f"    {kind}_temp_path {prefix / kind};\n" for kind in kinds)
    user = pwd.getpwuid(os.geteuid()).pw_name
    return (
        (f"user {user};\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log stderr warn;\n"
        + "events { worker_connections 1024; }\n"
        + f"http {{\n    access_log off;\n{temp}{site}}}\n"
    )


# What docker-compose.yml runs: `web` (and `web-2` in the national profile) answer as `web-pool`.
COMPOSE = {
    "web": ["web-pool:8000"],
    "heavy": ["web-heavy:8000"],
    "listen": "80",
    "errors": COMPOSE_ERRORS_DIR,
}
