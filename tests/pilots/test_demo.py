"""The demo pilots: every story is there, made through the services, and seeding twice adds
nothing."""

import pytest
from django.core.management import call_command

from pilots.models import FinalReport, ImplementationPlan, Inspection, ProgressReport
from pilots.selectors import final_report_overdue, report_overdue
from proposals.models import Proposal, State
from proposals.selectors import proposal_verify

pytestmark = pytest.mark.django_db


def test_demo_pilots(settings):
    call_command("seed_demo")
    counts = (
        ImplementationPlan.objects.count(),
        ProgressReport.objects.count(),
        Inspection.objects.count(),
        FinalReport.objects.count(),
    )
    call_command("seed_demo")
    assert (
        ImplementationPlan.objects.count(),
        ProgressReport.objects.count(),
        Inspection.objects.count(),
        FinalReport.objects.count(),
    ) == counts

    plans = list(ImplementationPlan.objects.select_related("proposal"))
    states = [plan.proposal.state for plan in plans]
    assert states.count(State.IN_PROGRESS) >= 2
    assert State.SUSPENDED in states and State.ENDED in states and State.EVALUATING in states
    assert ProgressReport.objects.filter(late=True).exists()
    assert any(report_overdue(plan.proposal, plan) for plan in plans)
    assert any(final_report_overdue(plan.proposal, plan) for plan in plans)
    assert ImplementationPlan.objects.filter(version__gt=1).exists()  # an approved adjustment
    for plan in plans:
        assert plan.is_cosigned or plan.version > plan.cosigned_version
        assert proposal_verify(Proposal.objects.get(pk=plan.proposal_id)).valid
