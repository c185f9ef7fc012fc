"""The review stage's demo data: every state of the stage, through the services, idempotent."""

import pytest
from django.core.management import call_command

from ledger.models import LedgerEntry
from proposals.models import Proposal, State
from proposals.selectors import proposal_verify
from reviews.models import Adoption, Lesson, Recognition

pytestmark = pytest.mark.django_db


def test_the_demo_covers_the_stage_and_runs_twice(settings):
    call_command("seed_demo")
    states = set(Proposal.objects.values_list("state", flat=True))
    # Every state of the life cycle has a demo proposal, whichever states are added later.
    assert set(State.values) <= states, set(State.values) - states
    replicated = Proposal.objects.get(state=State.REPLICATED)
    assert set(
        Adoption.objects.filter(replication__source=replicated).values_list("unit__code", flat=True)
    ) == {"GL-XTP", "GL-XPC"}
    assert Proposal.objects.filter(origin=replicated, state=State.SUCCEEDED).count() == 1
    assert Proposal.objects.filter(published_at__isnull=False).count() >= 3
    assert Recognition.objects.exists()
    for proposal in Proposal.objects.exclude(version=0):
        assert proposal_verify(proposal).valid, proposal.code
    counts = (
        Proposal.objects.count(),
        LedgerEntry.objects.count(),
        Lesson.objects.count(),
        Recognition.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Proposal.objects.count(),
        LedgerEntry.objects.count(),
        Lesson.objects.count(),
        Recognition.objects.count(),
    ) == counts
