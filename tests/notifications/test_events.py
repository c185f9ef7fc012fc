"""Event notifications through the real services: for each step, exactly the right people (never
the actor, never another unit), once, in their language, with a link to where they act."""

from datetime import date, time
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from ledger.models import LedgerEntry
from notifications import events
from notifications.models import Notification, NotificationPreference, OutboxEmail
from notifications.outbox import dispatch
from notifications.services import digests_compose
from pilots import services as pilots
from proposals import services as proposals
from proposals.models import ProposalAuthor
from reviews import services as reviews
from tests.factories.pilots import approved, planned, started
from tests.factories.proposals import CONDITIONS_MET, ProposalFactory, committee_reference, fresh
from tests.factories.reviews import (
    CAUSES,
    PROTECTED,
    evaluating,
    in_review,
    recognised,
    replicated,
    succeeded,
)
from tests.factories.units import grant
from units.models import Role

from .conftest import on

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(tree):
    """The agency decides; the province is above it; the commune is another subtree whose people
    must never hear about the agency's proposals."""
    agency, province, commune = tree["agency"], tree["province"], tree["commune"]
    return SimpleNamespace(
        agency=agency,
        province=province,
        head=grant(agency, Role.HEAD, username="head", full_name="Trần Văn Hùng"),
        deputy1=grant(agency, Role.DEPUTY, username="deputy1", language="en"),
        deputy2=grant(agency, Role.DEPUTY, username="deputy2"),
        cadre=grant(agency, Role.CADRE, username="cadre", full_name="Nguyễn Thị Hương"),
        cadre2=grant(agency, Role.CADRE, username="cadre2", language="en"),
        party=grant(agency, Role.PARTY_COMMITTEE, username="party"),
        inspector=grant(province, Role.INSPECTOR, username="inspector"),
        orgboard=grant(province, Role.ORGANIZATION_BOARD, username="orgboard"),
        province_head=grant(province, Role.HEAD, username="province_head"),
        province_party=grant(province, Role.PARTY_COMMITTEE, username="province_party"),
        commune_head=grant(commune, Role.HEAD, username="commune_head"),
        commune_deputy=grant(commune, Role.DEPUTY, username="commune_deputy"),
        commune_party=grant(commune, Role.PARTY_COMMITTEE, username="commune_party"),
    )


@pytest.fixture
def proposal(org):
    """A draft of the agency by the cadre and, as co-author, cadre2."""
    p = ProposalFactory(home_unit=org.agency, created_by=org.cadre, title="Một cửa điện tử")
    ProposalAuthor.objects.create(proposal=p, user=org.cadre2)
    return p


def told(ledger_event, proposal=None) -> dict:
    """{username: (kind, event, title)} of the notifications of the last entry named so."""
    entries = LedgerEntry.objects.filter(event=ledger_event)
    if proposal is not None:
        entries = entries.filter(proposal=proposal)
    entry = entries.order_by("-pk").first()
    assert entry is not None, f"no {ledger_event} entry"
    return {
        n.recipient.username: (n.kind, n.event, n.title)
        for n in Notification.objects.filter(entry=entry).select_related("recipient")
    }


def who(ledger_event, proposal=None) -> dict:
    return {name: event for name, (_kind, event, _title) in told(ledger_event, proposal).items()}


def submit(proposal, org):
    return proposals.proposal_submit(proposal=fresh(proposal), actor=org.cadre)


def open_review(proposal, org):
    submit(proposal, org)
    return proposals.proposal_open_review(proposal=fresh(proposal), actor=org.head)


# --- the decision stage ---------------------------------------------------------------------------


def test_submitted_to_the_head_of_the_deciding_unit(org, proposal):
    submit(proposal, org)
    ((name, (kind, event, title)),) = told("submit").items()
    assert (name, kind, event) == ("head", "action", "submit.1")
    code = fresh(proposal).code
    assert (
        title == f"Đề xuất {code} “Một cửa điện tử” đã được trình lên Sở, chờ xem xét, quyết định"
    )
    notification = Notification.objects.get(event="submit.1")
    assert notification.url == f"/proposals/{proposal.pk}/"
    assert "Nguyễn Thị Hương" in notification.body  # the actor's name
    assert notification.unit == org.agency


