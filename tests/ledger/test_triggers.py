"""On PostgreSQL the database itself refuses to rewrite the ledger and the frozen versions: UPDATE
and DELETE raise, whoever connects (django-pgtrigger). Only a superuser can switch triggers off;
tests/ledger/test_tamper_matrix.py shows verification still catches what they change."""

import pytest
from django.db import DatabaseError, connection, transaction

from ledger.checkpoints import checkpoint_create
from ledger.models import Checkpoint, LedgerEntry
from proposals.models import ProposalVersion
from tests.factories.reviews import decided
from tests.ledger.tamper import tampering

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def refused(statement, params):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def protected(postgres, org, proposal):
    return decided(proposal, head=org.head, party=org.party)


@pytest.mark.parametrize(
    ("model", "column"),
    [(LedgerEntry, "event"), (ProposalVersion, "content_hash"), (Checkpoint, "root")],
)
def test_update_and_delete_are_refused(protected, model, column):
    checkpoint_create(reason="manual")
    table = model._meta.db_table
    row = model.objects.order_by("pk").first()
    refused(f"UPDATE {table} SET {column} = 'x' WHERE id = %s", [row.pk])  # noqa: S608
    refused(f"DELETE FROM {table} WHERE id = %s", [row.pk])  # noqa: S608
    assert model.objects.filter(pk=row.pk).exists()


def test_inserting_still_works_and_a_superuser_can_get_past(protected):
    entry = LedgerEntry.objects.filter(proposal=protected).first()
    with tampering() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET event = 'forged' WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.event == "forged"
