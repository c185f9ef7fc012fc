"""Servers of a test's own, on loopback: a free port, and a redis-server that the test starts and
kills (an outage it controls, apart from the Redis every other test shares)."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, down until `start()`, without persistence: a restart
    starts empty, so the tasks queued when it was killed are gone, as in a real crash of an
    unpersisted broker. `kill()` stops it dead."""

    def __init__(self, workdir: Path | None = None):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            skip_or_fail("this test needs redis-server (apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process = None

    def start(self, timeout: float = 15) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        if self.workdir is not None:
            command += ["--dir", str(self.workdir)]
        self.process = subprocess.Popen(  # noqa: S603 (Debian's redis-server, on loopback)
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while not self.answers():
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)

    def answers(self) -> bool:
        """It answers PING."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None
