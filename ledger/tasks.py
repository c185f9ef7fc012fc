from celery import shared_task
from django.db import DatabaseError

from . import checkpoints


@shared_task(
    name="ledger.checkpoint",
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    max_retries=10,
)
def checkpoint(reason: str = "daily") -> dict:
    """Beat, daily: a signed checkpoint of every chain head (none when nothing changed)."""
    made = checkpoints.checkpoint_create(reason=reason)
    return {"id": made.pk, "root": made.root, "chains": made.proposals}
