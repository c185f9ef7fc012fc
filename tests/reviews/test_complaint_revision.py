"""A complaint (khiếu nại) against the decision on one author's responsibility has effect (issue
11, point 2; Law on Complaints 2011): resolved as founded or partly founded it carries the revised
decision, which supersedes the decision complained of (kept, unchanged, as history), issues its
own official document, moves the proposal to the outcome the authors' current decisions share (or
`responsibility_decided`), tells the author and is in the ledger. A complaint is filed within
KL14_COMPLAINT_DAYS calendar days of the decision (Art. 9)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from documents.models import OfficialDocument
from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from ledger.models import LedgerEntry
from notifications.models import Notification
from proposals.models import ProposalAuthor, State
from proposals.selectors import proposal_verify
from reviews import responsibility as rs
from reviews import services as reviews
from reviews.models import ResponsibilityComplaint, ResponsibilityDecision
from reviews.selectors import review_record
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.reviews import PROTECTED, in_review
from tests.factories.units import api_token
from tests.ledger.tamper import sql

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")

HELD = {
    "decision": "held_responsible",
    **PROTECTED,
    "no_personal_gain": False,
    "damage": True,
    "damage_amount": 80_000_000,
    "reasons": "Có dấu hiệu vụ lợi.",
}
# The revised decision: the personal gain was not proven, the damage was smaller.
EXEMPTED = {
    "decision": "exempted",
    **PROTECTED,
    "damage": True,
    "damage_amount": 20_000_000,
    "reasons": "Không có căn cứ về vụ lợi; thiệt hại do nguyên nhân khách quan.",
}
REDUCED = {**EXEMPTED, "decision": "reduced", "damage_amount": 80_000_000}


def decide(org, proposal, author, inputs):
    return rs.proposal_decide_responsibility(
        proposal=fresh(proposal), actor=org.head, author=author, **inputs
    )


def resolve(org, proposal, author, resolution="accepted", who=None, **revised):
    return rs.complaint_resolve(
        proposal=fresh(proposal),
        actor=who or org.head,
        author=author.pk,
        resolution=resolution,
        text="Khiếu nại có căn cứ: chưa chứng minh được vụ lợi.",
        **revised,
    )


def complain(proposal, author):
    return rs.complaint_file(proposal=fresh(proposal), actor=author, text="Tôi không vụ lợi.")


def entries(proposal):
    return list(LedgerEntry.objects.filter(proposal=proposal).order_by("seq"))


def fingerprint(proposal):
    return (
        fresh(proposal).state,
        LedgerEntry.objects.filter(proposal=proposal).count(),
        list(ResponsibilityDecision.objects.order_by("pk").values()),
        list(ResponsibilityComplaint.objects.order_by("pk").values()),
        OfficialDocument.objects.count(),
    )


@pytest.fixture
def single(org):
    """The cadre's own proposal (one author), held responsible."""
    proposal = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
    proposal = in_review(proposal, head=org.head, party=org.party)
    decide(org, proposal, org.cadre, HELD)
    assert fresh(proposal).state == State.HELD_RESPONSIBLE
    return fresh(proposal)


@pytest.fixture
def split(org, proposal):
    """Two authors decided differently: the cadre's sentence reduced, cadre2 held responsible."""
    proposal = in_review(proposal, head=org.head, party=org.party)
    decide(org, proposal, org.cadre, REDUCED)
    decide(org, proposal, org.cadre2, HELD)
    assert fresh(proposal).state == State.RESPONSIBILITY_DECIDED
    return fresh(proposal)


