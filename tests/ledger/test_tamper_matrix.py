"""Tampering as an attacker with SQL access would (a superuser: triggers switched off), each one
asserted detected by `manage.py verify_ledger`, the ledger API and the dossier verification page.
A dossier was issued first, so a signed checkpoint holds every chain head. The chain's own
tamperings need PostgreSQL (its triggers); the recorded rows, which no trigger guards, are
tampered with on any database."""

import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from documents import services as documents
from documents.models import OfficialDocument
from ledger.models import LedgerEntry
from pilots import services as pilots
from pilots.models import Milestone, ReportAttachment
from proposals.models import Opinion, ProposalVersion, State, Vote
from reviews import board_requests as requests
from reviews import responsibility as persons
from reviews import services as reviews
from reviews.models import AbuseCase, Decision
from tests.factories.files import PNG
from tests.factories.pilots import approved, started
from tests.factories.proposals import fresh, in_state
from tests.factories.reviews import FINALS, PROTECTED, decided, in_review, succeeded
from tests.factories.units import grant
from tests.ledger.tamper import append_forged, entries, recompute_from, sql
from units.models import Role

pytestmark = pytest.mark.django_db


def edit_payload(p, org):
    sql(
        "UPDATE ledger_ledgerentry SET payload = %s WHERE proposal_id = %s AND seq = 2",
        ['{"forged": true}', p.pk],
    )


def delete_middle(p, org):
    sql("DELETE FROM ledger_ledgerentry WHERE proposal_id = %s AND seq = 2", [p.pk])


def reorder(p, org):
    sql("UPDATE ledger_ledgerentry SET seq = seq + 1000 WHERE proposal_id = %s", [p.pk])
    sql("UPDATE ledger_ledgerentry SET seq = 2 WHERE proposal_id = %s AND seq = 1003", [p.pk])
    sql("UPDATE ledger_ledgerentry SET seq = 3 WHERE proposal_id = %s AND seq = 1002", [p.pk])
    sql(
        "UPDATE ledger_ledgerentry SET seq = seq - 1000 WHERE proposal_id = %s AND seq > 1000",
        [p.pk],
    )


def insert_backdated(p, org):
    """A forged entry at the end, correctly hashed, dated a day before the first one."""
    first = entries(p)[0]
    append_forged(p, at=first.at - timedelta(days=1))


def truncate(p, org):
    last = entries(p)[-1]
    sql("DELETE FROM ledger_ledgerentry WHERE id = %s", [last.pk])


def recompute(p, org):
    recompute_from(p, 2, payload={"forged": True})


def delete_all(p, org):
    sql("DELETE FROM ledger_ledgerentry WHERE proposal_id = %s", [p.pk])


def vote(p, org):
    row = Vote.objects.filter(proposal=p).first()
    choice = "against" if row.choice == "for" else "for"
    sql("UPDATE proposals_vote SET choice = %s WHERE id = %s", [choice, row.pk])


def opinion(p, org):
    row = Opinion.objects.filter(proposal=p).first()
    stance = "disagree" if row.stance != "disagree" else "agree"
    sql("UPDATE proposals_opinion SET stance = %s WHERE id = %s", [stance, row.pk])


def co_author(p, org):
    sql(
        "INSERT INTO proposals_proposalauthor (proposal_id, user_id, is_creator, post, added_at) "
        "VALUES (%s, %s, false, '', CURRENT_TIMESTAMP)",
        [p.pk, org.deputy.pk],
    )


def mode(p, org):
    sql(
        "UPDATE proposals_proposal SET mode = %s WHERE id = %s",
        ["implementation" if p.mode == "pilot" else "pilot", p.pk],
    )


def head_override(p, org):
    sql(
        "UPDATE proposals_proposal SET head_override = %s WHERE id = %s",
        [not p.head_override, p.pk],
    )


def deciding_unit(p, org):
    sql(
        "UPDATE proposals_proposal SET deciding_unit_id = %s WHERE id = %s", [org.province.pk, p.pk]
    )


def frozen_version(p, org):
    row = ProposalVersion.objects.filter(proposal=p).first()
    content = {**row.content, "fields": {**row.content["fields"], "title": "Khác"}}
    sql(
        "UPDATE proposals_proposalversion SET content = %s WHERE id = %s",
        [json.dumps(content), row.pk],
    )


