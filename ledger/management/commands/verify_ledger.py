from django.core.management.base import BaseCommand, CommandError

from proposals.models import Proposal
from proposals.selectors import proposal_verify


class Command(BaseCommand):
    help = (
        "Recompute every proposal's ledger chain (or one, with --proposal CODE) and name the first "
    )
    help += "broken entry. Exits 1 when any chain is broken."

    def add_arguments(self, parser):
        parser.add_argument("--proposal", metavar="CODE", help="Verify only this proposal.")

    def handle(self, *args, proposal=None, **options):
        proposals = Proposal.objects.filter(version__gt=0).order_by("pk")
        if proposal:
            proposals = Proposal.objects.filter(code=proposal)
            if not proposals.exists():
                raise CommandError(f"No proposal with code {proposal}.")
        broken = 0
        checked = 0
        for item in proposals.iterator():
            result = proposal_verify(item)
            checked += 1
            if result.valid:
                self.stdout.write(
                    f"OK      {item.code}  {result.entries} entries  head {result.head}"
                )
            else:
                broken += 1
                self.stdout.write(
                    f"BROKEN  {item.code}  first bad entry: seq {result.first_bad_seq} "
                    f"of {result.entries}"
                )
        self.stdout.write(f"{checked} checked, {broken} broken.")
        if broken:
            raise SystemExit(1)