class TestAcceptedComplaint:
    def test_the_revised_decision_supersedes_the_one_complained_of(self, org, single):
        complained_of = ResponsibilityDecision.objects.get(proposal=single)
        history = ResponsibilityDecision.objects.filter(pk=complained_of.pk).values().get()
        complain(single, org.cadre)
        resolve(org, single, org.cadre, **EXEMPTED)
        proposal = fresh(single)
        assert proposal.state == State.EXEMPTED
        # the earlier decision stays, unchanged, as history
        assert ResponsibilityDecision.objects.filter(pk=complained_of.pk).values().get() == history
        revised = ResponsibilityDecision.objects.get(supersedes=complained_of)
        assert (revised.author, revised.decision, revised.decided_by) == (
            org.cadre,
            "exempted",
            org.head,
        )
        assert revised.damage_amount == 20_000_000 and revised.no_personal_gain
        assert rs.decision_for(proposal, org.cadre) == revised
        assert review_record(proposal).protected is True
        assert proposal_verify(proposal).valid

    def test_the_dashboard_roll_ups_count_the_revised_decision(self, org, split):
        from reviews import rollups
        from reviews.stats import dashboard

        def protection():
            figures = dashboard(org.province)
            return {value: n for value, _label, n in figures.protection if n}

        assert protection() == {"reduced": 1, "held_responsible": 1}
        complain(split, org.cadre2)
        resolve(org, split, org.cadre2, resolution="partly", **REDUCED)
        assert rollups.current() == rollups.expected()
        # Each author's current decision counts once: cadre2's revision replaced the decision
        # complained of (which stays in the database as the history).
        assert protection() == {"reduced": 2}
        rollups.rebuild()
        assert protection() == {"reduced": 2}

    def test_the_ledger_records_the_revision_as_a_transition(self, org, single):
        complain(single, org.cadre)
        resolve(org, single, org.cadre, **EXEMPTED)
        decision = [e for e in entries(single) if e.event == "revise_responsibility"]
        assert len(decision) == 1
        entry = decision[0]
        assert (entry.from_state, entry.to_state, entry.actor) == (
            "held_responsible",
            "exempted",
            org.head,
        )
        assert entry.payload == {
            "author": "cadre",
            "resolution": "accepted",
            "text": "Khiếu nại có căn cứ: chưa chứng minh được vụ lợi.",
            "decision": "exempted",
            "criteria": PROTECTED,
            "damage": True,
            "damage_amount": "20000000",
            "reasons": EXEMPTED["reasons"],
            "previous_decision": "held_responsible",
            "outcomes": {"cadre": "exempted"},
        }
        # nothing else recorded the resolution twice
        assert not [e for e in entries(single) if e.event == "responsibility_complaint_resolution"]

    def test_it_issues_the_resolution_as_a_numbered_document(self, org, single):
        complain(single, org.cadre)
        resolve(org, single, org.cadre, **EXEMPTED)
        document = OfficialDocument.objects.get(proposal=single, kind="responsibility_revision")
        assert document.concerns == org.cadre and document.doc_type == "QĐ"
        assert document.decision_entry.event == "revise_responsibility"
        assert "giải quyết khiếu nại" in document.content["subject"]
        text = " ".join(a["text"] for a in document.content["articles"])
        assert "Khiếu nại có căn cứ" in text
        assert "Sửa đổi quyết định về việc xem xét trách nhiệm" in text
        assert "Miễn trách nhiệm" in text and "20.000.000" in text
        earlier = OfficialDocument.objects.get(proposal=single, kind="responsibility")
        assert document.number == earlier.number + 1

    def test_the_author_is_told_the_new_decision(self, org, single):
        complain(single, org.cadre)
        resolve(org, single, org.cadre, **EXEMPTED)
        entry = entries(single)[-1]
        if entry.event != "revise_responsibility":  # a document issued on commit came after
            entry = LedgerEntry.objects.get(proposal=single, event="revise_responsibility")
        told = Notification.objects.filter(entry=entry)
        assert {(n.recipient, n.event) for n in told} == {
            (org.cadre, "revise_responsibility.revised")
        }
        assert "Miễn trách nhiệm" in told.get().body

    def test_a_shared_outcome_again_becomes_the_state(self, org, split):
        complain(split, org.cadre2)
        resolve(org, split, org.cadre2, resolution="partly", **REDUCED)
        assert fresh(split).state == State.REDUCED
        assert LedgerEntry.objects.filter(proposal=split).order_by("-seq").filter(
            event="revise_responsibility"
        ).get().payload["outcomes"] == {"cadre": "reduced", "cadre2": "reduced"}
        assert proposal_verify(fresh(split)).valid

    def test_outcomes_that_differ_give_responsibility_decided(self, org, proposal):
        proposal = in_review(proposal, head=org.head, party=org.party)
        decide(org, proposal, None, HELD)  # both authors at once
        assert fresh(proposal).state == State.HELD_RESPONSIBLE
        complain(proposal, org.cadre)
        resolve(org, proposal, org.cadre, **EXEMPTED)
        assert fresh(proposal).state == State.RESPONSIBILITY_DECIDED
        rows = {row["author"]: row for row in rs.person_rows(fresh(proposal))}
        assert rows[org.cadre]["decision"].decision == "exempted"
        assert rows[org.cadre]["revised_from"].decision == "held_responsible"
        assert rows[org.cadre2]["decision"].decision == "held_responsible"

    def test_during_the_review_the_last_decision_reads_the_revised_one(self, org, proposal):
        proposal = in_review(proposal, head=org.head, party=org.party)
        decide(org, proposal, org.cadre, HELD)
        complain(proposal, org.cadre)
        resolve(org, proposal, org.cadre, **REDUCED)
        assert fresh(proposal).state == State.RESPONSIBILITY_REVIEW
        entry = LedgerEntry.objects.get(
            proposal=proposal, event="responsibility_complaint_resolution"
        )
        assert entry.from_state == entry.to_state == "responsibility_review"
        assert entry.payload["decision"] == "reduced"
        assert OfficialDocument.objects.filter(
            proposal=proposal, kind="complaint_resolution", concerns=org.cadre
        ).exists()
        decide(org, proposal, org.cadre2, REDUCED)
        assert fresh(proposal).state == State.REDUCED
        assert proposal_verify(fresh(proposal)).valid

    def test_a_rejected_complaint_keeps_the_decision_and_issues_its_resolution(self, org, single):
        complain(single, org.cadre)
        resolve(org, single, org.cadre, resolution="upheld", **EXEMPTED)  # revision not read
        assert fresh(single).state == State.HELD_RESPONSIBLE
        assert ResponsibilityDecision.objects.filter(proposal=single).count() == 1
        document = OfficialDocument.objects.get(proposal=single, kind="complaint_resolution")
        text = " ".join(a["text"] for a in document.content["articles"])
        assert "Khiếu nại không có căn cứ" in text and "Giữ nguyên" in text

    def test_one_complaint_per_author_even_after_a_revision(self, org, single):
        complain(single, org.cadre)
        resolve(org, single, org.cadre, **EXEMPTED)
        with pytest.raises(Conflict) as error:
            complain(single, org.cadre)
        assert error.value.code == "filed"


