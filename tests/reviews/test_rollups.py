"""The dashboard's roll-ups (reviews/rollups.py, issue 12): after a pseudo-random sequence of steps
through the real services, spread over several quarters, the counters equal a recount from the
rows; `rebuild_rollups` recomputes them; a moved unit takes its figures along."""

import contextlib
import datetime
import random

import pytest
import time_machine
from django.core.management import CommandError, call_command

from kl14.errors import DomainError
from proposals import services as proposal_services
from proposals.models import ProposalAuthor, State
from reviews import rollups
from reviews import services as review_services
from reviews.models import Decision, Outcome, Rollup, RollupShare
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.reviews import decided, evaluated, recognised, replicated
from units.models import Unit
from units.services import unit_update

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=7))
START = datetime.datetime(2025, 11, 3, 9, tzinfo=TZ)


def _decide(proposal, org, *, approve):
    proposal_services.opinion_record(
        proposal=fresh(proposal), actor=org.party, stage="decision", stance="agree", text="Ừ."
    )
    if approve:
        for voter in (org.head, org.deputy):
            proposal_services.vote_cast(proposal=fresh(proposal), actor=voter, choice="for")
        proposal_services.proposal_approve(proposal=fresh(proposal), actor=org.head, mode="pilot")
    else:
        proposal_services.proposal_reject(proposal=fresh(proposal), actor=org.head, reasons="Chưa.")


def _steps(org):
    """What may happen to a proposal in each state, through the services (the later stages from
    `evaluating`, which the factories set behind the services' back, as a bulk load would)."""
    head, author = org.head, org.cadre
    return {
        State.DRAFT: [
            lambda p: proposal_services.proposal_submit(proposal=fresh(p), actor=author),
        ],
        State.RETURNED: [
            lambda p: proposal_services.proposal_submit(proposal=fresh(p), actor=author),
            lambda p: proposal_services.proposal_withdraw(
                proposal=fresh(p), actor=author, reason="Thôi."
            ),
        ],
        State.SUBMITTED: [
            lambda p: proposal_services.proposal_open_review(proposal=fresh(p), actor=head),
            lambda p: proposal_services.proposal_return_for_revision(
                proposal=fresh(p), actor=head, comment="Sửa."
            ),
            lambda p: proposal_services.proposal_withdraw(
                proposal=fresh(p), actor=author, reason="Thôi."
            ),
        ],
        State.UNDER_REVIEW: [
            lambda p: _decide(p, org, approve=True),
            lambda p: _decide(p, org, approve=True),
            lambda p: _decide(p, org, approve=False),
            lambda p: proposal_services.proposal_return_for_revision(
                proposal=fresh(p), actor=head, comment="Sửa."
            ),
            lambda p: proposal_services.proposal_escalate(
                proposal=fresh(p), actor=head, reason="Vượt thẩm quyền."
            ),
        ],
        State.APPROVED: [
            lambda p: evaluated(p, head=head, party=org.party),
            lambda p: evaluated(p, head=head, party=org.party, outcome=Outcome.PARTIAL),
            lambda p: decided(p, head=head, party=org.party, decision=Decision.EXEMPTED),
        ],
        State.SUCCEEDED: [
            lambda p: recognised(p, board=org.orgboard, kind="praise"),
            lambda p: replicated(p, board=org.orgboard, target_units=[org.commune2.pk]),
            lambda p: review_services.lesson_publish(proposal=fresh(p), actor=head, lessons="Học."),
            lambda p: review_services.proposal_institutionalize(
                proposal=fresh(p),
                actor=org.orgboard,
                title="Quy định mới",
                issuing_level="province",
            ),
        ],
        State.REPLICATED: [
            lambda p: review_services.lesson_unpublish(proposal=fresh(p), actor=head),
            lambda p: review_services.lesson_publish(proposal=fresh(p), actor=head, lessons="Lại."),
        ],
        State.RESPONSIBILITY_REVIEW: [
            lambda p: review_services.proposal_decide_responsibility(
                proposal=fresh(p),
                actor=head,
                decision=Decision.LIABILITY_EXCLUDED,
                damage=False,
                damage_amount=None,
                reasons="Đúng kế hoạch.",
                followed_approved_plan=True,
                pure_motive=True,
                common_interest=True,
                no_personal_gain=True,
            ),
        ],
    }


