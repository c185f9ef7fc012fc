"""The official documents of the review stage (documents.kinds): the conclusion of the
evaluation, the responsibility decision, the finding on an abuse case (founded: the revocation of
protection), recognition and the replication directive. Their text is Vietnamese
(documents.wording)."""

from documents.kinds import DocumentKind, Draft, register
from documents.wording import (
    DECREE_73_GROUND,
    FILED,
    KL14_GROUND,
    author_names,
    authority,
    document_frame,
    is_party_unit,
    people,
    quoted,
)
from kl14 import formats
from units.models import Role, Unit

OUTCOMES = {
    "achieved": "đạt mục tiêu đề ra",
    "partial": "đạt một phần mục tiêu đề ra",
    "not_achieved": "không đạt mục tiêu đề ra",
    "damage": "không đạt mục tiêu và có thiệt hại",
}
RESPONSIBILITY = {
    "liability_excluded": "Loại trừ trách nhiệm",
    "exempted": "Miễn trách nhiệm",
    "reduced": "Giảm nhẹ trách nhiệm",
    "held_responsible": (
        "Không thuộc trường hợp được bảo vệ; trách nhiệm được xem xét theo quy định hiện hành"
    ),
}
CRITERIA = {
    "followed_approved_plan": "thực hiện đúng kế hoạch được phê duyệt",
    "pure_motive": "động cơ trong sáng",
    "common_interest": "vì lợi ích chung",
    "no_personal_gain": "không vụ lợi",
}
RECOGNITION = {
    "praise": ("biểu dương", "Biểu dương"),
    "reward": ("khen thưởng", "Khen thưởng"),
    "excellent_rating": (
        "xếp loại hoàn thành xuất sắc nhiệm vụ",
        "Xếp loại hoàn thành xuất sắc nhiệm vụ",
    ),
    "priority": (
        "ưu tiên xem xét quy hoạch, bổ nhiệm",
        "Ưu tiên xem xét quy hoạch, bổ nhiệm",
    ),
    "early_salary_raise": (
        "nâng bậc lương trước thời hạn 12 tháng",
        "Nâng bậc lương trước thời hạn 12 tháng",
    ),
}


def _proposal_named(proposal) -> str:
    return f"đề xuất đổi mới, sáng tạo {quoted(proposal.title)} (mã hồ sơ {proposal.code})"


def _yes_no(value) -> str:
    return "có" if value else "không"


def _unit(code, default):
    return Unit.objects.filter(code=code).first() or default if code else default


def build_evaluation(entry, proposal):
    """The conclusion of the collective's evaluation (Thông báo kết luận; Kết luận for a Party
    committee)."""
    unit, head = proposal.deciding_unit, entry.actor
    party = is_party_unit(unit)
    payload = entry.payload or {}
    authors = people(author_names(proposal))
    outcome = OUTCOMES.get(payload.get("outcome"), "")
    meeting = payload.get("meeting_date")
    paragraphs = [
        (
            f"Ngày {formats.day(meeting)}, tập thể lãnh đạo {unit.name} họp đánh giá kết quả "
            f"thực hiện {_proposal_named(proposal)} của {authors}, {proposal.home_unit.name}, "
            "sau khi có ý kiến của cấp ủy cùng cấp về kết quả thực hiện."
            if meeting
            else f"Tập thể lãnh đạo {unit.name} đánh giá kết quả thực hiện "
            f"{_proposal_named(proposal)} của {authors}, {proposal.home_unit.name}."
        ),
        f"Kết luận: đề xuất {outcome}.",
        f"Nguyên nhân khách quan: {payload.get('causes_objective') or '—'}",
        f"Nguyên nhân chủ quan: {payload.get('causes_subjective') or '—'}",
    ]
    if payload.get("outcome") == "achieved":
        paragraphs.append(
            "Đề xuất được xem xét ghi nhận, khuyến khích theo Điều 10 Nghị định số "
            "73/2023/NĐ-CP và xem xét nhân rộng, thể chế hóa."
        )
    else:
        paragraphs.append(
            "Việc xem xét trách nhiệm của cán bộ thực hiện đề xuất được tiến hành theo Nghị định "
            "số 73/2023/NĐ-CP, sau khi từng cán bộ được giải trình."
        )
    content = {
        **document_frame(unit, head, party=party),
        "doc_name": "KẾT LUẬN" if party else "THÔNG BÁO",
        "subject": f"Kết luận đánh giá kết quả thực hiện {_proposal_named(proposal)}",
        "paragraphs": paragraphs,
        "recipients": [f"{authors} ({proposal.home_unit.name});", "Cấp ủy cùng cấp;", FILED],
        "proposal_code": proposal.code,
    }
    return [Draft(unit=unit, signer=head, content=content, doc_type="KL" if party else "TB")]


