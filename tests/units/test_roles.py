"""A user's roles read with their row (units.roles.with_grants): the same grants as reading the
memberships, no query of their own on a signed-in request, and never older than the request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import PasswordBackend, load_user
from accounts.models import User
from accounts.sso import SSOBackend
from tests.factories import UserFactory, grant
from tests.ledger.tamper import sql
from units.models import Role
from units.roles import user_roles, with_grants

pytestmark = pytest.mark.django_db


def read_apart(user):
    """The grants as user_roles reads them for a user loaded without them (its own query)."""
    return user_roles(User.objects.get(pk=user.pk)).grants


def membership_queries(queries) -> list[str]:
    """The reads of memberships of their own (the user's row may hold them in a subquery)."""
    return [q["sql"] for q in queries if q["sql"].startswith('SELECT "units_membership"')]


def test_grants_read_with_the_row_equal_the_grants_read_apart(tree):
    user = grant(tree["office"], Role.CADRE)
    grant(tree["province"], Role.ORGANIZATION_BOARD, user=user)
    grant(tree["commune"], Role.HEAD, user=user)
    grant(tree["office"], Role.DEPUTY, user=user)
    loaded = with_grants(User.objects.filter(pk=user.pk)).get()

    with CaptureQueriesContext(connection) as queries:
        grants = user_roles(loaded).grants
    assert membership_queries(queries) == []
    assert grants == read_apart(user)
    # Membership's own order: by the unit's path, then the role.
    assert [(g.unit_id, g.role) for g in grants] == [
        (tree["province"].pk, Role.ORGANIZATION_BOARD),
        (tree["office"].pk, Role.CADRE),
        (tree["office"].pk, Role.DEPUTY),
        (tree["commune"].pk, Role.HEAD),
    ]
    assert grants[0].unit_path == tree["province"].path
    assert user_roles(loaded).roles() == {
        Role.ORGANIZATION_BOARD,
        Role.CADRE,
        Role.DEPUTY,
        Role.HEAD,
    }


def test_a_user_without_memberships_has_no_grants_and_no_query():
    user = UserFactory()
    loaded = with_grants(User.objects.filter(pk=user.pk)).get()
    with CaptureQueriesContext(connection) as queries:
        assert user_roles(loaded).grants == ()
    assert len(queries) == 0


def test_each_user_of_a_list_gets_their_own_grants(tree):
    first = grant(tree["office"], Role.CADRE)
    second = grant(tree["commune"], Role.HEAD)
    nobody = UserFactory()
    users = {
        u.pk: u for u in with_grants(User.objects.filter(pk__in=[first.pk, second.pk, nobody.pk]))
    }
    assert user_roles(users[first.pk]).grants == read_apart(first)
    assert user_roles(users[second.pk]).grants == read_apart(second)
    assert user_roles(users[nobody.pk]).grants == ()


@pytest.mark.parametrize("backend", [PasswordBackend, SSOBackend])
def test_both_session_backends_load_the_user_with_their_grants(tree, backend):
    user = grant(tree["agency"], Role.HEAD)
    expected = read_apart(user)
    loaded = backend().get_user(user.pk)
    assert loaded == user
    with CaptureQueriesContext(connection) as queries:
        assert user_roles(loaded).grants == expected
    assert len(queries) == 0
    assert backend().get_user(user.pk + 10_000) is None


def test_an_inactive_user_is_not_loaded_by_the_password_backend(tree):
    user = grant(tree["agency"], Role.HEAD, is_active=False)
    assert load_user(user.pk) == user
    assert PasswordBackend().get_user(user.pk) is None


def test_a_signed_in_page_reads_no_memberships_of_its_own(client, tree):
    head = grant(tree["agency"], Role.HEAD)
    client.force_login(head, backend="accounts.backends.PasswordBackend")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("proposals:inbox"))
    assert response.status_code == 200
    assert membership_queries(queries) == []
    # The head's own entries are in the navigation: their roles were read, with their row.
    assert reverse("proposals:inbox").encode() in response.content


def test_a_membership_granted_or_ended_shows_on_the_next_request(client, tree):
    user = grant(tree["office"], Role.CADRE)
    client.force_login(user, backend="accounts.backends.PasswordBackend")
    inbox = reverse("proposals:inbox")
    assert inbox.encode() not in client.get("/").content
    granted = grant(tree["agency"], Role.HEAD, user=user)
    assert inbox.encode() in client.get("/").content
    # Ended behind the app's back, in SQL: the next request reads what the table holds.
    sql("DELETE FROM units_membership WHERE user_id = %s AND role = %s", [granted.pk, Role.HEAD])
    assert inbox.encode() not in client.get("/").content


def test_the_users_query_is_compiled_once_per_database(tree):
    """Building and compiling with_grants' subquery costs more than the query: load_user does it
    once per database, then sends the same SQL with each user's id."""
    from unittest import mock

    from accounts import backends

    first = grant(tree["office"], Role.CADRE)
    second = grant(tree["commune"], Role.HEAD)
    expected = {user.pk: read_apart(user) for user in (first, second)}
    backends._user_sql.cache_clear()
    with mock.patch.object(backends, "with_grants", wraps=backends.with_grants) as built:
        loaded = [load_user(first.pk), load_user(second.pk), load_user(first.pk)]
        assert load_user(second.pk + 10_000) is None
    assert built.call_count == 1
    assert [user.pk for user in loaded] == [first.pk, second.pk, first.pk]
    with CaptureQueriesContext(connection) as queries:
        assert [user_roles(user).grants for user in loaded] == [
            expected[first.pk],
            expected[second.pk],
            expected[first.pk],
        ]
    assert len(queries) == 0
