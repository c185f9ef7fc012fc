"""A verification reads the chain, then the rows that mirror it, in several queries: a step that
commits between them must not look like tampering (the race probe: 45 of 163 verifications of a
proposal being worked on said "broken"). ledger.selectors.one_snapshot reads them as of one
moment. On PostgreSQL, with another connection committing a vote right after the chain was read."""

import threading
from unittest import mock

import pytest
from django.db import connection

from ledger import checkpoints
from ledger.models import LedgerEntry
from proposals import services
from proposals.models import Vote
from proposals.selectors import proposal_verify
from tests.conftest import skip_or_fail
from tests.factories.proposals import fresh, under_review


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        skip_or_fail("a second connection committing meanwhile needs PostgreSQL (DATABASE_URL)")


def _in_another_connection(work):
    """Runs `work` in a thread of its own (its own connection, committed) and waits for it."""
    failures = []

    def run():
        try:
            work()
        except Exception as error:  # reported in the test's thread
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert failures == []


def test_a_vote_committed_while_a_chain_is_verified_is_not_tampering(pg, org, proposal):
    review = under_review(proposal, org.cadre, org.head)
    entries = LedgerEntry.objects.filter(proposal=review).count()
    real_anchor = checkpoints.latest_anchor
    voted = []

    def anchor_after_a_vote():
        # Called once the chain has been read, before the rows are compared with it.
        if not voted:
            _in_another_connection(
                lambda: services.vote_cast(proposal=fresh(review), actor=org.deputy, choice="for")
            )
            voted.append(True)
        return real_anchor()

    with mock.patch.object(checkpoints, "latest_anchor", anchor_after_a_vote):
        verification = proposal_verify(review)
    assert voted and Vote.objects.filter(proposal=review, voter=org.deputy).exists()
    assert verification.valid, verification
    assert verification.entries == entries  # as of the moment it began
    assert proposal_verify(review).entries == entries + 1  # the vote is verified next time
    assert proposal_verify(review).valid
