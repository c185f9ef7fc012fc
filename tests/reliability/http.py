"""Plain HTTP against pytest-django's live_server (a real threaded WSGI server): what clients of
api.md send, nothing from Django's test client."""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory


def request(base, method, path, body=None, *, token=None, headers=None, raw=None, timeout=30):
    """(status, parsed JSON or text, headers) of one request."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310 (live_server)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Token {token}")
    for key, value in (headers or {}).items():
        req.add_header(key, value)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310
            status, text, head = response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        status, text, head = error.code, error.read().decode(), error.headers
    try:
        return status, json.loads(text), head
    except ValueError:
        return status, text, head


def token_for(base, user, password=PASSWORD) -> str:
    status, body, _ = request(
        base, "POST", "/api/v1/auth/token/", {"username": user.username, "password": password}
    )
    assert status == 200, body
    return body["token"]


def at_once(calls):
    """Runs the calls in threads released together; returns their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
