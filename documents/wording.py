"""The wording shared by every official document: the heading of the issuing body, the place and
date line, the signature block, the legal grounds. Documents are written in Vietnamese whatever
the reader's language (Decree 30/2020, Art. 8: an administrative document is in Vietnamese), so
their text is written here in Vietnamese, not through the interface's catalogue: a stale
translation must never issue an English decision.

Builders (`<app>/documents.py`) compose a document's `content` from these pieces:
    {"header": {"parent", "body"}, "place", "doc_name", "subject", "authority", "grounds": [...],
     "articles": [{"heading", "text"}] or "paragraphs": [...], "recipients": [...],
     "signer": {"capacity", "title", "name"}, "proposal_code"}
"""

from __future__ import annotations

import re

from django.conf import settings

from units.models import COLLECTIVE_PARTY_KINDS, PARTY_KINDS, Membership, Role, Unit

KL14_GROUND = (
    "Căn cứ Kết luận số 14-KL/TW ngày 22 tháng 9 năm 2021 của Bộ Chính trị về chủ trương "
    "khuyến khích và bảo vệ cán bộ năng động, sáng tạo vì lợi ích chung;"
)
DECREE_73_GROUND = (
    "Căn cứ Nghị định số 73/2023/NĐ-CP ngày 29 tháng 9 năm 2023 của Chính phủ quy định về "
    "khuyến khích, bảo vệ cán bộ năng động, sáng tạo, dám nghĩ, dám làm, dám đột phá, dám chịu "
    "trách nhiệm vì lợi ích chung;"
)
DOC_NAMES = {"QĐ": "QUYẾT ĐỊNH", "TB": "THÔNG BÁO", "KL": "KẾT LUẬN"}
FILED = "Lưu: VT."
# A root named for its Party committee ("Tỉnh ủy Gia Lai") sits in the province it leads.
PLACE_PREFIXES = ("Tỉnh ủy ", "Thành ủy ", "Thành phố ", "thành phố ", "Tỉnh ", "tỉnh ")


def upper(text: str) -> str:
    return (text or "").upper()


def place_name() -> str:
    """Decree 30, Art. 9: the place is the province (or city) where the body sits."""
    configured = getattr(settings, "KL14_DOCUMENT_PLACE", "")
    if configured:
        return configured
    root = Unit.objects.get_root_nodes().only("name").first()
    name = root.name if root else ""
    for prefix in PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def date_line(place: str, day) -> str:
    """ "Quy Nhơn, ngày 05 tháng 3 năm 2026": days below 10 and the months January and February
    take a leading zero (Decree 30, Appendix I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text.capitalize()


# "Ban Tổ chức Tỉnh ủy" → "Ban Tổ chức": under the committee's name, a body of a Party committee
# is named without it.
COMMITTEE_SUFFIX = re.compile(
    r"\s+(Tỉnh ủy|Thành ủy|Huyện ủy|Quận ủy|Thị ủy|Đảng ủy)(\s.*)?$", re.IGNORECASE
)


def is_party_unit(unit) -> bool:
    """A Party committee, or a body of one (its advisory bodies, its inspection commission)."""
    return unit.kind in PARTY_KINDS


def own_name(unit) -> str:
    """The name a body of a Party committee goes by under the committee's ("Ban Tổ chức Tỉnh ủy"
    → "Ban Tổ chức"); any other unit's name as it is."""
    if unit.kind in PARTY_KINDS and unit.kind != Unit.Kind.PARTY_COMMITTEE:
        return COMMITTEE_SUFFIX.sub("", unit.name) or unit.name
    return unit.name


def parent_of(unit) -> Unit | None:
    if unit.depth <= 1:
        return None
    return Unit.objects.filter(path=unit.parent_path).only("name", "kind").first()


def header(unit, *, party: bool) -> dict:
    """The issuing body (Decree 30, Art. 10; the Party's format for Party bodies): the managing
    body above it, then its own name."""
    parent = parent_of(unit)
    if party and unit.kind != Unit.Kind.PARTY_COMMITTEE and parent is not None:
        # A body of a Party committee: "TỈNH ỦY GIA LAI / BAN TỔ CHỨC".
        return {
            "parent": upper(parent.name),
            "body": upper(own_name(unit)),
        }
    if party:
        return {
            "parent": f"ĐẢNG BỘ {upper(parent.name)}" if parent else "",
            "body": upper(unit.name),
        }
    if parent is not None and unit.kind == Unit.Kind.STATE_AGENCY and is_party_unit(parent):
        parent = None  # a state body's heading never names the Party committee that leads it
    return {"parent": upper(parent.name) if parent else "", "body": upper(unit.name)}


# The signer's post when their membership records no title, by the role they sign in.
ROLE_TITLES = {
    Role.HEAD: "Người đứng đầu",
    Role.STANDING_COMMITTEE: "Ủy viên Ban Thường vụ",
    Role.DEPUTY: "Cấp phó của người đứng đầu",
    Role.ORGANIZATION_BOARD: "Ban Tổ chức",
    Role.PARTY_COMMITTEE: "Cấp ủy",
    Role.INSPECTOR: "Kiểm tra, giám sát",
}


def signer_title(unit, user) -> str:
    """The signer's post in the issuing unit: the title of their membership when the unit's admin
    recorded one ("Giám đốc", "Chủ tịch"), else the name of the role they sign in."""
    if user is None:
        return ROLE_TITLES[Role.HEAD]
    titles = dict(Membership.objects.filter(unit=unit, user=user).values_list("role", "title"))
    for role in ROLE_TITLES:
        if titles.get(role):
            return titles[role]
    for role, title in ROLE_TITLES.items():
        if role in titles:
            return title
    return ROLE_TITLES[Role.HEAD]


def signer_block(unit, user, *, party: bool) -> dict:
    title = signer_title(unit, user)
    capacity = ""
    if party and unit.kind in COLLECTIVE_PARTY_KINDS:
        # A committee or its inspection commission signs for the collective (T/M: thay mặt); the
        # head of an advisory body signs in their own name.
        capacity = f"T/M {upper(own_name(unit))}"
    return {
        "capacity": capacity,
        "title": upper(title),
        "name": (user.get_full_name() or user.get_username()) if user is not None else "",
    }


def authority(unit, user) -> str:
    """The issuing authority of a decision (Decree 30, Appendix I): "GIÁM ĐỐC SỞ NỘI VỤ"."""
    title = signer_title(unit, user)
    if unit.name.lower() in title.lower():
        return upper(title)
    return upper(f"{title} {unit.name}")


def people(names) -> str:
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " và " + names[-1]


def quoted(title: str) -> str:
    return f"“{title}”"


def document_frame(unit, signer, *, party: bool) -> dict:
    """The parts every document of `unit` shares."""
    return {
        "header": header(unit, party=party),
        "place": place_name(),
        "signer": signer_block(unit, signer, party=party),
    }


def author_names(proposal) -> list[str]:
    rows = proposal.authorships.select_related("user").order_by("-is_creator", "added_at", "pk")
    return [row.user.get_full_name() or row.user.get_username() for row in rows]


def tally_sentence(tally: dict) -> str:
    return (
        f"{tally.get('for', 0)} tán thành, {tally.get('against', 0)} không tán thành, "
        f"{tally.get('abstain', 0)} không biểu quyết trên tổng số {tally.get('eligible', 0)} "
        "thành viên tập thể lãnh đạo có quyền biểu quyết"
    )
