"""Driving a proposal through lifecycle.md with the real services only, and what the tests
compare before and after a call. The `org` fixture (conftest.py) provides the people."""

from dataclasses import dataclass

from django.utils import timezone

from ledger.models import LedgerEntry
from pilots import services as pilots
from pilots.models import Adjustment, FinalReport, ImplementationPlan, Inspection, ProgressReport
from proposals import services as proposals
from proposals.models import Opinion, Proposal, ProposalAuthor, ProposalVersion, State, Vote
from reviews import services as reviews
from reviews.models import (
    AbuseReferral,
    Adoption,
    Evaluation,
    Institutionalization,
    Recognition,
    Replication,
    ResponsibilityDecision,
)
from tests.factories.pilots import plan_data
from tests.factories.proposals import ProposalFactory, fresh

S = State

CAUSES = {
    "causes_objective": "Hạ tầng mạng ở xã vùng sâu chưa ổn định.",
    "causes_subjective": "Cán bộ một cửa chưa được tập huấn đầy đủ.",
}
PROTECTED = {
    "followed_approved_plan": True,
    "pure_motive": True,
    "common_interest": True,
    "no_personal_gain": True,
}
FINAL_REPORT = "Báo cáo trung thực: đã số hóa 65% hồ sơ, thời gian giải quyết còn 12 ngày."
FINALS = {"Thời gian giải quyết hồ sơ": "12", "Tỷ lệ hồ sơ trực tuyến": "65"}


# --- the cast of one proposal --------------------------------------------------------------------


@dataclass
class Cast:
    """Who plays which part of lifecycle.md for one proposal."""

    author: object
    home_head: object
    deciding_head: object
    voters: tuple
    party: object
    monitor: object
    board: object


def cast(org, proposal) -> Cast:
    p = fresh(proposal)
    head_authored = ProposalAuthor.objects.filter(proposal=p, user=org.head).exists()
    if head_authored:
        return Cast(
            author=org.head,
            home_head=org.head,
            deciding_head=org.p_head,
            voters=(org.p_head, org.p_deputy),
            party=org.p_party,
            monitor=org.p_inspector,
            board=org.p_board,
        )
    return Cast(
        author=org.cadre,
        home_head=org.head,
        deciding_head=org.head,
        voters=(org.head, org.deputy1, org.deputy2),
        party=org.party,
        monitor=org.p_inspector,
        board=org.p_board,
    )


def cadre_draft(org, **fields):
    """A complete draft by the agency's cadre (decided in the agency)."""
    return fresh(ProposalFactory(home_unit=org.agency, created_by=org.cadre, **fields))


def head_draft(org, **fields):
    """A complete draft by the agency's head with a cadre as co-author (decided in the province)."""
    proposal = ProposalFactory(home_unit=org.agency, created_by=org.head, **fields)
    ProposalAuthor.objects.create(proposal=proposal, user=org.cadre)
    return fresh(proposal)


# --- driving a proposal through the services -----------------------------------------------------

# The path from `draft` to each state: every state's predecessor and the step that reaches it.
ROUTE = {
    S.SUBMITTED: S.DRAFT,
    S.UNDER_REVIEW: S.SUBMITTED,
    S.RETURNED: S.UNDER_REVIEW,
    S.WITHDRAWN: S.SUBMITTED,
    S.REJECTED: S.UNDER_REVIEW,
    S.APPROVED: S.UNDER_REVIEW,
    S.IN_PROGRESS: S.APPROVED,
    S.SUSPENDED: S.IN_PROGRESS,
    S.ENDED: S.IN_PROGRESS,
    S.EVALUATING: S.ENDED,
    S.SUCCEEDED: S.EVALUATING,
    S.RESPONSIBILITY_REVIEW: S.EVALUATING,
    S.LIABILITY_EXCLUDED: S.RESPONSIBILITY_REVIEW,
    S.EXEMPTED: S.RESPONSIBILITY_REVIEW,
    S.REDUCED: S.RESPONSIBILITY_REVIEW,
    S.HELD_RESPONSIBLE: S.RESPONSIBILITY_REVIEW,
    S.REFERRED: S.IN_PROGRESS,
    S.REPLICATED: S.SUCCEEDED,
    S.INSTITUTIONALIZED: S.SUCCEEDED,
}


def record_decision_opinion(org, proposal):
    c = cast(org, proposal)
    proposals.opinion_record(
        proposal=fresh(proposal),
        actor=c.party,
        stage="decision",
        stance="agree",
        text="Cấp ủy đồng ý chủ trương.",
    )


