"""The transactional outbox: every e-mail is a row written in the transaction of what it tells,
and delivered from there.

Writing: `emails_for_notifications()` (immediate e-mails of new notifications), the digests of
`services.digests_compose()`, and `messages_write()` (any message Django sends through
`notifications.mail.OutboxBackend`, e.g. password resets) add `OutboxEmail` rows inside the
caller's transaction, and ask for a dispatch once it commits (the fast path).

Delivering: `dispatch()` runs in the Celery task `notifications.dispatch_outbox`, every minute
from beat and on each commit for the rows just written. It claims one due row at a time, sends it
and records the outcome:

- PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` in a transaction that stays open while the mail
  server is talking, then the row is marked sent and the transaction commits. No other dispatcher
  can claim a row that a live one holds; a dispatcher that dies releases it (its connection
  closes) and the row is sent again. So a message goes twice only when a process dies after the
  mail server accepted it and before that commit.
- Databases without row locks (SQLite, single-machine development): the claim is a conditional
  UPDATE that sets a lease (`claimed_until`, KL14_OUTBOX_LEASE seconds), atomic because SQLite
  serialises writers; no database lock is held while sending. The mail backend's timeout must stay
  below the lease, or a slow send could be claimed again.

A failure (broker, renderer, mail server) leaves the row pending with `attempts`, `last_error`
and `next_attempt_at` pushed back exponentially (KL14_OUTBOX_RETRY_BASE doubling up to
KL14_OUTBOX_RETRY_MAX seconds); after KL14_OUTBOX_MAX_ATTEMPTS it is marked failed (counted by
`selectors.outbox_backlog()`, listed in the admin, re-queued from there). A dispatch that could
not be enqueued is logged and counted, never reported as sent: beat's next run sends the row.
"""

import base64
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from kl14.bulk import insert_rows

from .models import Digest, Notification, NotificationPreference, OutboxEmail

logger = logging.getLogger(__name__)

DISPATCH_CHUNK = 100  # rows per fast-path task
INSERT_BATCH = 2000


# --- writing -------------------------------------------------------------------------------------


def dispatch_on_commit(ids: list[int], *, on_failure: Callable[[int], None] | None = None):
    """Once the transaction commits, hands the rows to a worker (the fast path). A broker that
    is down is logged and reported to `on_failure(count)`; the rows wait for beat's dispatch."""
    for start in range(0, len(ids), DISPATCH_CHUNK):
        chunk = ids[start : start + DISPATCH_CHUNK]

        def enqueue(chunk=chunk):
            from .tasks import dispatch_outbox

            try:
                # No retries here: a request or a sweep must not wait on a dead broker. The
                # message's printable arguments are given: Celery's own is a safe repr of every
                # id, a million calls for a first national sweep's 5,000 dispatches.
                dispatch_outbox.apply_async(
                    args=[chunk],
                    retry=False,
                    argsrepr=f"[{len(chunk)} e-mails, #{chunk[0]}–#{chunk[-1]}]",
                )
            except Exception:
                logger.warning(
                    "outbox: the broker did not take the dispatch of %d e-mails; they wait for "
                    "the next scheduled dispatch",
                    len(chunk),
                    exc_info=True,
                )
                if on_failure is not None:
                    on_failure(len(chunk))

        transaction.on_commit(enqueue)


def emails_for_notifications(
    notifications: Iterable, recipients: dict, *, on_failure=None
) -> list[int]:
    """The immediate e-mails of new notifications (anything with `pk` and `recipient_id`), for
    recipients who chose immediate e-mail and have an address; digest users' notifications wait
    for `services.digests_compose()`. Call in the transaction that created the notifications.
    Returns the ids of the outbox rows written."""
    now = timezone.now()
    rows = [
        (OutboxEmail.Kind.NOTIFICATION.value, n.pk, n.recipient_id, now, now)
        for n in notifications
        if (r := recipients.get(n.recipient_id))
        and r.email
        and r.email_mode == NotificationPreference.Email.IMMEDIATE
    ]
    ids = insert_rows(
        OutboxEmail,
        ("kind", "notification_id", "recipient_id", "created_at", "next_attempt_at"),
        rows,
    )
    dispatch_on_commit(ids, on_failure=on_failure)
    return ids


