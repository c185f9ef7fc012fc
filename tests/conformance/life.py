"""Driving a proposal through lifecycle.md with the real services only, and what the tests
compare before and after a call. The `org` fixture (conftest.py) provides the people."""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from ledger.models import LedgerEntry
from pilots import services as pilots
from pilots.models import Adjustment, FinalReport, ImplementationPlan, Inspection, ProgressReport
from proposals import services as proposals
from proposals.models import (
    RESPONSIBILITY_OUTCOMES,
    Opinion,
    Proposal,
    ProposalAuthor,
    ProposalVersion,
    State,
    Vote,
)
from proposals.permissions import access_proposal
from reviews import board_requests, evaluation, responsibility
from reviews import services as reviews
from reviews.models import (
    AbuseReferral,
    Adoption,
    Evaluation,
    Institutionalization,
    Recognition,
    Replication,
    ResponsibilityComplaint,
    ResponsibilityDecision,
)
from tests.factories.files import PDF as MINUTES_PDF
from tests.factories.pilots import plan_data
from tests.factories.proposals import CONDITIONS_MET, ProposalFactory, committee_reference, fresh

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
    supervising_head: object  # the "head of home unit" steps: never an author (Art. 7(4))
    deciding_head: object
    voters: tuple
    party: object
    monitor: object
    board: object
    authority: object = None  # decides the board's requests: the province's standing committee
    head_authored: bool = False

    @property
    def implementer(self):
        """Who declares the work done: an author, or the supervising head when an author heads
        the home unit."""
        return self.supervising_head if self.head_authored else self.author


def cast(org, proposal) -> Cast:
    p = fresh(proposal)
    head_authored = ProposalAuthor.objects.filter(proposal=p, user=org.head).exists()
    if head_authored:
        return Cast(
            author=org.head,
            supervising_head=org.p_head,
            deciding_head=org.p_head,
            voters=(org.p_head, org.p_deputy),
            party=org.p_party,
            monitor=org.p_inspector,
            board=org.p_board,
            authority=org.p_standing,
            head_authored=True,
        )
    return Cast(
        author=org.cadre,
        supervising_head=org.head,
        deciding_head=org.head,
        voters=(org.head, org.deputy1, org.deputy2),
        party=org.party,
        monitor=org.p_inspector,
        board=org.p_board,
        authority=org.p_standing,
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
    S.RESPONSIBILITY_DECIDED: S.RESPONSIBILITY_REVIEW,
    S.ABUSE_REVIEW: S.IN_PROGRESS,
    S.REFERRED: S.ABUSE_REVIEW,
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
        **committee_reference(),
    )


def vote_all(org, proposal, choice="for"):
    for voter in cast(org, proposal).voters:
        proposals.vote_cast(proposal=fresh(proposal), actor=voter, choice=choice)


def save_plan(org, proposal, *, cosign=True):
    c = cast(org, proposal)
    pilots.plan_save(
        proposal=fresh(proposal), actor=c.supervising_head, **plan_data(monitors=[c.monitor])
    )
    if cosign:
        pilots.plan_cosign(proposal=fresh(proposal), actor=c.deciding_head)


def pilot_activity(proposal, *, author, inspector, head, do=lambda event, call: call()):
    """A running pilot's life before it completes, each step through its service: a progress
    report, an inspection, an adjustment requested and approved, a suspension and the
    resumption. `do(event, call)` runs each step (and returns what it returns)."""
    do(
        "progress_report",
        lambda: pilots.report_file(
            proposal=fresh(proposal), actor=author, narrative="Tháng 1.", kpi_values=FINALS
        ),
    )
    do(
        "inspection",
        lambda: pilots.inspection_record(
            proposal=fresh(proposal),
            actor=inspector,
            date=timezone.localdate(),
            findings="Đúng kế hoạch.",
            assessment="good",
        ),
    )
    adjustment = do(
        "adjustment_request",
        lambda: pilots.adjustment_request(
            proposal=fresh(proposal),
            actor=author,
            reasons="Thêm máy.",
            changes={"equipment": "2 máy chủ."},
        ),
    )
    do(
        "adjustment_approve",
        lambda: pilots.adjustment_approve(adjustment=adjustment, actor=head, reasons="Đồng ý."),
    )
    do(
        "suspend",
        lambda: pilots.pilot_suspend(proposal=fresh(proposal), actor=head, reason="Rà soát."),
    )
    do("resume", lambda: pilots.pilot_resume(proposal=fresh(proposal), actor=head))


