"""Runs the reminder sweep now, as the hourly task does: to catch up by hand after an outage, or
to sweep a large country with `--parts N` processes side by side (PostgreSQL), each a share of
the items (`notifications.services.reminders_sweep`). Prints one line per part and the total;
exits with 1 if a deadline kind failed in any part (the others were swept)."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from kl14.processes import forked_pool
from notifications.services import SweepError, SweepReport, reminders_sweep, sweep_key_ranges


def sweep_part(args: tuple[date, int, int, dict | None]) -> tuple[SweepReport, str | None]:
    """One part, in whichever process runs it: its report, or the failure of some kind."""
    day, part, parts, key_ranges = args
    try:
        return reminders_sweep(today=day, part=part, parts=parts, key_ranges=key_ranges), None
    except SweepError as error:
        return error.report, str(error)  # what the part's other kinds sent


class Command(BaseCommand):
    help = "Sends today's reminders (or those of --day), in --parts processes side by side."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="the day to sweep, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--parts",
            type=int,
            default=1,
            help="processes sweeping side by side, each a share of the items (PostgreSQL)",
        )

    def handle(self, *args, day=None, parts=1, **options):
        try:
            today = date.fromisoformat(day) if day else timezone.localdate()
        except ValueError:
            raise CommandError(f"--day: not a date (YYYY-MM-DD): {day}") from None
        if parts < 1:
            raise CommandError("--parts: at least 1")
        started = time.monotonic()
        # The ranges the parts cut, read once here: every part cuts the same.
        key_ranges = sweep_key_ranges(today=today) if parts > 1 else None
        shares = [(today, part, parts, key_ranges) for part in range(parts)]
        # Forked processes only where each can write on a connection of its own at the same
        # time (SQLite allows one writer), and not inside a caller's transaction.
        if parts > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
            with forked_pool(parts) as pool:
                results = pool.map(sweep_part, shares)
        else:
            results = [sweep_part(share) for share in shares]
        total = SweepReport(day=today, working_day=results[0][0].working_day)
        failures = []
        for part, (report, failure) in enumerate(results, start=1):
            total.add(report)
            self.stdout.write(f"part {part} of {parts}: {_figures(report)}")
            if failure:
                failures.append(f"part {part}: {failure}")
        self.stdout.write(f"total: {_figures(total)} in {time.monotonic() - started:.1f} s")
        if failures:
            self.stderr.write("\n".join(failures))
            raise SystemExit(1)


def _figures(report: SweepReport) -> str:
    if not report.working_day:
        return f"{report.day.isoformat()} is not a working day: nothing to send"
    return (
        f"{report.items} items, {report.reminders} reminders, {report.emails} e-mails "
        f"written to the outbox"
    )
