"""Thin Celery tasks: ids in, a service call. A build is not retried by Celery: the job carries
its own attempts and back-off, and beat's sweep hands over whatever is due."""

from celery import shared_task

from . import services


@shared_task(name="exports.build", ignore_result=True)
def build_export(job_id: int) -> None:
    services.export_build(pk=job_id)


@shared_task(name="exports.dispatch_due", ignore_result=True)
def dispatch_due() -> int:
    return services.exports_dispatch_due()


@shared_task(name="exports.purge_expired", ignore_result=True)
def purge_expired() -> int:
    return services.exports_purge_expired()
