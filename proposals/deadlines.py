"""The deadlines of the decision stage, for the reminders sweep (notifications.deadlines)."""

from django.utils.translation import gettext_lazy as _

from kl14.links import pk_urls
from notifications.deadlines import DeadlineItem, DeadlineKind, Directory, register
from units.models import Role

from .models import DECISION_STATES, Proposal


@register
class DecisionDeadline(DeadlineKind):
    """A submitted proposal awaits the decision of its deciding unit's head (Decree 73, Art. 8(1)).

    Once overdue, the head and organization board of the deciding unit's parent hear about it; a
    root unit has no parent, so there its own organization board does: someone with oversight is
    always told, and the head (already reminded as the responsible person) is not told twice."""

    key = "proposals.decision"
    label = _("Decision on the proposal")

    def queryset(self, *, due_by):
        return (
            Proposal.objects.filter(
                state__in=DECISION_STATES,
                decision_due__lte=due_by,
                deciding_unit__isnull=False,
            )
            .select_related("deciding_unit")
            .only(
                "pk",
                "code",
                "title",
                "state",  # read by django-fsm on load: deferring it costs a query per row
                "decision_due",
                "deciding_unit__name",
                "deciding_unit__path",
                "deciding_unit__depth",
            )
        )

    def describe(self, objects: list[Proposal], *, directory: Directory) -> list[DeadlineItem]:
        units = {p.deciding_unit_id: p.deciding_unit for p in objects}
        heads = directory.members(units, [Role.HEAD])
        parents = directory.parent_ids(units.values())
        url = pk_urls("proposals:detail")
        return [
            DeadlineItem(
                item_id=p.pk,
                due=p.decision_due,
                subject=f"{p.code} {p.title}",
                url=url(p.pk),
                unit_id=p.deciding_unit_id,
                unit_name=p.deciding_unit.name,
                responsible_ids=heads[p.deciding_unit_id],
                escalation_unit_id=parents[p.deciding_unit_id] or p.deciding_unit_id,
            )
            for p in objects
        ]