def explain_all(proposal):
    """Every author explains in the open abuse case (the hearing is then over)."""
    for authorship in ProposalAuthor.objects.filter(proposal=proposal).select_related("user"):
        reviews.abuse_explain(
            proposal=fresh(proposal), actor=authorship.user, text="Giải trình của tác giả."
        )


def minutes_file():
    """The minutes of the evaluation meeting (amendment: "the meeting date and minutes are
    recorded"), a new upload each call."""
    return SimpleUploadedFile("bien-ban-hop.pdf", MINUTES_PDF, content_type="application/pdf")


def evaluation_vote_all(org, proposal, outcome="achieved"):
    """The evaluation's collective (the decision's voters) all vote for `outcome`."""
    for voter in cast(org, proposal).voters:
        evaluation.evaluation_ballot_cast(proposal=fresh(proposal), actor=voter, choice=outcome)


def record_evaluation_opinion(org, proposal):
    proposals.opinion_record(
        proposal=fresh(proposal),
        actor=cast(org, proposal).party,
        stage="evaluation",
        stance="agree",
        text="Cấp ủy nhất trí với báo cáo kết quả.",
        **committee_reference(),
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
        proposals.proposal_approve(
            proposal=fresh(p), actor=c.deciding_head, mode="pilot", **CONDITIONS_MET
        )
    elif target == S.IN_PROGRESS:
        save_plan(org, p)
        pilots.pilot_start(proposal=fresh(p), actor=c.supervising_head)
    elif target == S.SUSPENDED:
        pilots.pilot_suspend(proposal=p, actor=c.supervising_head, reason="Tạm dừng để rà soát.")
    elif target == S.ENDED:
        pilots.pilot_complete(proposal=p, actor=c.implementer)
    elif target == S.EVALUATING:
        pilots.pilot_submit_final_report(
            proposal=p, actor=c.author, report=FINAL_REPORT, kpi_values=FINALS
        )
    elif target in (S.SUCCEEDED, S.RESPONSIBILITY_REVIEW):
        outcome = "achieved" if target == S.SUCCEEDED else "damage"
        record_evaluation_opinion(org, p)
        evaluation_vote_all(org, p, outcome)
        reviews.proposal_evaluate(
            proposal=fresh(p),
            actor=c.deciding_head,
            outcome=outcome,
            meeting_date=timezone.localdate(),
            minutes=minutes_file(),
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
    elif target == S.RESPONSIBILITY_DECIDED:
        # Different outcomes per author: a co-author joins a single-author proposal (for this
        # state only), then one is protected, the other not eligible for protection.
        if ProposalAuthor.objects.filter(proposal=p).count() < 2:
            ProposalAuthor.objects.create(proposal=p, user=org.cadre2)
        authors = [a.user for a in ProposalAuthor.objects.filter(proposal=p).order_by("pk")]
        for author, decision in zip(authors, ("reduced", "held_responsible"), strict=False):
            reviews.proposal_decide_responsibility(
                proposal=fresh(p),
                actor=c.deciding_head,
                author=author,
                decision=decision,
                damage=True,
                damage_amount=50_000_000,
                reasons="Xem xét riêng từng tác giả.",
                **dict(PROTECTED, no_personal_gain=decision == "reduced"),
            )
    elif target == S.ABUSE_REVIEW:
        reviews.proposal_refer_abuse(
            proposal=p, actor=c.monitor, grounds="Nghị định 73, Điều 6.", evidence="Vụ lợi cá nhân."
        )
    elif target == S.REFERRED:
        explain_all(p)
        reviews.proposal_conclude_abuse(
            proposal=fresh(p),
            actor=c.monitor,
            finding="founded",
            conclusion="Có căn cứ: vụ lợi cá nhân.",
        )
    elif target == S.REPLICATED:
        replicate_on_request(
            proposal=p, actor=c.authority, target_units=[org.commune], grounds="Phù hợp."
        )
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
    "start": ({S.APPROVED}, {S.IN_PROGRESS}, "supervising_head"),
    "suspend": ({S.IN_PROGRESS}, {S.SUSPENDED}, "supervising_head"),
    "resume": ({S.SUSPENDED}, {S.IN_PROGRESS}, "supervising_head"),
    "terminate": ({S.IN_PROGRESS, S.SUSPENDED}, {S.ENDED}, "supervising_head"),
    "complete": ({S.IN_PROGRESS}, {S.ENDED}, "implementer"),
    "submit_final_report": ({S.ENDED}, {S.EVALUATING}, "author"),
    "evaluate": ({S.EVALUATING}, {S.SUCCEEDED, S.RESPONSIBILITY_REVIEW}, "deciding_head"),
    # Amendments (2026-11-29): one decision per author; the last one moves the proposal to the
    # outcome the authors share, or to `responsibility_decided` when theirs differ.
    "decide_responsibility": (
        {S.RESPONSIBILITY_REVIEW},
        {S.LIABILITY_EXCLUDED, S.EXEMPTED, S.REDUCED, S.HELD_RESPONSIBLE, S.RESPONSIBILITY_DECIDED},
        "deciding_head",
    ),
    # Amendments (2026-11-29): a referral opens a case from any state after `approved`, also
    # after success and a protective decision; the inspection of a superior unit finds on it
    # after the authors had the chance to explain: founded -> referred, unfounded -> back.
    "refer_abuse": (
        {
            S.APPROVED,
            S.IN_PROGRESS,
            S.SUSPENDED,
            S.ENDED,
            S.EVALUATING,
            S.SUCCEEDED,
            S.RESPONSIBILITY_REVIEW,
            S.LIABILITY_EXCLUDED,
            S.EXEMPTED,
            S.REDUCED,
            S.HELD_RESPONSIBLE,
            S.RESPONSIBILITY_DECIDED,
            S.REPLICATED,
            S.INSTITUTIONALIZED,
        },
        {S.ABUSE_REVIEW},
        "inspector_over_or_deciding_head",
    ),
    "conclude_abuse": (
        {S.ABUSE_REVIEW},
        {
            S.REFERRED,
            S.APPROVED,
            S.IN_PROGRESS,
            S.SUSPENDED,
            S.ENDED,
            S.EVALUATING,
            S.SUCCEEDED,
            S.RESPONSIBILITY_REVIEW,
            S.LIABILITY_EXCLUDED,
            S.EXEMPTED,
            S.REDUCED,
            S.HELD_RESPONSIBLE,
            S.RESPONSIBILITY_DECIDED,
            S.REPLICATED,
            S.INSTITUTIONALIZED,
        },
        "superior_inspector",
    ),
    # Amendment 2026-11-29: the organization board proposes, the competent authority decides; the
    # transition fires when the authority approves the board's request (replicate_on_request).
    "replicate": ({S.SUCCEEDED, S.REPLICATED}, {S.REPLICATED}, "competent_authority"),
    "institutionalize": ({S.SUCCEEDED, S.REPLICATED}, {S.INSTITUTIONALIZED}, "board_over"),
    # Issue 11, point 2 (Law on Complaints 2011, Art. 18, 31): an author's complaint resolved as
    # founded by the deciding head carries the revised decision on that author; the proposal
    # moves to the outcome the authors' current decisions share, or `responsibility_decided`.
    "revise_responsibility": (
        set(RESPONSIBILITY_OUTCOMES),
        set(RESPONSIBILITY_OUTCOMES),
        "deciding_head",
    ),
}

# The inputs of each transition as api.md names them (valid values).
INPUTS = {
    "submit": {},
    "withdraw": {"reason": "Tác giả rút lại đề xuất."},
    "open_review": {},
    "return_for_revision": {"comment": "Bổ sung đánh giá tác động."},
    "escalate": {"reason": "Vượt thẩm quyền của đơn vị."},
    # Amendment 2026-11-29: the collective's assessment of each Art. 5(1) condition.
    "approve": {"mode": "pilot", **CONDITIONS_MET},
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
    "refer_abuse": {
        "grounds": "Nghị định 73, Điều 6: lợi dụng chủ trương để vụ lợi.",
        "evidence": "Biên bản kiểm tra: vụ lợi cá nhân.",
    },
    "conclude_abuse": {"finding": "founded", "conclusion": "Có căn cứ kết luận vụ lợi."},
    "replicate": {"grounds": "Điều kiện tương đồng."},  # + target_units (the commune)
    "institutionalize": {"title": "Quy định về một cửa số", "issuing_level": "province"},
    # The complaint founded: no personal gain proven, a smaller damage; the author is exempted.
    "revise_responsibility": {
        "resolution": "accepted",
        "text": "Khiếu nại đúng: chưa đủ căn cứ kết luận vụ lợi.",
        "decision": "exempted",
        **PROTECTED,
        "damage": True,
        "damage_amount": 20_000_000,
        "reasons": "Thiệt hại do nguyên nhân khách quan, đã khắc phục một phần.",
    },
}


# Transitions that fire on the approval of a request: the request's own entry comes first.
PROPOSED_FIRST = {"replicate": "replication_propose"}


def _root_board(proposal):
    """A member of the organization board at the root of the home unit's tree."""
    from units.models import Membership, Role

    home = Proposal.objects.select_related("home_unit").get(pk=proposal.pk).home_unit
    return (
        Membership.objects.filter(role=Role.ORGANIZATION_BOARD, unit__path=home.ancestor_paths()[0])
        .order_by("pk")
        .first()
        .user
    )


def replicate_on_request(*, proposal, actor, target_units, grounds):
    """`replicate` as the amendment has it: the root's organization board proposes, `actor` (the
    competent authority) approves. One atomic step here, so a refusal at either end writes
    nothing, as a refused transition must not."""
    with transaction.atomic():
        request = board_requests.replication_propose(
            proposal=proposal,
            actor=_root_board(proposal),
            target_units=target_units,
            grounds=grounds,
        )
        board_requests.board_request_decide(board_request=request, actor=actor, decision="approve")


COMPLAINT = "Tôi làm đúng kế hoạch được duyệt, không vụ lợi."


def complainant(proposal):
    """The author whose complaint `revise_responsibility` resolves: the first author."""
    return ProposalAuthor.objects.filter(proposal=proposal).order_by("pk").first().user


def file_complaint(proposal):
    """The complainant's complaint against the decision on them, unless already filed."""
    author = complainant(proposal)
    if not ResponsibilityComplaint.objects.filter(
        decision__proposal=proposal, decision__author=author
    ).exists():
        responsibility.complaint_file(proposal=fresh(proposal), actor=author, text=COMPLAINT)


def revise_on_complaint(*, proposal, actor, **inputs):
    """`revise_responsibility` as issue 11 has it: the deciding head (`actor`) resolves the
    complainant's complaint as founded, with the revised decision. The complaint is filed here
    when `prepare` did not; one atomic step, so a refusal writes nothing. Who may not see the
    proposal learns nothing more than 404."""
    with transaction.atomic():
        access_proposal(actor, proposal.pk)
        file_complaint(proposal)
        responsibility.complaint_resolve(
            proposal=fresh(proposal), actor=actor, author=complainant(proposal), **inputs
        )


def revised_state(source, *, head_authored) -> str:
    """The state after INPUTS["revise_responsibility"] from `source`: the complainant alone
    (a cadre's proposal, except in `responsibility_decided`) or every author (from `exempted`)
    now exempted, else the outcomes differ."""
    if source == S.EXEMPTED or (not head_authored and source != S.RESPONSIBILITY_DECIDED):
        return S.EXEMPTED
    return S.RESPONSIBILITY_DECIDED


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
    "conclude_abuse": reviews.proposal_conclude_abuse,
    "replicate": replicate_on_request,
    "institutionalize": reviews.proposal_institutionalize,
    "revise_responsibility": revise_on_complaint,
}