def test_the_review_asks_the_collective_to_vote_and_the_party_committee_for_its_opinion(
    org, proposal
):
    ProposalAuthor.objects.create(proposal=proposal, user=org.deputy2)  # an author does not vote
    open_review(proposal, org)
    assert who("open_review") == {
        "deputy1": "open_review.vote_requested",
        "party": "open_review.opinion_requested",
        "cadre": "open_review.under_review",
        "cadre2": "open_review.under_review",
        "deputy2": "open_review.under_review",
    }
    told_ = told("open_review")
    assert told_["deputy1"][0] == "action" and told_["cadre"][0] == "update"
    code = fresh(proposal).code
    # In each recipient's language.
    assert told_["deputy1"][2] == f"Your vote is requested on proposal {code} “Một cửa điện tử”"
    assert told_["party"][2] == (f"Đề nghị cấp ủy cho ý kiến về đề xuất {code} “Một cửa điện tử”")
    vote = Notification.objects.get(recipient=org.deputy1)
    assert vote.url == "/proposals/votes/"
    assert Notification.objects.get(recipient=org.party).url == "/proposals/opinions/"


def test_the_opinion_tells_the_head_the_decision_can_be_made(org, proposal):
    open_review(proposal, org)
    proposals.opinion_record(
        proposal=fresh(proposal),
        actor=org.party,
        stage="decision",
        stance="agree",
        text="Đồng ý.",
        **committee_reference(),
    )
    assert who("opinion") == {"head": "opinion.decision_possible"}
    assert "Đồng ý" in Notification.objects.get(event="opinion.decision_possible").body


def test_approved_as_a_pilot_tells_the_authors(org, proposal):
    approved(proposal, author=org.cadre, head=org.head, party=org.party, voters=[org.deputy1])
    # The head approved and prepares the plan himself: not told.
    assert who("approve") == {"cadre": "approve.approved_pilot", "cadre2": "approve.approved_pilot"}
    code = fresh(proposal).code
    titles = {name: title for name, (_k, _e, title) in told("approve").items()}
    assert titles == {
        "cadre": f"Đề xuất {code} “Một cửa điện tử” đã được phê duyệt thí điểm",
        "cadre2": f"Proposal {code} “Một cửa điện tử” is approved as a pilot",
    }


def test_approved_for_implementation(org, proposal):
    approved(
        proposal,
        author=org.cadre,
        head=org.head,
        party=org.party,
        voters=[org.deputy1],
        mode="implementation",
    )
    assert set(who("approve").values()) == {"approve.approved_implementation"}
    assert told("approve")["cadre"][2].endswith("đã được phê duyệt triển khai thực hiện")


def test_rejected_and_returned(org, proposal):
    open_review(proposal, org)
    proposals.proposal_return_for_revision(
        proposal=fresh(proposal), actor=org.head, comment="Bổ sung phần nguồn lực."
    )
    assert who("return_for_revision") == {
        "cadre": "return_for_revision.1",
        "cadre2": "return_for_revision.1",
    }
    returned = Notification.objects.get(recipient=org.cadre, event="return_for_revision.1")
    assert returned.kind == "action" and returned.url == f"/proposals/{proposal.pk}/edit/"
    assert "Bổ sung phần nguồn lực." in returned.body
    open_review(proposal, org)
    proposals.vote_cast(proposal=fresh(proposal), actor=org.deputy1, choice="against")
    proposals.proposal_reject(proposal=fresh(proposal), actor=org.head, reasons="Chưa khả thi.")
    assert who("reject") == {"cadre": "reject.1", "cadre2": "reject.1"}
    assert "Chưa khả thi." in Notification.objects.get(recipient=org.cadre, event="reject.1").body


def test_escalated_to_the_head_of_the_superior_unit(org, proposal):
    open_review(proposal, org)
    proposals.proposal_escalate(
        proposal=fresh(proposal), actor=org.head, reason="Vượt thẩm quyền của Sở."
    )
    assert who("escalate") == {
        "province_head": "escalate.to_decide",
        "cadre": "escalate.escalated",
        "cadre2": "escalate.escalated",
    }
    body = Notification.objects.get(recipient=org.province_head).body
    assert "Vượt thẩm quyền của Sở." in body and "Sở" in body
    # The province's review asks the province's collective and Party committee, not the agency's.
    proposals.proposal_open_review(proposal=fresh(proposal), actor=org.province_head)
    assert who("open_review") == {
        "province_party": "open_review.opinion_requested",
        "cadre": "open_review.under_review",
        "cadre2": "open_review.under_review",
    }


