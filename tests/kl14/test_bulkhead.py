"""The bulkhead (kl14/bulkhead.py): the heavy reads take one of the process's few slots; when
none frees up in time they answer 503 in the user's language, and everything else is never held
back by them."""

import threading

import pytest

from kl14 import bulkhead
from tests.reviews.conftest import org  # noqa: F401 (the review stage's people)

pytestmark = pytest.mark.django_db


class Held:
    """The test's hold on the machine's only slot (as another request would have it)."""

    def __init__(self, gate):
        self.gate, self.number = gate, None

    def acquire(self, timeout):
        self.number = self.gate.acquire(timeout)
        return self.number is not None

    def release(self):
        self.gate.release(self.number)


@pytest.fixture
def one_slot(settings, tmp_path):
    settings.KL14_HEAVY_SLOTS = 1
    settings.KL14_HEAVY_WAIT = 0.3
    settings.KL14_HEAVY_LOCK_DIR = str(tmp_path / "slots")
    return Held(bulkhead.gate())


@pytest.fixture
def board(client, org):  # noqa: F811
    client.force_login(org.orgboard)
    return client


def test_a_heavy_read_waits_for_a_slot_then_answers_503_in_vietnamese(board, one_slot):
    assert one_slot.acquire(timeout=1)  # another request holds the only slot
    try:
        page = board.get("/dashboard/")
        api = board.get("/api/v1/dashboard/")
        listed = board.get("/api/v1/proposals/")
        # Pages that are not heavy are served meanwhile.
        mine = board.get("/proposals/")
    finally:
        one_slot.release()
    assert page.status_code == 503 and page["Retry-After"] == "1"
    assert "Nhiều người đang mở trang này" in page.content.decode()
    assert api.status_code == 503 and api["Content-Type"].startswith("application/json")
    assert api.json() == {
        "detail": "Nhiều người đang mở trang này. Đồng chí vui lòng thử lại sau giây lát.",
        "code": "busy",
        "errors": {},
    }
    assert listed.status_code == 503
    assert mine.status_code == 200
    # Once the slot is free, the same reads are served, and each gives its slot back.
    assert board.get("/dashboard/").status_code == 200
    assert board.get("/api/v1/proposals/").status_code == 200
    assert one_slot.acquire(timeout=0) and (one_slot.release() or True)


def test_a_waiting_read_is_served_as_soon_as_the_slot_is_given_back(board, one_slot, settings):
    settings.KL14_HEAVY_WAIT = 10
    assert one_slot.acquire(timeout=1)
    threading.Timer(0.2, one_slot.release).start()
    assert board.get("/api/v1/dashboard/").status_code == 200
    assert one_slot.acquire(timeout=0)  # given back after the response
    one_slot.release()


def test_two_threads_of_one_process_never_share_a_slot(one_slot):
    assert one_slot.acquire(timeout=1)
    other = []
    thread = threading.Thread(target=lambda: other.append(bulkhead.gate().acquire(0.1)))
    thread.start()
    thread.join()
    assert other == [None]  # the same process's file lock would not have stopped it
    one_slot.release()


def test_writes_are_never_held_back(board, one_slot):
    assert one_slot.acquire(timeout=1)
    try:
        # A create on the heavy list's address goes through to its own validation.
        response = board.post("/api/v1/proposals/", {}, content_type="application/json")
    finally:
        one_slot.release()
    assert response.status_code == 400


def test_a_failing_heavy_view_gives_its_slot_back(rf, one_slot):
    from django.urls import resolve

    def broken(request):
        raise RuntimeError("boom")

    middleware = bulkhead.HeavyViewMiddleware(broken)
    request = rf.get("/dashboard/")
    request.resolver_match = resolve("/dashboard/")
    assert middleware.process_view(request, None, (), {}) is None  # the slot is taken
    assert not one_slot.acquire(timeout=0)
    with pytest.raises(RuntimeError):
        middleware(request)
    assert one_slot.acquire(timeout=0)  # and given back
    one_slot.release()


def test_zero_slots_turns_the_gate_off(board, settings):
    settings.KL14_HEAVY_SLOTS = 0
    assert bulkhead.gate() is None
    assert board.get("/dashboard/").status_code == 200


def test_a_slot_held_by_another_process_holds_the_heavy_reads_back(board, one_slot, settings):
    """The slots are the machine's: a request another web process is serving (here a process
    holding the slot's lock file) keeps this process's heavy reads waiting, and its death frees
    the slot."""
    import subprocess
    import sys
    from pathlib import Path

    slot = Path(settings.KL14_HEAVY_LOCK_DIR) / "slot-0"
    holder = subprocess.Popen(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c",
         "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
         "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
         str(slot)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        assert board.get("/api/v1/dashboard/").status_code == 503
        assert board.get("/proposals/").status_code == 200
    finally:
        holder.kill()
        holder.wait()
    assert board.get("/api/v1/dashboard/").status_code == 200


def test_a_crowd_of_waiting_threads_sleeps_while_one_looks_for_the_slot(
    one_slot, settings, monkeypatch
):
    """While another process holds the only slot, one thread of this process looks at the lock
    file every few milliseconds; the others sleep meanwhile, so that a crowd of waiting heavy
    reads does not take the interpreter from the running pages."""
    import fcntl
    import os
    import time

    fd = os.open(os.path.join(settings.KL14_HEAVY_LOCK_DIR, "slot-0"), os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another open file: as another process would hold it
    lookers, flock = [], fcntl.flock

    def counting(descriptor, operation):
        lookers.append(threading.get_ident())
        return flock(descriptor, operation)

    monkeypatch.setattr(fcntl, "flock", counting)
    gate = bulkhead.gate()
    results = []

    def waiting(timeout):
        results.append(gate.acquire(timeout=timeout))

    first = threading.Thread(target=waiting, args=(2,))
    crowd = [threading.Thread(target=waiting, args=(0.3,)) for _ in range(5)]
    try:
        first.start()
        while not lookers:
            time.sleep(0.001)
        for thread in crowd:
            thread.start()
        for thread in crowd:
            thread.join()
        assert set(lookers) == {first.ident}  # the crowd never looked
        assert results == [None] * 5
    finally:
        flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        first.join()
    # The slot given back, the first waiter got it.
    assert results[-1] == 0
    gate.release(0)