def vote_all(org, proposal, choice="for"):
    for voter in cast(org, proposal).voters:
        proposals.vote_cast(proposal=fresh(proposal), actor=voter, choice=choice)


def save_plan(org, proposal, *, cosign=True):
    c = cast(org, proposal)
    pilots.plan_save(proposal=fresh(proposal), actor=c.home_head, **plan_data(monitors=[c.monitor]))
    if cosign:
        pilots.plan_cosign(proposal=fresh(proposal), actor=c.deciding_head)


def record_evaluation_opinion(org, proposal):
    proposals.opinion_record(
        proposal=fresh(proposal),
        actor=cast(org, proposal).party,
        stage="evaluation",
        stance="agree",
        text="Cấp ủy nhất trí với báo cáo kết quả.",
    )


def step(org, proposal, target):
    """Fires the one service call that takes `proposal` from ROUTE[target] to `target` (with what
    lifecycle.md requires recorded first)."""
    c = cast(org, proposal)
    p = fresh(proposal)
    if target == S.SUBMITTED:
        proposals.proposal_submit(proposal=p, actor=c.author)
    elif target == S.UNDER_REVIEW:
        proposals.proposal_open_review(proposal=p, actor=c.deciding_head)
    elif target == S.RETURNED:
        proposals.proposal_return_for_revision(proposal=p, actor=c.deciding_head, comment="Sửa.")
    elif target == S.WITHDRAWN:
        proposals.proposal_withdraw(proposal=p, actor=c.author, reason="Rút lại.")
    elif target == S.REJECTED:
        proposals.proposal_reject(proposal=p, actor=c.deciding_head, reasons="Chưa khả thi.")
    elif target == S.APPROVED:
        record_decision_opinion(org, p)
        vote_all(org, p)
        proposals.proposal_approve(proposal=fresh(p), actor=c.deciding_head, mode="pilot")
    elif target == S.IN_PROGRESS:
        save_plan(org, p)
        pilots.pilot_start(proposal=fresh(p), actor=c.home_head)
    elif target == S.SUSPENDED:
        pilots.pilot_suspend(proposal=p, actor=c.home_head, reason="Tạm dừng để rà soát.")
    elif target == S.ENDED:
        pilots.pilot_complete(proposal=p, actor=c.author)
    elif target == S.EVALUATING:
        pilots.pilot_submit_final_report(
            proposal=p, actor=c.author, report=FINAL_REPORT, kpi_values=FINALS
        )
    elif target in (S.SUCCEEDED, S.RESPONSIBILITY_REVIEW):
        record_evaluation_opinion(org, p)
        reviews.proposal_evaluate(
            proposal=fresh(p),
            actor=c.deciding_head,
            outcome="achieved" if target == S.SUCCEEDED else "damage",
            meeting_date=timezone.localdate(),
            **CAUSES,
        )
    elif target in (S.LIABILITY_EXCLUDED, S.EXEMPTED, S.REDUCED, S.HELD_RESPONSIBLE):
        criteria = dict(PROTECTED, pure_motive=target != S.HELD_RESPONSIBLE)
        reviews.proposal_decide_responsibility(
            proposal=p,
            actor=c.deciding_head,
            decision=str(target),
            damage=True,
            damage_amount=50_000_000,
            reasons="Làm đúng kế hoạch được duyệt, vì lợi ích chung.",
            **criteria,
        )
    elif target == S.REFERRED:
        reviews.proposal_refer_abuse(proposal=p, actor=c.monitor, evidence="Vụ lợi cá nhân.")
    elif target == S.REPLICATED:
        reviews.proposal_replicate(proposal=p, actor=c.board, target_units=[org.commune])
    elif target == S.INSTITUTIONALIZED:
        reviews.proposal_institutionalize(
            proposal=p, actor=c.board, title="Quy định về một cửa số", issuing_level="province"
        )
    else:  # pragma: no cover
        raise AssertionError(target)
    return fresh(p)


def drive(org, proposal, target):
    """Takes a draft to `target` through the real services."""
    path = []
    state = S(target)
    while state != S.DRAFT:
        path.append(state)
        state = ROUTE[state]
    for state in reversed(path):
        proposal = step(org, proposal, state)
        assert proposal.state == state, (proposal.state, state)
    return fresh(proposal)


# --- what a refused call must leave as it was ----------------------------------------------------


