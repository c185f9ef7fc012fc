"""The one registry of ledger events (ledger/events.py): an unlabelled event fails, and the
Vietnamese timeline of every kind of step reads as words — no English, no raw values."""

import re

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation

from documents.models import OfficialDocument
from documents.services import document_issue
from ledger import events
from ledger.services import ledger_append
from pilots import services as pilots
from pilots.models import ImplementationPlan
from proposals import services as proposals
from proposals.models import State
from reviews import board_requests, responsibility
from reviews import services as reviews
from tests.conformance.conftest import org  # noqa: F401 - the conformance cast of people
from tests.conformance.life import INPUTS, ROUTE, S, cadre_draft, cast, drive, head_draft, step
from tests.conformance.test_actions import inspect, report, request_adjustment
from tests.factories.proposals import fresh
from tests.factories.reviews import recognised

pytestmark = pytest.mark.django_db


def test_an_unregistered_event_fails(org):  # noqa: F811
    proposal = drive(org, cadre_draft(org), S.SUBMITTED)
    with pytest.raises(events.UnlabelledEvent), transaction.atomic():
        ledger_append(proposal=proposal, actor=org.cadre, event="something_new")


def test_an_unlabelled_payload_key_fails(org):  # noqa: F811
    proposal = drive(org, cadre_draft(org), S.SUBMITTED)
    with pytest.raises(events.UnlabelledEvent), transaction.atomic():
        ledger_append(
            proposal=proposal, actor=org.cadre, event="withdraw", payload={"secret_flag": 1}
        )


def test_strict_mode_is_on_in_tests():
    assert events.strict()


def test_every_label_of_the_registry_is_translated():
    """Every event label and every payload label reads in Vietnamese (not the English msgid)."""
    untranslated = []
    for spec in events.all_specs():
        labels = [spec.label, *(i.label for i in spec.fields.values() if not i.hidden)]
        for label in labels:
            with translation.override("en"):
                english = str(label)
            with translation.override("vi"):
                vietnamese = str(label)
            if english == vietnamese:
                untranslated.append((spec.name, english))
    assert untranslated == []


