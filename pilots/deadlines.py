"""The deadlines of the implementation stage, for the reminders sweep (notifications.deadlines):
the next progress report of a pilot in progress, and the final report after the work ended.

The authors are responsible for both. Once a report is overdue, the head and the organization
board of the home unit's parent hear about it every working day, as for every deadline
(lifecycle.md, "Deadlines and reminders"). An item is the proposal; its due date changes with each
period, so each period's report is reminded of once."""

from django.utils.translation import gettext_lazy as _

from notifications.deadlines import DeadlineItem, DeadlineKind, Directory, register
from proposals.models import ProposalAuthor, State

from .models import ImplementationPlan


def _authors(proposal_ids) -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = {pk: set() for pk in proposal_ids}
    rows = ProposalAuthor.objects.filter(proposal_id__in=proposal_ids).values_list(
        "proposal_id", "user_id"
    )
    for proposal_id, user_id in rows:
        found[proposal_id].add(user_id)
    return {pk: frozenset(ids) for pk, ids in found.items()}


class _PilotDeadline(DeadlineKind):
    state = ""
    due_field = ""

    def queryset(self, *, due_by):
        return (
            ImplementationPlan.objects.filter(
                proposal__state=self.state, **{f"{self.due_field}__lte": due_by}
            )
            .select_related("proposal", "proposal__home_unit")
            .only(
                "pk",
                self.due_field,
                "proposal__id",
                "proposal__state",  # django-fsm reads it on load: without it, a query a row
                "proposal__code",
                "proposal__title",
                "proposal__home_unit__id",
                "proposal__home_unit__name",
                "proposal__home_unit__path",
                "proposal__home_unit__depth",
            )
        )

    def describe(self, objects, *, directory: Directory) -> list[DeadlineItem]:
        authors = _authors([plan.proposal_id for plan in objects])
        parents = directory.parent_ids({plan.proposal.home_unit for plan in objects})
        return [
            DeadlineItem(
                item_id=plan.proposal_id,
                due=getattr(plan, self.due_field),
                subject=f"{plan.proposal.code} {plan.proposal.title}",
                url=plan.get_absolute_url(),
                unit_id=plan.proposal.home_unit_id,
                unit_name=plan.proposal.home_unit.name,
                responsible_ids=authors[plan.proposal_id],
                escalation_unit_id=parents[plan.proposal.home_unit_id]
                or plan.proposal.home_unit_id,
            )
            for plan in objects
        ]


@register
class ProgressReportDeadline(_PilotDeadline):
    """The earliest progress report not yet filed of a pilot in progress (none while suspended)."""

    key = "pilots.progress_report"
    label = _("Progress report of the pilot")
    state = State.IN_PROGRESS
    due_field = "next_report_due"


@register
class FinalReportDeadline(_PilotDeadline):
    """The final report, due 5 working days after the work ended (Decree 73)."""

    key = "pilots.final_report"
    label = _("Final report of the pilot")
    state = State.ENDED
    due_field = "final_report_due"