def test_nobody_outside_is_told_and_the_actor_never(org, proposal):
    approved(proposal, author=org.cadre, head=org.head, party=org.party, voters=[org.deputy1])
    outsiders = {"commune_head", "commune_deputy", "commune_party", "orgboard", "inspector"}
    names = set(Notification.objects.values_list("recipient__username", flat=True))
    assert not names & outsiders
    for entry in LedgerEntry.objects.all():
        assert not Notification.objects.filter(entry=entry, recipient_id=entry.actor_id).exists()


# --- the implementation stage ---------------------------------------------------------------------


@pytest.fixture
def escalated_approval(org, proposal):
    """Approved by the province (the head of the agency prepares the plan, the province's head
    co-signs it)."""
    open_review(proposal, org)
    proposals.proposal_escalate(proposal=fresh(proposal), actor=org.head, reason="Liên ngành.")
    proposals.proposal_open_review(proposal=fresh(proposal), actor=org.province_head)
    proposals.opinion_record(
        proposal=fresh(proposal),
        actor=org.province_party,
        stage="decision",
        stance="agree",
        text="Đồng ý.",
        **committee_reference(),
    )
    proposals.vote_cast(proposal=fresh(proposal), actor=org.province_head, choice="for")
    proposals.proposal_approve(
        proposal=fresh(proposal), actor=org.province_head, mode="pilot", **CONDITIONS_MET
    )
    return fresh(proposal)


def test_the_home_head_is_asked_for_the_plan_and_the_approving_head_to_co_sign(
    org, escalated_approval
):
    proposal = escalated_approval
    assert who("approve")["head"] == "approve.plan_requested"
    assert Notification.objects.get(recipient=org.head, event="approve.plan_requested").url == (
        f"/pilots/{proposal.pk}/plan/"
    )
    planned(proposal, head=org.head, monitors=[org.inspector])
    assert who("plan_version") == {
        "inspector": "plan_version.monitor_named",
        "province_head": "plan_version.cosign_requested",
    }
    pilots.plan_cosign(proposal=fresh(proposal), actor=org.province_head)
    assert who("plan_cosign") == {"head": "plan_cosign.1"}
    pilots.pilot_start(proposal=fresh(proposal), actor=org.head)
    assert who("start") == {"cadre": "start.1", "cadre2": "start.1", "inspector": "start.1"}


def test_an_incomplete_plan_asks_nobody_to_co_sign(org, escalated_approval):
    pilots.plan_save(proposal=fresh(escalated_approval), actor=org.head, start_date=None)
    assert "province_head" not in who("plan_version")


def test_a_monitor_is_named_once(org, escalated_approval):
    planned(escalated_approval, head=org.head, monitors=[org.inspector])
    planned(escalated_approval, head=org.head, monitors=[org.inspector], people="4 cán bộ.")
    named = Notification.objects.filter(recipient=org.inspector, event="plan_version.monitor_named")
    assert named.count() == 1


@pytest.fixture
def running(org, proposal):
    approved(proposal, author=org.cadre, head=org.head, party=org.party, voters=[org.deputy1])
    return started(proposal, head=org.head, monitors=[org.inspector])


def test_a_progress_report_goes_to_the_monitors_and_the_head(org, running):
    pilots.report_file(proposal=fresh(running), actor=org.cadre, narrative="Đã khảo sát.")
    assert who("progress_report") == {"inspector": "progress_report.1", "head": "progress_report.1"}


@pytest.mark.parametrize(
    ("assessment", "expected"), [("good", {}), ("serious", {"head": "inspection.1"})]
)
def test_an_inspection_with_problems_goes_to_the_head(org, running, assessment, expected):
    pilots.inspection_record(
        proposal=fresh(running),
        actor=org.inspector,
        date=timezone.localdate(),
        findings="Hệ thống quá tải.",
        assessment=assessment,
    )
    assert who("inspection") == expected


