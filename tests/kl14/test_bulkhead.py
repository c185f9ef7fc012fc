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


# --- the duty cycle (KL14_HEAVY_DUTY) ---


def _owed(settings) -> float:
    """Seconds of rest the slot still owes, as its file says (0 when nothing was written), by
    the bulkhead's clock (the test's own when it has one)."""
    import os

    with open(os.path.join(settings.KL14_HEAVY_LOCK_DIR, "slot-0"), "rb") as slot:
        raw = slot.read()
    if not raw:
        return 0.0
    (paid_at,) = bulkhead._REST.unpack(raw[: bulkhead._REST.size])
    return paid_at - bulkhead.time.monotonic()


class Clock:
    """The bulkhead's clock in a single-threaded test: `sleep` moves time on at once, and
    nothing else does, so a test's figures are exact however slow or loaded the machine is
    (a stall between two steps of the real clock once made such a test fail)."""

    def __init__(self):
        import time

        self.now = time.monotonic()

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(bulkhead, "time", fake)
    return fake


@pytest.fixture
def half_duty(settings, tmp_path):
    settings.KL14_HEAVY_SLOTS = 1
    settings.KL14_HEAVY_LOCK_DIR = str(tmp_path / "slots")
    settings.KL14_HEAVY_DUTY = 0.5
    return bulkhead.gate()


def test_at_full_duty_a_slot_never_rests(settings, tmp_path, clock):
    settings.KL14_HEAVY_SLOTS = 1
    settings.KL14_HEAVY_LOCK_DIR = str(tmp_path / "slots")
    settings.KL14_HEAVY_DUTY = 1
    gate = bulkhead.gate()
    for _ in range(3):
        gate.release(gate.acquire(timeout=1), busy=0.5)
    assert _owed(settings) == 0.0
    started = clock.now
    gate.release(gate.acquire(timeout=5))
    assert clock.now == started  # charged, it would wait at least 1.25 s


def test_a_reader_alone_never_owes_anything(half_duty, settings, clock):
    """Without a crowd (nobody found the slot taken), reads in a row cost nothing: one person
    opening the dashboard, the search and the API list one after the other never waits."""
    for _ in range(5):
        half_duty.release(half_duty.acquire(timeout=1), busy=0.2)
    assert not half_duty.crowded()
    assert _owed(settings) == 0.0
    started = clock.now
    half_duty.release(half_duty.acquire(timeout=5))
    assert clock.now == started  # charged, it would wait at least 1.75 s


def test_in_a_crowd_the_next_reader_waits_as_long_as_the_reads_computed(half_duty, settings, clock):
    """Each read costs the slot twice its time from when it began (its time, then as much rest);
    what is owed beyond BURST makes the next reader of any process wait (another Gate on the
    same directory stands for another web process)."""
    other = bulkhead.Gate(1, settings.KL14_HEAVY_LOCK_DIR, duty=0.5)
    number = half_duty.acquire(timeout=1)
    assert other.acquire(timeout=0) is None  # the other process finds it taken: a crowd
    assert half_duty.crowded() and other.crowded()
    clock.sleep(0.2)  # the read computes
    half_duty.release(number, busy=0.2)
    assert _owed(settings) == pytest.approx(0.2)  # its rest, from now
    started = clock.now
    number = other.acquire(timeout=5)  # 0.2 s owed, within the burst: no wait
    assert clock.now == started
    # A read of 0.3 s costs 0.6 s from when it began, after the 0.2 s still owed then: 0.5 s
    # from now (computing did not pay off the debt of the read before it).
    clock.sleep(0.3)
    other.release(number, busy=0.3)
    assert _owed(settings) == pytest.approx(0.5)
    started = clock.now
    number = half_duty.acquire(timeout=5)
    assert number == 0
    # It waited until only BURST (0.25 s) of the 0.5 s was owed.
    assert clock.now - started == pytest.approx(0.5 - bulkhead.BURST)
    assert _owed(settings) == pytest.approx(bulkhead.BURST)
    half_duty.release(number)