def evaluation(p, org):
    sql("UPDATE reviews_evaluation SET outcome = %s WHERE proposal_id = %s", ["achieved", p.pk])


def responsibility(p, org):
    sql(
        "UPDATE reviews_responsibilitydecision SET decision = %s WHERE proposal_id = %s",
        ["liability_excluded", p.pk],
    )


def state(p, org):
    sql("UPDATE proposals_proposal SET state = %s WHERE id = %s", ["exempted", p.pk])


def hide_from_the_check(p, org):
    """version = 0 used to hide a proposal from verify_ledger."""
    sql("UPDATE proposals_proposal SET version = 0 WHERE id = %s", [p.pk])
    vote(p, org)


MATRIX = [
    edit_payload,
    delete_middle,
    reorder,
    insert_backdated,
    truncate,
    recompute,
    delete_all,
    vote,
    opinion,
    co_author,
    mode,
    head_override,
    deciding_unit,
    frozen_version,
    evaluation,
    responsibility,
    state,
    hide_from_the_check,
]


REVIEW_STAGE = {evaluation, responsibility}


@pytest.fixture
def protected(request, postgres, org, proposal):
    """Approved through the real services (submission, opinion, votes, approval); for the review
    stage's rows, evaluated and decided on responsibility."""
    if request.node.callspec.params["tamper"] in REVIEW_STAGE:
        return decided(proposal, head=org.head, party=org.party)
    return approved(proposal, author=org.cadre, head=org.head, party=org.party, voters=[org.deputy])


@pytest.mark.services
@pytest.mark.parametrize("tamper", MATRIX, ids=[t.__name__ for t in MATRIX])
def test_detected_by_the_command_the_api_and_the_page(org, protected, tamper, capsys):
    issue, _verification, _document = reviews.dossier_issue_pdf(
        proposal=fresh(protected), actor=org.cadre
    )
    client = Client()
    client.force_login(org.cadre)
    url = f"/api/v1/proposals/{protected.pk}/ledger/verify/"
    assert client.get(url).json()["valid"]

    tamper(fresh(protected), org)

    with pytest.raises(SystemExit):
        call_command("verify_ledger")
    out = capsys.readouterr().out
    assert f"BROKEN  {protected.code}" in out
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.json()["valid"] is False
    page = client.get(f"/dossiers/verify/?code={issue.code}").content.decode()
    assert 'data-status="broken"' in page
    assert not LedgerEntry.objects.filter(event="dossier").exists()
    kind = getattr(tamper, "kind", None)
    if kind is not None:
        # A recorded row was changed: its kind is named, not only the entry.
        assert f"({kind})" in out
        assert answer.json()["record_kind"] == kind
        assert f'data-record-kind="{kind}"' in page and LABELS[kind] in page


# --- every kind of recorded row (no trigger guards these tables: any database) ---------------
#
# Each stage is reached through the real services; each tampering edits, adds or deletes one
# row that a ledger entry recorded, and verification must name the row's kind. The same stage
# untouched verifies.


def pilot_stage(org, proposal):
    """Approved, planned, started; a progress report with a KPI value and an attachment, an
    adjustment requested and approved; completed and its final report filed (evaluating)."""
    p = approved(proposal, author=org.cadre, head=org.head, party=org.party, voters=[org.deputy])
    p = started(p, head=org.head, monitors=[org.inspector])
    # Milestones: the first marked done; the second marked done, then reopened.
    first, second, _third = Milestone.objects.filter(plan__proposal=p).order_by("due_date")
    pilots.milestone_set_done(milestone=first, actor=org.cadre, done=True)
    pilots.milestone_set_done(milestone=second, actor=org.cadre, done=True)
    pilots.milestone_set_done(milestone=second, actor=org.head, done=False)
    pilots.report_file(
        proposal=fresh(p),
        actor=org.cadre,
        narrative="Đã số hóa 20% hồ sơ.",
        kpi_values={"Tỷ lệ hồ sơ trực tuyến": "20"},
        attachments=[SimpleUploadedFile("bien-ban.png", PNG, content_type="image/png")],
    )
    pilots.inspection_record(
        proposal=fresh(p),
        actor=org.inspector,
        date=timezone.localdate().isoformat(),
        findings="Triển khai đúng kế hoạch.",
        recommendations="Tăng cường tập huấn.",
        assessment="good",
    )
    adjustment = pilots.adjustment_request(
        proposal=fresh(p),
        actor=org.cadre,
        reasons="Cần thêm thời gian tập huấn.",
        changes={"end_date": (timezone.localdate() + timedelta(days=200)).isoformat()},
    )
    pilots.adjustment_approve(adjustment=adjustment, actor=org.head, reasons="Đồng ý.")
    return through_final_report(p, org)


