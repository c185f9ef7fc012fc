"""The registry of deadline kinds, and the query count of a sweep: it follows pages, not items."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import deadlines
from notifications.deadlines import DeadlineItem, DeadlineKind, Directory
from notifications.models import Notification, Reminder
from notifications.services import reminders_sweep
from proposals.deadlines import DecisionDeadline
from units.models import Role, Unit

from .conftest import DUE

pytestmark = pytest.mark.django_db


class UnitAuditDeadline(DeadlineKind):
    """A test-only kind: every unit coded P-… owes an audit on DUE, the head is responsible."""

    key = "tests.unit_audit"
    label = "Unit audit"

    def queryset(self, *, due_by):
        return Unit.objects.filter(code__startswith="P-") if due_by >= DUE else Unit.objects.none()

    def describe(self, objects, *, directory):
        heads = directory.members([u.pk for u in objects], [Role.HEAD])
        parents = directory.parent_ids(objects)
        return [
            DeadlineItem(
                item_id=u.pk,
                due=DUE,
                subject=u.code,
                url=f"/units/{u.pk}/",
                unit_id=u.pk,
                unit_name=u.name,
                responsible_ids=heads[u.pk],
                escalation_unit_id=parents[u.pk],
            )
            for u in objects
        ]


@pytest.fixture
def audit_kind():
    deadlines.register(UnitAuditDeadline)
    yield deadlines.get("tests.unit_audit")
    deadlines.unregister("tests.unit_audit")


def test_apps_register_their_kinds_by_autodiscovery(registry):
    assert isinstance(registry["proposals.decision"], DecisionDeadline)


@pytest.mark.parametrize("parts", [1, 2])
def test_every_registered_kind_can_be_swept(registry, monkeypatch, make_proposal, people, parts):
    """Whatever the apps register: a kind that cannot even build its query (or cut it into
    parts, KL14_SWEEP_PARTS) fails here."""
    monkeypatch.setattr(deadlines, "_registry", dict(registry))
    make_proposal()
    make_proposal()
    for day in (date(2026, 4, 28), DUE, date(2026, 5, 5)):
        items = sum(reminders_sweep(today=day, part=i, parts=parts).items for i in range(parts))
        assert items == reminders_sweep(today=day).items  # the parts together: every item once


def test_a_kind_needs_a_key():
    with pytest.raises(ValueError):
        deadlines.register(DeadlineKind())


def test_several_kinds_in_one_sweep(audit_kind, make_proposal, people):
    make_proposal()
    report = reminders_sweep(today=DUE)
    assert report.items == 1 + 3  # the proposal; the agency, the office and the commune
    kinds = set(Reminder.objects.values_list("deadline", flat=True))
    assert kinds == {"proposals.decision", "tests.unit_audit"}
    # The agency's and the office's heads get the audit reminder; the commune has no head.
    audit = Notification.objects.filter(reminder__deadline="tests.unit_audit")
    assert {n.recipient.username for n in audit} == {"agency_head", "office_head"}
    titles = {n.recipient.username: n.title for n in audit}
    assert titles == {
        "office_head": "Đến hạn: Unit audit — P-A-O",
        "agency_head": "Due now: Unit audit — P-A",  # who reads English
    }


def test_directory_reads_each_unit_once(tree, people):
    directory = Directory()
    with CaptureQueriesContext(connection) as first:
        heads = directory.members([tree["office"].pk, tree["agency"].pk], [Role.HEAD])
    with CaptureQueriesContext(connection) as again:
        directory.members([tree["office"].pk], [Role.HEAD])
        directory.oversight([tree["agency"].pk])  # the board is new: one more query
    assert heads[tree["office"].pk] == {people.office_head.pk}
    assert (len(first), len(again)) == (1, 1)


def test_query_count_follows_batches_not_items(make_proposal, people, monkeypatch):
    monkeypatch.setattr(deadlines.get("proposals.decision"), "batch_size", 5)
    counts, reruns = [], []
    for proposals in (5, 5, 5):  # 5, 10, 15 proposals: 1, 2 and 3 full pages (and a last look)
        for _ in range(proposals):
            make_proposal()
        Reminder.objects.all().delete()
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            report = reminders_sweep(today=date(2026, 5, 5))
        counts.append(len(queries))
        assert report.notifications == 3 * report.items
        with CaptureQueriesContext(connection) as queries:
            reminders_sweep(today=date(2026, 5, 5))
        reruns.append(len(queries))
    # page, what was already sent, SAVEPOINT, INSERT reminders (RETURNING the ones this batch
    # won), INSERT notifications, INSERT their outbox e-mails, RELEASE
    assert counts[2] - counts[1] == counts[1] - counts[0] == 7
    # A re-run finds everything sent: the page and one look per batch, no transaction.
    assert reruns[2] - reruns[1] == reruns[1] - reruns[0] == 2


def test_query_count_does_not_depend_on_the_items_in_a_batch(make_proposal, people):
    counts = []
    for proposals in (2, 20):
        for _ in range(proposals):
            make_proposal()
        Reminder.objects.all().delete()
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            reminders_sweep(today=date(2026, 5, 5))
        counts.append(len(queries))
    assert counts[0] == counts[1]


class BrokenDeadline(DeadlineKind):
    key = "tests.aaa_broken"  # swept first
    label = "Broken"

    def queryset(self, *, due_by):
        raise RuntimeError("a bug in another app")


def test_a_broken_kind_does_not_silence_the_others(make_proposal, people):
    from notifications.services import SweepError

    make_proposal()
    deadlines.register(BrokenDeadline)
    try:
        with pytest.raises(SweepError, match=r"tests\.aaa_broken"):
            reminders_sweep(today=DUE)
    finally:
        deadlines.unregister(BrokenDeadline.key)
    assert Notification.objects.filter(kind="due").count() == 1
