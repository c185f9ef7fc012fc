"""The admin: a unit's `admin` member manages units, memberships and accounts of their own subtree
and nothing else, and cannot raise their own privileges; the ledger (and the proposals) cannot be
changed there, not even by a superuser."""

import pytest

from accounts.models import User
from ledger.models import LedgerEntry
from tests.factories.units import grant
from units.models import Membership, Role, Unit

from .helpers import fingerprint

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-Password-4711"


def _admin(world, as_user):
    """The agency's admin: their subtree is the agency and its office."""
    return as_user(world.agency_admin)


def _not_shown(response):
    """Django's admin answers an object outside the queryset with a redirect to its index (the
    change pages) or 404 (the user's password page)."""
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == "/admin/"


# --- what a unit admin sees -----------------------------------------------------------------


def test_the_unit_list_is_the_subtree(world, as_user):
    page = _admin(world, as_user).get("/admin/units/unit/").content.decode()
    assert f"/admin/units/unit/{world.agency.pk}/change/" in page
    assert f"/admin/units/unit/{world.office.pk}/change/" in page
    for unit in (world.province, world.commune):
        assert f"/admin/units/unit/{unit.pk}/change/" not in page


def test_the_membership_list_is_the_subtree(world, as_user):
    memberships = _admin(world, as_user).get("/admin/units/membership/").content.decode()
    for inside in ("cadre", "head", "office_head"):
        pk = Membership.objects.get(user=getattr(world, inside)).pk
        assert f"/admin/units/membership/{pk}/change/" in memberships
    for outside in ("commune_head", "province_head", "inspector", "orgboard"):
        pk = Membership.objects.get(user=getattr(world, outside)).pk
        assert f"/admin/units/membership/{pk}/change/" not in memberships


def test_the_user_list_is_the_subtree(world, as_user):
    users = _admin(world, as_user).get("/admin/accounts/user/").content.decode()
    for inside in ("cadre", "head", "office_head"):
        assert f"/admin/accounts/user/{getattr(world, inside).pk}/change/" in users
    for outside in ("commune_head", "province_head", "inspector", "orgboard"):
        assert f"/admin/accounts/user/{getattr(world, outside).pk}/change/" not in users


@pytest.mark.parametrize(
    "path",
    [
        lambda w: f"/admin/units/unit/{w.province.pk}/change/",
        lambda w: f"/admin/units/unit/{w.commune.pk}/change/",
        lambda w: (
            f"/admin/units/membership/{Membership.objects.get(user=w.commune_head).pk}/change/"
        ),
        lambda w: f"/admin/units/membership/{Membership.objects.get(user=w.inspector).pk}/delete/",
        pytest.param(
            lambda w: f"/admin/accounts/user/{w.commune_head.pk}/change/",
        ),
        pytest.param(
            lambda w: f"/admin/accounts/user/{w.province_head.pk}/password/",
        ),
    ],
    ids=[
        "parent-unit",
        "sibling-unit",
        "sibling-membership",
        "parent-membership-delete",
        "sibling-user",
        "parent-user-password",
    ],
)
def test_objects_outside_the_subtree_are_not_shown(world, as_user, path):
    client = _admin(world, as_user)
    _not_shown(client.get(path(world)))
    before = fingerprint(), Membership.objects.count()
    response = client.post(path(world), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code in (302, 403, 404)
    assert (fingerprint(), Membership.objects.count()) == before
    for user in (world.commune_head, world.province_head):
        user.refresh_from_db()
        assert not user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/ledger/ledgerentry/",
        "/admin/proposals/proposal/",
        "/admin/notifications/notification/",
        "/admin/workdays/calendarexception/",
        "/admin/auth/group/",
    ],
)
def test_a_unit_admin_has_no_other_module(world, as_user, path):
    assert _admin(world, as_user).get(path).status_code == 403


def test_the_admin_site_is_for_admins_only(world, as_user):
    for who in ("head", "orgboard", "inspector"):
        response = as_user(getattr(world, who)).get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- what a unit admin may change -----------------------------------------------------------


def test_a_unit_admin_cannot_make_themselves_superuser_or_staff(world, as_user):
    me = world.agency_admin
    response = _admin(world, as_user).post(
        f"/admin/accounts/user/{me.pk}/change/",
        {
            "username": me.username,
            "full_name": "Quản trị",
            "email": me.email,
            "language": "vi",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [],
            "user_permissions": [],
        },
    )
    assert response.status_code == 302  # saved ...
    me.refresh_from_db()
    assert me.full_name == "Quản trị"
    assert not me.is_superuser and not me.is_staff  # ... without those


