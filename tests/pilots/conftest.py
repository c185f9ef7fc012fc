from types import SimpleNamespace

import pytest

from tests.factories.pilots import approved_proposal, running_pilot
from tests.factories.units import grant
from units.models import Role


@pytest.fixture
def org(tree):
    """The agency's head, deputies, cadres and Party committee member (the home unit of the
    proposals); inspectors of the province (above the agency), of the agency itself and of the
    commune (another subtree); the province's and the commune's heads."""
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
        agency_inspector=grant(agency, Role.INSPECTOR, username="agency_inspector"),
        commune_inspector=grant(commune, Role.INSPECTOR, username="commune_inspector"),
        orgboard=grant(province, Role.ORGANIZATION_BOARD, username="orgboard"),
        province_head=grant(province, Role.HEAD, username="province_head"),
        province_party=grant(province, Role.PARTY_COMMITTEE, username="province_party"),
        commune_head=grant(commune, Role.HEAD, username="commune_head"),
        commune_cadre=grant(commune, Role.CADRE, username="commune_cadre"),
    )


@pytest.fixture
def approved(org):
    return approved_proposal(org)


@pytest.fixture
def running(org):
    return running_pilot(org)
