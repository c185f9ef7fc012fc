from contextlib import contextmanager
from datetime import date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications import deadlines
from proposals.models import State
from tests.factories import grant
from tests.factories.proposals import ProposalFactory, in_state
from units.models import Role

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# Around Reunification Day and Labour Day 2026: Mon 27/4 (Hung Kings, observed), Thu 30/4 and
# Fri 1/5 are days off, 2-3/5 a weekend. A decision due on Mon 4/5 is 2 working days away on
# Tue 28/4 (29/4, 4/5) and still outside the window on Fri 24/4 (28/4, 29/4).
DUE = date(2026, 5, 4)


@contextmanager
def on(day: date, at: time = time(8, 0)):
    """The clock frozen on a day, in Vietnam's time zone."""
    with time_machine.travel(datetime.combine(day, at, tzinfo=VN), tick=False):
        yield


@pytest.fixture
def people(tree):
    """A cadre of the office, and who leads and oversees the office and the units above it."""
    office, agency, province = tree["office"], tree["agency"], tree["province"]
    return SimpleNamespace(
        author=grant(office, Role.CADRE, username="author"),
        office_head=grant(office, Role.HEAD, username="office_head"),
        office_deputy=grant(office, Role.DEPUTY, username="office_deputy"),
        office_board=grant(office, Role.ORGANIZATION_BOARD, username="office_board"),
        agency_head=grant(agency, Role.HEAD, username="agency_head", language="en"),
        agency_board=grant(agency, Role.ORGANIZATION_BOARD, username="agency_board"),
        agency_deputy=grant(agency, Role.DEPUTY, username="agency_deputy"),
        province_head=grant(province, Role.HEAD, username="province_head"),
        province_board=grant(province, Role.ORGANIZATION_BOARD, username="province_board"),
    )


@pytest.fixture
def make_proposal(tree, people):
    """A proposal of the office awaiting a decision (by default the office's, due on DUE)."""

    def make(*, due=DUE, state=State.SUBMITTED, unit=None, **fields):
        proposal = ProposalFactory(created_by=people.author, home_unit=tree["office"])
        fields.setdefault("submitted_at", datetime(2026, 4, 23, 9, 0, tzinfo=VN))
        return in_state(
            proposal, state, deciding_unit=unit or tree["office"], decision_due=due, **fields
        )

    return make


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    """Sweeps here see the decision kind alone (and the kinds a test registers), so they test
    it and the framework whatever other apps register; the fixture's value is the real registry."""
    real = dict(deadlines._registry)
    monkeypatch.setattr(deadlines, "_registry", {"proposals.decision": real["proposals.decision"]})
    return real