def test_a_new_account_is_never_a_superuser(world, as_user):
    _admin(world, as_user).post(
        "/admin/accounts/user/add/",
        {
            "username": "new_cadre",
            "full_name": "Cán bộ mới",
            "email": "new@example.vn",
            "language": "vi",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    user = User.objects.get(username="new_cadre")
    assert not user.is_superuser and not user.is_staff


def test_a_superuser_cannot_be_changed_by_a_unit_admin(world, as_user):
    root = User.objects.create_superuser("root", "root@example.vn", "x-Root-pass-1")
    grant(world.office, Role.CADRE, user=root)  # even one who is a member of the subtree
    client = _admin(world, as_user)
    assert client.get(f"/admin/accounts/user/{root.pk}/password/").status_code in (403, 404)
    client.post(
        f"/admin/accounts/user/{root.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    root.refresh_from_db()
    assert not root.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("unit", ("province", "commune"))
def test_a_membership_cannot_be_granted_outside_the_subtree(world, as_user, unit):
    before = Membership.objects.count()
    response = _admin(world, as_user).post(
        "/admin/units/membership/add/",
        {"user": world.cadre2.pk, "unit": getattr(world, unit).pk, "role": Role.ADMIN},
    )
    assert response.status_code == 200  # the form again, with the error
    assert Membership.objects.count() == before


def test_a_unit_cannot_be_moved_or_created_outside_the_subtree(world, as_user):
    client = _admin(world, as_user)
    client.post(
        f"/admin/units/unit/{world.office.pk}/change/",
        {"code": "P-A-O", "name": "Phòng", "kind": "state_agency", "parent": world.commune.pk},
    )
    client.post(
        "/admin/units/unit/add/",
        {"code": "P-C-NEW", "name": "Mới", "kind": "other", "parent": world.commune.pk},
    )
    office = Unit.objects.get(pk=world.office.pk)
    assert office.parent_path == world.agency.path
    assert not Unit.objects.filter(code="P-C-NEW").exists()
    assert client.get(f"/admin/units/unit/{world.office.pk}/delete/").status_code == 403


def test_a_unit_admin_cannot_draw_an_outsider_into_their_subtree(world, as_user):
    client = _admin(world, as_user)
    response = client.post(
        "/admin/units/membership/add/",
        {"user": world.province_head.pk, "unit": world.office.pk, "role": Role.CADRE},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=world.province_head, unit=world.office).exists()


def test_a_unit_admin_cannot_take_over_someone_who_also_serves_outside(world, as_user):
    grant(world.office, Role.CADRE, user=world.commune_head)  # also a cadre in the office
    client = _admin(world, as_user)
    client.post(
        f"/admin/accounts/user/{world.commune_head.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    world.commune_head.refresh_from_db()
    assert not world.commune_head.check_password(NEW_PASSWORD)


# --- the ledger and the proposals: read-only, even for a superuser -----------------------------


@pytest.fixture
def superuser_client(world, as_user):
    return as_user(User.objects.create_superuser("root", "root@example.vn", "x-Root-pass-1"))


def test_the_ledger_is_read_only_in_the_admin(world, superuser_client):
    entry = LedgerEntry.objects.filter(proposal=world.review).order_by("seq").first()
    change = f"/admin/ledger/ledgerentry/{entry.pk}/change/"
    page = superuser_client.get(change)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert superuser_client.post(change, {"event": "forged"}).status_code == 403
    assert superuser_client.post(f"/admin/ledger/ledgerentry/{entry.pk}/delete/").status_code == 403
    assert superuser_client.get("/admin/ledger/ledgerentry/add/").status_code == 403
    superuser_client.post(
        "/admin/ledger/ledgerentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    entry.refresh_from_db()
    assert entry.event != "forged"
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_proposals_are_read_only_in_the_admin(world, superuser_client):
    change = f"/admin/proposals/proposal/{world.review.pk}/change/"
    assert superuser_client.get(change).status_code == 200
    before = fingerprint()
    assert superuser_client.post(change, {"state": "approved"}).status_code == 403
    assert (
        superuser_client.post(f"/admin/proposals/proposal/{world.review.pk}/delete/").status_code
        == 403
    )
    assert fingerprint() == before