class TestResolutionRules:
    def test_wrong_role_is_403_and_writes_nothing(self, org, split):
        complain(split, org.cadre2)
        before = fingerprint(split)
        for who in (org.cadre, org.cadre2, org.deputy, org.party, org.orgboard):
            with pytest.raises(Forbidden):
                resolve(org, split, org.cadre2, who=who, **REDUCED)
        assert fingerprint(split) == before

    def test_another_unit_or_no_complaint_is_404(self, org, split):
        complain(split, org.cadre2)
        before = fingerprint(split)
        with pytest.raises(NotFound):
            resolve(org, split, org.cadre2, who=org.commune_head, **REDUCED)
        with pytest.raises(NotFound):
            resolve(org, split, org.cadre, **REDUCED)  # the cadre filed nothing
        assert fingerprint(split) == before

    def test_a_resolved_complaint_is_409(self, org, split):
        complain(split, org.cadre2)
        resolve(org, split, org.cadre2, **REDUCED)
        before = fingerprint(split)
        with pytest.raises(Conflict):
            resolve(org, split, org.cadre2, **EXEMPTED)
        assert fingerprint(split) == before

    def test_no_revision_while_an_abuse_case_is_open(self, org, split):
        complain(split, org.cadre2)
        reviews.proposal_refer_abuse(
            proposal=fresh(split), actor=org.inspector, grounds="Điều 6.", evidence="Vụ lợi."
        )
        before = fingerprint(split)
        with pytest.raises(Conflict):
            resolve(org, split, org.cadre2, **REDUCED)
        assert fingerprint(split) == before

    @pytest.mark.parametrize(
        ("revised", "field"),
        [
            ({}, "decision"),  # founded, but no revised decision
            ({**EXEMPTED, "decision": "pardoned"}, "decision"),
            ({**EXEMPTED, "no_personal_gain": False}, "decision"),  # the rules still hold
            ({**EXEMPTED, "reasons": " "}, "reasons"),
            ({**EXEMPTED, "damage_amount": None}, "damage_amount"),
            ({**EXEMPTED, "pure_motive": "yes"}, "pure_motive"),
            (HELD, "decision"),  # the same decision: nothing revised
        ],
    )
    def test_bad_revision_is_400_and_writes_nothing(self, org, single, revised, field):
        complain(single, org.cadre)
        before = fingerprint(single)
        with pytest.raises(Invalid) as error:
            resolve(org, single, org.cadre, **revised)
        assert field in error.value.errors
        assert fingerprint(single) == before
        assert ResponsibilityComplaint.objects.get().is_open


