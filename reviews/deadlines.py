"""The deadlines of the review stage, for the reminders sweep (notifications.deadlines):
the evaluation, 7 working days after the final report, and the responsibility decision,
KL14_RESPONSIBILITY_DECISION_DAYS (15) working days after the evaluation. Both fall to the head of
the deciding unit; once overdue, the head and organization board of its parent hear about it.

Neither date is stored: each is counted from `Proposal.state_changed_at`, the moment the proposal
entered the state (no in-state action moves it). The queryset keeps only proposals that entered
the state at least n calendar days before `due_by` (n working days are never fewer), and
`describe` computes the exact dates, once per distinct day of entry."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kl14.links import pk_urls
from notifications.deadlines import DeadlineItem, DeadlineKind, Directory, register
from proposals.models import Proposal, State
from units.models import Role

from .rules import (
    EVALUATION_WORKING_DAYS,
    evaluation_due,
    explanation_working_days,
    responsibility_due,
    responsibility_explanation_due,
)
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
        url = pk_urls("proposals:detail")
        for p in objects:
            entered = timezone.localdate(p.state_changed_at)
            if entered not in due_on:
                due_on[entered] = self.due(entered)
            items.append(
                DeadlineItem(
                    item_id=p.pk,
                    due=due_on[entered],
                    subject=f"{p.code} {p.title}",
                    url=url(p.pk),
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


@register
class AbuseExplanationDeadline(DeadlineKind):
    """The authors' right to explain (giải trình) in an open abuse case: reminded before and on
    the deadline; a right, not a duty, so nobody above hears about it once it has passed."""

    key = "reviews.abuse_explanation"
    label = _("Explanation in an abuse case")

    def queryset(self, *, due_by):
        from .models import AbuseCase

        return AbuseCase.objects.filter(
            finding="", explanation_due__lte=due_by, proposal__state=State.ABUSE_REVIEW
        ).select_related("proposal", "proposal__home_unit")

    def describe(self, objects, *, directory: Directory) -> list[DeadlineItem]:
        from proposals.models import ProposalAuthor

        from .models import AbuseExplanation

        ids = [case.pk for case in objects]
        explained = set(
            AbuseExplanation.objects.filter(case_id__in=ids).values_list("case_id", "author_id")
        )
        authors: dict[int, set[int]] = {}
        for proposal_id, user_id in ProposalAuthor.objects.filter(
            proposal_id__in=[case.proposal_id for case in objects]
        ).values_list("proposal_id", "user_id"):
            authors.setdefault(proposal_id, set()).add(user_id)
        items = []
        url = pk_urls("reviews:abuse")
        for case in objects:
            p = case.proposal
            waiting = frozenset(u for u in authors.get(p.pk, ()) if (case.pk, u) not in explained)
            if not waiting:
                continue
            items.append(
                DeadlineItem(
                    item_id=case.pk,
                    due=case.explanation_due,
                    subject=f"{p.code} {p.title}",
                    url=url(p.pk),
                    unit_id=p.home_unit_id,
                    unit_name=p.home_unit.name,
                    responsible_ids=waiting,
                    escalation_unit_id=None,
                )
            )
        return items


@register
class ResponsibilityExplanationDeadline(DeadlineKind):
    """Each author's right to explain (giải trình) before the decision on their responsibility
    (amendment of 2026-11-29): reminded before and on the deadline; a right, not a duty, so
    nobody above hears about it once it has passed. No period set: no reminder."""

    key = "reviews.responsibility_explanation"
    label = _("Explanation before the decision on responsibility")

    def queryset(self, *, due_by):
        days = explanation_working_days()
        if not days:
            return Proposal.objects.none()
        latest_entry = datetime.combine(
            due_by - timedelta(days=days - 1), time.min, tzinfo=timezone.get_default_timezone()
        )
        return Proposal.objects.filter(
            state=State.RESPONSIBILITY_REVIEW,
            state_changed_at__isnull=False,
            state_changed_at__lt=latest_entry,
        ).select_related("home_unit")

    def describe(self, objects, *, directory: Directory) -> list[DeadlineItem]:
        from proposals.models import ProposalAuthor

        from .models import ResponsibilityDecision, ResponsibilityExplanation

        ids = [p.pk for p in objects]
        done = set(
            ResponsibilityExplanation.objects.filter(proposal_id__in=ids).values_list(
                "proposal_id", "author_id"
            )
        ) | set(
            ResponsibilityDecision.objects.filter(proposal_id__in=ids).values_list(
                "proposal_id", "author_id"
            )
        )
        authors: dict[int, set[int]] = {}
        for proposal_id, user_id in ProposalAuthor.objects.filter(proposal_id__in=ids).values_list(
            "proposal_id", "user_id"
        ):
            authors.setdefault(proposal_id, set()).add(user_id)
        items = []
        url = pk_urls("reviews:review")
        for p in objects:
            waiting = frozenset(u for u in authors.get(p.pk, ()) if (p.pk, u) not in done)
            due = responsibility_explanation_due(p.state_changed_at)
            if not waiting or due is None:
                continue
            items.append(
                DeadlineItem(
                    item_id=p.pk,
                    due=due,
                    subject=f"{p.code} {p.title}",
                    url=url(p.pk),
                    unit_id=p.home_unit_id,
                    unit_name=p.home_unit.name,
                    responsible_ids=waiting,
                    escalation_unit_id=None,
                )
            )
        return items


@register
class ComplaintResolutionDeadline(DeadlineKind):
    """The head of the deciding unit resolves an author's complaint against the decision on
    their responsibility within KL14_COMPLAINT_RESOLUTION_DAYS calendar days of its filing (Law
    on Complaints 2011, Art. 28); once overdue, the head and organization board of its parent
    hear about it."""

    key = "reviews.complaint_resolution"
    label = _("Resolution of a complaint")

    def queryset(self, *, due_by):
        from .models import ResponsibilityComplaint
        from .responsibility import complaint_resolution_days, complaint_resolution_days_complex

        def filed_before(days):  # due on or before `due_by` with this many days to resolve
            return datetime.combine(
                due_by - timedelta(days=days - 1), time.min, tzinfo=timezone.get_default_timezone()
            )

        return ResponsibilityComplaint.objects.filter(
            Q(extended_at__isnull=True, filed_at__lt=filed_before(complaint_resolution_days()))
            | Q(
                extended_at__isnull=False,
                filed_at__lt=filed_before(complaint_resolution_days_complex()),
            ),
            resolution="",
            decision__proposal__deciding_unit__isnull=False,
        ).select_related(
            "decision__author", "decision__proposal", "decision__proposal__deciding_unit"
        )

    def describe(self, objects, *, directory: Directory) -> list[DeadlineItem]:
        from .responsibility import complaint_resolution_due

        proposals = [c.decision.proposal for c in objects]
        units = {p.deciding_unit_id: p.deciding_unit for p in proposals}
        heads = directory.members(units, [Role.HEAD])
        parents = directory.parent_ids(units.values())
        url = pk_urls("reviews:review")
        items = []
        for complaint in objects:
            p = complaint.decision.proposal
            author = complaint.decision.author
            who = (author.get_full_name() or author.get_username()) if author else ""
            items.append(
                DeadlineItem(
                    item_id=complaint.pk,
                    due=complaint_resolution_due(complaint),
                    subject=f"{p.code} {p.title}" + (f" ({who})" if who else ""),
                    url=f"{url(p.pk)}#responsibility",
                    unit_id=p.deciding_unit_id,
                    unit_name=p.deciding_unit.name,
                    responsible_ids=heads[p.deciding_unit_id],
                    escalation_unit_id=parents[p.deciding_unit_id] or p.deciding_unit_id,
                )
            )
        return items