def fingerprint():
    return {
        "ledger": LedgerEntry.objects.count(),
        "proposals": list(
            Proposal.objects.order_by("pk").values_list(
                "pk",
                "state",
                "version",
                "deciding_unit_id",
                "decision_due",
                "mode",
                "decision_round",
            )
        ),
        "rows": [
            m.objects.count()
            for m in (
                ProposalVersion,
                Vote,
                Opinion,
                ImplementationPlan,
                ProgressReport,
                Inspection,
                Adjustment,
                FinalReport,
                Evaluation,
                ResponsibilityDecision,
                AbuseReferral,
                Replication,
                Adoption,
                Institutionalization,
                Recognition,
            )
        ],
    }


def entries(proposal):
    return list(LedgerEntry.objects.filter(proposal_id=proposal.pk).order_by("seq"))


def current_hash(proposal):
    p = fresh(proposal)
    return (
        ProposalVersion.objects.filter(proposal=p, number=p.version)
        .values_list("content_hash", flat=True)
        .first()
        or ""
    )


# --- lifecycle.md's table, written down independently of the application -------------------------

TABLE = {
    # transition: (sources, targets, who)
    "submit": ({S.DRAFT, S.RETURNED}, {S.SUBMITTED}, "author"),
    "withdraw": (
        {S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.RETURNED},
        {S.WITHDRAWN},
        "author",
    ),
    "open_review": ({S.SUBMITTED}, {S.UNDER_REVIEW}, "deciding_head"),
    "return_for_revision": ({S.SUBMITTED, S.UNDER_REVIEW}, {S.RETURNED}, "deciding_head"),
    "escalate": ({S.SUBMITTED, S.UNDER_REVIEW}, {S.SUBMITTED}, "deciding_head"),
    "approve": ({S.UNDER_REVIEW}, {S.APPROVED}, "deciding_head"),
    "reject": ({S.UNDER_REVIEW}, {S.REJECTED}, "deciding_head"),
    "start": ({S.APPROVED}, {S.IN_PROGRESS}, "home_head"),
    "suspend": ({S.IN_PROGRESS}, {S.SUSPENDED}, "home_head"),
    "resume": ({S.SUSPENDED}, {S.IN_PROGRESS}, "home_head"),
    "terminate": ({S.IN_PROGRESS, S.SUSPENDED}, {S.ENDED}, "home_head"),
    "complete": ({S.IN_PROGRESS}, {S.ENDED}, "author"),
    "submit_final_report": ({S.ENDED}, {S.EVALUATING}, "author"),
    "evaluate": ({S.EVALUATING}, {S.SUCCEEDED, S.RESPONSIBILITY_REVIEW}, "deciding_head"),
    "decide_responsibility": (
        {S.RESPONSIBILITY_REVIEW},
        {S.LIABILITY_EXCLUDED, S.EXEMPTED, S.REDUCED, S.HELD_RESPONSIBLE},
        "deciding_head",
    ),
    "refer_abuse": (
        {
            S.APPROVED,
            S.IN_PROGRESS,
            S.SUSPENDED,
            S.ENDED,
            S.EVALUATING,
            S.RESPONSIBILITY_REVIEW,
        },
        {S.REFERRED},
        "inspector_over_or_deciding_head",
    ),
    "replicate": ({S.SUCCEEDED, S.REPLICATED}, {S.REPLICATED}, "board_over"),
    "institutionalize": ({S.SUCCEEDED, S.REPLICATED}, {S.INSTITUTIONALIZED}, "board_over"),
}

# The inputs of each transition as api.md names them (valid values).
INPUTS = {
    "submit": {},
    "withdraw": {"reason": "Tác giả rút lại đề xuất."},
    "open_review": {},
    "return_for_revision": {"comment": "Bổ sung đánh giá tác động."},
    "escalate": {"reason": "Vượt thẩm quyền của đơn vị."},
    "approve": {"mode": "pilot"},
    "reject": {"reasons": "Chưa đủ cơ sở thực tiễn."},
    "start": {},
    "suspend": {"reason": "Tạm dừng để rà soát rủi ro."},
    "resume": {},
    "terminate": {"reason": "Kết thúc sớm theo chỉ đạo."},
    "complete": {},
    "submit_final_report": {"report": FINAL_REPORT, "kpi_values": FINALS},
    "evaluate": {"outcome": "achieved", **CAUSES},  # + meeting_date (today)
    "decide_responsibility": {
        "decision": "liability_excluded",
        **PROTECTED,
        "damage": False,
        "reasons": "Làm đúng kế hoạch được duyệt.",
    },
    "refer_abuse": {"evidence": "Biên bản kiểm tra: vụ lợi cá nhân."},
    "replicate": {},  # + target_units (the commune)
    "institutionalize": {"title": "Quy định về một cửa số", "issuing_level": "province"},
}

