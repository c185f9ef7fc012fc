"""The sweep in parts (KL14_SWEEP_PARTS, `sweep_reminders --parts N`): the parts share the items
out, each exactly once, and together send what one sweep sends; the hourly task hands the parts
out as tasks; the command runs them in processes side by side on PostgreSQL."""

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from notifications import deadlines
from notifications.deadlines import Directory
from notifications.models import Notification, OutboxEmail, Reminder
from notifications.services import reminders_sweep, sweep_key_ranges
from notifications.tasks import sweep_reminders

from .conftest import DUE

OVERDUE_DAY = date(2026, 5, 6)  # two working days after DUE: overdue reminders and escalations


def sent():
    """What the sweeps sent: every reminder's key, and each notification's and e-mail's."""
    return (
        sorted(Reminder.objects.values_list("deadline", "item_id", "kind", "recipient_id", "day")),
        sorted(Notification.objects.values_list("reminder__item_id", "recipient_id", "title")),
        sorted(OutboxEmail.objects.values_list("notification__reminder__item_id", "recipient_id")),
    )


def forget():
    OutboxEmail.objects.all().delete()
    Notification.objects.all().delete()
    Reminder.objects.all().delete()


@pytest.fixture
def seven(make_proposal, people):
    """Seven proposals: four due on DUE, three a day later (overdue, or due, on OVERDUE_DAY)."""
    return [make_proposal(due=DUE + timedelta(days=i % 2)) for i in range(7)]


@pytest.mark.django_db
@pytest.mark.parametrize("parts", [2, 3])
def test_the_parts_share_the_items_out_and_send_what_one_sweep_sends(seven, parts):
    reports = [reminders_sweep(today=OVERDUE_DAY, part=i, parts=parts) for i in range(parts)]
    by_parts = sent()
    forget()
    whole = reminders_sweep(today=OVERDUE_DAY)

    assert by_parts == sent() and by_parts[0]
    assert all(r.items for r in reports)  # every part had some
    assert sum(r.items for r in reports) == whole.items == 7
    assert sum(r.reminders for r in reports) == whole.reminders == len(by_parts[0])


@pytest.mark.django_db
def test_each_item_belongs_to_one_part(seven, monkeypatch):
    """The items each part sees, read from the batches themselves."""
    kind = deadlines.get("proposals.decision")
    monkeypatch.setattr(kind, "batch_size", 2)  # several pages per part

    def items(**part):
        batches = kind.batches(due_by=OVERDUE_DAY, directory=Directory(), **part)
        return [item.item_id for batch in batches for item in batch]

    keys = kind.key_range(due_by=OVERDUE_DAY)
    assert keys == (seven[0].pk, seven[-1].pk)
    seen = [items(part=i, parts=3, keys=keys) for i in range(3)]
    assert seen[0] + seen[1] + seen[2] == items() == sorted(p.pk for p in seven)
    assert [len(part) for part in seen] == [3, 3, 1]  # equal ranges of the keys, rounded up
    # No keys (there was no item when the parts were handed out): the first part takes all.
    assert [items(part=i, parts=3, keys=None) for i in range(3)] == [items(), [], []]


@pytest.mark.django_db
def test_the_parts_cut_the_ranges_read_when_they_were_handed_out(seven, make_proposal):
    """Items come and go while the parts wait for a worker: every part still cuts the ranges
    read once, so none is swept twice or missed; the newer items fall to the last part."""
    ranges = sweep_key_ranges(today=OVERDUE_DAY)
    newer = [make_proposal(), make_proposal()]
    # One item goes (its deadline moved out of the window: no reminder due).
    type(seven[3]).objects.filter(pk=seven[3].pk).update(decision_due=date(2026, 6, 30))
    reports = [
        reminders_sweep(today=OVERDUE_DAY, part=i, parts=2, key_ranges=ranges) for i in range(2)
    ]
    by_parts = sent()
    forget()
    whole = reminders_sweep(today=OVERDUE_DAY)
    assert [r.items for r in reports] == [3, 5] and whole.items == 8
    assert by_parts == sent()
    assert {p.pk for p in newer} <= {item for _d, item, *_rest in by_parts[0]}


@pytest.mark.django_db
def test_a_part_of_nothing_is_nothing(people):
    reports = [reminders_sweep(today=OVERDUE_DAY, part=i, parts=2) for i in range(2)]
    assert [r.items for r in reports] == [0, 0]


@pytest.mark.django_db
@pytest.mark.parametrize(("part", "parts"), [(2, 2), (-1, 2), (0, 0)])
def test_a_part_outside_the_parts_is_refused(part, parts):
    with pytest.raises(ValueError):
        reminders_sweep(today=OVERDUE_DAY, part=part, parts=parts)
    assert not Reminder.objects.exists()