def through_final_report(p, org):
    pilots.pilot_complete(proposal=fresh(p), actor=org.cadre)
    pilots.pilot_submit_final_report(
        proposal=fresh(p), actor=org.cadre, report="Báo cáo trung thực.", kpi_values=FINALS
    )
    return fresh(p)


def records(kind, stage):
    """Marks a tampering with the row kind verification must name and the stage it needs."""

    def mark(tamper):
        tamper.kind, tamper.stage = kind, stage
        return tamper

    return mark


@records("progress_reports", pilot_stage)
def progress_report(p, org):
    sql("UPDATE pilots_progressreport SET narrative = %s", ["Đã số hóa 90% hồ sơ."])


@records("progress_reports", pilot_stage)
def progress_report_value(p, org):
    sql("UPDATE pilots_kpivalue SET value = %s WHERE report_id IS NOT NULL", [90])


@records("progress_reports", pilot_stage)
def progress_report_attachment(p, org):
    """The stored attachment replaced by another file under the same name (the storage)."""
    name = ReportAttachment.objects.get().file.name
    default_storage.delete(name)
    assert default_storage.save(name, ContentFile(PNG + b"forged")) == name


@records("final_report", pilot_stage)
def final_report(p, org):
    sql("UPDATE pilots_finalreport SET late = %s, report = %s", [False, "Vượt chỉ tiêu."])


@records("milestones", pilot_stage)
def milestone_unmarked(p, org):
    """A milestone marked done, shown as not done."""
    sql("UPDATE pilots_milestone SET done = %s, done_at = NULL WHERE done = %s", [False, True])


@records("milestones", pilot_stage)
def milestone_marked(p, org):
    """The reopened milestone and the one never marked, shown as done."""
    sql(
        "UPDATE pilots_milestone SET done = %s, done_at = CURRENT_TIMESTAMP WHERE done = %s",
        [True, False],
    )


@records("milestones", pilot_stage)
def milestone_backdated(p, org):
    """Marked done, but earlier than the entry says."""
    sql(
        "UPDATE pilots_milestone SET done_at = %s WHERE done = %s",
        [timezone.now() - timedelta(days=40), True],
    )


@records("milestones", pilot_stage)
def milestone_renamed(p, org):
    sql("UPDATE pilots_milestone SET name = %s WHERE done = %s", ["Khảo sát sơ bộ", True])


@records("milestones", pilot_stage)
def milestone_deleted(p, org):
    sql("DELETE FROM pilots_milestone WHERE done = %s", [False])


@records("inspections", pilot_stage)
def inspection(p, org):
    sql("UPDATE pilots_inspection SET assessment = %s", ["serious"])


@records("inspections", pilot_stage)
def inspection_deleted(p, org):
    sql("DELETE FROM pilots_inspection")


@records("adjustments", pilot_stage)
def adjustment(p, org):
    sql("UPDATE pilots_adjustment SET status = %s, resulting_version = NULL", ["rejected"])


@records("adjustments", pilot_stage)
def adjustment_reasons(p, org):
    sql("UPDATE pilots_adjustment SET reasons = %s", ["Do cấp trên chỉ đạo."])


def decision_stage(org, proposal):
    """Submitted, the Party committee's opinion, the collective's votes, approved."""
    return approved(proposal, author=org.cadre, head=org.head, party=org.party, voters=[org.deputy])


for _tamper, _kind in (
    (vote, "votes"),
    (opinion, "opinions"),
    (co_author, "authors"),
    (mode, "mode_and_head_override"),
    (head_override, "mode_and_head_override"),
    (deciding_unit, "deciding_unit"),
    (frozen_version, "dossier_versions"),
    (state, "state"),
    (hide_from_the_check, "votes"),
):
    records(_kind, decision_stage)(_tamper)


