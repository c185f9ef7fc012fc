"""Concurrent actions on one pilot (PostgreSQL): the proposal's row lock serialises them, exactly
one wins, and the other gets a clear error."""

import threading

import pytest
from django.db import connections

from kl14.errors import Conflict, Invalid
from ledger.models import LedgerEntry
from pilots import services
from pilots.models import Adjustment, ProgressReport
from proposals.selectors import proposal_verify
from tests.factories.proposals import fresh

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def race(*actions):
    """Runs the actions at the same moment in two threads; returns what each one ended with."""
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def run(action):
        try:
            barrier.wait(timeout=10)
            action()
            outcomes.append("ok")
        except (Conflict, Invalid) as error:
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_approve_and_reject_of_one_adjustment(postgres, org, running):
    adjustment = services.adjustment_request(
        proposal=running, actor=org.cadre, reasons="Thêm người", changes={"people": "5 cán bộ"}
    )
    outcomes = race(
        lambda: services.adjustment_approve(adjustment=adjustment, actor=org.head),
        lambda: services.adjustment_reject(adjustment=adjustment, actor=org.head, reasons="Không"),
    )
    assert outcomes == ["Conflict", "ok"]
    assert Adjustment.objects.get(pk=adjustment.pk).status in ("approved", "rejected")
    events = LedgerEntry.objects.filter(
        proposal=running, event__in=["adjustment_approve", "adjustment_reject"]
    )
    assert events.count() == 1
    assert proposal_verify(fresh(running)).valid


def test_two_reports_for_one_period(postgres, org, running):
    def file():
        services.report_file(proposal=fresh(running), actor=org.cadre, narrative="x", period=1)

    assert race(file, file) == ["Invalid", "ok"]
    assert ProgressReport.objects.filter(plan__proposal=running).count() == 1
    assert proposal_verify(fresh(running)).valid