def _grounds_of(payload) -> str:
    """The criteria, the damage and the reasons of a decision on responsibility, in words."""
    criteria = payload.get("criteria") or {}
    met = [label for key, label in CRITERIA.items() if criteria.get(key)]
    unmet = [label for key, label in CRITERIA.items() if key in criteria and not criteria[key]]
    assessment = []
    if met:
        assessment.append("đã " + ", ".join(met))
    if unmet:
        assessment.append("chưa đáp ứng điều kiện: " + ", ".join(unmet))
    damage = payload.get("damage")
    damage_text = (
        f"có thiệt hại ({formats.money(payload['damage_amount'])})"
        if damage and payload.get("damage_amount")
        else ("có thiệt hại" if damage else "không có thiệt hại")
    )
    return (
        "Căn cứ xem xét: " + "; ".join([*assessment, damage_text]) + ". Lý do: "
        f"{payload.get('reasons') or '—'}"
    )


def build_responsibility(entry, proposal):
    """The responsibility decision (Quyết định về việc xem xét trách nhiệm). One per person when
    the decision names one (`author` in the payload), else one for all authors."""
    unit, head = proposal.deciding_unit, entry.actor
    party = is_party_unit(unit)
    payload = entry.payload or {}
    concerns = None
    if payload.get("author"):
        concerns = proposal.authorships.filter(user__username=payload["author"]).first()
        concerns = concerns.user if concerns else None
    names = (
        [concerns.get_full_name() or concerns.get_username()]
        if concerns
        else author_names(proposal)
    )
    whom = people(names)
    decision = RESPONSIBILITY.get(payload.get("decision"), "")
    articles = [
        {
            "heading": "Điều 1.",
            "text": (
                f"{decision} đối với {whom} trong việc thực hiện {_proposal_named(proposal)}."
            ),
        },
        {
            "heading": "Điều 2.",
            "text": _grounds_of(payload),
        },
        {
            "heading": "Điều 3.",
            "text": (
                "Quyết định này có hiệu lực kể từ ngày ký. Cán bộ có quyền khiếu nại quyết định "
                "này theo quy định của pháp luật về khiếu nại. Các cơ quan, đơn vị, cá nhân có "
                "liên quan chịu trách nhiệm thi hành Quyết định này."
            ),
        },
    ]
    content = {
        **document_frame(unit, head, party=party),
        "doc_name": "QUYẾT ĐỊNH",
        "subject": f"Về việc xem xét trách nhiệm đối với {whom}",
        "authority": "" if party else authority(unit, head),
        "grounds": [
            KL14_GROUND,
            DECREE_73_GROUND,
            "Căn cứ kết luận đánh giá kết quả thực hiện đề xuất;",
        ],
        "decides": "QUYẾT ĐỊNH:",
        "articles": articles,
        "recipients": ["Như Điều 3;", f"{whom};", "Cấp ủy cùng cấp;", FILED],
        "proposal_code": proposal.code,
    }
    return [Draft(unit=unit, signer=head, content=content, concerns=concerns)]


COMPLAINT_FINDINGS = {
    "upheld": "Khiếu nại không có căn cứ",
    "accepted": "Khiếu nại có căn cứ",
    "partly": "Khiếu nại có căn cứ một phần",
}
COMPLAINTS_LAW_GROUND = "Căn cứ Luật Khiếu nại ngày 11 tháng 11 năm 2011;"


