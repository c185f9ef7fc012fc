"""bench/national.py builds its country as the services would have written it: every chain of
the built ledger verifies, with every cross-check of the rows it recorded. A builder that wrote
something the services never write (an approval without its mode, a vote entry without its row)
made `verify_ledger` at 1M report hundreds of thousands of broken proposals and stop early on
each, so its timing measured nothing."""

import argparse
import contextlib
import io
import random

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_the_built_country_verifies(postgres):
    from bench.national import STATES, build
    from ledger.models import LedgerEntry
    from proposals.models import Proposal
    from reviews.models import AbuseCase, Evaluation, Institutionalization, Replication

    sizes = argparse.Namespace(proposals=400, units=60, users=500, seed=14, long_ledger=25)
    built = build(sizes, random.Random(14))

    assert Proposal.objects.count() == 400
    # All 20 states of lifecycle.md, and the rows of the stages after the pilot.
    assert set(Proposal.objects.values_list("state", flat=True)) == set(STATES)
    for model in (Evaluation, Replication, Institutionalization, AbuseCase):
        assert model.objects.exists(), model
    long = built["personas"]["long_pk"]
    assert LedgerEntry.objects.filter(proposal_id=long, event="vote").count() == 25
    assert LedgerEntry.objects.filter(event="approve").exists()
    out = io.StringIO()
    # It exits 1 when something is broken: the report below says what.
    with contextlib.suppress(SystemExit):
        call_command("verify_ledger", stdout=out, stderr=io.StringIO())
    report = out.getvalue()
    assert [line for line in report.splitlines() if line.startswith("BROKEN")] == []
    assert report.strip().endswith("400 checked, 0 broken.")