def test_adjustments_suspension_and_the_end(org, running):
    adjustment = pilots.adjustment_request(
        proposal=fresh(running),
        actor=org.cadre,
        reasons="Kéo dài thời gian.",
        changes={"people": "5 cán bộ."},
    )
    assert who("adjustment_request") == {"head": "adjustment_request.1"}
    pilots.adjustment_approve(adjustment=adjustment, actor=org.head)
    assert who("adjustment_approve") == {
        "cadre": "adjustment_approve.approved",
        "cadre2": "adjustment_approve.approved",
    }
    pilots.pilot_suspend(proposal=fresh(running), actor=org.head, reason="Chờ kinh phí.")
    assert set(who("suspend")) == {"cadre", "cadre2", "inspector"}
    pilots.pilot_resume(proposal=fresh(running), actor=org.head)
    assert set(who("resume")) == {"cadre", "cadre2", "inspector"}
    pilots.pilot_complete(proposal=fresh(running), actor=org.cadre)
    # The co-author files the final report too; the author who declared it done knows.
    assert who("complete") == {"cadre2": "complete.1"}
    pilots.pilot_submit_final_report(
        proposal=fresh(running),
        actor=org.cadre,
        report="Báo cáo trung thực.",
        kpi_values={"Thời gian giải quyết hồ sơ": "12", "Tỷ lệ hồ sơ trực tuyến": "65"},
    )
    assert who("submit_final_report") == {
        "head": "submit_final_report.evaluation_requested",
        "deputy1": "submit_final_report.evaluation_vote_requested",
        "deputy2": "submit_final_report.evaluation_vote_requested",
        "party": "submit_final_report.opinion_requested",
        "inspector": "submit_final_report.report_filed",
    }


def test_terminated_early(org, running):
    pilots.pilot_terminate(proposal=fresh(running), actor=org.head, reason="Không hiệu quả.")
    assert who("terminate") == {"cadre": "terminate.1", "cadre2": "terminate.1"}
    assert Notification.objects.get(recipient=org.cadre, event="terminate.1").kind == "action"


# --- the review stage ---------------------------------------------------------------------------


def test_the_results_and_the_protection(org, proposal):
    proposal = evaluating(proposal, party=org.party)
    assert who("opinion") == {"head": "opinion.evaluation_possible"}
    proposal = in_review(proposal, head=org.head, party=None)
    assert who("evaluate") == {"cadre": "evaluate.1", "cadre2": "evaluate.1"}
    reviews.proposal_decide_responsibility(
        proposal=fresh(proposal),
        actor=org.head,
        decision="exempted",
        damage=True,
        damage_amount=50_000_000,
        reasons="Làm đúng kế hoạch được duyệt.",
        **PROTECTED,
    )
    # One decision per author: each hears of their own (the first's is an in-state entry).
    assert who("responsibility_decision") == {"cadre": "responsibility_decision.protected"}
    assert who("decide_responsibility") == {"cadre2": "decide_responsibility.protected"}
    code = fresh(proposal).code
    assert told("responsibility_decision")["cadre"][2] == (
        f"Đề xuất {code} “Một cửa điện tử”: bạn được bảo vệ — Miễn trách nhiệm"
    )


def test_held_responsible(org, proposal):
    proposal = in_review(proposal, head=org.head, party=org.party)
    reviews.proposal_decide_responsibility(
        proposal=fresh(proposal),
        actor=org.head,
        decision="held_responsible",
        damage=True,
        damage_amount=50_000_000,
        reasons="Không làm đúng kế hoạch.",
        **{**PROTECTED, "followed_approved_plan": False},
    )
    assert set(who("decide_responsibility").values()) == {"decide_responsibility.held_responsible"}


