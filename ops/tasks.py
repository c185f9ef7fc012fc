from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services


@shared_task(name="ops.purge_submissions", ignore_result=True)
def purge_submissions() -> int:
    before = timezone.now() - timedelta(seconds=settings.KL14_SUBMISSION_TTL)
    return services.submissions_purge(before=before)
