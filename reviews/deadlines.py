"""The deadlines of the review stage, for the reminders sweep (notifications.deadlines):
the evaluation, 7 working days after the final report, and the responsibility decision,
KL14_RESPONSIBILITY_DECISION_DAYS (15) working days after the evaluation. Both fall to the head of
the deciding unit; once overdue, the head and organization board of its parent hear about it.

Neither date is stored: each is counted from `Proposal.state_changed_at`, the moment the proposal
entered the state (no in-state action moves it). The queryset keeps only proposals that entered
the state at least n calendar days before `due_by` (n working days are never fewer), and
`describe` computes the exact dates, once per distinct day of entry."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.deadlines import DeadlineItem, DeadlineKind, Directory, register
from proposals.models import Proposal, State
from units.models import Role

from .rules import EVALUATION_WORKING_DAYS, evaluation_due, responsibility_due
from .rules import responsibility_working_days as _responsibility_days


class _StageDeadline(DeadlineKind):
    state = ""

    def working_days(self) -> int:
        raise NotImplementedError

    def due(self, entered):
        raise NotImplementedError

    def queryset(self, *, due_by):
        latest_entry = datetime.combine(
            due_by - timedelta(days=self.working_days() - 1),
            time.min,
            tzinfo=timezone.get_default_timezone(),
        )
        return (
            Proposal.objects.filter(
                state=self.state,
                state_changed_at__isnull=False,
                state_changed_at__lt=latest_entry,
                deciding_unit__isnull=False,
            )
            .select_related("deciding_unit")
            .only(
                "pk",
                "state",  # django-fsm reads it on load: without it, a query a row
                "code",
                "title",
                "state_changed_at",
                "deciding_unit__id",
                "deciding_unit__name",
                "deciding_unit__path",
                "deciding_unit__depth",
            )
        )

    def describe(self, objects: list[Proposal], *, directory: Directory) -> list[DeadlineItem]:
        units = {p.deciding_unit_id: p.deciding_unit for p in objects}
        heads = directory.members(units, [Role.HEAD])
        parents = directory.parent_ids(units.values())
        due_on: dict = {}
        items = []
        for p in objects:
            entered = timezone.localdate(p.state_changed_at)
            if entered not in due_on:
                due_on[entered] = self.due(entered)
            items.append(
                DeadlineItem(
                    item_id=p.pk,
                    due=due_on[entered],
                    subject=f"{p.code} {p.title}",
                    url=p.get_absolute_url(),
                    unit_id=p.deciding_unit_id,
                    unit_name=p.deciding_unit.name,
                    responsible_ids=heads[p.deciding_unit_id],
                    escalation_unit_id=parents[p.deciding_unit_id] or p.deciding_unit_id,
                )
            )
        return items


@register
class EvaluationDeadline(_StageDeadline):
    """The head of the deciding unit evaluates the results with the leadership collective."""

    key = "reviews.evaluation"
    label = _("Evaluation of the results")
    state = State.EVALUATING

    def working_days(self) -> int:
        return EVALUATION_WORKING_DAYS

    def due(self, entered):
        return evaluation_due(entered)


@register
class ResponsibilityDeadline(_StageDeadline):
    """The head of the deciding unit decides on the responsibility of the authors."""

    key = "reviews.responsibility"
    label = _("Decision on responsibility")
    state = State.RESPONSIBILITY_REVIEW

    def working_days(self) -> int:
        return _responsibility_days()

    def due(self, entered):
        return responsibility_due(entered)
