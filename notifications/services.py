"""Every write of the notifications app: the reminders sweep, notifications, e-mail, digests."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kl14.bulk import insert_rows, insert_rows_returning
from workdays.calendar import add_working_days, is_working_day
from workdays.calendar import snapshot as calendar_snapshot

from . import deadlines, outbox
from .deadlines import DeadlineItem, DeadlineKind, Directory
from .models import Digest, Notification, NotificationPreference, Reminder, ReminderKind

logger = logging.getLogger(__name__)

REMINDER_COLUMNS = (
    "deadline", "item_id", "due", "kind", "recipient_id", "day", "created_at",
)  # fmt: skip
NOTIFICATION_COLUMNS = (
    "recipient_id", "kind", "title", "body", "url", "unit_id", "reminder_id", "created_at",
)  # fmt: skip


class Written(NamedTuple):
    """A notification just inserted as a plain row: what its e-mail needs."""

    pk: int
    recipient_id: int


# (title, body) of each reminder, formatted with label, subject, due and unit.
MESSAGES = {
    ReminderKind.EARLY: (
        _("Due on %(due)s: %(label)s — %(subject)s"),
        _(
            "%(label)s “%(subject)s” is due on %(due)s (%(unit)s). This is an early reminder: "
            "please act before the deadline."
        ),
    ),
    ReminderKind.DUE: (
        _("Due now: %(label)s — %(subject)s"),
        _(
            "%(label)s “%(subject)s” is due on %(due)s (%(unit)s). Today is the last working day "
            "to act in time."
        ),
    ),
    ReminderKind.OVERDUE: (
        _("Overdue: %(label)s — %(subject)s"),
        _(
            "%(label)s “%(subject)s” was due on %(due)s (%(unit)s) and is still pending. The head "
            "and the organization board of the unit above are told every working day until it is "
            "done."
        ),
    ),
    ReminderKind.ESCALATION: (
        _("Overdue in %(unit)s: %(label)s — %(subject)s"),
        _(
            "%(label)s “%(subject)s” was due on %(due)s in %(unit)s and is still pending. You "
            "receive this as the head or organization board overseeing %(unit)s; it is repeated "
            "every working day until it is done."
        ),
    ),
}


# --- notifications -------------------------------------------------------------------------------


def _render(text, language: str, **params) -> str:
    """A string, or a lazy translation formatted with params, in the given language."""
    with translation.override(language):
        text = str(text)
        return text % params if params else text


@transaction.atomic
def notifications_create(
    *, recipient_ids: Iterable[int], kind, title, body="", url="", unit=None, review=None
) -> list[Notification]:
    """Notifies users; `title` and `body` may be lazy translations, rendered in each recipient's
    language. E-mail follows each recipient's preference: an outbox row in this transaction for
    immediate e-mail, the evening digest otherwise."""
    recipients = Directory().recipients(recipient_ids)
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=r.id,
                kind=kind,
                title=_render(title, r.language)[:400],
                body=_render(body, r.language),
                url=url,
                unit=unit,
                review=review,
                created_at=now,
            )
            for r in sorted(recipients.values(), key=lambda r: r.id)
        ]
    )
    outbox.emails_for_notifications(notifications, recipients)
    return notifications


notifications_create.alters_data = True


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


notification_mark_read.alters_data = True


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


notifications_mark_all_read.alters_data = True


@transaction.atomic
def preference_set(*, user, email: str) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email}
    )
    return preference


preference_set.alters_data = True


# --- the reminders sweep -------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Which reminder an item due on a given date gets today."""

    today: date
    next_working_day: date  # due before it (and not before today): the last day to act is today
    last_early_day: date  # due on or before it: the early reminder

    @classmethod
    def on(cls, today: date, lead_days: int) -> "Window":
        return cls(today, add_working_days(today, 1), add_working_days(today, lead_days))

    @property
    def due_by(self) -> date:
        """Items due after this need nothing yet."""
        return max(self.last_early_day, self.next_working_day - timedelta(days=1))

    def reminder_kind(self, due: date) -> str | None:
        if due < self.today:
            return ReminderKind.OVERDUE
        if due < self.next_working_day:
            return ReminderKind.DUE
        if due <= self.last_early_day:
            return ReminderKind.EARLY
        return None


class SweepError(Exception):
    """Some deadline kinds could not be swept (the others were: `report` says what they sent)."""

    def __init__(self, message: str, report: "SweepReport | None" = None):
        super().__init__(message)
        self.report = report