class TestDeadline:
    def test_the_last_day_is_ninety_calendar_days_after_the_decision(self, org, single):
        decision = ResponsibilityDecision.objects.get(proposal=single)
        due = timezone.localdate(decision.created_at) + datetime.timedelta(days=90)
        assert rs.complaint_deadline(decision) == due
        with time_machine.travel(datetime.datetime.combine(due, datetime.time(20), VN), tick=False):
            assert rs.can_complain(org.cadre, fresh(single))
            complain(single, org.cadre)

    def test_a_later_complaint_is_400_in_vietnamese_and_writes_nothing(self, org, single):
        decision = ResponsibilityDecision.objects.get(proposal=single)
        late = timezone.localtime(decision.created_at) + datetime.timedelta(days=92)
        before = fingerprint(single)
        with time_machine.travel(late, tick=False):
            assert not rs.can_complain(org.cadre, fresh(single))
            with pytest.raises(Invalid) as error:
                complain(single, org.cadre)
        assert "deadline" in error.value.errors
        due = rs.complaint_deadline(decision).strftime("%d/%m/%Y")
        assert f"Đã hết thời hạn khiếu nại (hạn cuối: {due}" in str(error.value.message)
        assert fingerprint(single) == before

    def test_the_setting_sets_the_period(self, org, single, settings):
        settings.KL14_COMPLAINT_DAYS = 0
        decision = ResponsibilityDecision.objects.get(proposal=single)
        tomorrow = timezone.localtime(decision.created_at) + datetime.timedelta(days=1)
        with time_machine.travel(tomorrow, tick=False), pytest.raises(Invalid):
            complain(single, org.cadre)

    def test_the_page_shows_the_deadline_and_hides_the_form_after_it(self, org, single, client):
        decision = ResponsibilityDecision.objects.get(proposal=single)
        due = rs.complaint_deadline(decision).strftime("%d/%m/%Y")
        client.force_login(org.cadre)
        page = client.get(f"/reviews/{single.pk}/").content.decode()
        assert f"Hạn khiếu nại: {due}" in page
        assert f'action="/reviews/{single.pk}/responsibility/complaint/"' in page
        late = timezone.localtime(decision.created_at) + datetime.timedelta(days=91)
        with time_machine.travel(late, tick=False):
            client.force_login(org.cadre)  # the session of 91 days ago has expired
            page = client.get(f"/reviews/{single.pk}/").content.decode()
            assert f"Đã hết thời hạn khiếu nại (hạn cuối: {due})." in page
            assert f'action="/reviews/{single.pk}/responsibility/complaint/"' not in page
            response = client.post(
                f"/reviews/{single.pk}/responsibility/complaint/", {"text": "Muộn."}
            )
            assert response.status_code == 400
            assert "Đã hết thời hạn khiếu nại" in response.content.decode()
        assert not ResponsibilityComplaint.objects.exists()

    def test_the_api_answers_400_after_the_deadline(self, org, single, client):
        decision = ResponsibilityDecision.objects.get(proposal=single)
        late = timezone.localtime(decision.created_at) + datetime.timedelta(days=91)
        with time_machine.travel(late, tick=False):
            auth = {"HTTP_AUTHORIZATION": f"Token {api_token(org.cadre)}"}
            response = client.post(
                f"/api/v1/proposals/{single.pk}/responsibility/complaint/",
                {"text": "Muộn."},
                content_type="application/json",
                **auth,
            )
        assert response.status_code == 400
        assert "deadline" in response.json()["errors"]
        assert not ResponsibilityComplaint.objects.exists()