def review_stage(org, proposal):
    """Evaluated (damage) and decided on responsibility (reduced)."""
    return decided(proposal, head=org.head, party=org.party)


@records("evaluation", review_stage)
def evaluation_causes(p, org):
    sql("UPDATE reviews_evaluation SET causes_subjective = %s", ["Không có."])


@records("evaluation", review_stage)
def evaluation_override(p, org):
    """The head's override of the collective's vote, erased."""
    sql("UPDATE reviews_evaluation SET head_override = %s", [True])


@records("evaluation", review_stage)
def evaluation_minutes(p, org):
    """Other minutes swapped in."""
    sql("UPDATE reviews_evaluationminutes SET sha256 = %s", ["0" * 64])


@records("evaluation_ballots", review_stage)
def evaluation_ballot(p, org):
    sql("UPDATE reviews_evaluationballot SET choice = %s", ["achieved"])


@records("responsibility_decisions", review_stage)
def responsibility_reasons(p, org):
    sql("UPDATE reviews_responsibilitydecision SET reasons = %s", ["Không có lỗi."])


@records("responsibility_decisions", review_stage)
def responsibility_damage(p, org):
    sql("UPDATE reviews_responsibilitydecision SET damage_amount = %s", [1000])


def complaint_stage(org, proposal):
    """In the responsibility review: both authors explained, the decision on each (reduced), the
    cadre's complaint against it, resolved by the deciding head (upheld)."""
    p = in_review(proposal, head=org.head, party=org.party)
    for author in (org.cadre, org.cadre2):
        persons.responsibility_explain(
            proposal=fresh(p), actor=author, text="Tôi làm đúng kế hoạch được duyệt."
        )
    reviews.proposal_decide_responsibility(
        proposal=fresh(p),
        actor=org.head,
        decision=Decision.REDUCED,
        damage=True,
        damage_amount=50_000_000,
        reasons="Làm đúng kế hoạch được duyệt, vì lợi ích chung.",
        **PROTECTED,
    )
    persons.complaint_file(proposal=fresh(p), actor=org.cadre, text="Tôi không đồng ý.")
    persons.complaint_extend(
        proposal=fresh(p), actor=org.head, author=org.cadre, reason="Vụ việc phức tạp."
    )
    persons.complaint_resolve(
        proposal=fresh(p), actor=org.head, author=org.cadre, resolution="upheld", text="Giữ."
    )
    return fresh(p)


@records("responsibility_explanations", complaint_stage)
def responsibility_explanation(p, org):
    sql(
        "UPDATE reviews_responsibilityexplanation SET text = %s WHERE author_id = %s",
        ["Tôi nhận lỗi.", org.cadre2.pk],
    )


@records("responsibility_complaints", complaint_stage)
def complaint(p, org):
    sql("UPDATE reviews_responsibilitycomplaint SET text = %s", ["Tôi đồng ý."])


@records("responsibility_complaints", complaint_stage)
def complaint_extension(p, org):
    sql("UPDATE reviews_responsibilitycomplaint SET extension_reason = %s", ["Không phức tạp."])


@records("responsibility_complaints", complaint_stage)
def complaint_resolution(p, org):
    sql("UPDATE reviews_responsibilitycomplaint SET resolution = %s", ["accepted"])


def revision_stage(org, proposal):
    """Both authors decided together (reduced); the cadre's complaint founded: the revised
    decision on the cadre (exempted) supersedes theirs, the outcomes now differ."""
    p = decided(proposal, head=org.head, party=org.party)
    persons.complaint_file(proposal=fresh(p), actor=org.cadre, text="Thiệt hại nhỏ hơn.")
    persons.complaint_resolve(
        proposal=fresh(p),
        actor=org.head,
        author=org.cadre,
        resolution="accepted",
        text="Khiếu nại đúng.",
        decision=Decision.EXEMPTED,
        damage=True,
        damage_amount=20_000_000,
        reasons="Thiệt hại do nguyên nhân khách quan.",
        **PROTECTED,
    )
    assert fresh(p).state == State.RESPONSIBILITY_DECIDED
    return fresh(p)


@records("responsibility_decisions", revision_stage)
def revised_decision(p, org):
    sql(
        "UPDATE reviews_responsibilitydecision SET decision = %s WHERE supersedes_id IS NOT NULL",
        ["liability_excluded"],
    )