@dataclass
class SweepReport:
    day: date
    working_day: bool
    items: int = 0
    reminders: int = 0
    notifications: int = 0
    by_kind: dict = field(default_factory=lambda: defaultdict(int))
    emails: int = 0  # immediate e-mails written to the outbox (not yet sent: the dispatcher sends)
    dispatch_not_enqueued: int = 0  # of those, how many the broker did not take on the fast path

    def dispatch_failed(self, count: int):
        self.dispatch_not_enqueued += count

    def add(self, other: "SweepReport") -> None:
        """Counts in another part's sweep of the same day."""
        for name in ("items", "reminders", "notifications", "emails", "dispatch_not_enqueued"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, count in other.by_kind.items():
            self.by_kind[kind] += count

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "items": self.items,
            "reminders": self.reminders,
            "emails_queued": self.emails,
            "emails_not_enqueued": self.dispatch_not_enqueued,
        }


KeyRanges = dict[str, tuple[int, int] | None]


def sweep_key_ranges(*, today: date) -> KeyRanges:
    """Each deadline kind's lowest and highest item key for the sweep of `today`: read once by
    whoever hands out the parts of a sweep, so that they all cut the same ranges. A kind that
    cannot say is None here (its first part then takes all) and fails in its sweep, as ever."""
    due_by = Window.on(today, settings.KL14_REMINDER_LEAD_DAYS).due_by
    ranges: KeyRanges = {}
    for kind in deadlines.kinds():
        try:
            ranges[kind.key] = kind.key_range(due_by=due_by)
        except Exception:
            logger.exception("reminders sweep %s: the deadline kind %s failed", today, kind.key)
            ranges[kind.key] = None
    return ranges


def reminders_sweep(
    *, today: date | None = None, part: int = 0, parts: int = 1, key_ranges: KeyRanges | None = None
) -> SweepReport:
    """Reminds people of every registered deadline, from the state of the database.

    Before a deadline (within KL14_REMINDER_LEAD_DAYS working days) the responsible people get one
    early reminder, on the last working day one more; once it has passed, they and the head and
    organization board of the escalation unit are told once per working day. Nothing is sent on a
    non-working day. Safe to run any number of times and concurrently: see `Reminder`.

    `part` of `parts`: only the items of that share (`DeadlineKind.batches`), so that `parts`
    processes sweep a large country side by side; together they do what one sweep does. Give
    them all the same `key_ranges` (`sweep_key_ranges`); without, each part reads its own."""
    if not 0 <= part < parts:
        raise ValueError(f"part {part} of {parts}")
    today = today or timezone.localdate()
    report = SweepReport(day=today, working_day=is_working_day(today))
    if not report.working_day:
        return report
    sweep = Sweep(Window.on(today, settings.KL14_REMINDER_LEAD_DAYS), report)
    if parts > 1 and key_ranges is None:
        key_ranges = sweep_key_ranges(today=today)
    failed = []
    # The deadlines are counted from one reading of the working-day calendar (workdays).
    with calendar_snapshot():
        for kind in deadlines.kinds():
            # One broken kind must not silence the others; the sweep still fails at the end, so
            # the task retries (harmless: what was sent is recorded) and the error is seen.
            try:
                for items in kind.batches(
                    due_by=sweep.window.due_by,
                    directory=sweep.directory,
                    part=part,
                    parts=parts,
                    keys=key_ranges.get(kind.key) if key_ranges else None,
                ):
                    _remind(sweep, kind, items)
            except Exception:
                logger.exception("reminders sweep %s: the deadline kind %s failed", today, kind.key)
                failed.append(kind.key)
    logger.info(
        "reminders sweep %s%s: %d items, %d reminders, %d e-mails written to the outbox",
        today,
        f" (part {part + 1} of {parts})" if parts > 1 else "",
        report.items,
        report.reminders,
        report.emails,
    )
    if report.dispatch_not_enqueued:
        logger.warning(
            "reminders sweep %s: %d of its e-mails are not sent yet: the broker did not take "
            "their dispatch; the scheduled dispatch sends them once it is back",
            today,
            report.dispatch_not_enqueued,
        )
    if failed:
        raise SweepError(f"deadline kinds failed: {', '.join(failed)}", report)
    return report


def _reminders_due(items, *, window, directory) -> list[tuple[DeadlineItem, str, int, date]]:
    """(item, kind of reminder, recipient, day) of what the items call for today, to the active
    users among their recipients, in a fixed order (so that two sweeps racing on PostgreSQL take
    their locks in the same order)."""
    kinds = {item.item_id: window.reminder_kind(item.due) for item in items}
    overdue = [item for item in items if kinds[item.item_id] == ReminderKind.OVERDUE]
    oversight = directory.oversight(
        {item.escalation_unit_id for item in overdue if item.escalation_unit_id}
    )
    wanted: list[tuple[DeadlineItem, str, int, date]] = []
    for item in items:
        reminder_kind = kinds[item.item_id]
        if reminder_kind is None:
            continue
        if reminder_kind == ReminderKind.OVERDUE:
            wanted += [(item, ReminderKind.OVERDUE, r, window.today) for r in item.responsible_ids]
            superiors = oversight.get(item.escalation_unit_id, frozenset()) - item.responsible_ids
            wanted += [(item, ReminderKind.ESCALATION, r, window.today) for r in superiors]
        else:
            wanted += [(item, reminder_kind, r, item.due) for r in item.responsible_ids]
    active = directory.recipients({recipient for _item, _kind, recipient, _day in wanted})
    wanted = [w for w in wanted if w[2] in active]
    wanted.sort(key=lambda w: (w[0].item_id, w[1], w[2]))
    return wanted