def inputs(org, name, **overrides) -> dict:
    data = dict(INPUTS[name])
    if name == "evaluate":
        data["meeting_date"] = timezone.localdate()
        data["minutes"] = minutes_file()
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
        "supervising_head": c.supervising_head,
        "implementer": c.implementer,
        "inspector_over_or_deciding_head": c.monitor,
        "superior_inspector": c.monitor,  # the province's inspector: above the agency
        "board_over": c.board,
        "competent_authority": c.authority,
    }[who]


def prepare(org, proposal, name, *, outcome="achieved"):
    """Records what lifecycle.md requires before `name` can succeed (opinion, votes, plan); for
    `evaluate`, the collective's votes carry `outcome`."""
    if name == "approve":
        record_decision_opinion(org, proposal)
        vote_all(org, proposal)
    elif name == "start":
        save_plan(org, proposal)
    elif name == "evaluate":
        record_evaluation_opinion(org, proposal)
        evaluation_vote_all(org, proposal, outcome)
    elif name == "conclude_abuse" and fresh(proposal).state == S.ABUSE_REVIEW:
        explain_all(proposal)
    elif name == "decide_responsibility" and fresh(proposal).state == S.RESPONSIBILITY_REVIEW:
        decide_all_but_one(org, proposal)
    elif name == "revise_responsibility" and fresh(proposal).state in RESPONSIBILITY_OUTCOMES:
        file_complaint(proposal)


