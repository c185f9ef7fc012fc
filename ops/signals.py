"""Task failures, recorded where every process can count them."""

import logging

from celery.signals import task_failure
from django.db import DatabaseError

logger = logging.getLogger(__name__)


@task_failure.connect
def record_task_failure(sender=None, exception=None, **kwargs):
    from .services import task_failure_record

    name = getattr(sender, "name", None) or str(sender)
    try:
        task_failure_record(task=name, exception=exception)
    except DatabaseError:
        # The database may be what failed: the log line (JSON, with the task) still says it.
        logger.exception("could not record the failure of task %s", name)