class TestResolutionDeadline:
    """The head resolves a complaint within KL14_COMPLAINT_RESOLUTION_DAYS (30) calendar days
    of its filing (Law on Complaints, Art. 28): the review page and the API say until when, the
    sweep reminds the head before and on the day, then tells the head and board above."""

    def test_the_page_and_the_api_say_until_when(self, org, single, client):
        complaint = complain(single, org.cadre)
        due = timezone.localdate(complaint.filed_at) + datetime.timedelta(days=30)
        assert rs.complaint_resolution_due(complaint) == due
        client.force_login(org.head)
        page = client.get(f"/reviews/{single.pk}/").content.decode()
        assert f"Hạn giải quyết: {due:%d/%m/%Y} (Luật Khiếu nại, Điều 28)." in page
        assert "Quá hạn" not in page
        auth = {"HTTP_AUTHORIZATION": f"Token {api_token(org.head)}"}
        body = client.get(f"/api/v1/proposals/{single.pk}/responsibility/decisions/", **auth).json()
        (row,) = [d for d in body if d["complaint"]]
        assert row["complaint"]["resolution_due"] == due.isoformat()
        later = datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time(9), VN)
        with time_machine.travel(later, tick=False):
            client.force_login(org.head)
            page = client.get(f"/reviews/{single.pk}/").content.decode()
        assert "Quá hạn" in page

    def test_the_sweep_reminds_the_head_then_tells_those_above(self, org, single, settings):
        from notifications.services import reminders_sweep
        from workdays.calendar import add_working_days, is_working_day

        settings.KL14_COMPLAINT_RESOLUTION_DAYS = 30
        complaint = complain(single, org.cadre)
        due = rs.complaint_resolution_due(complaint)
        day = due
        while not is_working_day(day):
            day += datetime.timedelta(days=1)
        reminders_sweep(today=day)
        told = Notification.objects.filter(
            recipient=org.head, reminder__deadline=("reviews.complaint_resolution")
        )
        assert told.exists() and single.code in told.first().title
        after = add_working_days(day, 1)
        reminders_sweep(today=after)
        overdue = Notification.objects.filter(
            reminder__deadline="reviews.complaint_resolution", kind="overdue", recipient=org.head
        )
        assert overdue.exists()
        assert Notification.objects.filter(
            reminder__deadline="reviews.complaint_resolution",
            kind="escalation",
            recipient=org.orgboard,
        ).exists()

    def test_a_resolved_complaint_is_no_longer_reminded(self, org, single):
        from notifications import deadlines
        from notifications.deadlines import Directory

        complaint = complain(single, org.cadre)
        kind = deadlines.get("reviews.complaint_resolution")
        far = rs.complaint_resolution_due(complaint) + datetime.timedelta(days=10)

        def items():
            return [i for batch in kind.batches(due_by=far, directory=Directory()) for i in batch]

        (item,) = items()
        assert (item.item_id, item.responsible_ids) == (complaint.pk, {org.head.pk})
        assert item.url == f"/reviews/{single.pk}/#responsibility"
        resolve(org, single, org.cadre, resolution="upheld")
        assert items() == []


def extend(org, proposal, author, who=None, reason="Phải xác minh hóa đơn tại ba đơn vị."):
    return rs.complaint_extend(
        proposal=fresh(proposal), actor=who or org.head, author=author.pk, reason=reason
    )