def _already_sent(kind, wanted) -> set[tuple]:
    """The keys among `wanted` recorded by an earlier sweep: one query, so that the hourly
    re-runs of a day insert nothing (the INSERT below would skip them too, at a higher cost)."""
    if not wanted:
        return set()
    ids = [w[0].item_id for w in wanted]
    return set(
        Reminder.objects.filter(
            deadline=kind.key,
            item_id__gte=min(ids),
            item_id__lte=max(ids),
            day__in={w[3] for w in wanted},
        ).values_list("item_id", "kind", "recipient_id", "day", "due")
    )


def _remind(sweep: "Sweep", kind: DeadlineKind, items: list[DeadlineItem]):
    """One batch: records its reminders and notifies for those this transaction inserted."""
    report, directory = sweep.report, sweep.directory
    report.items += len(items)
    wanted = _reminders_due(items, window=sweep.window, directory=directory)
    sent = _already_sent(kind, wanted)
    now = timezone.now()
    rows = [
        (kind.key, item.item_id, item.due, reminder_kind, recipient, day, now)
        for item, reminder_kind, recipient, day in wanted
        if (item.item_id, reminder_kind, recipient, day, item.due) not in sent
    ]
    if not rows:
        return
    by_id = {item.item_id: item for item in items}
    with transaction.atomic():
        # Conflicting rows (already sent by an earlier or a concurrent sweep) are skipped; on
        # PostgreSQL a concurrent insert of the same key waits for the other transaction, then
        # skips. RETURNING gives exactly the rows this batch won. Plain rows, not model
        # instances (kl14.bulk): a first sweep of the country writes half a million of each.
        won = insert_rows_returning(
            Reminder, REMINDER_COLUMNS, rows, ("item_id", "kind", "recipient_id"),
            ignore_conflicts=True,
        )  # fmt: skip
        recipients = directory.recipients({recipient for *_rest, recipient in won})
        notifications = []
        for pk, item_id, reminder_kind, recipient_id in won:
            item, recipient = by_id[item_id], recipients[recipient_id]
            title, body = sweep.messages.render(kind, item, reminder_kind, recipient.language)
            notifications.append(
                (recipient_id, reminder_kind, title, body, item.url, item.unit_id, pk, now)
            )
            report.by_kind[reminder_kind] += 1
        ids = insert_rows(Notification, NOTIFICATION_COLUMNS, notifications)
        emails = outbox.emails_for_notifications(
            [Written(pk, row[0]) for pk, row in zip(ids, notifications, strict=True)],
            recipients,
            on_failure=report.dispatch_failed,
        )
    report.emails += len(emails)
    report.reminders += len(won)
    report.notifications += len(notifications)


class Messages:
    """The reminder texts of a sweep: each template and date is translated once per language."""

    def __init__(self):
        self._templates: dict[tuple[str, str, str], tuple[str, str, str]] = {}
        self._dates: dict[tuple[date, str], str] = {}

    def render(self, kind, item, reminder_kind, language) -> tuple[str, str]:
        key = (kind.key, reminder_kind, language)
        if key not in self._templates:
            with translation.override(language):
                title, body = MESSAGES[reminder_kind]
                self._templates[key] = (str(title), str(body), str(kind.label))
        if (item.due, language) not in self._dates:
            with translation.override(language):
                self._dates[(item.due, language)] = date_format(item.due, "SHORT_DATE_FORMAT")
        title, body, label = self._templates[key]
        params = {
            "label": label,
            "subject": item.subject,
            "due": self._dates[(item.due, language)],
            "unit": item.unit_name,
        }
        return (title % params)[:400], body % params


@dataclass
class Sweep:
    """What one sweep shares across its kinds and batches."""

    window: Window
    report: SweepReport
    directory: Directory = field(default_factory=Directory)
    messages: Messages = field(default_factory=Messages)


reminders_sweep.alters_data = True


# --- daily digests -------------------------------------------------------------------------------


def _pending_digest_q(before):
    """Notifications that no e-mail carries yet: those of digest users (an immediate e-mail has its
    outbox row from the start)."""
    return Q(
        emailed_at__isnull=True,
        digest__isnull=True,
        outbox_email__isnull=True,
        created_at__lte=before,
    )