@records("responsibility_decisions", revision_stage)
def superseded_decision(p, org):
    """The history: the decision complained of, rewritten."""
    sql(
        "UPDATE reviews_responsibilitydecision SET reasons = %s "
        "WHERE id IN (SELECT supersedes_id FROM reviews_responsibilitydecision)",
        ["Không có lỗi."],
    )


@records("responsibility_decisions", revision_stage)
def revision_deleted(p, org):
    sql("DELETE FROM reviews_responsibilitydecision WHERE supersedes_id IS NOT NULL")


@records("responsibility_complaints", revision_stage)
def revision_resolution(p, org):
    sql("UPDATE reviews_responsibilitycomplaint SET resolution = %s", ["upheld"])


def abuse_stage(org, proposal):
    """Under way; referred for abuse, both authors explained, the finding: unfounded (back to
    in_progress, protection intact)."""
    p = in_state(proposal, State.IN_PROGRESS, mode="pilot")
    reviews.proposal_refer_abuse(
        proposal=fresh(p), actor=org.inspector, evidence="Nghi vấn trục lợi.", grounds="Điều 6."
    )
    for author in (org.cadre, org.cadre2):
        reviews.abuse_explain(proposal=fresh(p), actor=author, text="Tôi làm đúng kế hoạch.")
    reviews.proposal_conclude_abuse(
        proposal=fresh(p), actor=org.inspector, finding="unfounded", conclusion="Không có căn cứ."
    )
    return fresh(p)


@records("abuse_cases", abuse_stage)
def abuse_evidence(p, org):
    sql("UPDATE reviews_abusecase SET evidence = %s", ["Có bằng chứng trục lợi."])


@records("abuse_cases", abuse_stage)
def abuse_finding(p, org):
    sql("UPDATE reviews_abusecase SET finding = %s", ["founded"])


@records("abuse_cases", abuse_stage)
def abuse_explanation(p, org):
    sql(
        "UPDATE reviews_abuseexplanation SET text = %s WHERE author_id = %s",
        ["Tôi nhận lỗi.", org.cadre.pk],
    )


@records("abuse_cases", abuse_stage)
def abuse_referral(p, org):
    """Protection revoked by a referral that no founded finding recorded."""
    case = AbuseCase.objects.get(proposal=p)
    sql(
        "INSERT INTO reviews_abusereferral (proposal_id, evidence, from_state, referred_by_id, "
        "created_at, case_id) VALUES (%s, %s, %s, %s, %s, %s)",
        [p.pk, case.evidence, case.from_state, case.referred_by_id, timezone.now(), case.pk],
    )


def success_stage(org, proposal):
    """Succeeded; praise and a reward proposed by the province's organization
    board and approved by the province's standing committee; a replication in the commune
    proposed and approved (the adopted proposal created there); a regulation proposed to
    institutionalise the model; published as a lesson."""
    p = succeeded(proposal, head=org.head, party=org.party)
    standing = grant(org.province, Role.STANDING_COMMITTEE, username="standing")
    praise = requests.recognition_propose(
        proposal=fresh(p), actor=org.orgboard, kind="praise", grounds="Khen."
    )
    requests.board_request_decide(board_request=praise, actor=standing, decision="approve")
    reward = requests.recognition_propose(
        proposal=fresh(p), actor=org.orgboard, kind="reward", grounds="Tiết kiệm 30% thời gian."
    )
    requests.board_request_decide(board_request=reward, actor=standing, decision="approve")
    replication = requests.replication_propose(
        proposal=fresh(p), actor=org.orgboard, target_units=[org.commune.pk], grounds="Nhân rộng."
    )
    requests.board_request_decide(
        board_request=replication, actor=standing, decision="approve", reason="Đồng ý."
    )
    reviews.proposal_institutionalize(
        proposal=fresh(p), actor=org.orgboard, title="Quy định một cửa số", issuing_level="province"
    )
    reviews.lesson_publish(proposal=fresh(p), actor=org.head, lessons="Làm từng bước, đo kết quả.")
    return fresh(p)


@records("recognitions", success_stage)
def recognition(p, org):
    sql(
        "UPDATE reviews_recognition SET kind = %s WHERE kind = %s", ["early_salary_raise", "praise"]
    )