def test_a_complaint_goes_to_the_deciding_head_and_its_resolution_to_its_author(org, proposal):
    from reviews import responsibility

    proposal = in_review(proposal, head=org.head, party=org.party)
    reviews.proposal_decide_responsibility(
        proposal=fresh(proposal),
        actor=org.head,
        decision="held_responsible",
        damage=True,
        damage_amount=50_000_000,
        reasons="Không làm đúng kế hoạch.",
        **{**PROTECTED, "followed_approved_plan": False},
    )
    responsibility.complaint_file(proposal=fresh(proposal), actor=org.cadre2, text="Khiếu nại.")
    assert who("responsibility_complaint") == {"head": "responsibility_complaint.1"}
    responsibility.complaint_resolve(
        proposal=fresh(proposal),
        actor=org.head,
        author=org.cadre2.pk,
        resolution="upheld",
        text="Giữ nguyên.",
    )
    assert who("responsibility_complaint_resolution") == {
        "cadre2": "responsibility_complaint_resolution.1"
    }


def test_referred_for_abuse(org, proposal):
    proposal = evaluating(proposal)
    reviews.proposal_refer_abuse(
        proposal=fresh(proposal), actor=org.head, grounds="Điều 6.", evidence="Hồ sơ."
    )
    # the authors, to explain; the inspection above the agency, to find
    assert who("refer_abuse") == {
        "cadre": "refer_abuse.1",
        "cadre2": "refer_abuse.1",
        "inspector": "refer_abuse.finding_requested",
    }
    reviews.abuse_explain(proposal=fresh(proposal), actor=org.cadre, text="Giải trình.")
    assert who("abuse_explanation") == {"inspector": "abuse_explanation.1"}


def test_recognition_goes_to_those_recognised(org, proposal):
    proposal = succeeded(proposal, head=org.head, party=org.party)
    recognised(proposal, board=org.orgboard, kind="praise", recipients=[org.cadre2])
    # the cadre recognised, and the organization board that proposed it (told the decision)
    assert who("recognition") == {"cadre2": "recognition.1", "orgboard": "recognition.board"}
    assert told("recognition")["cadre2"][2].endswith(": Praise")


def test_replication_tells_the_target_units_head_and_the_authors(org, proposal, tree):
    proposal = succeeded(proposal, head=org.head, party=org.party)
    replicated(proposal, board=org.orgboard, target_units=[tree["commune"].pk])
    assert who("replicate", proposal) == {
        "cadre": "replicate.1",
        "cadre2": "replicate.1",
        "orgboard": "replicate.board",  # the board that proposed it is told the decision
    }
    assert "Xã" in Notification.objects.get(recipient=org.cadre, event="replicate.1").body
    (adoption_entry,) = LedgerEntry.objects.filter(event="adopt")
    # The commune's head implements it; the head of the unit above prepares its plan (the
    # commune's heads are the adoption's authors), the only one who may open that page.
    assert who("adopt") == {"commune_head": "adopt.1", "province_head": "adopt.plan_requested"}
    adopt = Notification.objects.get(event="adopt.1")
    assert adopt.kind == "update" and adopt.url == f"/pilots/{adoption_entry.proposal_id}/"
    assert fresh(proposal).code in adopt.title
    plan = Notification.objects.get(event="adopt.plan_requested")
    assert plan.kind == "action" and plan.url == f"/pilots/{adoption_entry.proposal_id}/plan/"


def test_institutionalised_and_published(org, proposal):
    proposal = succeeded(proposal, head=org.head, party=org.party)
    reviews.proposal_institutionalize(
        proposal=fresh(proposal),
        actor=org.orgboard,
        title="Quy chế một cửa điện tử",
        issuing_level="province",
    )
    assert set(who("institutionalize")) == {"cadre", "cadre2"}
    body = Notification.objects.get(recipient=org.cadre, event="institutionalize.1").body
    assert "“Quy chế một cửa điện tử” (Cấp tỉnh)" in body
    reviews.lesson_publish(proposal=fresh(proposal), actor=org.head, lessons="Làm từng bước.")
    assert set(who("lesson_publish")) == {"cadre", "cadre2"}
    assert Notification.objects.get(recipient=org.cadre, event="lesson_publish.1").url == (
        f"/lessons/{proposal.pk}/"
    )


# --- delivery: e-mail by preference, exactly once, with the step ----------------------------------