def _new_proposal(org, unit):
    proposal = ProposalFactory(home_unit=unit, created_by=org.cadre)
    ProposalAuthor.objects.create(proposal=proposal, user=org.cadre2)
    return proposal


@pytest.fixture
def history(org):
    """150 steps over about five months (two quarters and a year boundary), seed 12."""
    rnd = random.Random(12)
    steps = _steps(org)
    moment = START
    proposals = []
    for _ in range(150):
        moment += datetime.timedelta(hours=rnd.randint(1, 40))
        with time_machine.travel(moment, tick=False):
            movable = [
                p for p in proposals if fresh(p).state in steps and p.home_unit == org.agency
            ]
            if len(movable) < 3 or rnd.random() < 0.15:
                unit = org.office if rnd.random() < 0.2 else org.agency
                proposals.append(_new_proposal(org, unit))
                continue
            proposal = fresh(rnd.choice(movable))
            with contextlib.suppress(DomainError):  # a step its state or people do not allow
                rnd.choice(steps[proposal.state])(proposal)
    with time_machine.travel(moment, tick=False):
        for proposal in proposals:
            if fresh(proposal).state in (State.SUCCEEDED, State.REPLICATED):
                review_services.lesson_publish(
                    proposal=fresh(proposal), actor=org.head, lessons="Ừ."
                )
                recognised(proposal, board=org.orgboard, kind="praise")
    return org


def test_the_roll_ups_equal_a_recount_after_random_steps(history):
    current = rollups.current()
    assert current == rollups.expected()
    keys = {key for (_unit, _period, key, _via) in current}
    # The sequence reached most figures (so the equality says something).
    assert {"state:submitted", "state:rejected", "submitted", "decided", "approved", "due"} <= keys
    assert {"on_time", "late", "adoption", "lesson", "outcome:achieved"} <= keys
    assert {"recognition:praise", "protection:exempted", "institutionalized"} <= keys
    periods = {period for (_unit, period, key, _via) in current if key == "submitted"}
    assert len(periods) >= 2


def test_every_proposal_counts_in_every_ancestor(history):
    province = {
        key: n
        for (unit, _p, key, _v), (n, _d) in rollups.current().items()
        if unit == history.province.pk and key.startswith("state:")
    }
    agency = {
        key: n
        for (unit, _p, key, _v), (n, _d) in rollups.current().items()
        if unit == history.agency.pk and key.startswith("state:")
    }
    assert sum(province.values()) >= sum(agency.values()) > 0


def test_rebuild_recomputes_what_the_services_kept(history):
    kept = rollups.current()
    shares = dict(RollupShare.objects.values_list("proposal_id", "cells"))
    Rollup.objects.update(n=0)
    with pytest.raises(CommandError):
        call_command("rebuild_rollups", "--check")
    call_command("rebuild_rollups")
    assert rollups.current() == kept
    assert dict(RollupShare.objects.values_list("proposal_id", "cells")) == shares
    call_command("rebuild_rollups", "--check")


def test_a_proposal_set_behind_the_services_back_is_caught_by_its_next_entry(org):
    proposal = _new_proposal(org, org.agency)
    proposal_services.proposal_submit(proposal=fresh(proposal), actor=org.cadre)
    proposal_services.proposal_open_review(proposal=fresh(proposal), actor=org.head)
    type(proposal).objects.filter(pk=proposal.pk).update(state=State.SUBMITTED)
    proposal_services.proposal_open_review(proposal=fresh(proposal), actor=org.head)
    assert rollups.current() == rollups.expected()


def test_a_moved_unit_takes_its_figures_along(org):
    proposal = _new_proposal(org, org.office)
    proposal_services.proposal_submit(proposal=fresh(proposal), actor=org.cadre)
    unit_update(unit=Unit.objects.get(pk=org.office.pk), parent=org.commune)
    assert rollups.current() == rollups.expected()
    units = {unit for (unit, _p, key, _v) in rollups.current() if key == "state:submitted"}
    assert units == {org.province.pk, org.commune.pk, org.office.pk}
