"""Recomputes the dashboard's roll-ups from the rows (reviews/rollups.py): after a bulk load that
bypassed the services (bench/national.py), or as a repair. `--check` only compares and says how
many counters differ (exit status 1 if any). Output in English, for operators (as
verify_ledger's)."""

import time

from django.core.management.base import BaseCommand, CommandError

from reviews import rollups


class Command(BaseCommand):
    help = "Recompute the organization board dashboard's roll-ups from the rows."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="compare with a recount, change nothing"
        )

    def handle(self, *args, check=False, **options):
        started = time.monotonic()
        if check:
            expected, current = rollups.expected(), rollups.current()
            cells = expected.keys() | current.keys()
            wrong = {cell for cell in cells if expected.get(cell) != current.get(cell)}
            for cell in sorted(wrong)[:20]:
                self.stdout.write(
                    f"DIFFERS  {cell}: table {current.get(cell)}, rows {expected.get(cell)}"
                )
            if wrong:
                raise CommandError(f"{len(wrong)} roll-up counters differ from the rows")
            self.stdout.write(f"OK  {len(expected)} counters ({time.monotonic() - started:.1f} s)")
            return
        counters, shares = rollups.rebuild()
        self.stdout.write(
            f"Rebuilt {counters} counters from {shares} proposals "
            f"in {time.monotonic() - started:.1f} s"
        )