class TestComplexCase:
    """A complex case: the head, before the 30 days run out, extends the time to resolve the
    complaint to KL14_COMPLAINT_RESOLUTION_DAYS_COMPLEX (45) days from its filing, with the
    reasons (Law on Complaints, Art. 28); once, in the ledger, and the author is told."""

    def test_the_head_extends_once_and_everything_says_the_new_day(self, org, single, client):
        complaint = complain(single, org.cadre)
        filed = timezone.localdate(complaint.filed_at)
        extend(org, single, org.cadre)
        complaint.refresh_from_db()
        due = filed + datetime.timedelta(days=45)
        assert rs.complaint_resolution_due(complaint) == due
        assert complaint.extended_by == org.head
        last = entries(single)[-1]
        assert last.event == "responsibility_complaint_extension"
        assert last.payload == {
            "author": org.cadre.username,
            "reason": "Phải xác minh hóa đơn tại ba đơn vị.",
            "resolution_due": due.isoformat(),
        }
        told = Notification.objects.get(recipient=org.cadre, title__contains="gia hạn")
        assert f"{due:%d/%m/%Y}" in told.body and "Phải xác minh hóa đơn" in told.body
        assert proposal_verify(fresh(single)).valid
        with pytest.raises(Conflict):
            extend(org, single, org.cadre)
        client.force_login(org.head)
        page = client.get(f"/reviews/{single.pk}/").content.decode()
        assert f"Hạn giải quyết: {due:%d/%m/%Y} (Luật Khiếu nại, Điều 28)." in page
        assert "Phải xác minh hóa đơn tại ba đơn vị." in page
        assert "Vụ việc phức tạp: gia hạn thời hạn giải quyết" not in page  # offered once
        auth = {"HTTP_AUTHORIZATION": f"Token {api_token(org.head)}"}
        body = client.get(f"/api/v1/proposals/{single.pk}/responsibility/decisions/", **auth).json()
        (row,) = [d for d in body if d["complaint"]]
        assert row["complaint"]["resolution_due"] == due.isoformat()
        assert row["complaint"]["extended_by"]["username"] == org.head.username
        # Day 31 is not overdue any more; day 46 is.
        day31 = datetime.datetime.combine(filed + datetime.timedelta(days=31), datetime.time(9), VN)
        with time_machine.travel(day31, tick=False):
            client.force_login(org.head)
            assert "Quá hạn" not in client.get(f"/reviews/{single.pk}/").content.decode()
        day46 = datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time(9), VN)
        with time_machine.travel(day46, tick=False):
            client.force_login(org.head)
            assert "Quá hạn" in client.get(f"/reviews/{single.pk}/").content.decode()

    def test_only_the_head_with_reasons_before_the_time_runs_out(self, org, single):
        complaint = complain(single, org.cadre)
        before = fingerprint(single)
        with pytest.raises(Forbidden):
            extend(org, single, org.cadre, who=org.cadre)
        with pytest.raises(Invalid) as error:
            extend(org, single, org.cadre, reason="   ")
        assert "reason" in error.value.errors
        with pytest.raises(NotFound):
            extend(org, single, org.head)  # filed no complaint
        late = datetime.datetime.combine(
            rs.complaint_resolution_due(complaint) + datetime.timedelta(days=1),
            datetime.time(9),
            VN,
        )
        with time_machine.travel(late, tick=False), pytest.raises(Invalid) as error:
            extend(org, single, org.cadre)
        assert "Luật Khiếu nại, Điều 28" in str(error.value.message)
        assert fingerprint(single) == before
        complaint.refresh_from_db()
        assert complaint.extended_at is None

    def test_a_resolved_complaint_is_not_extended(self, org, single):
        complain(single, org.cadre)
        resolve(org, single, org.cadre, resolution="upheld")
        with pytest.raises(Conflict):
            extend(org, single, org.cadre)

    def test_the_sweep_waits_for_the_extended_day(self, org, single):
        from notifications import deadlines
        from notifications.deadlines import Directory

        complaint = complain(single, org.cadre)
        kind = deadlines.get("reviews.complaint_resolution")
        ordinary = rs.complaint_resolution_due(complaint)

        def items(due_by):
            return [
                i for batch in kind.batches(due_by=due_by, directory=Directory()) for i in batch
            ]

        assert [i.due for i in items(ordinary)] == [ordinary]
        extend(org, single, org.cadre)
        assert items(ordinary) == []
        extended = ordinary + datetime.timedelta(days=15)
        assert [i.due for i in items(extended)] == [extended]

    def test_the_page_form_and_the_api(self, org, single, client):
        complain(single, org.cadre)
        client.force_login(org.head)
        page = client.get(f"/reviews/{single.pk}/").content.decode()
        assert "Vụ việc phức tạp: gia hạn thời hạn giải quyết" in page
        url = f"/reviews/{single.pk}/responsibility/complaints/{org.cadre.pk}/extension/"
        response = client.post(url, {"reason": ""})
        assert response.status_code == 400
        assert ResponsibilityComplaint.objects.get().extended_at is None
        response = client.post(url, {"reason": "Cần giám định thiệt hại."})
        assert response.status_code == 302
        assert ResponsibilityComplaint.objects.get().extension_reason == "Cần giám định thiệt hại."
        client.force_login(org.cadre)
        assert client.post(url, {"reason": "x"}).status_code in (403, 404)
        api = f"/api/v1/proposals/{single.pk}/responsibility/complaints/{org.cadre.pk}/extension/"
        head = {"HTTP_AUTHORIZATION": f"Token {api_token(org.head)}"}
        again = client.post(api, {"reason": "Lần nữa."}, content_type="application/json", **head)
        assert again.status_code == 409

    def test_the_api_extends(self, org, single, client):
        complaint = complain(single, org.cadre)
        api = f"/api/v1/proposals/{single.pk}/responsibility/complaints/{org.cadre.pk}/extension/"
        head = {"HTTP_AUTHORIZATION": f"Token {api_token(org.head)}"}
        response = client.post(api, {"reason": ""}, content_type="application/json", **head)
        assert response.status_code == 400
        response = client.post(
            api, {"reason": "Cần giám định."}, content_type="application/json", **head
        )
        assert response.status_code == 200, response.content
        due = timezone.localdate(complaint.filed_at) + datetime.timedelta(days=45)
        assert response.json()["resolution_due"] == due.isoformat()
        assert response.json()["extension_reason"] == "Cần giám định."

    def test_an_extension_written_in_sql_is_noticed(self, org, single):
        """An attacker with SQL access who marks a complaint complex to buy the head time."""
        complaint = complain(single, org.cadre)
        assert proposal_verify(fresh(single)).valid
        sql(
            "UPDATE reviews_responsibilitycomplaint SET extended_at = filed_at, "
            "extension_reason = 'x' WHERE id = %s",
            [complaint.pk],
        )
        result = proposal_verify(fresh(single))
        assert not result.valid and result.record_kind == "responsibility_complaints"

    def test_a_recorded_extension_changed_in_sql_is_noticed(self, org, single):
        complaint = complain(single, org.cadre)
        extend(org, single, org.cadre)
        sql(
            "UPDATE reviews_responsibilitycomplaint SET extension_reason = 'khác' WHERE id = %s",
            [complaint.pk],
        )
        assert proposal_verify(fresh(single)).record_kind == "responsibility_complaints"


