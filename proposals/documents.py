"""The official documents of the decision stage (documents.kinds): the approval decision
(Quyết định phê duyệt) and the notice of rejection (Thông báo không phê duyệt), issued by the
deciding unit and signed by the head who decided. Their text is Vietnamese (documents.wording)."""

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
    tally_sentence,
)

MODE_PURPOSE = {
    "pilot": "thực hiện thí điểm",
    "implementation": "tổ chức thực hiện",
}
STANCES = {
    "agree": "đồng ý",
    "agree_with_conditions": "đồng ý có điều kiện",
    "disagree": "không đồng ý",
}


def _subject_of(proposal) -> str:
    return f"đề xuất đổi mới, sáng tạo {quoted(proposal.title)}"


def build_approval(entry, proposal):
    unit, head = proposal.deciding_unit, entry.actor
    party = is_party_unit(unit)
    payload = entry.payload or {}
    authors = people(author_names(proposal))
    home = proposal.home_unit.name
    purpose = MODE_PURPOSE.get(payload.get("mode"), "tổ chức thực hiện")
    tally = payload.get("tally") or {}
    opinion = payload.get("opinion") or {}
    grounds = [KL14_GROUND, DECREE_73_GROUND]
    if opinion:
        document = ""
        if opinion.get("document_number"):
            document = f"Văn bản số {opinion['document_number']}"
            if opinion.get("document_date"):
                day = opinion["document_date"]
                document += f" ngày {day[8:10]}/{day[5:7]}/{day[:4]}"
            document += ", "
        grounds.append(
            f"Căn cứ ý kiến của cấp ủy cùng cấp ({document}"
            f"{STANCES.get(opinion.get('stance'), '')});"
        )
    grounds.append(f"Căn cứ kết quả biểu quyết của tập thể lãnh đạo: {tally_sentence(tally)};")
    grounds.append(
        f"Xét đề xuất của {authors}, {home} (hồ sơ {proposal.code}, phiên bản {proposal.version})."
    )
    articles = [
        {
            "heading": "Điều 1.",
            "text": (
                f"Phê duyệt {_subject_of(proposal)} (mã hồ sơ {proposal.code}) của {authors}, "
                f"{home}, để {purpose} theo Nghị định số 73/2023/NĐ-CP."
            ),
        },
    ]
    if payload.get("head_bears_responsibility"):
        articles.append(
            {
                "heading": f"Điều {len(articles) + 1}.",
                "text": (
                    "Tập thể lãnh đạo biểu quyết chưa đạt quá bán; người đứng đầu quyết định phê "
                    "duyệt và chịu trách nhiệm cá nhân về quyết định này (Điều 8 Nghị định số "
                    "73/2023/NĐ-CP). Lý do: " + (payload.get("override_reason") or "")
                ),
            }
        )
    if payload.get("against_opinion"):
        reason = (
            ""
            if payload.get("head_bears_responsibility")
            else " Lý do: " + (payload.get("override_reason") or "")
        )
        articles.append(
            {
                "heading": f"Điều {len(articles) + 1}.",
                "text": "Cấp ủy cùng cấp không đồng ý; người đứng đầu quyết định phê duyệt và "
                "nêu rõ lý do bằng văn bản." + reason,
            }
        )
    articles.append(
        {
            "heading": f"Điều {len(articles) + 1}.",
            "text": (
                f"{home} và các tác giả đề xuất xây dựng kế hoạch triển khai (mốc thời gian, chỉ "
                "tiêu, nguồn lực, người theo dõi, kiểm tra, nhận diện rủi ro và biện pháp kiểm "
                "soát), tổ chức thực hiện và báo cáo theo quy định."
            ),
        }
    )
    last = len(articles) + 1
    articles.append(
        {
            "heading": f"Điều {last}.",
            "text": (
                f"Quyết định này có hiệu lực kể từ ngày ký. Người đứng đầu {home}, các tác giả "
                "đề xuất và các cơ quan, đơn vị, cá nhân có liên quan chịu trách nhiệm thi hành "
                "Quyết định này."
            ),
        }
    )
    content = {
        **document_frame(unit, head, party=party),
        "doc_name": "QUYẾT ĐỊNH",
        "subject": f"Về việc phê duyệt {_subject_of(proposal)}",
        "authority": "" if party else authority(unit, head),
        "grounds": grounds,
        "decides": "QUYẾT ĐỊNH:",
        "articles": articles,
        "recipients": [f"Như Điều {last};", "Cấp ủy cùng cấp;", FILED],
        "proposal_code": proposal.code,
    }
    return [Draft(unit=unit, signer=head, content=content)]


def build_rejection(entry, proposal):
    unit, head = proposal.deciding_unit, entry.actor
    party = is_party_unit(unit)
    payload = entry.payload or {}
    authors = people(author_names(proposal))
    home = proposal.home_unit.name
    tally = payload.get("tally") or {}
    paragraphs = [
        (
            f"Xét {_subject_of(proposal)} (mã hồ sơ {proposal.code}, phiên bản "
            f"{proposal.version}) của {authors}, {home}; căn cứ Nghị định số 73/2023/NĐ-CP và "
            f"kết quả biểu quyết của tập thể lãnh đạo ({tally_sentence(tally)}), {unit.name} "
            "thông báo không phê duyệt đề xuất."
        ),
        f"Lý do: {payload.get('reasons', '')}",
        (
            "Tác giả đề xuất có thể hoàn thiện nội dung và trình đề xuất mới theo quy định; "
            "ý kiến về thông báo này gửi về người đứng đầu cơ quan, đơn vị."
        ),
    ]
    content = {
        **document_frame(unit, head, party=party),
        "doc_name": "THÔNG BÁO",
        "subject": f"Về việc không phê duyệt {_subject_of(proposal)}",
        "paragraphs": paragraphs,
        "recipients": [f"{authors} ({home});", "Cấp ủy cùng cấp;", FILED],
        "proposal_code": proposal.code,
    }
    return [Draft(unit=unit, signer=head, content=content)]


register(DocumentKind("approval", event="approve", doc_type="QĐ", build=build_approval))
register(DocumentKind("rejection", event="reject", doc_type="TB", build=build_rejection))
