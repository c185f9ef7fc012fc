import pytest
from django.urls import reverse

from tests.factories import UserFactory, grant
from units.models import Membership, Role, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency_admin(client, tree):
    user = grant(tree["agency"], Role.ADMIN)
    client.force_login(user)
    return user


def test_unit_admin_sees_only_their_subtree(client, tree, agency_admin):
    response = client.get(reverse("admin:units_unit_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert tree["office"].code in html
    assert tree["commune"].code not in html
    url = reverse("admin:units_unit_change", args=[tree["commune"].pk])
    assert client.get(url).status_code in (302, 403, 404)


def test_unit_admin_creates_a_unit_inside_their_subtree(client, tree, agency_admin):
    response = client.post(
        reverse("admin:units_unit_add"),
        {"code": "P-A-N", "name": "Phòng mới", "kind": "state_agency", "parent": tree["agency"].pk},
    )
    assert response.status_code == 302
    created = Unit.objects.get(code="P-A-N")
    assert created.path.startswith(tree["agency"].path)


def test_unit_admin_cannot_create_outside_their_subtree(client, tree, agency_admin):
    response = client.post(
        reverse("admin:units_unit_add"),
        {"code": "P-X", "name": "Ngoài", "kind": "state_agency", "parent": tree["commune"].pk},
    )
    assert response.status_code == 200  # the form refuses the parent
    assert not Unit.objects.filter(code="P-X").exists()


def test_unit_admin_grants_membership_in_subtree_only(client, tree, agency_admin):
    person = UserFactory()
    response = client.post(
        reverse("admin:units_membership_add"),
        {"user": person.pk, "unit": tree["office"].pk, "role": "cadre", "title": ""},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=person, unit=tree["office"], role="cadre").exists()
    response = client.post(
        reverse("admin:units_membership_add"),
        {"user": person.pk, "unit": tree["commune"].pk, "role": "cadre", "title": ""},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=person, unit=tree["commune"]).exists()


def test_cadre_cannot_open_the_admin(client, tree):
    client.force_login(grant(tree["agency"], Role.CADRE))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response.url


def test_units_cannot_be_deleted_in_the_admin(client, tree, agency_admin):
    url = reverse("admin:units_unit_delete", args=[tree["office"].pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Unit.objects.filter(pk=tree["office"].pk).exists()