def _timeline_text(proposal, user) -> str:
    client = Client()
    client.force_login(user)
    page = client.get(proposal.get_absolute_url()).content.decode()
    section = page[page.index('id="timeline"') : page.index('id="verify-result"')]
    # The entry's technical details (hashes) are not what a person reads.
    section = re.sub(r"<details.*?</details>", "", section, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


RAW = re.compile(r"\b(None|True|False|null|[a-z]+_[a-z_]+)\b|[{}\[\]]")


def _english_words():
    words = set()
    with translation.override("en"):
        for spec in events.all_specs():
            words.add(str(spec.label))
            words.update(str(i.label) for i in spec.fields.values() if not i.hidden)
    return words


def onward(org, proposal, target):  # noqa: F811
    """Like life.drive, from the proposal's current state."""
    path, state = [], S(target)
    while state != proposal.state:
        path.append(state)
        state = ROUTE[state]
    for state in reversed(path):
        proposal = step(org, proposal, state)
    return fresh(proposal)


def _lived(org):  # noqa: F811
    """Proposals that together write every event of the registry, through the real services."""
    done = []
    # A pilot with its reports, inspection, adjustments, milestone, suspension and resumption,
    # then evaluated with damage and a reduced responsibility.
    p = drive(org, cadre_draft(org), S.IN_PROGRESS)
    c = cast(org, p)
    report(p, c.author)
    inspect(p, c.monitor)
    adjustment = request_adjustment(p, c.author)
    pilots.adjustment_approve(adjustment=adjustment, actor=c.supervising_head, reasons="Đồng ý.")
    second = pilots.adjustment_request(
        proposal=fresh(p), actor=c.author, reasons="Lùi hạn.", changes={"people": "4 cán bộ"}
    )
    pilots.adjustment_reject(adjustment=second, actor=c.supervising_head, reasons="Chưa cần.")
    milestone = ImplementationPlan.objects.get(proposal=p).milestones.first()
    pilots.milestone_set_done(milestone=milestone, actor=c.author, done=True)
    pilots.milestone_set_done(milestone=milestone, actor=c.author, done=False)
    pilots.pilot_suspend(proposal=fresh(p), actor=c.supervising_head, reason="Rà soát.")
    pilots.pilot_resume(proposal=fresh(p), actor=c.supervising_head)
    done.append(onward(org, fresh(p), S.REDUCED))
    # A success, recognised, replicated, published and unpublished as a lesson.
    s = drive(org, head_draft(org), S.SUCCEEDED)
    c = cast(org, s)
    # The board's requests to the standing committee: approved, refused, withdrawn.
    standing = org.p_standing
    recognised(s, board=c.board, authority=standing, kind="praise", grounds="Biểu dương.")
    for kind, decision in (("reward", "approve"), ("priority", "refuse"), ("excellent_rating", "")):
        asked = board_requests.recognition_propose(
            proposal=fresh(s), actor=c.board, kind=kind, grounds="Mô hình hiệu quả."
        )
        _answer(asked, decision, standing, c.board)
    for decision in ("refuse", ""):
        asked = board_requests.replication_propose(
            proposal=fresh(s), actor=c.board, target_units=[org.commune2], grounds="Cần nhân rộng."
        )
        _answer(asked, decision, standing, c.board)
    reviews.lesson_publish(proposal=fresh(s), actor=c.deciding_head, lessons="Làm từng bước.")
    reviews.lesson_unpublish(proposal=fresh(s), actor=c.deciding_head)
    s = onward(org, fresh(s), S.REPLICATED)
    reviews.proposal_institutionalize(
        proposal=fresh(s), actor=c.board, title="Quy định mới", issuing_level="province"
    )
    done.append(fresh(s))
    done.extend(s.adoptions.all())
    # Returned, resubmitted, escalated, rejected; withdrawn; terminated; referred.
    r = drive(org, cadre_draft(org), S.RETURNED)
    proposals.proposal_submit(proposal=fresh(r), actor=cast(org, r).author)
    proposals.proposal_escalate(proposal=fresh(r), actor=org.head, reason="Vượt thẩm quyền.")
    proposals.proposal_open_review(proposal=fresh(r), actor=org.p_head)
    proposals.proposal_reject(proposal=fresh(r), actor=org.p_head, reasons="Chưa khả thi.")
    # Its notice of rejection, issued by the worker (rendered, signed, recorded).
    document_issue(pk=OfficialDocument.objects.get(proposal=r, kind="rejection").pk)
    done.append(fresh(r))
    done.append(drive(org, cadre_draft(org), S.WITHDRAWN))
    t = drive(org, cadre_draft(org), S.IN_PROGRESS)
    pilots.pilot_terminate(
        proposal=fresh(t), actor=cast(org, t).supervising_head, reason="Dừng sớm."
    )
    done.append(fresh(t))
    done.append(drive(org, cadre_draft(org), S.REFERRED))
    # Responsibility per person: an author explains, two authors are decided on differently, one
    # complains and the deciding head resolves the complaint.
    d = drive(org, cadre_draft(org), S.RESPONSIBILITY_REVIEW)
    c = cast(org, d)
    responsibility.responsibility_explain(
        proposal=fresh(d), actor=c.author, text="Tôi làm đúng kế hoạch được duyệt."
    )
    d = onward(org, fresh(d), S.RESPONSIBILITY_DECIDED)
    responsibility.complaint_file(proposal=d, actor=org.cadre2, text="Tôi không vụ lợi.")
    responsibility.complaint_extend(
        proposal=fresh(d),
        actor=c.deciding_head,
        author=org.cadre2.pk,
        reason="Phải xác minh tại ba đơn vị.",
    )
    responsibility.complaint_resolve(
        proposal=fresh(d),
        actor=c.deciding_head,
        author=org.cadre2.pk,
        resolution="upheld",
        text="Có căn cứ về việc vụ lợi.",
    )
    # The other author's complaint is founded: the revised decision on them.
    responsibility.complaint_file(proposal=fresh(d), actor=org.cadre, text="Thiệt hại nhỏ hơn.")
    responsibility.complaint_resolve(
        proposal=fresh(d),
        actor=c.deciding_head,
        author=org.cadre.pk,
        **INPUTS["revise_responsibility"],
    )
    done.append(fresh(d))
    return done


def _answer(asked, decision, standing, board):
    if decision:
        board_requests.board_request_decide(
            board_request=asked, actor=standing, decision=decision, reason="Ý kiến Ban Thường vụ."
        )
    else:
        board_requests.board_request_withdraw(board_request=asked, actor=board, reason="Bổ sung.")


def test_the_vietnamese_timeline_reads_as_words(org):  # noqa: F811
    lived = _lived(org)
    seen = set()
    english = _english_words()
    problems = []
    for proposal in lived:
        seen.update(proposal.ledger_entries.values_list("event", flat=True))
        text = _timeline_text(proposal, org.p_inspector)
        for match in RAW.finditer(text):
            problems.append(
                (proposal.code, match.group(0), text[max(0, match.start() - 60) :][:120])
            )
        problems.extend((proposal.code, w) for w in english if f" {w} " in text)
    assert problems == []
    # The scenario above writes every event the registry knows.
    assert {spec.name for spec in events.all_specs()} - seen == set()


def test_values_read_in_the_one_format():
    with translation.override("vi"):
        assert events.Money("x").render(1234567, events.Names()) == "1.234.567 đồng"
        assert events.Day("x").render("2026-03-09", events.Names()) == "09/03/2026"
        when = timezone.make_aware(timezone.datetime(2026, 3, 9, 14, 5))
        assert events.Moment("x").render(when.isoformat(), events.Names()) == "09/03/2026 14:05"
        assert events.YesNo("x").render(False, events.Names()) == "Không"
        assert events.Choice("x", choices=State).render("liability_excluded", None) == str(
            State.LIABILITY_EXCLUDED.label
        )
