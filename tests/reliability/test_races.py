"""Races through a real server on PostgreSQL: one winner, the others a clear 409, never a 500
(issue 13: 20 concurrent escalate calls gave 1–2 × 500 and 17 × 403)."""

from collections import Counter

import pytest

from ledger.models import LedgerEntry
from proposals.models import State
from tests.factories.proposals import fresh, in_state

from .http import at_once, request, token_for

pytestmark = [pytest.mark.services]

CALLS = 20


@pytest.fixture
def pg_live(live_server, transactional_db):
    from django.db import connection

    from tests.conftest import skip_or_fail

    if connection.vendor != "postgresql":
        skip_or_fail("concurrent requests need PostgreSQL (set DATABASE_URL)")
    return live_server.url


@pytest.mark.parametrize("state", [State.SUBMITTED, State.UNDER_REVIEW])
def test_twenty_concurrent_escalations_one_wins_the_rest_409(pg_live, org, draft, state):
    proposal = in_state(draft, state)
    token = token_for(pg_live, org.head)
    path = f"/api/v1/proposals/{proposal.pk}/transitions/escalate/"
    body = {"reason": "Vượt thẩm quyền của Sở"}
    results = at_once([lambda: request(pg_live, "POST", path, body, token=token)] * CALLS)
    statuses = Counter(status for status, _, _ in results)
    assert statuses == {200: 1, 409: CALLS - 1}, [r[:2] for r in results]
    conflicts = [body for status, body, _ in results if status == 409]
    assert all(b["code"] in ("changed", "wrong_state") for b in conflicts), conflicts
    proposal = fresh(proposal)
    assert proposal.deciding_unit_id == org.province.pk
    assert LedgerEntry.objects.filter(proposal=proposal, event="escalate").count() == 1


def test_concurrent_approve_and_reject_one_wins(pg_live, org, draft):
    proposal = in_state(draft, State.UNDER_REVIEW)
    token = token_for(pg_live, org.head)
    base = f"/api/v1/proposals/{proposal.pk}/transitions/"
    calls = [
        lambda: request(
            pg_live, "POST", base + "return_for_revision/", {"comment": "Bổ sung"}, token=token
        ),
        lambda: request(
            pg_live, "POST", base + "escalate/", {"reason": "Vượt thẩm quyền"}, token=token
        ),
    ] * 5
    statuses = Counter(status for status, _, _ in at_once(calls))
    assert statuses == {200: 1, 409: len(calls) - 1}