@records("recognitions", success_stage)
def recognition_added(p, org):
    sql(
        "INSERT INTO reviews_recognition (proposal_id, recipient_id, kind, note, unit_id, "
        "granted_by_id, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [p.pk, org.cadre.pk, "priority", "", org.agency.pk, org.head.pk, timezone.now()],
    )


@records("board_requests", success_stage)
def board_request(p, org):
    sql("UPDATE reviews_boardrequest SET grounds = %s WHERE kind = %s", ["Khác.", "recognition"])


@records("board_requests", success_stage)
def board_request_refused(p, org):
    sql("UPDATE reviews_boardrequest SET state = %s WHERE kind = %s", ["refused", "replication"])


@records("replications", success_stage)
def replication_target(p, org):
    sql("UPDATE reviews_adoption SET unit_id = %s", [org.commune2.pk])


@records("institutionalisation", success_stage)
def institutionalisation(p, org):
    sql("UPDATE reviews_institutionalization SET issuing_level = %s", ["central"])


def document_stage(org, proposal):
    """Approved: the decision's official document issued (rendered, signed, stored, recorded)."""
    p = approved(proposal, author=org.cadre, head=org.head, party=org.party, voters=[org.deputy])
    issued = documents.document_issue(pk=OfficialDocument.objects.get(proposal=p).pk)
    assert issued is not None
    return fresh(p)


@records("lesson", success_stage)
def lesson(p, org):
    sql("UPDATE reviews_lesson SET lessons = %s", ["Không có gì để học."])


@records("lesson", success_stage)
def lesson_hidden(p, org):
    sql("UPDATE proposals_proposal SET published_at = NULL WHERE id = %s", [p.pk])


@records("lesson", success_stage)
def lesson_copy_cleared(p, org):
    """The library's copy of the date (Lesson.published_at) withdrawn alone: the library would
    no longer find the lesson, while the proposal says it is published."""
    sql("UPDATE reviews_lesson SET published_at = NULL")


@records("lesson", success_stage)
def lesson_copy_dated(p, org):
    """The copy moved to another date: the library would order and count it otherwise."""
    sql("UPDATE reviews_lesson SET published_at = %s", [timezone.now() - timedelta(days=400)])


@records("official_documents", document_stage)
def document_hash(p, org):
    sql("UPDATE documents_officialdocument SET pdf_sha256 = %s", ["0" * 64])


@records("official_documents", document_stage)
def document_number(p, org):
    sql("UPDATE documents_officialdocument SET number = number + 1")


@records("official_documents", document_stage)
def document_unissued(p, org):
    sql("UPDATE documents_officialdocument SET status = %s", ["pending"])


@records("official_documents", document_stage)
def document_file(p, org):
    """The stored PDF replaced by another file under the same name (not SQL: the storage)."""
    name = OfficialDocument.objects.get(proposal=p).pdf.name
    default_storage.delete(name)
    assert default_storage.save(name, ContentFile(b"%PDF-1.7 forged")) == name


records("evaluation", review_stage)(evaluation)
records("responsibility_decisions", review_stage)(responsibility)

# What the verify page and the API call each kind of record, in Vietnamese.
LABELS = {
    "votes": "Phiếu biểu quyết",
    "opinions": "Ý kiến của cấp ủy",
    "authors": "Tác giả và chức vụ",
    "mode_and_head_override": (
        "Quyết định phê duyệt: hình thức và việc người đứng đầu tự chịu trách nhiệm"
    ),
    "deciding_unit": "Cơ quan có thẩm quyền quyết định",
    "dossier_versions": "Phiên bản hồ sơ đã khóa",
    "state": "Trạng thái của đề xuất",
    "plan_versions": "Phiên bản kế hoạch triển khai",
    "progress_reports": "Báo cáo tiến độ",
    "final_report": "Báo cáo kết quả cuối cùng",
    "inspections": "Kết quả kiểm tra",
    "adjustments": "Điều chỉnh kế hoạch",
    "milestones": "Mốc công việc",
    "evaluation": "Đánh giá kết quả",
    "evaluation_ballots": "Phiếu biểu quyết đánh giá kết quả",
    "responsibility_decisions": "Quyết định về trách nhiệm",
    "responsibility_explanations": "Giải trình trước khi quyết định về trách nhiệm",
    "responsibility_complaints": "Khiếu nại quyết định về trách nhiệm",
    "abuse_cases": "Hồ sơ xem xét dấu hiệu lợi dụng chủ trương",
    "recognitions": "Ghi nhận, khuyến khích",
    "board_requests": "Đề nghị của ban tổ chức",
    "replications": "Chỉ đạo nhân rộng",
    "adoption": "Áp dụng theo chỉ đạo nhân rộng",
    "institutionalisation": "Đề nghị thể chế hóa mô hình",
    "lesson": "Bài học kinh nghiệm đã công bố",
    "official_documents": "Văn bản đã ban hành",
}

