import pytest

from proposals.models import State
from tests.factories.proposals import ProposalFactory, in_state
from tests.factories.units import UnitFactory, grant
from units.models import Role

pytestmark = pytest.mark.django_db


def test_the_generic_replicate_form_offers_only_the_boards_subtree(client):
    province = UnitFactory(code="T")
    agency = UnitFactory(code="T-S", parent=province)
    commune = UnitFactory(code="T-X", parent=agency)
    elsewhere = UnitFactory(code="K")
    author = grant(agency, Role.CADRE)
    board = grant(agency, Role.ORGANIZATION_BOARD)
    source = in_state(ProposalFactory(home_unit=agency, created_by=author), State.SUCCEEDED)
    client.force_login(board)
    response = client.get(f"/proposals/{source.pk}/actions/replicate/")
    assert response.status_code == 200
    offered = set(response.context["form"].fields["target_units"].queryset)
    assert offered == {commune}
    assert elsewhere.name not in response.content.decode()
