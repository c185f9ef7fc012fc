"""Many units, memberships and their history at once (spreadsheet imports)."""

import datetime

import pytest

from kl14.errors import Forbidden
from tests.factories import UnitFactory, grant
from units.models import Membership, PastMembership, Role, Unit
from units.services import (
    membership_end,
    memberships_end_many,
    units_create_many,
)

pytestmark = pytest.mark.django_db


def codes_in_tree_order(parent):
    return list(Unit.objects.filter(path__startswith=parent.path).values_list("code", flat=True))


def test_units_created_at_once_form_a_sound_sorted_tree(tree):
    UnitFactory(code="P-A-M", parent=tree["agency"])  # an existing child sorting in the middle
    created = units_create_many(
        units=[
            {"code": "P-A-Z", "name": "Z", "kind": "other", "parent_code": "P-A"},
            {"code": "P-A-B", "name": "B", "kind": "other", "parent_code": "P-A"},
            {"code": "P-C-2", "name": "C2", "kind": "other", "parent_code": "P-C"},
            {"code": "P-C-1", "name": "C1", "kind": "other", "parent_code": "P-C"},
            {"code": "P-C-1-X", "name": "X", "kind": "other", "parent_code": "P-C-1"},
        ]
    )
    assert set(created) == {"P-A-Z", "P-A-B", "P-C-2", "P-C-1", "P-C-1-X"}
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    province = Unit.objects.get(code="P")
    assert codes_in_tree_order(province) == [
        "P",
        "P-A",
        "P-A-B",
        "P-A-M",
        "P-A-O",
        "P-A-Z",
        "P-C",
        "P-C-1",
        "P-C-1-X",
        "P-C-2",
    ]
    assert Unit.objects.get(code="P-C").numchild == 2
    # treebeard keeps working on the tree made in bulk.
    Unit.objects.add_child(Unit.objects.get(code="P-C"), {"code": "P-C-0", "name": "0"})
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_creating_units_at_once_stays_in_the_admins_subtree(tree):
    admin = grant(tree["agency"], Role.ADMIN)
    with pytest.raises(Forbidden):
        units_create_many(
            units=[{"code": "P-C-9", "name": "x", "kind": "other", "parent_code": "P-C"}],
            actor=admin,
        )
    with pytest.raises(Forbidden):
        units_create_many(
            units=[{"code": "ROOT2", "name": "x", "kind": "other", "parent_code": None}],
            actor=admin,
        )
    assert not Unit.objects.filter(code__in=["P-C-9", "ROOT2"]).exists()


def test_ending_memberships_keeps_them_in_the_history(tree):
    person = grant(tree["office"], Role.HEAD)
    grant(tree["agency"], Role.CADRE, user=person)
    admin = grant(tree["agency"], Role.ADMIN)
    Membership.objects.filter(user=person).update(started_on=datetime.date(2024, 1, 1))
    head = Membership.objects.get(user=person, role=Role.HEAD)
    cadre = Membership.objects.get(user=person, role=Role.CADRE)
    membership_end(membership=cadre, actor=admin, reason="Điều động")
    memberships_end_many(ends=[(head, datetime.date(2026, 1, 31), "Nghỉ hưu")], actor=admin)
    assert not Membership.objects.filter(user=person).exists()
    history = PastMembership.objects.filter(user=person).order_by("role")
    assert [(p.role, p.reason, p.started_on) for p in history] == [
        (Role.CADRE, "Điều động", datetime.date(2024, 1, 1)),
        (Role.HEAD, "Nghỉ hưu", datetime.date(2024, 1, 1)),
    ]


def test_a_unit_admin_cannot_end_a_membership_outside_their_subtree(tree):
    person = grant(tree["commune"], Role.CADRE)
    admin = grant(tree["agency"], Role.ADMIN)
    with pytest.raises(Forbidden):
        membership_end(membership=Membership.objects.get(user=person), actor=admin)
    assert Membership.objects.filter(user=person).exists()
