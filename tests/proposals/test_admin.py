import pytest
from django.urls import reverse

from ledger.models import LedgerEntry
from tests.factories.proposals import ProposalFactory, submitted
from tests.factories.units import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def test_the_admin_offers_no_way_to_change_the_ledger(client, org, superuser):
    proposal = submitted(ProposalFactory(home_unit=org.agency, created_by=org.cadre), org.cadre)
    entry = LedgerEntry.objects.get(proposal=proposal)
    changelist = client.get(reverse("admin:ledger_ledgerentry_changelist"))
    assert changelist.status_code == 200
    step = '<td class="field-step">Trình người đứng đầu đơn vị</td>'  # the step, not its code
    assert step in changelist.content.decode()
    change = reverse("admin:ledger_ledgerentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200  # view only
    assert client.post(change, {"event": "forged"}).status_code == 403
    delete = reverse("admin:ledger_ledgerentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:ledger_ledgerentry_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.event == "submit"


def test_proposals_are_read_only_in_the_admin(client, org, superuser):
    proposal = submitted(ProposalFactory(home_unit=org.agency, created_by=org.cadre), org.cadre)
    change = reverse("admin:proposals_proposal_change", args=[proposal.pk])
    assert client.post(change, {"title": "x"}).status_code == 403
    delete = reverse("admin:proposals_proposal_delete", args=[proposal.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
