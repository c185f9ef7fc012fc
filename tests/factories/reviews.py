"""Proposals in the review stage, reached through the real services from `evaluating` (which
`tests.factories.proposals.in_state` sets up directly)."""

import datetime

from django.utils import timezone

from proposals.services import opinion_record
from reviews import services
from reviews.models import Decision, Outcome

from .proposals import fresh, in_state

CAUSES = {
    "causes_objective": "Hạ tầng mạng ở xã vùng sâu chưa ổn định.",
    "causes_subjective": "Cán bộ một cửa chưa được tập huấn đầy đủ về quy trình mới.",
}


def evaluating(proposal, *, party=None, stance="agree", entered=None):
    """In `evaluating` since `entered` (now), with the Party committee's opinion on the results
    when `party` is given."""
    proposal = in_state(
        proposal, "evaluating", mode="pilot", state_changed_at=entered or timezone.now()
    )
    if party is not None:
        opinion_record(
            proposal=proposal,
            actor=party,
            stage="evaluation",
            stance=stance,
            text="Cấp ủy nhất trí với báo cáo kết quả thí điểm.",
        )
    return fresh(proposal)


def evaluated(proposal, *, head, party, outcome=Outcome.ACHIEVED, **causes):
    proposal = evaluating(proposal, party=party)
    services.proposal_evaluate(
        proposal=proposal,
        actor=head,
        outcome=outcome,
        meeting_date=timezone.localdate() - datetime.timedelta(days=1),
        **{**CAUSES, **causes},
    )
    return fresh(proposal)


def succeeded(proposal, *, head, party):
    return evaluated(proposal, head=head, party=party, outcome=Outcome.ACHIEVED)


def in_review(proposal, *, head, party, outcome=Outcome.DAMAGE):
    return evaluated(proposal, head=head, party=party, outcome=outcome)


PROTECTED = {
    "followed_approved_plan": True,
    "pure_motive": True,
    "common_interest": True,
    "no_personal_gain": True,
}


def decided(proposal, *, head, party, decision=Decision.REDUCED, damage=True, **criteria):
    proposal = in_review(proposal, head=head, party=party)
    services.proposal_decide_responsibility(
        proposal=proposal,
        actor=head,
        decision=decision,
        damage=damage,
        damage_amount=50_000_000 if damage else None,
        reasons="Làm đúng kế hoạch được duyệt, vì lợi ích chung.",
        **{**PROTECTED, **criteria},
    )
    return fresh(proposal)
