"""Who is told of each step of the review stage (notifications.events): the Party committee's
opinion on the results, the evaluation, responsibility and protection, referral for abuse,
recognition, replication, institutionalisation and the lessons library. The labels of these ledger
events are in events.py (ledger/events.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notifications.events import (
    authors,
    deciding_heads,
    local_date,
    register,
    supervising_heads,
    voters,
)
from proposals.models import Opinion
from units.models import Role, Unit
from units.selectors import unit_ancestors

from .models import (
    AbuseCase,
    AuthorityRole,
    Decision,
    IssuingLevel,
    Outcome,
    RecognitionKind,
    ResponsibilityComplaint,
)

PROTECTED = (Decision.LIABILITY_EXCLUDED, Decision.EXEMPTED, Decision.REDUCED)


def review_page(o):
    return reverse("reviews:review", args=[o.proposal.pk])


def abuse_page(o):
    return reverse("reviews:abuse", args=[o.proposal.pk])


def superior_inspectors(o) -> frozenset[int]:
    """The inspection of the units above the home unit, who record the finding of an abuse case."""
    above = list(unit_ancestors(o.proposal.home_unit).values_list("pk", flat=True))
    found = o.directory.members(above, [Role.INSPECTOR])
    return frozenset().union(*found.values()) - o.author_ids


def recognised(o) -> frozenset[int]:
    usernames = o.payload.get("recipients") or []
    return frozenset(User.objects.filter(username__in=usernames).values_list("pk", flat=True))


def _label(choices, value):
    return choices(value).label if value in choices.values else value


def _stance(value):
    return _label(Opinion.Stance, value)


def _date(value):
    return local_date(value)


def _people(usernames) -> str:
    names = dict(User.objects.filter(username__in=usernames).values_list("username", "full_name"))
    return ", ".join(names.get(u, u) for u in usernames)


def _unit_names(codes):
    codes = list(codes)
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
    return ", ".join(names.get(code, code) for code in codes)


register(
    "opinion",
    name="evaluation_possible",
    to=deciding_heads,
    your_turn=True,
    when=lambda o: o.payload.get("stage") == "evaluation",
    title=_("The Party committee gave its opinion on the results of proposal %(code)s"),
    body=_(
        "The Party committee's opinion on the results of “%(title)s”: %(stance)s. You can now "
        "chair the leadership collective's evaluation."
    ),
    url=review_page,
    params=lambda o: {"stance": _stance(o.payload.get("stance"))},
)


def evaluation_voters(o) -> frozenset[int]:
    """The collective that votes on the outcome, but the head, whom pilots' notices already ask
    to chair the evaluation meeting."""
    return voters(o) - deciding_heads(o)


register(
    "submit_final_report",
    name="evaluation_vote_requested",
    to=evaluation_voters,
    your_turn=True,
    title=_("Your ballot is requested on the results of proposal %(code)s “%(title)s”"),
    body=_(
        "%(actor)s filed the final report. As a member of the leadership collective of %(unit)s, "
        "vote on the outcome at the evaluation meeting (Decree 73, Art. 18); the head records "
        "the evaluation the collective carried."
    ),
    url=review_page,
)


register(
    "evaluate",
    to=authors,
    title=_("The results of proposal %(code)s “%(title)s” are evaluated: %(outcome)s"),
    body=_(
        "The leadership collective of %(unit)s, chaired by %(actor)s, evaluated the results on "
        "%(meeting)s: %(outcome)s. Objective causes: %(objective)s Subjective causes: "
        "%(subjective)s"
    ),
    url=review_page,
    params=lambda o: {
        "outcome": _label(Outcome, o.payload.get("outcome")),
        "meeting": lambda: _date(o.payload.get("meeting_date")),
        "objective": o.payload.get("causes_objective", ""),
        "subjective": o.payload.get("causes_subjective", ""),
    },
)


def author_concerned(o) -> frozenset[int]:
    """The author a per-person decision concerns (`author` in the payload); every author for a
    decision recorded before decisions were made per person."""
    username = o.payload.get("author")
    if not username:
        return o.author_ids
    return frozenset(
        User.objects.filter(username=username, pk__in=o.author_ids).values_list("pk", flat=True)
    )


# One decision per author (amendment of 2026-11-29): each author hears of their own decision,
# whether it is an in-state `responsibility_decision` or the last one, `decide_responsibility`.
for _event in ("responsibility_decision", "decide_responsibility"):
    register(
        _event,
        name="protected",
        to=author_concerned,
        when=lambda o: o.payload.get("decision") in PROTECTED,
        title=_("Proposal %(code)s “%(title)s”: you are protected — %(decision)s"),
        body=_(
            "%(actor)s, head of %(unit)s, decided: %(decision)s (Decree 73, Art. 5(2) and 11). "
            "You followed the approved plan, for the common good and without personal gain. "
            "Reasons: %(reasons)s Your protection dossier shows it."
        ),
        url=review_page,
        params=lambda o: {
            "decision": _label(Decision, o.payload.get("decision")),
            "reasons": o.payload.get("reasons", ""),
        },
    )
    register(
        _event,
        name="held_responsible",
        to=author_concerned,
        when=lambda o: o.payload.get("decision") not in PROTECTED,
        title=_("Proposal %(code)s “%(title)s”: the decision on responsibility"),
        body=_(
            "%(actor)s, head of %(unit)s, decided: %(decision)s. Reasons: %(reasons)s You may "
            "complain (khiếu nại) against this decision on the review page."
        ),
        url=review_page,
        params=lambda o: {
            "decision": _label(Decision, o.payload.get("decision")),
            "reasons": o.payload.get("reasons", ""),
        },
    )
register(
    "responsibility_complaint",
    to=deciding_heads,
    your_turn=True,
    title=_("A complaint against a responsibility decision on proposal %(code)s “%(title)s”"),
    body=_(
        "%(actor)s complained against the decision on their responsibility: %(text)s Resolve it "
        "on the review page (Law on Complaints, Art. 18)."
    ),
    url=review_page,
    params=lambda o: {"text": o.payload.get("text", "")},
)
register(
    "responsibility_complaint_extension",
    to=author_concerned,
    title=_("Proposal %(code)s “%(title)s”: more time to resolve your complaint"),
    body=_(
        "%(actor)s found your complaint a complex case and will resolve it by %(day)s (Law on "
        "Complaints, Art. 28). Reasons: %(reason)s"
    ),
    url=review_page,
    params=lambda o: {
        "day": local_date(o.payload.get("resolution_due")),
        "reason": o.payload.get("reason", ""),
    },
)
register(
    "responsibility_complaint_resolution",
    to=author_concerned,
    when=lambda o: not o.payload.get("decision"),
    title=_("Your complaint on proposal %(code)s “%(title)s” is resolved"),
    body=_("%(actor)s resolved your complaint: %(resolution)s. Reasons: %(text)s"),
    url=review_page,
    params=lambda o: {
        "resolution": _label(ResponsibilityComplaint.Resolution, o.payload.get("resolution")),
        "text": o.payload.get("text", ""),
    },
)
# A founded (or partly founded) complaint carries the revised decision (Law on Complaints,
# Art. 31): an in-state resolution while other authors wait, else `revise_responsibility`.
for _event in ("responsibility_complaint_resolution", "revise_responsibility"):
    register(
        _event,
        name="revised",
        to=author_concerned,
        when=lambda o: bool(o.payload.get("decision")),
        title=_(
            "Proposal %(code)s “%(title)s”: your complaint is founded, the decision is revised"
        ),
        body=_(
            "%(actor)s resolved your complaint: %(resolution)s. Reasons: %(text)s The decision on "
            "you is now: %(decision)s. Reasons: %(reasons)s Your protection dossier shows it."
        ),
        url=review_page,
        params=lambda o: {
            "resolution": _label(ResponsibilityComplaint.Resolution, o.payload.get("resolution")),
            "text": o.payload.get("text", ""),
            "decision": _label(Decision, o.payload.get("decision")),
            "reasons": o.payload.get("reasons", ""),
        },
    )
register(
    "refer_abuse",
    to=authors,
    your_turn=True,
    title=_("Proposal %(code)s “%(title)s” is referred for suspected abuse of the policy"),
    body=_(
        "%(actor)s referred the proposal to the competent authority for suspected abuse of the "
        "policy (Decree 73, Art. 6); protection is withheld while the case is examined. Grounds: "
        "%(grounds)s You may explain (giải trình) until %(due)s."
    ),
    url=abuse_page,
    params=lambda o: {
        "grounds": o.payload.get("grounds", ""),
        "due": lambda: local_date(o.payload.get("explanation_due")),
    },
)
register(
    "refer_abuse",
    name="finding_requested",
    to=superior_inspectors,
    your_turn=True,
    title=_("An abuse case on proposal %(code)s “%(title)s” awaits your finding"),
    body=_(
        "%(actor)s referred the proposal for suspected abuse of the policy. Its authors may "
        "explain until %(due)s; then, as the inspection of a superior unit, record the finding."
    ),
    url=abuse_page,
    params=lambda o: {"due": lambda: local_date(o.payload.get("explanation_due"))},
)
register(
    "abuse_explanation",
    to=superior_inspectors,
    title=_("An author of proposal %(code)s “%(title)s” explained in the abuse case"),
    body=_("%(actor)s explained: %(text)s"),
    url=abuse_page,
    params=lambda o: {"text": o.payload.get("text", "")},
)
register(
    "conclude_abuse",
    to=(authors, deciding_heads),
    title=_("Finding on the abuse case of proposal %(code)s “%(title)s”: %(finding)s"),
    body=_("%(actor)s recorded the finding: %(finding)s. Conclusion: %(conclusion)s"),
    url=abuse_page,
    params=lambda o: {
        "finding": _label(AbuseCase.Finding, o.payload.get("finding")),
        "conclusion": o.payload.get("conclusion", ""),
    },
)
register(
    "recognition",
    to=recognised,
    title=_("You are recognised for proposal %(code)s “%(title)s”: %(kind)s"),
    body=_(
        "%(actor)s recorded a recognition for your proposal (Decree 73, Art. 10): %(kind)s. "
        "%(note)s"
    ),
    # The proposal's own record of it: the list of recognitions is the organization boards'.
    url=lambda o: review_page(o) + "#recognition",
    params=lambda o: {
        "kind": _label(RecognitionKind, o.payload.get("kind")),
        "note": o.payload.get("note", ""),
    },
)
register(
    "replicate",
    to=authors,
    title=_("Your model, proposal %(code)s “%(title)s”, is replicated in other units"),
    body=_("%(actor)s directed the replication of the model to: %(targets)s."),
    url=review_page,
    params=lambda o: {"targets": _unit_names(t["unit"] for t in o.payload.get("targets", []))},
)


register(
    "adopt",
    to=authors,  # the heads of the target unit, who implement it
    title=_("%(home_unit)s is to replicate the model of proposal %(origin)s “%(title)s”"),
    body=_(
        "%(actor)s directed the replication of the model to %(home_unit)s: proposal %(code)s is "
        "approved for implementation by that directive. The head of %(unit)s prepares its "
        "implementation plan; you implement it and report on it."
    ),
    url=lambda o: reverse("pilots:detail", args=[o.proposal.pk]),
    params=lambda o: {"origin": o.payload.get("origin", "")},
)
# The target unit's heads are the adoption's authors, so its plan is prepared by the head of the
# unit above (the deciding unit), as for any proposal whose author heads its unit: they alone may
# open the plan's page (proposals.permissions.is_supervising_head). The notice asked the target
# unit's heads, whose link answered 403 (found by following every notification of a life).
register(
    "adopt",
    name="plan_requested",
    to=supervising_heads,
    your_turn=True,
    title=_("Prepare the implementation plan of proposal %(code)s “%(title)s”"),
    body=_(
        "%(actor)s directed the replication of the model of proposal %(origin)s to "
        "%(home_unit)s: proposal %(code)s is approved for implementation by that directive. As "
        "head of %(unit)s, prepare its implementation plan; the heads of %(home_unit)s implement "
        "it."
    ),
    url=lambda o: reverse("pilots:plan", args=[o.proposal.pk]),
    params=lambda o: {"origin": o.payload.get("origin", "")},
)
register(
    "institutionalize",
    to=authors,
    title=_("Your model, proposal %(code)s “%(title)s”, is proposed as a regulation"),
    body=_("%(actor)s proposed the regulation “%(regulation)s” (%(level)s) from your model."),
    url=review_page,
    params=lambda o: {
        "regulation": o.payload.get("title", ""),
        "level": _label(IssuingLevel, o.payload.get("issuing_level")),
    },
)
register(
    "lesson_publish",
    to=authors,
    title=_("Proposal %(code)s “%(title)s” is published to the lessons library"),
    body=_(
        "%(actor)s published your proposal, with its lessons learned, to the library that every "
        "cadre can read."
    ),
    url=lambda o: reverse("reviews:lesson", args=[o.proposal.pk]),
)


# --- requests to the competent authority (board_requests.py) -------------------------------------


def _request(o):
    from .models import BoardRequest

    return (
        BoardRequest.objects.filter(pk=o.payload.get("request"))
        .select_related("board_unit", "authority_unit")
        .first()
    )


def deciders(o) -> frozenset[int]:
    """Who may decide the board's request: the standing committee of the Party committee of the
    board's unit or one above it, and the head of the unit above the board's; never an author."""
    request = _request(o)
    if request is None:
        return frozenset()
    paths = request.board_unit.ancestor_paths()
    unit_ids = list(Unit.objects.filter(path__in=paths).values_list("pk", flat=True))
    members = o.directory.members(unit_ids, [Role.STANDING_COMMITTEE])
    people = frozenset().union(*members.values())
    if request.authority_unit_id != request.board_unit_id:
        people |= o.members(request.authority_unit_id, Role.HEAD)
    return people - o.author_ids - {request.proposed_by_id}


def proposing_board(o) -> frozenset[int]:
    request = _request(o)
    if request is None:
        return frozenset()
    return o.members(request.board_unit_id, Role.ORGANIZATION_BOARD)


def proposed_cadres(o) -> frozenset[int]:
    request = _request(o)
    if request is None:
        return frozenset()
    return frozenset(request.recipients.values_list("pk", flat=True))


def _decider_role(o):
    return _label(AuthorityRole, o.payload.get("decided_as"))


def _kind(o):
    return _label(RecognitionKind, o.payload.get("kind"))


register(
    "recognition_propose",
    to=deciders,
    your_turn=True,
    title=_("Decide on recognition for proposal %(code)s “%(title)s”: %(kind)s"),
    body=_(
        "The organization board of %(board)s (%(actor)s) proposes %(kind)s for %(names)s "
        "(Decree 73, Art. 10). Grounds: %(grounds)s Approve or refuse it."
    ),
    url=review_page,
    params=lambda o: {
        "kind": _kind(o),
        "board": lambda: _unit_names([o.payload.get("board_unit", "")]),
        "names": lambda: _people(o.payload.get("recipients") or []),
        "grounds": o.payload.get("grounds", ""),
    },
)
register(
    "recognition",
    name="board",
    to=proposing_board,
    when=lambda o: bool(o.payload.get("request")),
    title=_("Recognition approved for proposal %(code)s “%(title)s”: %(kind)s"),
    body=_("%(actor)s (%(role)s) approved the organization board's request: %(kind)s."),
    url=review_page,
    params=lambda o: {"kind": _kind(o), "role": _decider_role(o)},
)
register(
    "recognition_refuse",
    to=(proposing_board, proposed_cadres),
    title=_("Recognition not approved for proposal %(code)s “%(title)s”"),
    body=_("%(actor)s (%(role)s) did not approve the request for recognition. Reasons: %(reason)s"),
    url=review_page,
    params=lambda o: {"role": _decider_role(o), "reason": o.payload.get("reason", "")},
)
register(
    "recognition_withdraw",
    to=deciders,
    title=_("The request for recognition of proposal %(code)s “%(title)s” is withdrawn"),
    body=_("%(actor)s withdrew the organization board's request; nothing is left to decide."),
    url=review_page,
)
register(
    "replication_propose",
    to=deciders,
    your_turn=True,
    title=_("Decide on replicating the model of proposal %(code)s “%(title)s”"),
    body=_(
        "The organization board of %(board)s (%(actor)s) proposes to replicate the model in: "
        "%(targets)s (KL14 2.5). Grounds: %(grounds)s Approve or refuse it."
    ),
    url=review_page,
    params=lambda o: {
        "board": lambda: _unit_names([o.payload.get("board_unit", "")]),
        "targets": lambda: _unit_names(o.payload.get("targets") or []),
        "grounds": o.payload.get("grounds", ""),
    },
)
register(
    "replicate",
    name="board",
    to=proposing_board,
    when=lambda o: bool(o.payload.get("request")),
    title=_("Replication approved for the model of proposal %(code)s “%(title)s”"),
    body=_(
        "%(actor)s (%(role)s) approved the organization board's request: the model is "
        "replicated in %(targets)s."
    ),
    url=review_page,
    params=lambda o: {
        "role": _decider_role(o),
        "targets": lambda: _unit_names(t["unit"] for t in o.payload.get("targets", [])),
    },
)
register(
    "replication_refuse",
    to=(proposing_board, authors),
    title=_("Replication not approved for the model of proposal %(code)s “%(title)s”"),
    body=_(
        "%(actor)s (%(role)s) did not approve the request to replicate the model. Reasons: "
        "%(reason)s"
    ),
    url=review_page,
    params=lambda o: {"role": _decider_role(o), "reason": o.payload.get("reason", "")},
)
register(
    "replication_withdraw",
    to=deciders,
    title=_("The request to replicate the model of proposal %(code)s “%(title)s” is withdrawn"),
    body=_("%(actor)s withdrew the organization board's request; nothing is left to decide."),
    url=review_page,
)