@pytest.mark.django_db
def test_the_hourly_task_hands_the_parts_out_as_tasks(seven, settings, monkeypatch):
    settings.KL14_SWEEP_PARTS = 2
    handed = []
    original = sweep_reminders.delay

    def delay(*args, **kwargs):
        handed.append(args)
        return original(*args, **kwargs)  # eager in the tests: the part runs here

    monkeypatch.setattr(sweep_reminders, "delay", delay)
    assert sweep_reminders.delay(OVERDUE_DAY.isoformat()).get() == {
        "day": "2026-05-06",
        "parts": 2,
    }
    ranges = {"proposals.decision": (seven[0].pk, seven[-1].pk)}
    assert handed == [("2026-05-06",), ("2026-05-06", 0, 2, ranges), ("2026-05-06", 1, 2, ranges)]
    by_parts = sent()
    forget()
    reminders_sweep(today=OVERDUE_DAY)
    assert by_parts == sent() and by_parts[0]


@pytest.mark.django_db
def test_a_part_task_reads_its_ranges_as_the_broker_delivers_them(seven):
    """Through a real broker the arguments travel as JSON: the pairs arrive as lists."""
    import json

    ranges = sweep_key_ranges(today=OVERDUE_DAY)
    delivered = json.loads(json.dumps([OVERDUE_DAY.isoformat(), 1, 2, ranges]))
    assert delivered[3]["proposals.decision"] == [seven[0].pk, seven[-1].pk]
    first = reminders_sweep(today=OVERDUE_DAY, part=0, parts=2, key_ranges=ranges)
    assert sweep_reminders(*delivered)["items"] == 7 - first.items == 3


@pytest.mark.django_db
def test_a_part_the_broker_refused_is_swept_by_the_next_run(seven, settings, monkeypatch):
    """The broker takes the first part and fails on the second: the task fails (and is seen);
    the next hour's run sends the rest, and what the first part sent is not sent again."""
    from kombu.exceptions import OperationalError

    settings.KL14_SWEEP_PARTS = 2
    original = sweep_reminders.delay

    def delay(*args, **kwargs):
        if args[1:3] == (1, 2):
            raise OperationalError("broker gone")
        return original(*args, **kwargs)

    monkeypatch.setattr(sweep_reminders, "delay", delay)
    with pytest.raises(OperationalError):
        sweep_reminders(OVERDUE_DAY.isoformat())
    first = Reminder.objects.count()
    monkeypatch.setattr(sweep_reminders, "delay", original)  # the broker is back
    sweep_reminders.delay(OVERDUE_DAY.isoformat()).get()
    by_parts = sent()
    forget()
    whole = reminders_sweep(today=OVERDUE_DAY)
    assert 0 < first < whole.reminders
    assert by_parts == sent()


@pytest.mark.django_db
def test_the_command_sweeps_in_parts_and_says_what_it_sent(seven, capsys):
    call_command("sweep_reminders", "--day", OVERDUE_DAY.isoformat(), "--parts", "2")
    out = capsys.readouterr().out.splitlines()
    by_parts = sent()
    forget()
    whole = reminders_sweep(today=OVERDUE_DAY)
    assert by_parts == sent()
    assert out[0].startswith("part 1 of 2: ") and out[1].startswith("part 2 of 2: ")
    assert out[2].startswith(
        f"total: 7 items, {whole.reminders} reminders, {whole.emails} e-mails written"
    )


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_command_runs_its_parts_in_processes_side_by_side(
    postgres, seven, capsys, monkeypatch
):
    """Forked processes, each on a connection of its own (kl14.processes): the same reminders."""
    from kl14 import processes

    forks = []
    real = processes.forked_pool

    def spy(workers):
        forks.append(workers)
        return real(workers)

    monkeypatch.setattr("notifications.management.commands.sweep_reminders.forked_pool", spy)
    call_command("sweep_reminders", "--day", OVERDUE_DAY.isoformat(), "--parts", "2")
    by_parts = sent()
    forget()
    whole = reminders_sweep(today=OVERDUE_DAY)
    assert forks == [2]
    assert by_parts == sent() and len(by_parts[0]) == whole.reminders > 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("total: 7 items")


@pytest.mark.django_db
def test_the_command_refuses_what_it_cannot_read():
    with pytest.raises(CommandError, match="not a date"):
        call_command("sweep_reminders", "--day", "2026-13-01")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("sweep_reminders", "--parts", "0")
    assert not Reminder.objects.exists()


@pytest.mark.django_db
def test_a_failing_kind_fails_the_command_after_the_others_were_swept(seven, monkeypatch, capsys):
    from notifications.deadlines import DeadlineKind

    class Broken(DeadlineKind):
        key = "tests.aaa_broken"
        label = "Broken"

        def queryset(self, *, due_by):
            raise RuntimeError("a bug in another app")

    deadlines.register(Broken)
    with pytest.raises(SystemExit) as exit_:
        call_command("sweep_reminders", "--day", OVERDUE_DAY.isoformat(), "--parts", "2")
    assert exit_.value.code == 1
    out, err = capsys.readouterr()
    assert "tests.aaa_broken" in err
    # Every part counts what its other kinds sent: the total is the whole decision kind's.
    sent_reminders = Reminder.objects.filter(deadline="proposals.decision").count()
    assert sent_reminders > 0
    assert f"total: 7 items, {sent_reminders} reminders" in out.splitlines()[-1]
