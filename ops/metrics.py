"""Prometheus metrics: django-prometheus's (requests, responses, latencies, exceptions) and KL14's
own — proposals per state, overdue deadlines per kind, the outbox backlog, task failures.

KL14's figures are read from the database when Prometheus scrapes, at most once every
KL14_METRICS_CACHE_SECONDS (the reads are counts, a few per deadline kind), so every web process
answers the same numbers. The endpoint is not public: see `metrics_view`.
"""

import hmac
import ipaddress
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

logger = logging.getLogger(__name__)


def _proposal_states():
    from django.db.models import Count

    from proposals.models import Proposal, State

    counts = dict.fromkeys(State.values, 0)
    counts.update(Proposal.objects.values_list("state").annotate(n=Count("pk")).order_by())
    return counts


def _overdue_deadlines():
    """Items past their due date, per registered deadline kind (notifications.deadlines)."""
    from notifications import deadlines

    today = timezone.localdate()
    directory = deadlines.Directory()
    overdue = {}
    for kind in deadlines.kinds():
        count = 0
        for page in kind.batches(due_by=today - timedelta(days=1), directory=directory):
            count += sum(1 for item in page if item.due is not None and item.due < today)
        overdue[kind.key] = count
    return overdue


def _outbox():
    try:
        from notifications.selectors import outbox_backlog
    except ImportError:  # the outbox is not on this version yet
        return None
    return outbox_backlog().as_dict()


def _task_failures():
    from django.db.models import Count

    from .models import TaskFailure

    since = timezone.now() - timedelta(hours=24)
    total = dict(TaskFailure.objects.values_list("task").annotate(n=Count("pk")).order_by())
    recent = dict(
        TaskFailure.objects.filter(failed_at__gte=since)
        .values_list("task")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return total, recent


def snapshot() -> dict:
    """KL14's figures, cached for a few seconds (scrapes from several Prometheus servers, or
    every web process, read the database once)."""
    from django.core.cache import cache

    key = "kl14:metrics:snapshot"
    data = cache.get(key)
    if data is None:
        started = time.monotonic()
        total, recent = _task_failures()
        data = {
            "states": _proposal_states(),
            "overdue": _overdue_deadlines(),
            "outbox": _outbox(),
            "task_failures": total,
            "task_failures_24h": recent,
            "seconds": time.monotonic() - started,
        }
        cache.set(key, data, settings.KL14_METRICS_CACHE_SECONDS)
    return data


class KL14Collector:
    """Yields KL14's metrics at each scrape (prometheus_client's custom collector protocol)."""

    def describe(self):
        # Without describe(), registering would call collect() — and read the database while
        # the app starts (before migrations, in every management command).
        return []

    def collect(self):
        try:
            data = snapshot()
        except Exception:
            # A scrape must not fail because a figure could not be read: say so as a metric.
            logger.exception("metrics: KL14's figures could not be read")
            up = GaugeMetricFamily("kl14_metrics_up", "1 when KL14's figures could be read")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("kl14_metrics_up", "1 when KL14's figures could be read")
        up.add_metric([], 1)
        yield up
        states = GaugeMetricFamily(
            "kl14_proposals", "Proposals in each state of the life cycle", labels=["state"]
        )
        for state, count in sorted(data["states"].items()):
            states.add_metric([state], count)
        yield states
        overdue = GaugeMetricFamily(
            "kl14_deadlines_overdue", "Open items past their deadline, per kind", labels=["kind"]
        )
        for kind, count in sorted(data["overdue"].items()):
            overdue.add_metric([kind], count)
        yield overdue
        if data["outbox"] is not None:
            outbox = data["outbox"]
            for name, help_text in (
                ("pending", "E-mails in the outbox waiting to be sent"),
                ("retrying", "E-mails in the outbox that failed and will be retried"),
                ("failed", "E-mails in the outbox that gave up"),
                ("oldest_pending_age", "Age in seconds of the oldest e-mail waiting (0: none)"),
            ):
                gauge = GaugeMetricFamily(f"kl14_outbox_{name}", help_text)
                gauge.add_metric([], float(outbox.get(name) or 0))
                yield gauge
        failures = CounterMetricFamily(
            "kl14_task_failures", "Celery tasks that raised, per task", labels=["task"]
        )
        for task, count in sorted(data["task_failures"].items()):
            failures.add_metric([task], count)
        yield failures
        recent = GaugeMetricFamily(
            "kl14_task_failures_last_24h",
            "Celery tasks that raised in the last 24 hours",
            labels=["task"],
        )
        for task, count in sorted(data["task_failures_24h"].items()):
            recent.add_metric([task], count)
        yield recent
        took = GaugeMetricFamily(
            "kl14_metrics_read_seconds", "Time taken to read KL14's figures from the database"
        )
        took.add_metric([], data["seconds"])
        yield took


_collector = KL14Collector()


def register_collector():
    if _collector not in REGISTRY._collector_to_names:
        REGISTRY.register(_collector)


def allowed(request) -> bool:
    """A scrape is allowed with the bearer token KL14_METRICS_TOKEN, or from an address in
    KL14_METRICS_ALLOWED_IPS (the socket's address: a header cannot fake it). With neither
    configured, nobody is: the endpoint is off."""
    token = settings.KL14_METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[len("Bearer ") :].encode(), token.encode())
    address = request.META.get("REMOTE_ADDR", "")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.KL14_METRICS_ALLOWED_NETWORKS)


@never_cache
def metrics_view(request):
    """GET /metrics: the Prometheus text format, to allowed scrapers only (404 to anyone else,
    like every page someone may not see)."""
    if not allowed(request):
        raise Http404
    from django_prometheus.exports import ExportToDjangoView

    response = ExportToDjangoView(request)
    return response if isinstance(response, HttpResponse) else HttpResponse(response)
