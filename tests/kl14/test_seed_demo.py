import json

import pytest
from django.core.management import call_command

from accounts.models import User
from units.models import Membership, Role, Unit

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_is_idempotent(settings):
    call_command("seed_demo")
    counts = (User.objects.count(), Unit.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Unit.objects.count(), Membership.objects.count()) == counts
    assert Unit.objects.count() == 8
    for unit in Unit.objects.all():
        roles = set(Membership.objects.filter(unit=unit).values_list("role", flat=True))
        assert roles == set(Role.values), unit.code
    user = User.objects.get(username="snv.cadre1")
    assert user.check_password(settings.KL14_DEMO_PASSWORD)
    assert " " in user.full_name


def test_seed_demo_list_json(capsys):
    call_command("seed_demo")
    capsys.readouterr()
    call_command("seed_demo", "--list", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert {"username", "role", "unit_code", "unit_name"} == set(rows[0])
    usernames = {row["username"] for row in rows}
    assert usernames == set(User.objects.values_list("username", flat=True))
    for row in rows:
        if row["unit_code"]:
            assert Membership.objects.filter(
                user__username=row["username"], unit__code=row["unit_code"], role=row["role"]
            ).exists()


def test_every_demo_account_signs_in_and_lands_on_home(client, settings):
    from django.core.cache import cache

    call_command("seed_demo")
    for user in User.objects.all():
        cache.clear()  # sign-in attempts from one address are limited
        client.logout()
        response = client.post(
            "/accounts/login/",
            {"username": user.username, "password": settings.KL14_DEMO_PASSWORD},
        )
        assert response.status_code == 302, user.username
        assert client.get(response.url).status_code == 200