def build_complaint_resolution(entry, proposal):
    """The decision resolving an author's complaint, first instance (Quyết định giải quyết khiếu
    nại lần đầu, Law on Complaints 2011, Art. 31): it keeps the decision complained of, or, the
    complaint founded or partly founded, revises it, and the revised decision on that author is
    its Article 2."""
    from .models import ResponsibilityComplaint

    unit, head = proposal.deciding_unit, entry.actor
    party = is_party_unit(unit)
    payload = entry.payload or {}
    complaint = (
        ResponsibilityComplaint.objects.select_related("decision__author")
        .filter(decision__proposal=proposal, decision__author__username=payload.get("author") or "")
        .first()
    )
    if complaint is None:
        return []
    person = complaint.decision.author
    whom = people([person.get_full_name() or person.get_username()])
    previous = RESPONSIBILITY.get(
        payload.get("previous_decision") or complaint.decision.decision, ""
    )
    complained_of = f"quyết định về việc xem xét trách nhiệm ({previous}) đối với {whom}"
    revised = bool(payload.get("decision"))
    articles = [
        {
            "heading": "Điều 1.",
            "text": (
                f"{COMPLAINT_FINDINGS.get(payload.get('resolution'), '')}: {whom} khiếu nại "
                f"{complained_of} trong việc thực hiện {_proposal_named(proposal)}. Lý do: "
                f"{payload.get('text') or '—'}"
            ),
        },
        {
            "heading": "Điều 2.",
            "text": (
                f"Sửa đổi {complained_of}: {RESPONSIBILITY.get(payload.get('decision'), '')}. "
                f"{_grounds_of(payload)}. Quyết định bị khiếu nại không còn hiệu lực đối với "
                f"{whom} kể từ ngày ký Quyết định này."
                if revised
                else f"Giữ nguyên {complained_of}."
            ),
        },
        {
            "heading": "Điều 3.",
            "text": (
                "Quyết định này có hiệu lực kể từ ngày ký. Nếu không đồng ý, cán bộ có quyền "
                "khiếu nại đến người đứng đầu cơ quan, đơn vị cấp trên trực tiếp hoặc khởi kiện "
                "vụ án hành chính tại Tòa án theo quy định của pháp luật (Điều 33 Luật Khiếu "
                "nại). Các cơ quan, đơn vị, cá nhân có liên quan chịu trách nhiệm thi hành Quyết "
                "định này."
            ),
        },
    ]
    content = {
        **document_frame(unit, head, party=party),
        "doc_name": "QUYẾT ĐỊNH",
        "subject": f"Về việc giải quyết khiếu nại của {whom} (lần đầu)",
        "authority": "" if party else authority(unit, head),
        "grounds": [
            COMPLAINTS_LAW_GROUND,
            KL14_GROUND,
            DECREE_73_GROUND,
            f"Xét đơn khiếu nại ngày {formats.day(complaint.filed_at)} của {whom};",
        ],
        "decides": "QUYẾT ĐỊNH:",
        "articles": articles,
        "recipients": ["Như Điều 3;", f"{whom};", "Cấp ủy cùng cấp;", FILED],
        "proposal_code": proposal.code,
    }
    return [Draft(unit=unit, signer=head, content=content, concerns=person)]


def _on_the_proposal_of(payload) -> list[str]:
    """The ground naming the organization board's request the competent authority approved."""
    board = _unit(payload.get("board_unit"), None)
    if board is None:
        return []
    return [f"Xét đề nghị của Ban Tổ chức {board.name};"]


