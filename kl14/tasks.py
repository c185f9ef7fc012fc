import logging

from celery import shared_task

from .files import orphan_uploads_delete

logger = logging.getLogger(__name__)


@shared_task(name="kl14.delete_orphan_uploads")
def delete_orphan_uploads():
    deleted = orphan_uploads_delete()
    logger.info("orphan uploads deleted: %d", deleted)
    return deleted
