"""Thin Celery tasks: ids in, a service call. A build is not retried by Celery: the job carries
its own attempts and back-off, and beat's sweep hands over whatever is due."""

from celery import shared_task
from django.conf import settings

from . import services

# A build that runs past its lease would be taken over by another worker anyway: it is stopped
# (soft limit: recorded as a failed attempt and retried after a back-off; hard limit: the process
# is replaced) instead of holding a worker. Time limits need the prefork pool (production's).
LEASE = getattr(settings, "KL14_EXPORT_LEASE", 900)


@shared_task(
    name="exports.build",
    ignore_result=True,
    soft_time_limit=max(LEASE - 30, 1),
    time_limit=LEASE,
)
def build_export(job_id: int) -> None:
    services.export_build(pk=job_id)


@shared_task(name="exports.dispatch_due", ignore_result=True)
def dispatch_due() -> int:
    return services.exports_dispatch_due()


@shared_task(name="exports.purge_expired", ignore_result=True)
def purge_expired() -> int:
    return services.exports_purge_expired()
