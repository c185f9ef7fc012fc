import pytest

from proposals.models import State
from reviews.forms import ReplicationRequestForm
from tests.factories.proposals import ProposalFactory, in_state
from tests.factories.units import UnitFactory, grant
from units.models import Role

pytestmark = pytest.mark.django_db


def test_the_replication_request_offers_only_the_boards_subtree(client):
    province = UnitFactory(code="T")
    agency = UnitFactory(code="T-S", parent=province)
    commune = UnitFactory(code="T-X", parent=agency)
    elsewhere = UnitFactory(code="K")
    author = grant(agency, Role.CADRE)
    board = grant(agency, Role.ORGANIZATION_BOARD)
    source = in_state(ProposalFactory(home_unit=agency, created_by=author), State.SUCCEEDED)
    form = ReplicationRequestForm(user=board, source=source)
    assert set(form.fields["target_units"].queryset) == {commune}
    client.force_login(board)
    page = client.get(f"/reviews/{source.pk}/replication/").content.decode()
    assert commune.name in page and elsewhere.name not in page
    # The generic transition page of `replicate` is gone: the board proposes, it does not direct.
    assert client.get(f"/proposals/{source.pk}/actions/replicate/").status_code == 404
