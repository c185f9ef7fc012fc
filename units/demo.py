"""Demo organisation: a province with its Party committee, People's Committee, three
departments and two communes, and in each unit a person for every role."""

import random

from accounts.models import User

from .models import Role, Unit
from .services import membership_grant, unit_create

# (code, slug, name, kind, parent code, head title, deputy title)
UNITS = [
    ("BD", "tinh", "Tỉnh Bình Định", Unit.Kind.OTHER, None, "Bí thư Tỉnh ủy", "Phó Bí thư Tỉnh ủy"),
    (
        "BD-TU",
        "tinhuy",
        "Tỉnh ủy Bình Định",
        Unit.Kind.PARTY_COMMITTEE,
        "BD",
        "Chánh Văn phòng Tỉnh ủy",
        "Phó Chánh Văn phòng Tỉnh ủy",
    ),
    (
        "BD-UBND",
        "ubnd",
        "Ủy ban nhân dân tỉnh Bình Định",
        Unit.Kind.STATE_AGENCY,
        "BD",
        "Chủ tịch UBND tỉnh",
        "Phó Chủ tịch UBND tỉnh",
    ),
    (
        "BD-SNV",
        "snv",
        "Sở Nội vụ",
        Unit.Kind.STATE_AGENCY,
        "BD-UBND",
        "Giám đốc Sở Nội vụ",
        "Phó Giám đốc Sở Nội vụ",
    ),
    (
        "BD-STC",
        "stc",
        "Sở Tài chính",
        Unit.Kind.STATE_AGENCY,
        "BD-UBND",
        "Giám đốc Sở Tài chính",
        "Phó Giám đốc Sở Tài chính",
    ),
    (
        "BD-SKHCN",
        "skhcn",
        "Sở Khoa học và Công nghệ",
        Unit.Kind.STATE_AGENCY,
        "BD-UBND",
        "Giám đốc Sở Khoa học và Công nghệ",
        "Phó Giám đốc Sở Khoa học và Công nghệ",
    ),
    (
        "BD-XTP",
        "xtuyphuoc",
        "Ủy ban nhân dân xã Tuy Phước",
        Unit.Kind.STATE_AGENCY,
        "BD-UBND",
        "Chủ tịch UBND xã Tuy Phước",
        "Phó Chủ tịch UBND xã Tuy Phước",
    ),
    (
        "BD-XPC",
        "xphucat",
        "Ủy ban nhân dân xã Phù Cát",
        Unit.Kind.STATE_AGENCY,
        "BD-UBND",
        "Chủ tịch UBND xã Phù Cát",
        "Phó Chủ tịch UBND xã Phù Cát",
    ),
]

# (username suffix, role, title when not a head or deputy)
PEOPLE = [
    ("head", Role.HEAD, None),
    ("deputy1", Role.DEPUTY, None),
    ("deputy2", Role.DEPUTY, None),
    ("cadre1", Role.CADRE, "Chuyên viên"),
    ("cadre2", Role.CADRE, "Chuyên viên chính"),
    ("cadre3", Role.CADRE, "Chuyên viên"),
    ("party", Role.PARTY_COMMITTEE, "Ủy viên cấp ủy"),
    ("inspector", Role.INSPECTOR, "Ủy viên Ủy ban Kiểm tra"),
    ("orgboard", Role.ORGANIZATION_BOARD, "Chuyên viên Ban Tổ chức"),
    ("admin", Role.ADMIN, "Quản trị hệ thống"),
]

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


def seed(context: dict) -> None:
    password = context["password"]
    units: dict[str, Unit] = {}
    for code, slug, name, kind, parent_code, head_title, deputy_title in UNITS:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            parent = Unit.objects.get(pk=units[parent_code].pk) if parent_code else None
            unit = unit_create(code=code, name=name, kind=kind, parent=parent)
        units[code] = unit
        rng = random.Random(code)  # noqa: S311 - demo names, not secrets
        for suffix, role, title in PEOPLE:
            title = {Role.HEAD: head_title, Role.DEPUTY: deputy_title}.get(role, title)
            user = _user(f"{slug}.{suffix}", _name(rng), password)
            membership_grant(user=user, unit=unit, role=role, title=title)
    _user(SUPERUSER, "Quản trị viên hệ thống", password, superuser=True)
    context["units"] = units


def accounts() -> list[dict]:
    rows = []
    codes = {slug: (code, name) for code, slug, name, *_ in UNITS}
    for slug, (code, name) in codes.items():
        for suffix, role, _title in PEOPLE:
            rows.append(
                {
                    "username": f"{slug}.{suffix}",
                    "role": str(role),
                    "unit_code": code,
                    "unit_name": name,
                }
            )
    rows.append({"username": SUPERUSER, "role": "superuser", "unit_code": "", "unit_name": ""})
    return rows
