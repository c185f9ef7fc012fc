"""On PostgreSQL a frozen plan version cannot be rewritten or deleted, whoever connects."""

import pytest
from django.db import DatabaseError, connection, transaction

from pilots.models import PlanVersion

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def test_plan_versions_refuse_update_and_delete(postgres, running):
    version = PlanVersion.objects.filter(plan__proposal=running).first()
    for statement in (
        "UPDATE pilots_planversion SET content_hash = 'x' WHERE id = %s",
        "DELETE FROM pilots_planversion WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [version.pk])
    assert PlanVersion.objects.filter(pk=version.pk, content_hash=version.content_hash).exists()