SERVICES = {
    "submit": proposals.proposal_submit,
    "withdraw": proposals.proposal_withdraw,
    "open_review": proposals.proposal_open_review,
    "return_for_revision": proposals.proposal_return_for_revision,
    "escalate": proposals.proposal_escalate,
    "approve": proposals.proposal_approve,
    "reject": proposals.proposal_reject,
    "start": pilots.pilot_start,
    "suspend": pilots.pilot_suspend,
    "resume": pilots.pilot_resume,
    "terminate": pilots.pilot_terminate,
    "complete": pilots.pilot_complete,
    "submit_final_report": pilots.pilot_submit_final_report,
    "evaluate": reviews.proposal_evaluate,
    "decide_responsibility": reviews.proposal_decide_responsibility,
    "refer_abuse": reviews.proposal_refer_abuse,
    "replicate": reviews.proposal_replicate,
    "institutionalize": reviews.proposal_institutionalize,
}


def inputs(org, name, **overrides) -> dict:
    data = dict(INPUTS[name])
    if name == "evaluate":
        data["meeting_date"] = timezone.localdate()
    if name == "replicate":
        data["target_units"] = [org.commune2 if _adopted_in(org.commune) else org.commune]
    data.update(overrides)
    return data


def _adopted_in(unit) -> bool:
    return Adoption.objects.filter(unit=unit).exists()


def actor_for(org, proposal, name):
    """The person lifecycle.md's "who" names for this transition of this proposal."""
    c = cast(org, proposal)
    who = TABLE[name][2]
    return {
        "author": c.author,
        "deciding_head": c.deciding_head,
        "home_head": c.home_head,
        "inspector_over_or_deciding_head": c.monitor,
        "board_over": c.board,
    }[who]


def prepare(org, proposal, name):
    """Records what lifecycle.md requires before `name` can succeed (opinion, votes, plan)."""
    if name == "approve":
        record_decision_opinion(org, proposal)
        vote_all(org, proposal)
    elif name == "start":
        save_plan(org, proposal)
    elif name == "evaluate":
        record_evaluation_opinion(org, proposal)


def fire(org, proposal, name, *, actor=None, **overrides):
    """Calls the service of transition `name` with valid inputs (overridable)."""
    service = SERVICES[name]
    actor = actor or actor_for(org, proposal, name)
    service(proposal=fresh(proposal), actor=actor, **inputs(org, name, **overrides))
    return fresh(proposal)


# --- lifecycle.md's "who" and "Visibility" as an oracle -------------------------------------------


def _grants(user):
    from units.models import Membership

    return list(Membership.objects.filter(user=user).select_related("unit"))


def _is_over(grant, unit) -> bool:
    """The grant's unit is `unit` or one of its ancestors."""
    return unit.path.startswith(grant.unit.path)


def spec_may(user, proposal, name) -> bool:
    """Whether lifecycle.md's "who" column names `user` for transition `name` of `proposal`
    (the role only; state and inputs aside)."""
    from units.models import Role

    p = Proposal.objects.select_related("home_unit", "deciding_unit").get(pk=proposal.pk)
    grants = _grants(user)
    author = ProposalAuthor.objects.filter(proposal=p, user=user).exists()

    def head_of(unit):
        return unit is not None and any(
            g.unit_id == unit.pk and g.role == Role.HEAD for g in grants
        )

    def role_over(role):
        return any(g.role == role and _is_over(g, p.home_unit) for g in grants)

    who = TABLE[name][2]
    return {
        "author": author,
        "deciding_head": head_of(p.deciding_unit),
        "home_head": head_of(p.home_unit),
        "inspector_over_or_deciding_head": role_over(Role.INSPECTOR) or head_of(p.deciding_unit),
        "board_over": role_over(Role.ORGANIZATION_BOARD),
    }[who]


def spec_visible(user, proposal) -> bool:
    """lifecycle.md, "Visibility" (with the app's documented choice that a never-submitted draft
    is its authors' alone: see the report)."""
    from units.models import Role

    p = Proposal.objects.select_related("home_unit", "deciding_unit").get(pk=proposal.pk)
    if ProposalAuthor.objects.filter(proposal=p, user=user).exists():
        return True
    if p.published_at is not None:
        return True
    if p.version == 0:
        return False
    grants = _grants(user)
    units = {p.home_unit_id, p.deciding_unit_id} - {None}
    if any(
        g.unit_id in units and g.role in (Role.HEAD, Role.DEPUTY, Role.PARTY_COMMITTEE)
        for g in grants
    ):
        return True
    return any(
        g.role in (Role.INSPECTOR, Role.ORGANIZATION_BOARD, Role.ADMIN) and _is_over(g, p.home_unit)
        for g in grants
    )