def digest_email_write(digest: Digest) -> OutboxEmail:
    row = OutboxEmail.objects.create(
        kind=OutboxEmail.Kind.DIGEST, digest=digest, recipient_id=digest.user_id
    )
    dispatch_on_commit([row.pk])
    return row


@transaction.atomic
def messages_write(messages: Iterable[EmailMessage]) -> int:
    """Any e-mail message, stored serialised; sent like the others."""
    now = timezone.now()
    rows = OutboxEmail.objects.bulk_create(
        [
            OutboxEmail(
                kind=OutboxEmail.Kind.MESSAGE,
                message=serialize(message),
                created_at=now,
                next_attempt_at=now,
            )
            for message in messages
            if message.recipients()
        ]
    )
    dispatch_on_commit([row.pk for row in rows])
    return len(rows)


messages_write.alters_data = True


def serialize(message: EmailMessage) -> dict:
    """An e-mail as JSON (never pickle: a row someone could edit must not run code)."""
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):
            filename = attachment.get_filename()
            content = attachment.get_payload(decode=True)
            mimetype = attachment.get_content_type()
        else:
            filename, content, mimetype = attachment
        if isinstance(content, str):
            content = content.encode()
        attachments.append([filename, base64.b64encode(content).decode("ascii"), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
    }


def deserialize(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


# --- delivering ----------------------------------------------------------------------------------


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0  # attempts that failed (the rows are retried later or given up)
    given_up: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "given_up": self.given_up,
            "cancelled": self.cancelled,
        }


class NothingToSend(Exception):
    """The row has nothing to deliver any more (the user has no address or left)."""


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed attempt: base, 2 × base, 4 × base ... capped."""
    base, cap = settings.KL14_OUTBOX_RETRY_BASE, settings.KL14_OUTBOX_RETRY_MAX
    return timedelta(seconds=min(cap, base * 2 ** min(attempts - 1, 30)))


def _due(ids):
    due = OutboxEmail.objects.filter(
        status=OutboxEmail.Status.PENDING, next_attempt_at__lte=timezone.now()
    )
    if ids is not None:
        due = due.filter(pk__in=ids)
    return due.order_by("next_attempt_at", "pk")


def dispatch(*, ids: list[int] | None = None, limit: int | None = None) -> DispatchReport:
    """Sends the due rows (only `ids` when given; at most `limit`), one at a time, until none is
    left. Safe to run in any number of processes at once."""
    report = DispatchReport()
    backend = get_connection(settings.KL14_EMAIL_BACKEND)
    locks = connection.features.has_select_for_update_skip_locked
    claim = _claim_locked if locks else _claim_leased
    try:
        while limit is None or report.sent + report.failed + report.cancelled < limit:
            if not claim(ids, backend, report):
                break
    finally:
        backend.close()
    if report.sent or report.failed:
        logger.info("outbox dispatch: %s", report.as_dict())
    return report


dispatch.alters_data = True


def _claim_locked(ids, backend, report) -> bool:
    """PostgreSQL: the row stays locked from the claim to the commit that marks it sent."""
    with transaction.atomic():
        row = _due(ids).select_for_update(skip_locked=True).first()
        if row is None:
            return False
        try:
            with transaction.atomic():  # a savepoint: a failed render leaves the claim usable
                _send(row, backend)
        except Exception as exc:
            _record(row, exc, report, backend)
        else:
            _record(row, None, report, backend)
        return True


def _claim_leased(ids, backend, report) -> bool:
    """No row locks: a conditional UPDATE takes a lease on the row; no transaction is open while
    sending (on SQLite even a read transaction would hold back every writer)."""
    now = timezone.now()
    lease_end = now + timedelta(seconds=settings.KL14_OUTBOX_LEASE)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    for pk in _due(ids).filter(free).values_list("pk", flat=True)[:20]:
        if not _due(ids).filter(free, pk=pk).update(claimed_until=lease_end):
            continue  # another dispatcher took it
        row = OutboxEmail.objects.get(pk=pk)
        try:
            _send(row, backend)
        except Exception as exc:
            outcome = exc
        else:
            outcome = None
        with transaction.atomic():
            row.claimed_until = None
            _record(row, outcome, report, backend)
        return True
    return False


def _send(row: OutboxEmail, backend):
    message = _render(row)
    message.connection = backend
    message.send()


def _record(row: OutboxEmail, error: Exception | None, report: DispatchReport, backend):
    """Writes the outcome of one attempt on the claimed row (the caller commits)."""
    fields = ["status", "attempts", "last_error", "next_attempt_at", "claimed_until"]
    if isinstance(error, NothingToSend):
        row.status = OutboxEmail.Status.CANCELLED
        row.last_error = str(error)
        report.cancelled += 1
    elif error is not None:
        backend.close()  # a broken SMTP connection must not fail the next row too
        _record_failure(row, error, report)
    else:
        now = timezone.now()
        row.status = OutboxEmail.Status.SENT
        row.sent_at = now
        row.attempts += 1
        row.last_error = ""
        fields += ["sent_at"]
        if row.kind == OutboxEmail.Kind.MESSAGE:
            row.message = None  # what was sent is not kept (a password-reset link, for one)
            fields += ["message"]
        if row.notification_id:
            Notification.objects.filter(pk=row.notification_id).update(emailed_at=now)
        if row.digest_id:
            Digest.objects.filter(pk=row.digest_id).update(sent_at=now)
            Notification.objects.filter(digest_id=row.digest_id).update(emailed_at=now)
        report.sent += 1
    row.save(update_fields=fields)


def _record_failure(row, exc, report):
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if row.attempts >= settings.KL14_OUTBOX_MAX_ATTEMPTS:
        row.status = OutboxEmail.Status.FAILED
        report.given_up += 1
        log = logger.error
    else:
        row.next_attempt_at = timezone.now() + retry_delay(row.attempts)
        log = logger.warning
    log(
        "outbox: e-mail #%d failed (attempt %d): %s",
        row.pk,
        row.attempts,
        row.last_error,
        exc_info=not isinstance(exc, OSError),
    )
    report.failed += 1
    report.errors.append(row.last_error)


def _render(row: OutboxEmail) -> EmailMessage:
    from .emails import digest_email, notification_email

    if row.kind == OutboxEmail.Kind.MESSAGE:
        return deserialize(row.message)
    if row.kind == OutboxEmail.Kind.NOTIFICATION:
        notification = Notification.objects.select_related("recipient", "review").get(
            pk=row.notification_id
        )
        _require_address(notification.recipient)
        return notification_email(notification)
    digest = Digest.objects.select_related("user").get(pk=row.digest_id)
    _require_address(digest.user)
    notifications = list(
        Notification.objects.filter(digest=digest)
        .select_related("review")
        .order_by("created_at", "pk")
    )
    return digest_email(digest.user, notifications, day=digest.day)


def _require_address(user):
    if not user.is_active or not user.email:
        raise NothingToSend("the recipient has no e-mail address or is no longer active")


def failed_requeue(*, ids: Iterable[int]) -> int:
    """Gives failed rows a fresh set of attempts (the admin's action)."""
    ids = list(ids)
    with transaction.atomic():
        count = OutboxEmail.objects.filter(pk__in=ids, status=OutboxEmail.Status.FAILED).update(
            status=OutboxEmail.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        dispatch_on_commit(ids)
    return count


failed_requeue.alters_data = True


def sent_purge(*, older_than: timedelta | None = None) -> int:
    """Deletes the records of e-mails sent long ago (the notifications keep `emailed_at`)."""
    days = settings.KL14_OUTBOX_KEEP_DAYS
    before = timezone.now() - (older_than or timedelta(days=days))
    deleted, _by_model = OutboxEmail.objects.filter(
        status__in=[OutboxEmail.Status.SENT, OutboxEmail.Status.CANCELLED], created_at__lt=before
    ).delete()
    return deleted


sent_purge.alters_data = True
