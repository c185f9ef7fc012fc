import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UnitFactory, grant
from units.models import Role, Unit
from units.roles import user_roles
from units.selectors import (
    outside_tree,
    unit_ancestors,
    unit_descendants,
    unit_parent,
    units_visible_to,
    units_with_role,
    with_parent_id,
)

pytestmark = pytest.mark.django_db


def deep_chain(depth):
    unit = UnitFactory(code="L0")
    for level in range(1, depth):
        unit = UnitFactory(code=f"L{level}", parent=unit)
    return Unit.objects.get(pk=unit.pk)


@pytest.mark.parametrize("depth", [2, 6, 12])
def test_ancestors_are_one_query_whatever_the_depth(depth):
    leaf = deep_chain(depth)
    with CaptureQueriesContext(connection) as queries:
        ancestors = list(unit_ancestors(leaf))
    assert len(queries) == 1
    assert [u.code for u in ancestors] == [f"L{i}" for i in range(depth - 1)]


@pytest.mark.parametrize("depth", [2, 6, 12])
def test_descendants_are_one_query_whatever_the_depth(depth):
    deep_chain(depth)
    root = Unit.objects.get(code="L0")
    with CaptureQueriesContext(connection) as queries:
        descendants = list(unit_descendants(root))
    assert len(queries) == 1
    assert len(descendants) == depth - 1
    assert len(list(unit_descendants(root, include_self=True))) == depth


def test_ancestors_include_self_on_request(tree):
    codes = [u.code for u in unit_ancestors(tree["office"], include_self=True)]
    assert codes == ["P", "P-A", "P-A-O"]
    assert list(unit_ancestors(tree["province"])) == []


def test_parent(tree):
    assert unit_parent(tree["office"]) == tree["agency"]
    assert unit_parent(tree["province"]) is None


def test_with_parent_id_annotates_in_one_query(tree):
    with CaptureQueriesContext(connection) as queries:
        parents = {u.code: u.parent_id for u in with_parent_id(Unit.objects.all())}
    assert len(queries) == 1
    assert parents == {
        "P": None,
        "P-A": tree["province"].pk,
        "P-A-O": tree["agency"].pk,
        "P-C": tree["province"].pk,
    }


def test_units_with_role(tree):
    user = grant(tree["agency"], Role.HEAD)
    grant(tree["commune"], Role.CADRE, user=user)
    assert set(units_with_role(user, [Role.HEAD])) == {tree["agency"]}
    assert set(units_with_role(user)) == {tree["agency"], tree["commune"]}


def test_visible_units_are_own_units_and_their_subtrees(tree):
    user = grant(tree["agency"], Role.CADRE)
    assert {u.code for u in units_visible_to(user)} == {"P-A", "P-A-O"}


@pytest.mark.parametrize("extra_units", [0, 5, 20])
def test_visible_units_query_count_is_constant(tree, extra_units):
    user = grant(tree["province"], Role.ORGANIZATION_BOARD)
    for i in range(extra_units):
        UnitFactory(code=f"X{i}", parent=tree["commune"])
    with CaptureQueriesContext(connection) as queries:
        units = list(units_visible_to(user))
    assert len(units) == 4 + extra_units
    assert len(queries) == 2  # the user's memberships, then the units


class TestRolesPerUnit:
    def test_a_role_in_one_unit_says_nothing_about_another(self, tree):
        head = grant(tree["agency"], Role.HEAD)
        roles = user_roles(head)
        assert roles.has(tree["agency"], Role.HEAD)
        assert not roles.has(tree["commune"], Role.HEAD)
        assert not roles.has(tree["office"], Role.HEAD)
        assert not roles.has(tree["agency"], Role.DEPUTY)

    def test_subtree_roles_reach_descendants_only(self, tree):
        inspector = grant(tree["agency"], Role.INSPECTOR)
        roles = user_roles(inspector)
        assert roles.has_over(tree["agency"], Role.INSPECTOR)
        assert roles.has_over(tree["office"], Role.INSPECTOR)
        assert not roles.has_over(tree["province"], Role.INSPECTOR)
        assert not roles.has_over(tree["commune"], Role.INSPECTOR)

    def test_roles_load_once(self, tree):
        user = grant(tree["agency"], Role.HEAD)
        with CaptureQueriesContext(connection) as queries:
            roles = user_roles(user)
            for unit in tree.values():
                roles.has(unit, Role.HEAD)
                roles.has_over(unit, Role.ADMIN)
            user_roles(user).roles()
        assert len(queries) == 1

    def test_subtree_paths_drop_nested_paths(self, tree):
        user = grant(tree["province"], Role.ADMIN)
        grant(tree["agency"], Role.ADMIN, user=user)
        assert user_roles(user).subtree_paths(Role.ADMIN) == [tree["province"].path]


def test_outside_tree_is_whether_another_root_exists(tree):
    province = tree["province"]
    outside = Unit.objects.filter(outside_tree(province.path))
    assert not outside.exists()  # one tree: every unit is under its root
    UnitFactory(code="Q", name="Tỉnh khác")
    assert outside.exists()


def test_the_roots_index_lists_the_roots(postgres, tree):
    """unit_root: a partial index of the roots' paths, which outside_tree reads."""
    UnitFactory(code="Q", name="Tỉnh khác")
    with postgres.cursor() as cursor:
        constraints = postgres.introspection.get_constraints(cursor, Unit._meta.db_table)
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'unit_root'",
        )
        (definition,) = cursor.fetchone()
    assert constraints["unit_root"]["columns"] == ["path"]
    assert "WHERE (depth = 1)" in definition
    roots = Unit.objects.filter(depth=1).order_by("path").values_list("code", flat=True)
    assert list(roots) == ["P", "Q"]