def build_recognition(entry, proposal):
    """The decision recognising authors (Decree 73, Art. 10), issued by the competent authority
    that approved the organization board's request."""
    payload = entry.payload or {}
    unit = _unit(payload.get("decided_in") or payload.get("unit"), proposal.deciding_unit)
    signer = entry.actor
    party = is_party_unit(unit)
    usernames = payload.get("recipients") or []
    rows = proposal.authorships.select_related("user").filter(user__username__in=usernames)
    whom = people(sorted(r.user.get_full_name() or r.user.get_username() for r in rows))
    action, heading = RECOGNITION.get(payload.get("kind"), ("ghi nhận, khuyến khích", "Ghi nhận"))
    articles = [
        {
            "heading": "Điều 1.",
            "text": (
                f"{heading} {whom}, tác giả {_proposal_named(proposal)}, đã thực hiện đạt mục "
                "tiêu đề ra."
            ),
        },
    ]
    if payload.get("note"):
        articles.append({"heading": "Điều 2.", "text": f"Căn cứ, ghi chú: {payload['note']}"})
    articles.append(
        {
            "heading": f"Điều {len(articles) + 1}.",
            "text": (
                "Quyết định này có hiệu lực kể từ ngày ký. Các cơ quan, đơn vị, cá nhân có liên "
                "quan chịu trách nhiệm thi hành Quyết định này."
            ),
        }
    )
    content = {
        **document_frame(unit, signer, party=party),
        "doc_name": "QUYẾT ĐỊNH",
        "subject": f"Về việc {action} cán bộ có đề xuất đổi mới, sáng tạo",
        "authority": "" if party else authority(unit, signer),
        "grounds": [KL14_GROUND, DECREE_73_GROUND, *_on_the_proposal_of(payload)],
        "decides": "QUYẾT ĐỊNH:",
        "articles": articles,
        "recipients": [f"Như Điều {len(articles)};", f"{whom};", FILED],
        "proposal_code": proposal.code,
    }
    return [Draft(unit=unit, signer=signer, content=content)]


def build_replication(entry, proposal):
    """The replication directive (nhân rộng mô hình, KL14 2.5), issued by the competent authority
    that approved the organization board's request (`decided_in`)."""
    payload = entry.payload or {}
    unit = _unit(payload.get("decided_in") or payload.get("board_unit"), proposal.home_unit)
    signer = entry.actor
    party = is_party_unit(unit)
    targets = [t for t in payload.get("targets") or [] if isinstance(t, dict)]
    names = dict(
        Unit.objects.filter(code__in=[t.get("unit") for t in targets]).values_list("code", "name")
    )
    lines = [
        f"{names.get(t.get('unit'), t.get('unit'))} (hồ sơ {t.get('proposal', '')})"
        for t in targets
    ]
    articles = [
        {
            "heading": "Điều 1.",
            "text": (
                f"Nhân rộng mô hình {_proposal_named(proposal)} của {proposal.home_unit.name}, đã "
                "được đánh giá đạt mục tiêu, tại các cơ quan, đơn vị sau: " + "; ".join(lines) + "."
            ),
        },
        {
            "heading": "Điều 2.",
            "text": (
                "Các cơ quan, đơn vị nêu tại Điều 1 tổ chức thực hiện theo kế hoạch triển khai "
                "của mình, báo cáo kết quả theo quy định."
            ),
        },
        {
            "heading": "Điều 3.",
            "text": (
                "Quyết định này có hiệu lực kể từ ngày ký. Các cơ quan, đơn vị, cá nhân có liên "
                "quan chịu trách nhiệm thi hành Quyết định này."
            ),
        },
    ]
    content = {
        **document_frame(unit, signer, party=party),
        "doc_name": "QUYẾT ĐỊNH",
        "subject": f"Về việc nhân rộng mô hình {quoted(proposal.title)}",
        "authority": "" if party else authority(unit, signer),
        "grounds": [
            KL14_GROUND,
            DECREE_73_GROUND,
            "Căn cứ kết luận đánh giá kết quả thực hiện;",
            *_on_the_proposal_of(payload),
        ],
        "decides": "QUYẾT ĐỊNH:",
        "articles": articles,
        "recipients": ["Như Điều 3;", FILED],
        "proposal_code": proposal.code,
    }
    return [Draft(unit=unit, signer=signer, content=content)]


def _inspection_unit(actor, proposal):
    """The unit of the inspection that found: the deepest unit above the home unit where the
    actor is an inspector (the superior unit's inspection, lifecycle.md)."""
    home = proposal.home_unit
    paths = home.ancestor_paths(include_self=False)
    return (
        Unit.objects.filter(
            path__in=paths, memberships__user=actor, memberships__role=Role.INSPECTOR
        )
        .order_by("-path")
        .first()
        or proposal.deciding_unit
    )