def digest_recipients(*, day: date) -> list[int]:
    """Users who get a digest for `day`: those with notifications to tell and no digest yet."""
    return list(
        Notification.objects.filter(_pending_digest_q(timezone.now()))
        .exclude(recipient__email="")
        .filter(recipient__is_active=True)
        .exclude(recipient__in=Digest.objects.filter(day=day).values("user_id"))
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def digest_compose(*, user_id: int, day: date) -> Digest | None:
    """The user's digest of `day`, with its outbox e-mail, in one transaction: at most one per
    user and day; each notification is in one digest at most."""
    try:
        with transaction.atomic():
            notifications = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(_pending_digest_q(timezone.now()), recipient_id=user_id)
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)
            )
            if not notifications:
                return None
            digest = Digest.objects.create(user_id=user_id, day=day, count=len(notifications))
            Notification.objects.filter(pk__in=notifications).update(digest=digest)
            outbox.digest_email_write(digest)
            return digest
    except IntegrityError:
        return None  # this day's digest was already composed


digest_compose.alters_data = True


def digests_compose(*, day: date) -> int:
    """Every digest of `day`; each is delivered from the outbox. Returns how many were composed."""
    return sum(
        digest_compose(user_id=user_id, day=day) is not None
        for user_id in digest_recipients(day=day)
    )


digests_compose.alters_data = True


# --- periodic reviews ----------------------------------------------------------------------------

REVIEW_MESSAGE = (
    _("%(period)s: the summary of %(unit)s"),
    _(
        "It is time for the %(period)s of %(unit)s and the units under it. The attached "
        "spreadsheet counts the proposals per state, the decisions made on time and late in the "
        "period (%(start)s – %(end)s) and the outcomes so far."
    ),
)


def periodic_reviews_send(*, today: date | None = None) -> int:
    """From the first working day of a quarter, sends the organization board of every unit the
    review of the last quarter (and in January of the last year) with its subtree's summary.
    Exactly once per (unit, period, member), however often it runs; returns how many went out."""
    from units.models import Role, Unit

    from .periodic import periods_due

    today = today or timezone.localdate()
    if not is_working_day(today):
        return 0
    directory = Directory()
    units = list(
        Unit.objects.filter(memberships__role=Role.ORGANIZATION_BOARD).distinct().order_by("path")
    )
    boards = directory.members([u.pk for u in units], [Role.ORGANIZATION_BOARD])
    sent = 0
    for period in periods_due(today):
        for unit in units:
            sent += _review_send(unit, period, board=boards[unit.pk], directory=directory)
    return sent


periodic_reviews_send.alters_data = True


def _review_get_or_create(unit, period):
    from django.core.files.base import ContentFile

    from reviews.reports import review_report

    from .models import PeriodicReview

    key = {"unit": unit, "period": period.kind, "start": period.start}
    review = PeriodicReview.objects.filter(**key).first()
    if review is not None:
        return review
    review = PeriodicReview(**key, end=period.end)
    content = review_report(unit, period, language=settings.LANGUAGE_CODE)
    name = f"{unit.code}-{period.kind}-{period.start:%Y-%m}.xlsx"
    review.report.save(name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:  # a concurrent run made it first
        review.report.delete(save=False)
        review = PeriodicReview.objects.get(**key)
    return review


def _review_send(unit, period, *, board, directory) -> int:
    from django.urls import reverse

    active = directory.recipients(board)
    if not active:
        return 0
    now = timezone.now()
    deadline = f"review.{period.kind}"
    rows = [
        (deadline, unit.pk, period.start, ReminderKind.REVIEW, recipient_id, period.start, now)
        for recipient_id in sorted(active)
    ]
    with transaction.atomic():
        review = _review_get_or_create(unit, period)
        # Those already told of this period (an earlier or a concurrent run) are skipped.
        won = insert_rows_returning(
            Reminder, REMINDER_COLUMNS, rows, ("recipient_id",), ignore_conflicts=True
        )
        url = reverse("notifications:review-report", args=[review.pk])
        notifications = []
        for pk, recipient_id in won:
            language = active[recipient_id].language
            with translation.override(language):
                params = {
                    "period": period.label,
                    "unit": unit.name,
                    "start": date_format(period.start, "SHORT_DATE_FORMAT"),
                    "end": date_format(period.end, "SHORT_DATE_FORMAT"),
                }
                title, body = (str(text) % params for text in REVIEW_MESSAGE)
            notifications.append(
                Notification(
                    recipient_id=recipient_id,
                    kind=ReminderKind.REVIEW,
                    title=title[:400],
                    body=body,
                    url=url,
                    unit=unit,
                    reminder_id=pk,
                    review=review,
                )
            )
        Notification.objects.bulk_create(notifications)
        outbox.emails_for_notifications(notifications, active)
    return len(notifications)