def test_the_debt_runs_down_while_nobody_reads(half_duty, settings, monkeypatch, clock):
    monkeypatch.setattr(half_duty, "crowded", lambda: True)
    number = half_duty.acquire(timeout=1)
    clock.sleep(0.2)
    half_duty.release(number, busy=0.2)
    clock.sleep(0.35)
    assert _owed(settings) == pytest.approx(-0.15)  # paid off a while ago
    number = half_duty.acquire(timeout=1)
    clock.sleep(0.1)
    half_duty.release(number, busy=0.1)
    # Counted from when this read began, not from the old date.
    assert _owed(settings) == pytest.approx(0.1)


def test_a_rest_is_capped_and_never_outlasts_the_wait(settings, tmp_path, monkeypatch, clock):
    settings.KL14_HEAVY_SLOTS = 1
    settings.KL14_HEAVY_LOCK_DIR = str(tmp_path / "slots")
    settings.KL14_HEAVY_DUTY = 0.1
    monkeypatch.setattr(bulkhead, "BURST", 0)
    gate = bulkhead.gate()
    monkeypatch.setattr(gate, "crowded", lambda: True)
    number = gate.acquire(timeout=1)
    clock.sleep(60)
    gate.release(number, busy=60)  # nine minutes of rest, capped
    assert _owed(settings) == pytest.approx(bulkhead.MAX_REST)
    started = clock.now
    number = gate.acquire(timeout=0.2)  # a reader who may wait 0.2 s is served after 0.2 s
    assert number == 0 and clock.now - started == pytest.approx(0.2)
    gate.release(number)


def test_a_duty_outside_zero_to_one_is_refused(settings, tmp_path):
    settings.KL14_HEAVY_LOCK_DIR = str(tmp_path / "slots")
    for duty in (0, -0.5, 1.5):
        settings.KL14_HEAVY_DUTY = duty
        with pytest.raises(ValueError, match="KL14_HEAVY_DUTY"):
            bulkhead.gate()


def test_a_crowd_gets_half_the_slots_time(half_duty):
    """Three threads reading 30 ms at a time for 1.5 s: at duty 0.5 about one read per 60 ms
    after the first BURST's worth (at full duty it would be one per 30 ms: 50)."""
    import time

    reads = []
    end = time.monotonic() + 1.5

    def crowd():
        while time.monotonic() < end:
            number = half_duty.acquire(timeout=5)
            began = time.monotonic()
            time.sleep(0.03)
            half_duty.release(number, busy=time.monotonic() - began)
            reads.append(began)

    threads = [threading.Thread(target=crowd) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 1.5 s at one read per 60 ms, plus the burst (0.25 s owed: about 8 reads early on).
    assert len(reads) <= (1.5 + bulkhead.BURST) / 0.06 + 4
    assert half_duty.crowded()


def test_a_heavy_page_costs_its_slot_only_in_a_crowd(board, half_duty, settings, monkeypatch):
    # The crowd lasts the whole test: on a busy machine the page can take longer than the
    # window (1 s), and it would then find no crowd when it gives the slot back.
    monkeypatch.setattr(bulkhead, "CROWD_WINDOW", 600.0)
    assert board.get("/dashboard/").status_code == 200
    assert _owed(settings) == 0.0  # alone: nothing owed
    half_duty._crowd()  # as when another reader has just found the slot taken
    assert board.get("/dashboard/").status_code == 200
    assert _owed(settings) > 0  # the time the page computed, from now
    assert board.get("/api/v1/dashboard/").status_code == 200  # within the burst: not held


def test_a_replaced_gate_closes_its_files_once_nobody_holds_it(settings, tmp_path):
    """A settings change makes a new gate; the old one's lock files are closed when the last
    reference (a request still holding one of its slots) lets go, not before."""
    import gc
    import os

    settings.KL14_HEAVY_SLOTS = 2
    settings.KL14_HEAVY_LOCK_DIR = str(tmp_path / "first")
    old = bulkhead.gate()
    files = list(old._files)
    held = old.acquire(timeout=1)  # a request in flight on the old gate
    settings.KL14_HEAVY_LOCK_DIR = str(tmp_path / "second")
    new = bulkhead.gate()
    assert new is not old
    gc.collect()
    for fd in files:
        os.fstat(fd)  # still open: the request holds the old gate
    old.release(held, busy=0.01)
    del old
    gc.collect()
    for fd in files:
        with pytest.raises(OSError):
            os.fstat(fd)
    assert new.acquire(timeout=1) is not None
