"""Who is told of each step of the implementation stage (notifications.events): the plan and its
co-signature, monitors, start, progress reports, inspections, adjustments, suspension, the end and
the final report. The labels of these ledger events are in events.py (ledger/events.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notifications.events import (
    authors,
    deciding_heads,
    local_date,
    party_committee,
    register,
    supervising_heads,
)
from proposals.models import State

from .models import Assessment, PlanVersion
from .permissions import COSIGN_STATES, approving_head_id, plan_of
from .planning import monitor_grants, plan_errors


def pilot_page(o):
    return reverse("pilots:detail", args=[o.proposal.pk])


def monitors(o) -> frozenset[int]:
    plan = plan_of(o.proposal)
    if plan is None:
        return frozenset()
    return frozenset(monitor_grants(plan).values_list("user_id", flat=True))


def newly_named_monitors(o) -> frozenset[int]:
    """Monitors of the plan version this entry recorded who were not in the version before."""
    plan = plan_of(o.proposal)
    number = o.payload.get("plan_version")
    if plan is None or not number:
        return frozenset()
    contents = dict(
        PlanVersion.objects.filter(plan=plan, number__in=[number - 1, number]).values_list(
            "number", "content"
        )
    )

    def usernames(n):
        return {m["username"] for m in (contents.get(n) or {}).get("monitors", [])}

    added = usernames(number) - usernames(number - 1)
    return frozenset(User.objects.filter(username__in=added).values_list("pk", flat=True))


def approving_head(o) -> frozenset[int]:
    head = approving_head_id(o.proposal)
    return frozenset({head}) if head else frozenset()


def plan_ready_to_cosign(o) -> bool:
    plan = plan_of(o.proposal)
    return (
        o.proposal.state in COSIGN_STATES
        and plan is not None
        and not plan.is_cosigned
        and not plan_errors(plan, for_start=False)
    )


def final_report_due(o):
    return {"due": lambda: local_date(o.payload.get("final_report_due"))}


# --- the plan -----------------------------------------------------------------------------------

for ledger_event in ("plan_version", "adjustment_approve"):
    register(
        ledger_event,
        name="monitor_named",
        to=newly_named_monitors,
        your_turn=True,
        title=_("You are named to monitor the pilot of proposal %(code)s “%(title)s”"),
        body=_(
            "The implementation plan of %(home_unit)s names you among the inspectors who monitor "
            "the work: follow its progress reports and record your inspections."
        ),
        url=pilot_page,
    )
register(
    "plan_version",
    name="cosign_requested",
    to=approving_head,
    your_turn=True,
    when=plan_ready_to_cosign,
    title=_("Co-sign the risk declaration of the plan of proposal %(code)s “%(title)s”"),
    body=_(
        "%(actor)s prepared version %(version)s of the implementation plan. As the head who "
        "approved the proposal, read it and co-sign its risk declaration; the work can start "
        "only then."
    ),
    url=pilot_page,
    params=lambda o: {"version": o.payload.get("plan_version", "")},
)
register(
    "adjustment_approve",
    name="cosign_requested",
    to=approving_head,
    your_turn=True,
    when=plan_ready_to_cosign,
    title=_("Co-sign the risk declaration of the plan of proposal %(code)s “%(title)s”"),
    body=_(
        "%(actor)s approved an adjustment: the implementation plan now has version %(version)s. "
        "As the head who approved the proposal, read it and co-sign its risk declaration: every "
        "version of the plan carries your co-signature."
    ),
    url=pilot_page,
    params=lambda o: {"version": o.payload.get("plan_version", "")},
)
register(
    "plan_cosign",
    to=supervising_heads,
    when=lambda o: o.proposal.state == State.APPROVED,
    your_turn=True,
    title=_("The plan of proposal %(code)s “%(title)s” is co-signed: the work can start"),
    body=_(
        "%(actor)s co-signed the risk declaration of version %(version)s of the implementation "
        "plan. The head of %(home_unit)s can now start the work."
    ),
    url=pilot_page,
    params=lambda o: {"version": o.payload.get("plan_version", "")},
)

# --- the work -------------------------------------------------------------------------------------

register(
    "start",
    to=(authors, monitors),
    title=_("The work on proposal %(code)s “%(title)s” has started"),
    body=_(
        "%(actor)s started the implementation, from %(start)s to %(end)s, on version "
        "%(version)s of the plan. Progress reports are filed on the plan's schedule."
    ),
    url=pilot_page,
    params=lambda o: {
        "start": lambda: local_date(o.payload.get("start_date")),
        "end": lambda: local_date(o.payload.get("end_date")),
        "version": o.payload.get("plan_version", ""),
    },
)
register(
    "progress_report",
    to=(monitors, supervising_heads),
    title=_("Progress report %(period)s of proposal %(code)s “%(title)s” is filed"),
    body=_("%(actor)s filed the progress report of period %(period)s (%(start)s – %(end)s)."),
    url=pilot_page,
    params=lambda o: {
        "period": o.payload.get("period", ""),
        "start": lambda: local_date(o.payload.get("period_start")),
        "end": lambda: local_date(o.payload.get("period_end")),
    },
)
register(
    "inspection",
    to=supervising_heads,
    your_turn=True,
    when=lambda o: o.payload.get("assessment") in (Assessment.CONCERNS, Assessment.SERIOUS),
    title=_("Inspection of proposal %(code)s “%(title)s” found problems: %(assessment)s"),
    body=_(
        "%(actor)s inspected the work on %(date)s. Findings: %(findings)s Recommendations: "
        "%(recommendations)s"
    ),
    url=pilot_page,
    params=lambda o: {
        "assessment": Assessment(o.payload["assessment"]).label,
        "date": lambda: local_date(o.payload.get("date")),
        "findings": o.payload.get("findings", ""),
        "recommendations": o.payload.get("recommendations", "") or "—",
    },
)
register(
    "adjustment_request",
    to=supervising_heads,
    your_turn=True,
    title=_("An adjustment of the plan of proposal %(code)s “%(title)s” awaits your decision"),
    body=_("%(actor)s requests an adjustment of the plan. Reasons: %(reasons)s"),
    url=pilot_page,
    params=lambda o: {"reasons": o.payload.get("reasons", "")},
)
register(
    "adjustment_approve",
    name="approved",
    to=authors,
    title=_("The adjustment of the plan of proposal %(code)s “%(title)s” is approved"),
    body=_("%(actor)s approved the adjustment: the plan now has version %(version)s."),
    url=pilot_page,
    params=lambda o: {"version": o.payload.get("plan_version", "")},
)
register(
    "adjustment_reject",
    to=authors,
    title=_("The adjustment of the plan of proposal %(code)s “%(title)s” is not accepted"),
    body=_("%(actor)s did not accept the adjustment. Reasons: %(reasons)s"),
    url=pilot_page,
    params=lambda o: {"reasons": o.payload.get("reasons", "")},
)
register(
    "suspend",
    to=(authors, monitors),
    title=_("The work on proposal %(code)s “%(title)s” is suspended"),
    body=_("%(actor)s suspended the work. Reason: %(reason)s"),
    url=pilot_page,
    params=lambda o: {"reason": o.payload.get("reason", "")},
)
register(
    "resume",
    to=(authors, monitors),
    title=_("The work on proposal %(code)s “%(title)s” is resumed"),
    body=_("%(actor)s resumed the work."),
    url=pilot_page,
)

# --- the end: the implementers report, the collective evaluates ------------------------------

register(
    "terminate",
    to=authors,
    your_turn=True,
    title=_("The work on proposal %(code)s “%(title)s” is ended early: file the final report"),
    body=_(
        "%(actor)s ended the work early. Reason: %(reason)s. File the truthful final report with "
        "the final value of every KPI by %(due)s (5 working days)."
    ),
    url=pilot_page,
    params=lambda o: {**final_report_due(o), "reason": o.payload.get("reason", "")},
)
register(
    "complete",
    to=authors,
    your_turn=True,
    title=_("The work on proposal %(code)s “%(title)s” is completed: file the final report"),
    body=_(
        "%(actor)s declared the work completed. File the truthful final report with the final "
        "value of every KPI by %(due)s (5 working days)."
    ),
    url=pilot_page,
    params=final_report_due,
)
register(
    "submit_final_report",
    name="evaluation_requested",
    to=deciding_heads,
    your_turn=True,
    title=_("The final report of proposal %(code)s “%(title)s” awaits the evaluation"),
    body=_(
        "%(actor)s filed the final report. Once the Party committee has given its opinion on the "
        "results, chair the leadership collective's evaluation within 7 working days."
    ),
    url=lambda o: reverse("reviews:review", args=[o.proposal.pk]),
)
register(
    "submit_final_report",
    name="opinion_requested",
    to=party_committee,
    your_turn=True,
    title=_("The Party committee's opinion is requested on the results of proposal %(code)s"),
    body=_(
        "%(actor)s filed the final report of “%(title)s”. Before %(unit)s evaluates the results, "
        "the Party committee gives its opinion on them."
    ),
    url=lambda o: reverse("proposals:opinions"),
)
register(
    "submit_final_report",
    name="report_filed",
    to=monitors,
    title=_("The final report of proposal %(code)s “%(title)s” is filed"),
    body=_("%(actor)s filed the final report of the work you monitored."),
    url=pilot_page,
)
