from celery import shared_task

from . import services


@shared_task(name="documents.issue", ignore_result=True)
def issue(document_id: int) -> None:
    """Renders, signs and records one official document (a failure is recorded on it and retried
    by `issue_pending` after its back-off)."""
    services.document_issue(pk=document_id)


@shared_task(name="documents.issue_pending", ignore_result=True)
def issue_pending() -> int:
    """Every pending document that is due: those whose enqueue the broker refused, a worker
    died on, or that failed and waited out their back-off."""
    return services.documents_issue_due()