def decide_all_but_one(org, proposal):
    """One decision per author (amendment): every author but the last is decided on first (an
    in-state `responsibility_decision` each), so the transition is the last author's decision."""
    authors = [a.user for a in ProposalAuthor.objects.filter(proposal=proposal).order_by("pk")]
    for author in authors[:-1]:
        reviews.proposal_decide_responsibility(
            proposal=fresh(proposal),
            actor=actor_for(org, proposal, "decide_responsibility"),
            author=author,
            **inputs(org, "decide_responsibility"),
        )


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
    from units.models import Membership, Role

    p = Proposal.objects.select_related("home_unit", "deciding_unit").get(pk=proposal.pk)
    grants = _grants(user)
    author = ProposalAuthor.objects.filter(proposal=p, user=user).exists()

    def head_of(unit):
        return unit is not None and any(
            g.unit_id == unit.pk and g.role == Role.HEAD for g in grants
        )

    def role_over(role):
        return any(g.role == role and _is_over(g, p.home_unit) for g in grants)

    # Amendments (2026-11-29), separation of duties: when an author heads the home unit, every
    # "head of home unit" step passes to the head of the deciding unit, and so does `complete`.
    head_authored = Membership.objects.filter(
        unit=p.home_unit, role=Role.HEAD, user__authorships__proposal=p
    ).exists()
    supervising = not author and head_of(p.deciding_unit if head_authored else p.home_unit)
    who = TABLE[name][2]
    return {
        "author": author,
        "deciding_head": head_of(p.deciding_unit),
        "supervising_head": supervising,
        "implementer": supervising if head_authored else author,
        "inspector_over_or_deciding_head": role_over(Role.INSPECTOR) or head_of(p.deciding_unit),
        "superior_inspector": not author
        and any(
            g.role == Role.INSPECTOR and _is_over(g, p.home_unit) and g.unit_id != p.home_unit_id
            for g in grants
        ),
        "board_over": role_over(Role.ORGANIZATION_BOARD),
        # The request comes from the board at the root of the home unit's tree (the province):
        # its standing committee decides (no unit above the root has a head); never an author.
        "competent_authority": not author
        and any(
            g.role == Role.STANDING_COMMITTEE and g.unit.depth == 1 and _is_over(g, p.home_unit)
            for g in grants
        ),
    }[who]


def spec_visible(user, proposal) -> bool:
    """lifecycle.md, "Visibility" (with the app's documented choice that a never-submitted draft
    is its authors' alone: see the report)."""
    from units.models import Role

    p = Proposal.objects.select_related("home_unit", "deciding_unit").get(pk=proposal.pk)
    if ProposalAuthor.objects.filter(proposal=p, user=user).exists():
        return True
    # Published lessons (amendment): everyone reads the lesson, not the proposal.
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
        g.role in (Role.INSPECTOR, Role.ORGANIZATION_BOARD, Role.STANDING_COMMITTEE, Role.ADMIN)
        and _is_over(g, p.home_unit)
        for g in grants
    )
