"""Demo organisation: a province as it is governed since 1 July 2025 (two-level local government,
no districts): Gia Lai, which absorbed Bình Định, with its provincial seat in the ward of Quy Nhơn.
The root is the provincial Party committee (Tỉnh ủy, chaired by its secretary, the Bí thư), with its
Organization Board and Inspection Commission; under it the People's Committee of the province with
three of its departments (sở) and, at commune level, the People's Committees of two wards and two
communes, which report straight to the province. In each unit a person for every role, with the
title that post carries."""

import random

from django.core.management.base import CommandError

from accounts.models import User

from .models import Role, Unit
from .services import membership_grant, unit_create

PROVINCE = "Gia Lai"


def _titles(head, deputy, cadre, *, party, inspector, orgboard, standing=""):
    """The title of every demo role in a unit; `deputy` and `cadre` may be one title or a list,
    one per person (deputy1, deputy2; cadre1, cadre2, cadre3)."""
    deputies = deputy if isinstance(deputy, list) else [deputy] * 2
    cadres = cadre if isinstance(cadre, list) else [cadre] * 3
    return {
        "head": head,
        "deputy1": deputies[0],
        "deputy2": deputies[1],
        "cadre1": cadres[0],
        "cadre2": cadres[1],
        "cadre3": cadres[2],
        "party": party,
        "inspector": inspector,
        "orgboard": orgboard,
        "admin": "Quản trị hệ thống",
        "standing": standing,
    }


def _department(name):
    return _titles(
        f"Giám đốc {name}",
        f"Phó Giám đốc {name}",
        ["Chuyên viên", "Chuyên viên chính", "Chuyên viên"],
        party=f"Bí thư Đảng ủy {name}",
        inspector=f"Ủy viên Ủy ban Kiểm tra Đảng ủy {name}",
        orgboard=f"Chuyên viên phụ trách tổ chức cán bộ {name}",
    )


def _commune(level, name, economy):
    """A commune or ward (xã, phường) after the merger: its People's Committee reports to the
    province; its Party committee (Đảng ủy xã/phường) has an Inspection Commission and a Party
    Building Board (Ban Xây dựng Đảng)."""
    place = f"{level} {name}"
    return _titles(
        f"Chủ tịch UBND {place}",
        f"Phó Chủ tịch UBND {place}",
        [
            f"Chuyên viên {economy}",
            "Chuyên viên Phòng Văn hóa - Xã hội",
            "Chuyên viên Trung tâm Phục vụ hành chính công",
        ],
        party=f"Bí thư Đảng ủy {place}",
        inspector=f"Chủ nhiệm Ủy ban Kiểm tra Đảng ủy {place}",
        orgboard=f"Trưởng Ban Xây dựng Đảng Đảng ủy {place}",
    )


# (code, slug, name, kind, parent code, titles by username suffix). The root is the provincial
# Party committee, which leads the province's whole political system: its standing committee
# decides recognition for the whole subtree, and its documents are the Tỉnh ủy's.
UNITS = [
    (
        "GL-TU",
        "tinh",
        f"Tỉnh ủy {PROVINCE}",
        Unit.Kind.PARTY_COMMITTEE,
        None,
        _titles(
            "Bí thư Tỉnh ủy",
            ["Phó Bí thư Thường trực Tỉnh ủy", "Phó Bí thư Tỉnh ủy"],
            "Chuyên viên Văn phòng Tỉnh ủy",
            party="Tỉnh ủy viên",
            inspector="Phó Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy",
            orgboard="Phó Trưởng Ban Tổ chức Tỉnh ủy",
            standing="Ủy viên Ban Thường vụ Tỉnh ủy",
        ),
    ),
    (
        "GL-BTC",
        "btctu",
        "Ban Tổ chức Tỉnh ủy",
        Unit.Kind.PARTY_ADVISORY,
        "GL-TU",
        _titles(
            "Trưởng Ban Tổ chức Tỉnh ủy",
            "Phó Trưởng Ban Tổ chức Tỉnh ủy",
            "Chuyên viên Ban Tổ chức Tỉnh ủy",
            party="Bí thư Chi bộ Ban Tổ chức Tỉnh ủy",
            inspector="Ủy viên Ủy ban Kiểm tra Tỉnh ủy",
            orgboard="Chuyên viên Ban Tổ chức Tỉnh ủy",
        ),
    ),
    (
        "GL-UBKT",
        "ubkttu",
        "Ủy ban Kiểm tra Tỉnh ủy",
        Unit.Kind.PARTY_INSPECTION,
        "GL-TU",
        _titles(
            "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy",
            "Phó Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy",
            "Kiểm tra viên",
            party="Bí thư Chi bộ Ủy ban Kiểm tra Tỉnh ủy",
            inspector="Kiểm tra viên chính",
            orgboard="Chuyên viên Ban Tổ chức Tỉnh ủy",
        ),
    ),
    (
        "GL-UBND",
        "ubnd",
        f"Ủy ban nhân dân tỉnh {PROVINCE}",
        Unit.Kind.STATE_AGENCY,
        "GL-TU",
        _titles(
            "Chủ tịch UBND tỉnh",
            "Phó Chủ tịch UBND tỉnh",
            "Chuyên viên Văn phòng UBND tỉnh",
            party="Tỉnh ủy viên",
            inspector="Thanh tra viên Thanh tra tỉnh",
            orgboard="Chuyên viên Sở Nội vụ",
        ),
    ),
    ("GL-SNV", "snv", "Sở Nội vụ", Unit.Kind.STATE_AGENCY, "GL-UBND", _department("Sở Nội vụ")),
    (
        "GL-STC",
        "stc",
        "Sở Tài chính",
        Unit.Kind.STATE_AGENCY,
        "GL-UBND",
        _department("Sở Tài chính"),
    ),
    (
        "GL-SKHCN",
        "skhcn",
        "Sở Khoa học và Công nghệ",
        Unit.Kind.STATE_AGENCY,
        "GL-UBND",
        _department("Sở Khoa học và Công nghệ"),
    ),
    (
        "GL-PQN",
        "pquynhon",
        "Ủy ban nhân dân phường Quy Nhơn",
        Unit.Kind.STATE_AGENCY,
        "GL-UBND",
        _commune("phường", "Quy Nhơn", "Phòng Kinh tế, Hạ tầng và Đô thị"),
    ),
    (
        "GL-PPK",
        "ppleiku",
        "Ủy ban nhân dân phường Pleiku",
        Unit.Kind.STATE_AGENCY,
        "GL-UBND",
        _commune("phường", "Pleiku", "Phòng Kinh tế, Hạ tầng và Đô thị"),
    ),
    (
        "GL-XTP",
        "xtuyphuoc",
        "Ủy ban nhân dân xã Tuy Phước",
        Unit.Kind.STATE_AGENCY,
        "GL-UBND",
        _commune("xã", "Tuy Phước", "Phòng Kinh tế"),
    ),
    (
        "GL-XPC",
        "xphucat",
        "Ủy ban nhân dân xã Phù Cát",
        Unit.Kind.STATE_AGENCY,
        "GL-UBND",
        _commune("xã", "Phù Cát", "Phòng Kinh tế"),
    ),
]

