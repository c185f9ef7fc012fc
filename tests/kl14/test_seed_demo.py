import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from proposals.models import Opinion
from units.demo import UNITS
from units.models import Membership, Role, Unit
from units.services import unit_create

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_is_idempotent(settings):
    call_command("seed_demo")
    counts = (User.objects.count(), Unit.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Unit.objects.count(), Membership.objects.count()) == counts
    assert Unit.objects.count() == len(UNITS) == 11
    for unit in Unit.objects.all():
        roles = set(Membership.objects.filter(unit=unit).values_list("role", flat=True))
        # A standing committee (ban thường vụ) sits only where there is a Party committee.
        party = unit.is_root() or unit.kind == Unit.Kind.PARTY_COMMITTEE
        expected = set(Role.values) - (set() if party else {Role.STANDING_COMMITTEE})
        assert roles == expected, unit.code
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


def test_the_demo_province_has_no_district_and_the_party_committee_is_chaired_by_its_secretary():
    """Since 1 July 2025 local government has two levels: the province (Gia Lai, which absorbed
    Bình Định) and the commune or ward; no district, town or provincial city is left."""
    call_command("seed_demo")
    root = Unit.objects.get(depth=1)
    assert root.name == "Tỉnh ủy Gia Lai" and root.kind == Unit.Kind.PARTY_COMMITTEE
    district = re.compile(r"\b(huyện|quận|thị xã|thành phố)\b", re.IGNORECASE)
    for unit in Unit.objects.all():
        assert not district.search(unit.name), unit.name
        assert "Bình Định" not in unit.name, unit.name
    people_committees = Unit.objects.filter(name__startswith="Ủy ban nhân dân")
    province = people_committees.get(name="Ủy ban nhân dân tỉnh Gia Lai")
    communes = people_committees.exclude(pk=province.pk)
    assert {unit.name for unit in communes} >= {
        "Ủy ban nhân dân phường Quy Nhơn",
        "Ủy ban nhân dân phường Pleiku",
        "Ủy ban nhân dân xã Tuy Phước",
        "Ủy ban nhân dân xã Phù Cát",
    }
    for commune in communes:
        # A commune's People's Committee answers to the province's, with nothing between.
        assert commune.name.startswith(("Ủy ban nhân dân xã ", "Ủy ban nhân dân phường "))
        assert commune.parent_path == province.path
        place = commune.name.removeprefix("Ủy ban nhân dân ")
        head = Membership.objects.get(unit=commune, role=Role.HEAD)
        assert head.title == f"Chủ tịch UBND {place}"
    committees = Unit.objects.filter(kind=Unit.Kind.PARTY_COMMITTEE)
    assert committees.exists()
    for committee in committees:
        head = Membership.objects.get(unit=committee, role=Role.HEAD)
        assert head.title.startswith("Bí thư"), head.title
        assert Membership.objects.filter(unit=committee, role=Role.STANDING_COMMITTEE).exists()
    assert Membership.objects.get(unit=root, role=Role.HEAD).title == "Bí thư Tỉnh ủy"
    for department in Unit.objects.filter(name__startswith="Sở "):
        head = Membership.objects.get(unit=department, role=Role.HEAD)
        assert head.title == f"Giám đốc {department.name}"
    # The committee's organization board and inspection commission are Party bodies of their own
    # kinds; no demo unit is left as "other".
    assert Unit.objects.get(name="Ban Tổ chức Tỉnh ủy").kind == Unit.Kind.PARTY_ADVISORY
    assert Unit.objects.get(name="Ủy ban Kiểm tra Tỉnh ủy").kind == Unit.Kind.PARTY_INSPECTION
    assert not Unit.objects.filter(kind=Unit.Kind.OTHER).exists()
    assert Unit.objects.filter(name="Ủy ban Kiểm tra Tỉnh ủy").exists()
    # The commune's Party committee gives its opinion in a letter its secretary signs.
    opinion = Opinion.objects.filter(stage="decision", unit__code="GL-XTP").first()
    assert opinion.document_number.endswith("-CV/ĐU") and opinion.document_date
    assert opinion.signer_title == "Bí thư Đảng ủy xã Tuy Phước"
    assert opinion.signer_name == opinion.author.full_name


def test_the_readme_lists_the_demo_units_exactly():
    """README's table of demo accounts is the demo's: every unit with its code and prefix."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Demo accounts", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (.+?) \| `([A-Z-]+)` \| `([a-z]+)\.` \|$", section, re.MULTILINE)
    expected = [
        (name + (" (root)" if parent is None else ""), code, slug)
        for code, slug, name, _kind, parent, _titles in UNITS
    ]
    assert rows == expected


def test_a_database_with_the_former_demo_is_refused_with_what_to_do():
    """Its ledgers record the old unit codes: renaming them would read as tampering."""
    unit_create(code="BD", name="Tỉnh Bình Định", kind=Unit.Kind.OTHER, parent=None)
    with pytest.raises(CommandError, match=r"delete db\.sqlite3"):
        call_command("seed_demo")
    assert list(Unit.objects.values_list("code", flat=True)) == ["BD"]


def test_the_demo_documents_name_the_province_and_the_right_issuing_body():
    """The Tỉnh ủy issues in the Party's format without a body above it; the People's Committee's
    heading never names the Party committee; a department names the People's Committee."""
    from documents.wording import header, place_name

    call_command("seed_demo")
    assert place_name() == "Gia Lai"
    assert header(Unit.objects.get(code="GL-TU"), party=True) == {
        "parent": "",
        "body": "TỈNH ỦY GIA LAI",
    }
    assert header(Unit.objects.get(code="GL-UBND"), party=False) == {
        "parent": "",
        "body": "ỦY BAN NHÂN DÂN TỈNH GIA LAI",
    }
    assert header(Unit.objects.get(code="GL-SNV"), party=False) == {
        "parent": "ỦY BAN NHÂN DÂN TỈNH GIA LAI",
        "body": "SỞ NỘI VỤ",
    }


def test_the_demo_shows_a_complaint_rejected_and_one_founded_with_its_revised_decision():
    from django.core.management import call_command as run

    from proposals.selectors import proposal_verify
    from reviews.models import ResponsibilityComplaint, ResponsibilityDecision

    run("seed_demo")
    complaints = {c.resolution: c for c in ResponsibilityComplaint.objects.all()}
    assert set(complaints) == {"upheld", "accepted"}
    founded = complaints["accepted"]
    revised = ResponsibilityDecision.objects.get(supersedes=founded.decision)
    assert (founded.decision.decision, revised.decision) == ("reduced", "exempted")
    assert proposal_verify(founded.decision.proposal).valid  # every step in the ledger
    # The rejected one was first declared a complex case (45 days, Law on Complaints, Art. 28).
    rejected = complaints["upheld"]
    assert rejected.extended_at and "Sở Tài chính" in rejected.extension_reason
    assert rejected.extended_at < rejected.resolved_at
    assert founded.extended_at is None
