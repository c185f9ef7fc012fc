"""Proposals in the review stage, reached through the real services from `evaluating` (which
`tests.factories.proposals.in_state` sets up directly)."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from proposals.selectors import voting_collective
from proposals.services import opinion_record
from reviews import services
from reviews.evaluation import evaluation_ballot_cast
from reviews.models import Decision, Outcome
from tests.factories.files import PDF as MINUTES_PDF
from tests.factories.proposals import committee_reference

from .proposals import fresh, in_state

CAUSES = {
    "causes_objective": "Hạ tầng mạng ở xã vùng sâu chưa ổn định.",
    "causes_subjective": "Cán bộ một cửa chưa được tập huấn đầy đủ về quy trình mới.",
}


def minutes(name="bien-ban-hop-danh-gia.pdf"):
    """The minutes of the evaluation meeting, as an upload (a new file each call)."""
    return SimpleUploadedFile(name, MINUTES_PDF, content_type="application/pdf")


def collective_votes(proposal, outcome=Outcome.ACHIEVED):
    """Every member of the evaluation's collective (head and deputies of the deciding unit who
    are not authors) casts a ballot for `outcome`."""
    voters = get_user_model().objects.filter(pk__in=voting_collective(fresh(proposal)).eligible)
    for voter in voters.order_by("pk"):
        evaluation_ballot_cast(proposal=fresh(proposal), actor=voter, choice=outcome)
    return fresh(proposal)


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
            **committee_reference(),
        )
    return fresh(proposal)


def evaluated(proposal, *, head, party, outcome=Outcome.ACHIEVED, **causes):
    proposal = collective_votes(evaluating(proposal, party=party), outcome)
    services.proposal_evaluate(
        proposal=proposal,
        actor=head,
        outcome=outcome,
        meeting_date=timezone.localdate() - datetime.timedelta(days=1),
        minutes=minutes(),
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


def run_adoption(adoption, *, head, supervisor, cosigner, monitor, finals=None):
    """A replicated proposal (approved by the directive), whose authors are its unit's heads
    (`head`): planned, started and completed by the head of the superior unit (`supervisor`:
    nobody supervises their own proposal), co-signed by the directive's author, reported by
    `head`: in `evaluating`."""
    from pilots import services as pilots
    from tests.factories.pilots import planned

    planned(adoption, head=supervisor, monitors=[monitor], cosigner=cosigner)
    pilots.pilot_start(proposal=fresh(adoption), actor=supervisor)
    return _finish(adoption, author=head, completer=supervisor, finals=finals)


def _finish(proposal, *, author, finals, completer=None):
    from pilots import services as pilots

    pilots.pilot_complete(proposal=fresh(proposal), actor=completer or author)
    pilots.pilot_submit_final_report(
        proposal=fresh(proposal),
        actor=author,
        report="Báo cáo trung thực: đã số hóa 65% hồ sơ, thời gian giải quyết còn 12 ngày.",
        kpi_values=finals or FINALS,
    )
    return fresh(proposal)


def standing_over(unit):
    """A member of the standing committee of the Party committee over `unit` (a board's unit),
    created at that unit if there is none."""
    from units.models import Membership, Role

    from .units import grant

    member = (
        Membership.objects.filter(
            role=Role.STANDING_COMMITTEE, unit__path__in=unit.ancestor_paths()
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return member.user if member else grant(unit, Role.STANDING_COMMITTEE)


def _standing_for(board, proposal):
    """A standing committee member over every board `board` sits on above the home unit."""
    from reviews.permissions import board_paths_over
    from units.models import Unit

    paths = board_paths_over(board, proposal.home_unit)
    return standing_over(Unit.objects.get(path=paths[0])) if paths else None


def recognised(proposal, *, board, authority=None, kind="praise", recipients=None, grounds=""):
    """The organization board proposes a recognition and the competent authority (by default a
    standing committee member over the board) approves it, the only way a recognition is
    granted; returns the request."""
    from reviews import board_requests

    authority = authority or _standing_for(board, proposal)
    board_request = board_requests.recognition_propose(
        proposal=fresh(proposal),
        actor=board,
        kind=kind,
        recipients=recipients,
        grounds=grounds or "Đạt mục tiêu đề ra.",
    )
    return board_requests.board_request_decide(
        board_request=board_request,
        actor=authority,
        decision="approve",
    )


def replicated(proposal, *, board, target_units, authority=None, grounds=""):
    """The organization board proposes to replicate the model in `target_units` and the
    competent authority (by default a standing committee member over the board) approves: the
    replication directive; returns the request."""
    from reviews import board_requests

    authority = authority or _standing_for(board, proposal)
    board_request = board_requests.replication_propose(
        proposal=fresh(proposal),
        actor=board,
        target_units=target_units,
        grounds=grounds or "Điều kiện tương đồng.",
    )
    return board_requests.board_request_decide(
        board_request=board_request,
        actor=authority,
        decision="approve",
    )
