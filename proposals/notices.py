"""Who is told of each step of the decision stage (notifications.events): submission, review,
votes, the Party committee's opinion, the decision, return, escalation, withdrawal. The labels of
these ledger events are in events.py (ledger/events.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications.events import (
    authors,
    deciding_heads,
    local_date,
    party_committee,
    register,
    supervising_heads,
    voters,
)
from units.models import Unit

from .models import Mode, Opinion


def _stance(value):
    return Opinion.Stance(value).label if value in Opinion.Stance.values else value


def _mode(value):
    return Mode(value).label if value in Mode.values else value


def _unit_name(code):
    return Unit.objects.filter(code=code).values_list("name", flat=True).first() or code or ""


def due(o):
    return {"due": lambda: local_date(o.payload.get("decision_due") or o.proposal.decision_due)}


def votes_page(o):
    return reverse("proposals:votes")


def opinions_page(o):
    return reverse("proposals:opinions")


# --- submitted: the head of the deciding unit must open the review ------------------------------

register(
    "submit",
    to=deciding_heads,
    your_turn=True,
    title=_("Proposal %(code)s “%(title)s” is submitted to %(unit)s for a decision"),
    body=_(
        "%(actor)s submitted the proposal (version %(version)s). Open the review so that the "
        "leadership collective votes and the Party committee gives its opinion; the decision is "
        "due on %(due)s (7 working days)."
    ),
    params=lambda o: {**due(o), "version": o.payload.get("version", "")},
)

# --- the review opens: the collective votes, the Party committee gives its opinion -------------

register(
    "open_review",
    name="vote_requested",
    to=voters,
    your_turn=True,
    title=_("Your vote is requested on proposal %(code)s “%(title)s”"),
    body=_(
        "The head of %(unit)s opened the review. As a member of the leadership collective, vote "
        "for, against or abstain before the decision, due on %(due)s (Decree 73, Art. 8)."
    ),
    url=votes_page,
    params=due,
)
register(
    "open_review",
    name="opinion_requested",
    to=party_committee,
    your_turn=True,
    title=_("The Party committee's opinion is requested on proposal %(code)s “%(title)s”"),
    body=_(
        "Before the head of %(unit)s decides, the Party committee at the same level gives its "
        "opinion: agree, agree with conditions or disagree. The decision is due on %(due)s."
    ),
    url=opinions_page,
    params=due,
)
register(
    "open_review",
    name="under_review",
    to=authors,
    title=_("Proposal %(code)s “%(title)s” is under review"),
    body=_(
        "The head of %(unit)s opened the review: the leadership collective votes and the Party "
        "committee gives its opinion. The decision is due on %(due)s."
    ),
    params=due,
)

# --- the Party committee gave its opinion before the decision: the head may decide ------------

register(
    "opinion",
    name="decision_possible",
    to=deciding_heads,
    your_turn=True,
    when=lambda o: o.payload.get("stage") == "decision",
    title=_("The Party committee gave its opinion on proposal %(code)s: you can decide"),
    body=_(
        "The Party committee's opinion: %(stance)s. With the leadership collective's vote, you "
        "can now approve, return or reject the proposal."
    ),
    params=lambda o: {"stance": _stance(o.payload.get("stance"))},
)


# --- the decision, to the authors ----------------------------------------------------------------

register(
    "approve",
    name="approved_pilot",
    to=authors,
    when=lambda o: o.payload.get("mode") == Mode.PILOT,
    title=_("Proposal %(code)s “%(title)s” is approved as a pilot"),
    body=_(
        "%(actor)s, head of %(unit)s, approved the proposal for a pilot. Next, the head of "
        "%(home_unit)s prepares the implementation plan (milestones, KPIs, resources, monitors) "
        "and the work starts once the risk declaration is co-signed."
    ),
)
register(
    "approve",
    name="approved_implementation",
    to=authors,
    when=lambda o: o.payload.get("mode") == Mode.IMPLEMENTATION,
    title=_("Proposal %(code)s “%(title)s” is approved for implementation"),
    body=_(
        "%(actor)s, head of %(unit)s, approved the proposal for implementation. Next, the head "
        "of %(home_unit)s prepares the implementation plan and the work starts once the risk "
        "declaration is co-signed."
    ),
)
register(
    "approve",
    name="plan_requested",
    to=supervising_heads,
    your_turn=True,
    title=_("Prepare the implementation plan of proposal %(code)s “%(title)s”"),
    body=_(
        "%(actor)s, head of %(unit)s, approved the proposal (%(mode)s). As head of "
        "%(home_unit)s, prepare its implementation plan: dates, milestones, KPIs, resources and "
        "monitors; the approving head then co-signs the risk declaration."
    ),
    url=lambda o: reverse("pilots:plan", args=[o.proposal.pk]),
    params=lambda o: {"mode": _mode(o.payload.get("mode"))},
)


register(
    "reject",
    to=authors,
    title=_("Proposal %(code)s “%(title)s” is not accepted"),
    body=_("%(actor)s, head of %(unit)s, did not accept the proposal. Reasons: %(reasons)s"),
    params=lambda o: {"reasons": o.payload.get("reasons", "")},
)
register(
    "return_for_revision",
    to=authors,
    your_turn=True,
    title=_("Proposal %(code)s “%(title)s” is returned for revision"),
    body=_(
        "%(actor)s, head of %(unit)s, returned the proposal: %(comment)s. Revise the dossier and "
        "submit it again."
    ),
    url=lambda o: reverse("proposals:edit", args=[o.proposal.pk]),
    params=lambda o: {"comment": o.payload.get("comment", "")},
)

# --- escalation: the superior unit decides -----------------------------------------------------

register(
    "escalate",
    name="to_decide",
    to=deciding_heads,
    your_turn=True,
    title=_("Proposal %(code)s “%(title)s” is referred to %(unit)s for a decision"),
    body=_(
        "%(actor)s referred the proposal from %(from_unit)s to the superior unit. Reasons: "
        "%(reason)s. Open the review; the decision is due on %(due)s."
    ),
    params=lambda o: {
        **due(o),
        "reason": o.payload.get("reason", ""),
        "from_unit": _unit_name(o.payload.get("from_unit")),
    },
)
register(
    "escalate",
    name="escalated",
    to=authors,
    title=_("Proposal %(code)s “%(title)s” is referred to %(unit)s"),
    body=_(
        "The proposal is referred to the superior unit, %(unit)s, which decides on it. Reasons: "
        "%(reason)s. The decision is due on %(due)s."
    ),
    params=lambda o: {**due(o), "reason": o.payload.get("reason", "")},
)


register(
    "withdraw",
    to=deciding_heads,
    when=lambda o: o.entry.from_state != "draft",
    title=_("Proposal %(code)s “%(title)s” is withdrawn"),
    body=_("%(actor)s withdrew the proposal. Reason: %(reason)s"),
    params=lambda o: {"reason": o.payload.get("reason", "")},
)