class TestApi:
    def test_the_head_accepts_with_a_revised_decision_through_the_api(self, org, single, client):
        cadre = {"HTTP_AUTHORIZATION": f"Token {api_token(org.cadre)}"}
        head = {"HTTP_AUTHORIZATION": f"Token {api_token(org.head)}"}
        base = f"/api/v1/proposals/{single.pk}/responsibility"
        rows = client.get(f"{base}/decisions/", **cadre).json()
        assert (
            rows[0]["complaint_due"]
            == rs.complaint_deadline(ResponsibilityDecision.objects.get()).isoformat()
        )
        response = client.post(
            f"{base}/complaint/", {"text": "Khiếu nại."}, content_type="application/json", **cadre
        )
        assert response.status_code == 201
        response = client.post(
            f"{base}/complaints/{org.cadre.pk}/resolution/",
            {"resolution": "accepted", "text": "Có căn cứ.", **EXEMPTED},
            content_type="application/json",
            **head,
        )
        assert response.status_code == 200, response.content
        assert response.json()["resolution"] == "accepted"
        rows = client.get(f"{base}/decisions/", **cadre).json()
        assert [(r["decision"], r["current"], r["supersedes"]) for r in rows] == [
            ("held_responsible", False, None),
            ("exempted", True, rows[0]["id"]),
        ]
        review = client.get(f"/api/v1/proposals/{single.pk}/review/", **cadre).json()
        assert review["proposal"]["state"] == "exempted"
        assert [d["decision"] for d in review["responsibility_decisions"]] == ["exempted"]


