from types import SimpleNamespace

import pytest

from tests.factories.units import grant
from units.models import Role


@pytest.fixture
def org(tree):
    """The agency (code P-A: symbol "A") with its head (titled "Giám đốc"), deputies, cadres and
    Party committee member; the commune's head, who may not see the agency's proposals."""
    agency = tree["agency"]
    head = grant(agency, Role.HEAD, username="head", full_name="Trần Văn Giám")
    head.memberships.filter(unit=agency, role=Role.HEAD).update(title="Giám đốc")
    return SimpleNamespace(
        tree=tree,
        agency=agency,
        province=tree["province"],
        commune=tree["commune"],
        head=head,
        deputy1=grant(agency, Role.DEPUTY, username="deputy1"),
        deputy2=grant(agency, Role.DEPUTY, username="deputy2"),
        cadre=grant(agency, Role.CADRE, username="cadre", full_name="Lê Thị Sáng"),
        party=grant(agency, Role.PARTY_COMMITTEE, username="party"),
        commune_head=grant(tree["commune"], Role.HEAD, username="commune_head"),
        commune_cadre=grant(tree["commune"], Role.CADRE, username="commune_cadre"),
        commune_party=grant(tree["commune"], Role.PARTY_COMMITTEE, username="commune_party"),
    )