# (username suffix, role)
PEOPLE = [
    ("head", Role.HEAD),
    ("deputy1", Role.DEPUTY),
    ("deputy2", Role.DEPUTY),
    ("cadre1", Role.CADRE),
    ("cadre2", Role.CADRE),
    ("cadre3", Role.CADRE),
    ("party", Role.PARTY_COMMITTEE),
    ("inspector", Role.INSPECTOR),
    ("orgboard", Role.ORGANIZATION_BOARD),
    ("admin", Role.ADMIN),
    ("standing", Role.STANDING_COMMITTEE),
]


def _people(code, kind):
    """Everyone in every unit; a standing committee (ban thường vụ) only where a Party committee
    sits: the root and the units that are Party committees."""
    return [
        person
        for person in PEOPLE
        if person[1] != Role.STANDING_COMMITTEE
        or code == UNITS[0][0]
        or kind == Unit.Kind.PARTY_COMMITTEE
    ]


def _holders():
    """(unit code, slug, unit name, kind, parent code, suffix, role, title) of every demo
    membership, in UNITS order; the member's username is "<slug>.<suffix>"."""
    for code, slug, name, kind, parent_code, titles in UNITS:
        for suffix, role in _people(code, kind):
            yield code, slug, name, kind, parent_code, suffix, role, titles[suffix]


FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE_MALE = ["Văn", "Hữu", "Minh", "Đức", "Quang", "Thanh", "Công", "Xuân"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Hồng", "Mai"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Hiếu",
    "Tài",
]
GIVEN_FEMALE = [
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Phương",
    "Tâm",
    "Thảo",
    "Trang",
    "Yến",
    "Vy",
    "Ngân",
    "Loan",
]

SUPERUSER = "quantri"


def _name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"


def _user(username, full_name, password, *, superuser=False) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=full_name, email=f"{username}@demo.kl14.vn")
    user.is_superuser = user.is_staff = superuser
    user.set_password(password)
    user.save()
    return user


# Roots of earlier demos: Bình Định's (before the merger of 1 July 2025) and a first Gia Lai one.
LEGACY_ROOTS = ("BD", "GL")


def _refuse_legacy() -> None:
    """A database seeded with the former demo keeps it: its ledgers record the unit codes
    (verification cross-checks them), so its units cannot be renamed into Gia Lai's in place, and
    a second province next to it would only confuse. Say what to do instead."""
    if (
        Unit.objects.filter(code__in=LEGACY_ROOTS, depth=1).exists()
        and not Unit.objects.filter(code=UNITS[0][0]).exists()
    ):
        raise CommandError(
            "This database holds an earlier demo (Tỉnh Bình Định, units BD-…); the demo is now "
            "Tỉnh Gia Lai (two-level local government since 1 July 2025). Its ledgers record the "
            "old unit codes, so it is not converted: delete db.sqlite3 (or point DATABASE_URL at "
            "an empty database) and run `make run` again."
        )


def seed(context: dict) -> None:
    password = context["password"]
    _refuse_legacy()
    units: dict[str, Unit] = {}
    for code, slug, name, kind, parent_code, titles in UNITS:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            parent = Unit.objects.get(pk=units[parent_code].pk) if parent_code else None
            unit = unit_create(code=code, name=name, kind=kind, parent=parent)
        units[code] = unit
        rng = random.Random(code)  # noqa: S311 - demo names, not secrets
        for suffix, role in _people(code, kind):
            user = _user(f"{slug}.{suffix}", _name(rng), password)
            membership_grant(user=user, unit=unit, role=role, title=titles[suffix])
    _user(SUPERUSER, "Quản trị viên hệ thống", password, superuser=True)
    context["units"] = units


def accounts() -> list[dict]:
    rows = [
        {"username": f"{slug}.{suffix}", "role": str(role), "unit_code": code, "unit_name": name}
        for code, slug, name, _kind, _parent, suffix, role, _title in _holders()
    ]
    rows.append({"username": SUPERUSER, "role": "superuser", "unit_code": "", "unit_name": ""})
    return rows