ROWS = [
    vote,
    opinion,
    co_author,
    mode,
    head_override,
    deciding_unit,
    frozen_version,
    state,
    hide_from_the_check,
    evaluation,
    responsibility,
    progress_report,
    progress_report_value,
    progress_report_attachment,
    final_report,
    milestone_unmarked,
    milestone_marked,
    milestone_backdated,
    milestone_renamed,
    milestone_deleted,
    inspection,
    inspection_deleted,
    adjustment,
    adjustment_reasons,
    evaluation_causes,
    evaluation_override,
    evaluation_minutes,
    evaluation_ballot,
    responsibility_reasons,
    responsibility_damage,
    responsibility_explanation,
    complaint,
    complaint_resolution,
    revised_decision,
    superseded_decision,
    revision_deleted,
    revision_resolution,
    abuse_evidence,
    abuse_finding,
    abuse_explanation,
    abuse_referral,
    recognition,
    recognition_added,
    board_request,
    board_request_refused,
    replication_target,
    institutionalisation,
    lesson,
    lesson_hidden,
    lesson_copy_cleared,
    lesson_copy_dated,
    document_hash,
    document_number,
    document_unissued,
    document_file,
]
STAGES = list(dict.fromkeys(t.stage for t in ROWS))


def verified(org, p):
    """Issues a dossier (a signed checkpoint holds the heads), then asserts that the command, the
    API and the page call the ledger intact. Answers the API's URL and the dossier's code."""
    issue, _verification, _document = reviews.dossier_issue_pdf(proposal=fresh(p), actor=org.cadre)
    client = Client()
    client.force_login(org.cadre)
    url = f"/api/v1/proposals/{p.pk}/ledger/verify/"
    assert client.get(url).json()["valid"]
    call_command("verify_ledger")
    page = client.get(f"/dossiers/verify/?code={issue.code}").content.decode()
    assert 'data-status="valid"' in page
    return client, url, issue.code


@pytest.mark.parametrize("stage", STAGES, ids=[s.__name__ for s in STAGES])
def test_every_recorded_row_untouched_verifies(org, proposal, stage, capsys):
    verified(org, stage(org, proposal))
    assert " 0 broken." in capsys.readouterr().out


@pytest.mark.parametrize("tamper", ROWS, ids=[t.__name__ for t in ROWS])
def test_an_edited_row_is_named(org, proposal, tamper, capsys):
    p = tamper.stage(org, proposal)
    client, url, code = verified(org, p)
    capsys.readouterr()

    tamper(fresh(p), org)

    with pytest.raises(SystemExit):
        call_command("verify_ledger")
    out = capsys.readouterr().out
    assert f"BROKEN  {p.code}" in out
    # The command names the kind in English (its registry name in brackets, for monitoring).
    assert "no longer says what the entry recorded: " in out and f"({tamper.kind})" in out
    answer = client.get(url).json()
    assert answer["valid"] is False
    assert (answer["record_kind"], answer["record_label"]) == (tamper.kind, LABELS[tamper.kind])
    assert LABELS[tamper.kind] in answer["problem"]
    assert f"#{answer['first_bad_seq']}" in answer["problem"]
    page = client.get(f"/dossiers/verify/?code={code}").content.decode()
    assert 'data-status="broken"' in page
    assert f'data-record-kind="{tamper.kind}"' in page
    assert f'<dd class="col-sm-8" data-altered-record>{LABELS[tamper.kind]}</dd>' in page
    dossier = client.post("/api/v1/dossiers/verify/", {"code": code}).json()
    assert (dossier["status"], dossier["record_kind"]) == ("broken", tamper.kind)
    assert dossier["record_label"] == LABELS[tamper.kind]