def build_abuse_finding(entry, proposal):
    """The conclusion of the inspection of the superior unit on an abuse case (Decree 73, Art. 6):
    founded, the protection of the policy is revoked; unfounded, it stands. Issued in both cases:
    either finding has legal effect on the authors."""
    from .models import AbuseCase

    payload = entry.payload or {}
    case = (
        AbuseCase.objects.select_related("referred_by")
        .filter(pk=payload.get("case"), proposal=proposal)
        .first()
    )
    if case is None:
        return []
    unit, signer = _inspection_unit(entry.actor, proposal), entry.actor
    party = is_party_unit(unit)
    authors = people(author_names(proposal))
    founded = payload.get("finding") == "founded"
    explained = case.explanations.count()
    referrer = case.referred_by.get_full_name() or case.referred_by.get_username()
    paragraphs = [
        (
            f"Ngày {formats.day(case.created_at)}, đồng chí {referrer} chuyển cơ quan có thẩm "
            "quyền xem xét dấu hiệu lợi dụng chủ trương đối với "
            f"{_proposal_named(proposal)} của {authors}, {proposal.home_unit.name}."
        ),
        f"Căn cứ chuyển xem xét: {case.grounds or '—'}",
        (
            f"Các tác giả được quyền giải trình đến ngày {formats.day(case.explanation_due)}; "
            f"số tác giả đã giải trình: {explained}."
        ),
        f"Kết luận: {payload.get('conclusion') or case.conclusion or '—'}",
    ]
    if founded:
        paragraphs.append(
            "Có căn cứ xác định lợi dụng chủ trương khuyến khích, bảo vệ cán bộ năng động, sáng "
            "tạo vì lợi ích chung (Điều 6 Nghị định số 73/2023/NĐ-CP). Thu hồi việc xem xét "
            "khuyến khích, bảo vệ theo Kết luận số 14-KL/TW và Nghị định số 73/2023/NĐ-CP đối "
            "với đề xuất này; hồ sơ bảo vệ đã cấp không còn giá trị bảo vệ. Việc xem xét trách "
            "nhiệm được thực hiện theo quy định hiện hành."
        )
    else:
        paragraphs.append(
            "Không có căn cứ xác định lợi dụng chủ trương. Đề xuất tiếp tục ở giai đoạn trước khi "
            "chuyển xem xét; việc khuyến khích, bảo vệ theo Kết luận số 14-KL/TW và Nghị định số "
            "73/2023/NĐ-CP được giữ nguyên."
        )
    paragraphs.append(
        "Cán bộ có quyền khiếu nại kết luận này theo quy định của pháp luật về khiếu nại."
    )
    content = {
        **document_frame(unit, signer, party=party),
        "doc_name": "KẾT LUẬN",
        "subject": (
            "Kết luận về dấu hiệu lợi dụng chủ trương và thu hồi việc bảo vệ đối với "
            if founded
            else "Kết luận về dấu hiệu lợi dụng chủ trương đối với "
        )
        + _proposal_named(proposal),
        "paragraphs": paragraphs,
        "recipients": [
            f"{authors} ({proposal.home_unit.name});",
            f"Người đứng đầu {proposal.deciding_unit.name};",
            FILED,
        ],
        "proposal_code": proposal.code,
    }
    return [Draft(unit=unit, signer=signer, content=content)]


register(DocumentKind("evaluation", event="evaluate", doc_type="TB", build=build_evaluation))
register(
    DocumentKind(
        "responsibility", event="decide_responsibility", doc_type="QĐ", build=build_responsibility
    )
)
# One decision per author (amendment of 2026-11-29): every author's decision but the last is an
# in-state action; each issues that author's own decision.
register(
    DocumentKind(
        "responsibility_person",
        event="responsibility_decision",
        doc_type="QĐ",
        build=build_responsibility,
    )
)
# The resolution of a complaint (Law on Complaints, Art. 31): in-state, or, when it revises a
# decision once every author is decided, the `revise_responsibility` transition.
register(
    DocumentKind(
        "complaint_resolution",
        event="responsibility_complaint_resolution",
        doc_type="QĐ",
        build=build_complaint_resolution,
    )
)
register(
    DocumentKind(
        "responsibility_revision",
        event="revise_responsibility",
        doc_type="QĐ",
        build=build_complaint_resolution,
    )
)
register(DocumentKind("recognition", event="recognition", doc_type="QĐ", build=build_recognition))
register(DocumentKind("replication", event="replicate", doc_type="QĐ", build=build_replication))
register(
    DocumentKind("abuse_finding", event="conclude_abuse", doc_type="KL", build=build_abuse_finding)
)
