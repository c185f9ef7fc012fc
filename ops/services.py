from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Submission, TaskFailure


def task_failure_record(*, task: str, exception: BaseException) -> TaskFailure:
    return TaskFailure.objects.create(
        task=task[:200], exception=type(exception).__name__[:200], message=str(exception)[:2000]
    )


task_failure_record.alters_data = True


# --- submissions sent once (ops.submissions) ------------------------------------------------------


def submission_claim(*, scope: str, key: str, fingerprint: str, path: str) -> Submission | None:
    """Claims a write's one-time key before its view runs: the new row, or None when the key is
    taken (by the same write under way or done, or by another one). Committed at once, so that a
    second copy of the write sent meanwhile finds it."""
    try:
        with transaction.atomic():
            return Submission.objects.create(
                scope=scope, key=key, fingerprint=fingerprint, path=path[:500],
                claimed_at=timezone.now(),
            )  # fmt: skip
    except IntegrityError:
        return None


submission_claim.alters_data = True


def submission_complete(
    submission: Submission, *, status: int, location: str = "", content_type: str = "",
    body: bytes = b"", kept: bool = True,
) -> None:  # fmt: skip
    """Records the first answer, which a copy of the write sent again gets instead (`kept`: the
    answer itself; else only that it was done, for an answer too large to keep)."""
    Submission.objects.filter(pk=submission.pk, status=None).update(
        status=status, location=location[:2000], content_type=content_type[:200], body=body,
        kept=kept,
    )  # fmt: skip


submission_complete.alters_data = True


def submission_release(submission: Submission) -> None:
    """The write did nothing to answer again (refused, invalid, failed): its key is free, and the
    same form may be sent again as it was."""
    Submission.objects.filter(pk=submission.pk, status=None).delete()


submission_release.alters_data = True


def submissions_purge(*, before) -> int:
    """Forgets the keys claimed before `before` (settings.KL14_SUBMISSION_TTL)."""
    deleted, _ = Submission.objects.filter(claimed_at__lt=before).delete()
    return deleted


submissions_purge.alters_data = True
