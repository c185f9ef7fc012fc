from types import SimpleNamespace

import pytest

from tests.factories.proposals import ProposalFactory
from tests.factories.units import UnitFactory, grant
from units.models import Role, Unit


@pytest.fixture
def org(tree):
    """The agency's people (head, deputy, two cadres, Party committee), the province's inspector,
    organization board and head, an inspector and an organization board of the agency itself, and
    two communes with their heads and cadres. Proposals start in the agency (decided there)."""
    province, agency, commune = tree["province"], tree["agency"], tree["commune"]
    commune2 = Unit.objects.get(pk=UnitFactory(code="P-C2", name="Xã Hai", parent=province).pk)
    return SimpleNamespace(
        tree=tree,
        province=province,
        agency=agency,
        office=tree["office"],
        commune=commune,
        commune2=commune2,
        head=grant(agency, Role.HEAD, username="head", full_name="Trần Văn Hùng"),
        deputy=grant(agency, Role.DEPUTY, username="deputy"),
        cadre=grant(agency, Role.CADRE, username="cadre", full_name="Nguyễn Thị Hương"),
        cadre2=grant(agency, Role.CADRE, username="cadre2", full_name="Lê Văn Đức"),
        party=grant(agency, Role.PARTY_COMMITTEE, username="party"),
        agency_inspector=grant(agency, Role.INSPECTOR, username="agency_inspector"),
        agency_board=grant(agency, Role.ORGANIZATION_BOARD, username="agency_board"),
        inspector=grant(province, Role.INSPECTOR, username="inspector"),
        orgboard=grant(province, Role.ORGANIZATION_BOARD, username="orgboard"),
        province_head=grant(province, Role.HEAD, username="province_head"),
        commune_head=grant(commune, Role.HEAD, username="commune_head"),
        commune_cadre=grant(commune, Role.CADRE, username="commune_cadre"),
        commune_inspector=grant(commune, Role.INSPECTOR, username="commune_inspector"),
        commune_board=grant(commune, Role.ORGANIZATION_BOARD, username="commune_board"),
        commune2_head=grant(commune2, Role.HEAD, username="commune2_head"),
    )


@pytest.fixture
def proposal(org):
    """A proposal of the agency by two co-authors (cadre and cadre2)."""
    p = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
    from proposals.models import ProposalAuthor

    ProposalAuthor.objects.create(proposal=p, user=org.cadre2)
    return p
