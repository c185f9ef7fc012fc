"""The conformance review of lifecycle.md: one unit tree, its people, and a way to drive a proposal
into any state of the lifecycle through the real services only (never `in_state`), so that every
ledger entry on the way is the one the application writes.

    province P (root) ── agency P-A ── office P-A-O
                      ├─ commune P-C
                      └─ commune2 P-C2

Two kinds of proposal are used throughout:
- a cadre's proposal of the agency: home unit = deciding unit = agency;
- the agency head's own proposal (with a cadre as co-author): home unit agency, deciding unit the
  province (Decree 73, Art. 7(4)), so "head of the home unit" and "head of the deciding unit" are
  different people and every "who" of lifecycle.md can be told apart.
"""

from types import SimpleNamespace

import pytest

from tests.factories.units import UnitFactory, grant
from units.models import Role, Unit

from .life import cadre_draft, drive, head_draft


def _unit(code, name, parent):
    return Unit.objects.get(pk=UnitFactory(code=code, name=name, parent=parent).pk)


@pytest.fixture
def org(tree):
    province, agency, office, commune = (
        tree["province"],
        tree["agency"],
        tree["office"],
        tree["commune"],
    )
    commune2 = _unit("P-C2", "Xã Hai", province)
    people = {
        # the agency: home unit of every proposal here
        "head": (agency, Role.HEAD),
        "deputy1": (agency, Role.DEPUTY),
        "deputy2": (agency, Role.DEPUTY),
        "cadre": (agency, Role.CADRE),
        "cadre2": (agency, Role.CADRE),
        "party": (agency, Role.PARTY_COMMITTEE),
        "a_inspector": (agency, Role.INSPECTOR),
        "a_board": (agency, Role.ORGANIZATION_BOARD),
        "a_admin": (agency, Role.ADMIN),
        # the province: the agency's superior unit, the root
        "p_head": (province, Role.HEAD),
        "p_deputy": (province, Role.DEPUTY),
        "p_cadre": (province, Role.CADRE),
        "p_party": (province, Role.PARTY_COMMITTEE),
        "p_inspector": (province, Role.INSPECTOR),
        "p_board": (province, Role.ORGANIZATION_BOARD),
        # Amendment 2026-11-29: decides what the organization board proposes.
        "p_standing": (province, Role.STANDING_COMMITTEE),
        "p_admin": (province, Role.ADMIN),
        # the office: under the agency
        "o_head": (office, Role.HEAD),
        "o_cadre": (office, Role.CADRE),
        "o_deputy": (office, Role.DEPUTY),
        "o_party": (office, Role.PARTY_COMMITTEE),
        "o_inspector": (office, Role.INSPECTOR),
        "o_board": (office, Role.ORGANIZATION_BOARD),
        # the communes: another subtree
        "c_head": (commune, Role.HEAD),
        "c_deputy": (commune, Role.DEPUTY),
        "c_cadre": (commune, Role.CADRE),
        "c_party": (commune, Role.PARTY_COMMITTEE),
        "c_inspector": (commune, Role.INSPECTOR),
        "c_board": (commune, Role.ORGANIZATION_BOARD),
        "c_admin": (commune, Role.ADMIN),
        "c2_head": (commune2, Role.HEAD),
    }
    users = {
        name: grant(unit, role, username=name, full_name=name.replace("_", " ").title())
        for name, (unit, role) in people.items()
    }
    return SimpleNamespace(
        province=province,
        agency=agency,
        office=office,
        commune=commune,
        commune2=commune2,
        people=people,
        **users,
    )


@pytest.fixture
def reach(org):
    """reach(state, head=False): a proposal of the agency in `state`, reached through services."""

    def make(state, *, head=False):
        draft = head_draft(org) if head else cadre_draft(org)
        return drive(org, draft, state)

    return make
