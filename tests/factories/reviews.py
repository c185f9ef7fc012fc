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
        proposal,
        "evaluating",
        mode="pilot",
        state_changed_at=entered or timezone.now() - datetime.timedelta(days=3),
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


FINALS = {"Thời gian giải quyết hồ sơ": "12", "Tỷ lệ hồ sơ trực tuyến": "65"}


def through_pilot(proposal, *, org, finals=None):
    """A draft taken the whole way with the real services: approved, planned, started, completed,
    final report filed (KPI final values by name): in `evaluating`. `org` as in
    tests/reviews/conftest.py."""
    from tests.factories.pilots import approved, started

    author = proposal.created_by
    proposal = approved(
        proposal, author=author, head=org.head, party=org.party, voters=[org.deputy]
    )
    proposal = started(proposal, head=org.head, monitors=[org.inspector])
    return _finish(proposal, author=author, finals=finals)


def run_adoption(adoption, *, head, cosigner, monitor, finals=None):
    """A replicated proposal (approved by the directive) planned by its unit's head, co-signed by
    the directive's author, started, completed and reported: in `evaluating`."""
    from pilots import services as pilots
    from tests.factories.pilots import planned

    planned(adoption, head=head, monitors=[monitor], cosigner=cosigner)
    pilots.pilot_start(proposal=fresh(adoption), actor=head)
    return _finish(adoption, author=head, finals=finals)


def _finish(proposal, *, author, finals):
    from pilots import services as pilots

    pilots.pilot_complete(proposal=fresh(proposal), actor=author)
    pilots.pilot_submit_final_report(
        proposal=fresh(proposal),
        actor=author,
        report="Báo cáo trung thực: đã số hóa 65% hồ sơ, thời gian giải quyết còn 12 ngày.",
        kpi_values=finals or FINALS,
    )
    return fresh(proposal)
