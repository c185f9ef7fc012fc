import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from kl14.files import orphan_uploads_delete
from kl14.tasks import delete_orphan_uploads
from proposals import services
from tests.factories.files import PDF
from tests.factories.proposals import ProposalFactory
from tests.factories.units import UnitFactory, grant
from units.models import Role

pytestmark = pytest.mark.django_db


def test_files_no_row_refers_to_are_deleted_once_old_enough():
    unit = UnitFactory()
    author = grant(unit, Role.CADRE)
    proposal = ProposalFactory(home_unit=unit, created_by=author)
    kept = services.attachment_add(
        proposal=proposal, actor=author, uploaded=ContentFile(PDF, name="ke-hoach.pdf")
    )
    # An upload whose transaction rolled back after the file was stored.
    with pytest.raises(RuntimeError), transaction.atomic():
        services.attachment_add(
            proposal=proposal, actor=author, uploaded=ContentFile(PDF, name="lost.pdf")
        )
        raise RuntimeError("the request failed after the upload")
    stored = {
        f"proposals/{proposal.pk}/{name}"
        for name in default_storage.listdir(f"proposals/{proposal.pk}")[1]
    }
    assert len(stored) == 2
    assert orphan_uploads_delete() == 0  # too young: it may still be in flight
    with time_machine.travel(datetime.timedelta(days=2)):
        assert delete_orphan_uploads.delay().get() == 1
    remaining = default_storage.listdir(f"proposals/{proposal.pk}")[1]
    assert [f"proposals/{proposal.pk}/{name}" for name in remaining] == [kept.file.name]


def test_orphan_evaluation_minutes_are_deleted_too():
    """Every folder of uploads is swept: the minutes of an evaluation meeting as well."""
    orphan = default_storage.save("evaluations/9/orphan.pdf", ContentFile(PDF))
    assert orphan_uploads_delete() == 0
    with time_machine.travel(datetime.timedelta(days=2)):
        assert orphan_uploads_delete() == 1
    assert not default_storage.exists(orphan)
