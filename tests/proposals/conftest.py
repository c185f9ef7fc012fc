from types import SimpleNamespace

import pytest

from tests.factories.proposals import ProposalFactory
from tests.factories.units import grant
from units.models import Role


@pytest.fixture
def org(tree):
    """People of the agency (head, two deputies, two cadres, Party committee member), an inspector
    and an organization board member of the province, the commune's head and cadre, and the
    province's head (the agency's superior unit is the province)."""
    agency, province, commune = tree["agency"], tree["province"], tree["commune"]
    return SimpleNamespace(
        tree=tree,
        agency=agency,
        province=province,
        commune=commune,
        head=grant(agency, Role.HEAD, username="head"),
        deputy1=grant(agency, Role.DEPUTY, username="deputy1"),
        deputy2=grant(agency, Role.DEPUTY, username="deputy2"),
        cadre=grant(agency, Role.CADRE, username="cadre"),
        cadre2=grant(agency, Role.CADRE, username="cadre2"),
        party=grant(agency, Role.PARTY_COMMITTEE, username="party"),
        inspector=grant(province, Role.INSPECTOR, username="inspector"),
        orgboard=grant(province, Role.ORGANIZATION_BOARD, username="orgboard"),
        province_head=grant(province, Role.HEAD, username="province_head"),
        province_party=grant(province, Role.PARTY_COMMITTEE, username="province_party"),
        commune_head=grant(commune, Role.HEAD, username="commune_head"),
        commune_cadre=grant(commune, Role.CADRE, username="commune_cadre"),
    )


@pytest.fixture
def draft(org):
    return ProposalFactory(home_unit=org.agency, created_by=org.cadre)