def test_immediate_e_mail_or_the_evening_digest(org, proposal):
    NotificationPreference.objects.create(user=org.cadre2, email="digest")
    with on(date(2026, 5, 5)):
        open_review(proposal, org)
        emailed = set(OutboxEmail.objects.values_list("recipient__username", flat=True))
        assert emailed == {"deputy1", "deputy2", "party", "cadre", "head"}  # head: the submission
        dispatch()
        assert org.cadre2.email not in {m.to[0] for m in mail.outbox}
        vote = next(m for m in mail.outbox if m.to == [org.deputy1.email])
        assert vote.subject.startswith("[KL14] Your vote is requested on proposal")
        (asked,) = Notification.objects.filter(recipient=org.deputy1, url="/proposals/votes/")
        assert f"http://127.0.0.1:8000/notifications/{asked.pk}/" in vote.body
    with on(date(2026, 5, 5), at=time(17, 30)):
        digests_compose(day=date(2026, 5, 5))
        dispatch()
    digest = next(m for m in mail.outbox if m.to == [org.cadre2.email])
    assert "is under review" in digest.body


def test_once_per_entry_and_recipient(org, proposal):
    submit(proposal, org)
    entry = LedgerEntry.objects.get(event="submit")
    assert events.emit(entry, fresh(proposal)) == []  # delivered again: nothing new
    assert Notification.objects.filter(entry=entry).count() == 1
    assert OutboxEmail.objects.filter(notification__entry=entry).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=org.head, kind="action", title="x", entry=entry)


def test_a_step_that_fails_leaves_no_notification(org, proposal):
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(proposal, org)
        raise RuntimeError("the request failed after the step")
    assert not Notification.objects.exists() and not OutboxEmail.objects.exists()


def test_an_inactive_person_is_not_told(org, proposal):
    org.head.is_active = False
    org.head.save()
    submit(proposal, org)
    assert who("submit") == {}


def test_registering_an_event_is_one_call(org, proposal):
    from django.utils.translation import gettext_lazy as _

    event = events.register(
        "submit", name="test_orgboard", to=lambda o: {org.orgboard.pk}, title=_("Notifications")
    )
    try:
        submit(proposal, org)
        assert who("submit") == {"head": "submit.1", "orgboard": "submit.test_orgboard"}
        assert told("submit")["orgboard"][2] == "Thông báo"
    finally:
        events.unregister(event.key)
    assert event not in events.events_for("submit")


def test_every_registered_text_is_translated_and_formats():
    params = {
        "code": "DX-2026-000001",
        "title": "T",
        "unit": "U",
        "home_unit": "H",
        "actor": "A",
    }

    class Anything(dict):
        def __missing__(self, key):
            return "x"

    registered = events.registered()
    assert len(registered) >= 40
    for event in registered:
        for text in (event.title, event.body):
            if not text:
                continue
            with translation.override("en"):
                english = str(text)
            with translation.override("vi"):
                vietnamese = str(text)
            assert vietnamese != english, (event.key, english)
            assert vietnamese % Anything(params)  # the placeholders survive translation


def test_every_your_turn_of_the_lifecycle_asks_someone():
    your_turn = {e.ledger_event for e in events.registered() if e.your_turn}
    assert your_turn >= {
        "submit",  # the head opens the review
        "open_review",  # the collective votes, the Party committee gives its opinion
        "opinion",  # the head decides, or evaluates
        "approve",  # the home unit's head prepares the plan
        "return_for_revision",  # the authors revise
        "escalate",  # the superior unit's head decides
        "plan_version",  # the approving head co-signs; monitors are named
        "plan_cosign",  # the head starts
        "adjustment_request",  # the head decides on it
        "inspection",  # problems: the head acts
        "complete",  # the authors file the final report
        "terminate",
        "submit_final_report",  # the Party committee's opinion, then the evaluation
        "adopt",  # the target unit's head prepares the plan
    }


def test_the_notification_keeps_the_entrys_time(org, proposal):
    submit(proposal, org)
    assert Notification.objects.get().created_at == LedgerEntry.objects.get(event="submit").at


def test_causes_are_in_the_evaluation_notice(org, proposal):
    in_review(proposal, head=org.head, party=org.party)
    body = Notification.objects.get(recipient=org.cadre, event="evaluate.1").body
    assert CAUSES["causes_objective"] in body
