"""A real nginx with kl14.proxy's configuration, for the tests (tests/kl14/test_proxy.py, the
browser's journeys): `with nginx(tmp_path, web=..., heavy=...) as proxy:` serves on a free port
(`proxy.url`), with the error pages of kl14.proxy.write_error_pages; `proxy.reload(web=...,
heavy=...)` points it at other backends as an operator's reload would (SIGHUP)."""

import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from kl14 import proxy
from tests.conftest import skip_or_fail
from tests.servers import free_port


def nginx_binary() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        skip_or_fail("nginx is not installed (apt-get install nginx)")
    return found


class Nginx:
    def __init__(self, directory: Path, port: int):
        self.directory = directory
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.conf = directory / "nginx.conf"
        self.errors = directory / "errors"
        self.process = None

    def configure(self, *, web: str, heavy: str) -> None:
        site = proxy.nginx_config(
            web=[web], heavy=[heavy], listen=f"127.0.0.1:{self.port}", errors=str(self.errors)
        )
        self.conf.write_text(proxy.standalone_config(site, self.directory))

    def reload(self, *, web: str, heavy: str) -> None:
        """New backends, as `nginx -s reload` gives them: new workers take the new upstreams
        (the old ones finish their requests); waits until the new configuration answers."""
        old = self._worker_pids()
        self.configure(web=web, heavy=heavy)
        self.process.send_signal(signal.SIGHUP)
        for _ in range(200):
            if (current := self._worker_pids()) and not current & old:
                return
            time.sleep(0.05)
        raise AssertionError("nginx did not take the new configuration")

    def _worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}


@contextmanager
def nginx(directory: Path, *, web: str, heavy: str):
    """Yields a running Nginx (see the module's docstring) on a free port."""
    binary = nginx_binary()
    server = Nginx(directory, free_port())
    proxy.write_error_pages(server.errors)
    server.configure(web=web, heavy=heavy)
    server.process = subprocess.Popen(  # noqa: S603 (our own nginx and configuration)
        [binary, "-p", str(directory), "-c", str(server.conf), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", server.port), timeout=0.2).close()
                break
            except OSError:
                assert server.process.poll() is None, server.process.stderr.read().decode()
                time.sleep(0.05)
        yield server
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)