class TestDossier:
    def test_the_dossier_prints_the_current_decision_and_what_it_revised(self, org, single):
        from reviews.dossier import dossier_context
        from reviews.services import dossier_issue

        complain(single, org.cadre)
        resolve(org, single, org.cadre, **EXEMPTED)
        issue, verification = dossier_issue(proposal=fresh(single), actor=org.cadre)
        context = dossier_context(fresh(single), issue, verification, holder=org.cadre)
        row = context["persons"][0]
        assert row["decision"].decision == "exempted"
        assert row["revised_from"].decision == "held_responsible"
        assert verification.valid


class TestTampering:
    @pytest.fixture
    def revised(self, org, single):
        complain(single, org.cadre)
        resolve(org, single, org.cadre, **EXEMPTED)
        assert proposal_verify(fresh(single)).valid
        return fresh(single)

    def seq_of(self, proposal, event):
        return LedgerEntry.objects.get(proposal=proposal, event=event).seq

    def test_an_edited_revision_is_named_at_its_entry(self, revised):
        sql(
            "UPDATE reviews_responsibilitydecision SET decision = %s "
            "WHERE supersedes_id IS NOT NULL",
            ["liability_excluded"],
        )
        result = proposal_verify(fresh(revised))
        assert not result.valid
        assert result.first_bad_seq == self.seq_of(revised, "revise_responsibility")
        assert result.reason == "record:responsibility_decisions"

    def test_an_edited_history_is_named_at_the_first_decision(self, revised):
        sql(
            "UPDATE reviews_responsibilitydecision SET reasons = %s WHERE supersedes_id IS NULL",
            ["Không có lỗi."],
        )
        result = proposal_verify(fresh(revised))
        assert result.first_bad_seq == self.seq_of(revised, "decide_responsibility")

    def test_a_deleted_revision_is_named(self, revised):
        sql("DELETE FROM reviews_responsibilitydecision WHERE supersedes_id IS NOT NULL")
        result = proposal_verify(fresh(revised))
        assert result.first_bad_seq == self.seq_of(revised, "revise_responsibility")

    def test_a_revision_no_entry_recorded_is_named(self, org, single):
        complained_of = ResponsibilityDecision.objects.get(proposal=single)
        sql(
            "INSERT INTO reviews_responsibilitydecision (proposal_id, author_id, decision, "
            "followed_approved_plan, pure_motive, common_interest, no_personal_gain, damage, "
            "reasons, decided_by_id, created_at, supersedes_id) VALUES "
            "(%s, %s, 'exempted', true, true, true, true, false, 'x', %s, CURRENT_TIMESTAMP, %s)",
            [single.pk, org.cadre.pk, org.head.pk, complained_of.pk],
        )
        assert not proposal_verify(fresh(single)).valid


def test_the_complaint_counts_its_co_authors_apart(org, split):
    """Each author complains against their own decision only."""
    assert ProposalAuthor.objects.filter(proposal=split).count() == 2
    complain(split, org.cadre2)
    assert rs.can_complain(org.cadre, fresh(split))
    assert not rs.can_complain(org.cadre2, fresh(split))


class TestPages:
    def test_the_head_accepts_on_the_review_page(self, org, single, client):
        complain(single, org.cadre)
        client.force_login(org.head)
        url = f"/reviews/{single.pk}/responsibility/complaints/{org.cadre.pk}/resolution/"
        page = client.get(f"/reviews/{single.pk}/").content.decode()
        assert f'action="{url}"' in page and 'name="reasons"' in page
        before = fingerprint(single)
        response = client.post(url, {"resolution": "accepted", "text": "Có căn cứ."})
        assert response.status_code == 400
        assert "Hãy chọn một phương án hợp lệ." in response.content.decode()
        assert fingerprint(single) == before
        form = {
            "resolution": "accepted",
            "text": "Có căn cứ.",
            "decision": "exempted",
            "followed_approved_plan": "on",
            "pure_motive": "on",
            "common_interest": "on",
            "no_personal_gain": "on",
            "damage": "on",
            "damage_amount": "20000000",
            "reasons": EXEMPTED["reasons"],
        }
        response = client.post(url, form)
        assert response.status_code == 302
        assert fresh(single).state == State.EXEMPTED
        client.force_login(org.cadre)
        page = client.get(f"/reviews/{single.pk}/").content.decode()
        assert "Sửa đổi sau khi giải quyết khiếu nại" in page
        assert "Hạn khiếu nại" not in page  # complained once: no second complaint here
