"""Proposal.decided_due: the decision due date at approval or rejection, filled for decided
proposals from their last submit or escalate ledger entry (what the dashboard read until now)."""

import datetime

from django.db import migrations, models


def fill(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    LedgerEntry = apps.get_model("ledger", "LedgerEntry")
    decided = Proposal.objects.filter(decided_at__isnull=False, submitted_at__isnull=False)
    for pk in decided.values_list("pk", flat=True).iterator():
        payload = (
            LedgerEntry.objects.filter(proposal_id=pk, event__in=("submit", "escalate"))
            .order_by("-seq")
            .values_list("payload", flat=True)
            .first()
        )
        due = (payload or {}).get("decision_due")
        if due:
            Proposal.objects.filter(pk=pk).update(decided_due=datetime.date.fromisoformat(due))


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0005_abuse_case"),
        ("ledger", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="decided_due",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="decision was due"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
