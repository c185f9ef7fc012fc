"""The collective evaluation (Decree 73, Art. 18; issue 11, point 4): the head and deputies of the
deciding unit who are not authors vote on the outcome like the decision vote; the head records the
outcome the vote carried (or another, with written reasons); the meeting's minutes are uploaded and
checked; ballots are secret while open; every ballot and the evaluation are in the ledger. That the
deputies are told it is their turn: tests/notifications/test_events.py."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from ledger.models import LedgerEntry
from proposals.models import ProposalAuthor, State
from proposals.permissions import hidden_events
from proposals.selectors import proposal_verify
from reviews import services
from reviews.evaluation import carried_outcome, evaluation_ballot_cast, evaluation_tally
from reviews.models import Evaluation, EvaluationBallot, EvaluationMinutes
from reviews.permissions import sees_evaluation_ballots, sees_evaluation_tally
from tests.factories.proposals import fresh, in_state
from tests.factories.reviews import CAUSES, MINUTES_PDF, evaluating, minutes

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def ballot(proposal, who, choice):
    return evaluation_ballot_cast(proposal=fresh(proposal), actor=who, choice=choice)


def evaluate(org, proposal, who=None, **overrides):
    inputs = {"outcome": "achieved", "meeting_date": YESTERDAY, "minutes": minutes(), **CAUSES}
    inputs.update(overrides)
    return services.proposal_evaluate(proposal=fresh(proposal), actor=who or org.head, **inputs)


def written():
    return (
        LedgerEntry.objects.count(),
        EvaluationBallot.objects.count(),
        Evaluation.objects.count(),
        EvaluationMinutes.objects.count(),
    )


def last_entry(proposal):
    return LedgerEntry.objects.filter(proposal=proposal).order_by("-seq").first()


@pytest.fixture
def voting(org, proposal):
    """Evaluating, with the Party committee's opinion on the results; the collective is the
    agency's head and deputy (the authors are cadres)."""
    return evaluating(proposal, party=org.party)


class TestBallot:
    def test_cast_changed_and_recorded_in_the_ledger(self, org, voting):
        ballot(voting, org.deputy, "partial")
        entry = last_entry(voting)
        assert (entry.event, entry.actor, entry.payload) == (
            "evaluation_vote",
            org.deputy,
            {"choice": "partial", "changed": False},
        )
        ballot(voting, org.deputy, "achieved")
        assert last_entry(voting).payload == {"choice": "achieved", "changed": True}
        assert EvaluationBallot.objects.get(proposal=voting, voter=org.deputy).choice == "achieved"
        before = written()
        ballot(voting, org.deputy, "achieved")  # the same ballot again: nothing recorded
        assert written() == before
        assert proposal_verify(fresh(voting)).valid

    @pytest.mark.parametrize("who", ["cadre", "party", "orgboard", "inspector", "agency_board"])
    def test_only_the_collective_votes(self, org, voting, who):
        before = written()
        with pytest.raises(Forbidden):
            ballot(voting, getattr(org, who), "achieved")
        assert written() == before

    def test_an_author_who_is_a_deputy_does_not_vote(self, org, voting):
        ProposalAuthor.objects.create(proposal=voting, user=org.deputy)
        with pytest.raises(Forbidden):
            ballot(voting, org.deputy, "achieved")
        tally = evaluation_tally(fresh(voting), "achieved")
        assert tally.eligible == 1  # the head alone
        ballot(voting, org.head, "achieved")
        assert evaluation_tally(fresh(voting), "achieved").passed

    @pytest.mark.parametrize("who", ["commune_head", "commune_cadre", "province_head"])
    def test_another_units_user_gets_not_found(self, org, voting, who):
        with pytest.raises(NotFound):
            ballot(voting, getattr(org, who), "achieved")

    @pytest.mark.parametrize("state", ["ended", "in_progress", "succeeded", "under_review"])
    def test_wrong_state(self, org, proposal, state):
        proposal = in_state(proposal, state, mode="pilot")
        before = written()
        with pytest.raises(Conflict):
            ballot(proposal, org.deputy, "achieved")
        assert written() == before

    @pytest.mark.parametrize("choice", ["excellent", "", None, "for"])
    def test_bad_input(self, org, voting, choice):
        before = written()
        with pytest.raises(Invalid) as error:
            ballot(voting, org.deputy, choice)
        assert "choice" in error.value.errors
        assert written() == before


class TestArithmetic:
    """The decision vote's rule: more than half of the eligible members; at exactly half, the
    head's vote decides."""

    def test_half_with_the_head_passes_half_without_does_not(self, org, voting):
        ballot(voting, org.deputy, "achieved")
        assert not evaluation_tally(fresh(voting), "achieved").passed
        ballot(voting, org.head, "partial")
        assert evaluation_tally(fresh(voting), "partial").passed
        assert not evaluation_tally(fresh(voting), "achieved").passed
        assert carried_outcome(fresh(voting)) == "partial"

    def test_abstentions_count_against_no_outcome_but_carry_none(self, org, voting):
        ballot(voting, org.deputy, "abstain")
        ballot(voting, org.head, "abstain")
        tally = evaluation_tally(fresh(voting), "achieved")
        assert (tally.votes_for, tally.against, tally.abstain, tally.passed) == (0, 0, 2, False)
        assert carried_outcome(fresh(voting)) is None


class TestEvaluate:
    def test_records_the_outcome_the_collective_carried_with_its_minutes(self, org, voting):
        ballot(voting, org.deputy, "damage")
        ballot(voting, org.head, "damage")
        evaluate(org, voting, outcome="damage")
        assert fresh(voting).state == State.RESPONSIBILITY_REVIEW
        evaluation = Evaluation.objects.get(proposal=voting)
        assert evaluation.tally == {
            "eligible": 2,
            "for": 2,
            "against": 0,
            "abstain": 0,
            "passed": True,
        }
        assert not evaluation.head_override and evaluation.override_reason == ""
        stored = evaluation.minutes
        assert stored.original_name == "bien-ban-hop-danh-gia.pdf"
        assert stored.content_type == "application/pdf" and stored.size == len(MINUTES_PDF)
        entry = last_entry(voting)
        assert entry.event == "evaluate"
        assert entry.payload["tally"]["passed"] is True
        assert entry.payload["head_bears_responsibility"] is False
        assert entry.payload["minutes"] == {"name": stored.original_name, "sha256": stored.sha256}
        assert "override_reason" not in entry.payload
        assert proposal_verify(fresh(voting)).valid

    def test_an_outcome_the_vote_did_not_carry_needs_written_reasons(self, org, voting):
        ballot(voting, org.deputy, "partial")
        ballot(voting, org.head, "partial")
        before = written()
        with pytest.raises(Invalid) as error:
            evaluate(org, voting, outcome="achieved")
        assert set(error.value.errors) == {"override_reason"}
        assert written() == before
        evaluate(org, voting, outcome="achieved", override_reason="Số liệu KPI đã đạt.")
        evaluation = Evaluation.objects.get(proposal=voting)
        assert evaluation.head_override and evaluation.override_reason == "Số liệu KPI đã đạt."
        entry = last_entry(voting)
        assert entry.payload["head_bears_responsibility"] is True
        assert entry.payload["override_reason"] == "Số liệu KPI đã đạt."
        assert entry.payload["tally"] == {
            "eligible": 2,
            "for": 0,
            "against": 2,
            "abstain": 0,
            "passed": False,
        }

    def test_after_a_disagreeing_opinion_written_reasons_are_needed(self, org, proposal):
        proposal = evaluating(proposal, party=org.party, stance="disagree")
        ballot(proposal, org.deputy, "achieved")
        ballot(proposal, org.head, "achieved")
        with pytest.raises(Invalid) as error:
            evaluate(org, proposal)
        assert set(error.value.errors) == {"override_reason"}
        evaluate(org, proposal, override_reason="Cấp ủy lưu ý; tập thể đã thống nhất.")
        entry = last_entry(proposal)
        assert entry.payload["against_opinion"] is True
        assert entry.payload["head_bears_responsibility"] is False
        assert entry.payload["override_reason"] == "Cấp ủy lưu ý; tập thể đã thống nhất."

    @pytest.mark.parametrize(
        "upload",
        [
            None,
            SimpleUploadedFile("bien-ban.exe", b"MZ\x90\x00" * 50),
            SimpleUploadedFile("bien-ban.pdf", b""),
            SimpleUploadedFile("bien-ban.pdf", b"not a pdf at all, only text"),
        ],
    )
    def test_the_minutes_are_required_and_checked_like_every_upload(self, org, voting, upload):
        ballot(voting, org.head, "achieved")
        before = written()
        with pytest.raises(Invalid) as error:
            evaluate(org, voting, minutes=upload)
        assert "minutes" in error.value.errors
        assert written() == before
        assert fresh(voting).state == State.EVALUATING

    def test_the_minutes_size_is_limited(self, org, voting, monkeypatch):
        monkeypatch.setattr("proposals.uploads.MAX_UPLOAD_BYTES", 10)
        ballot(voting, org.head, "achieved")
        with pytest.raises(Invalid) as error:
            evaluate(org, voting)
        assert "minutes" in error.value.errors

    def test_the_minutes_name_is_made_safe(self, org, voting):
        ballot(voting, org.head, "achieved")
        evaluate(org, voting, minutes=minutes("../../etc/Biên bản\x00 họp.pdf"))
        name = Evaluation.objects.get(proposal=voting).minutes.original_name
        assert "/" not in name and "\x00" not in name and name.endswith(".pdf")

    @pytest.mark.parametrize("who", ["deputy", "party", "cadre", "orgboard"])
    def test_wrong_role(self, org, voting, who):
        ballot(voting, org.head, "achieved")
        with pytest.raises(Forbidden):
            evaluate(org, voting, who=getattr(org, who))

    def test_another_unit(self, org, voting):
        with pytest.raises(NotFound):
            evaluate(org, voting, who=org.commune_head)

    def test_wrong_state(self, org, proposal):
        proposal = in_state(proposal, "in_progress", mode="pilot")
        with pytest.raises(Conflict):
            evaluate(org, proposal)

    def test_a_ballot_edited_in_the_database_breaks_verification(self, org, voting):
        ballot(voting, org.deputy, "achieved")
        ballot(voting, org.head, "achieved")
        evaluate(org, voting)
        assert proposal_verify(fresh(voting)).valid
        EvaluationBallot.objects.filter(voter=org.deputy).update(choice="damage")
        assert not proposal_verify(fresh(voting)).valid


class TestSecrecy:
    def test_secret_while_open_tally_after(self, org, voting):
        ballot(voting, org.deputy, "achieved")
        voting = fresh(voting)
        for outsider in (org.cadre, org.party, org.inspector):
            assert not sees_evaluation_ballots(outsider, voting)
            assert not sees_evaluation_tally(outsider, voting)
            assert "evaluation_vote" in hidden_events(outsider, voting)
        assert sees_evaluation_ballots(org.head, voting) and sees_evaluation_tally(org.head, voting)
        ballot(voting, org.head, "achieved")
        evaluate(org, voting)
        decided = fresh(voting)
        assert sees_evaluation_tally(org.cadre, decided)
        assert not sees_evaluation_ballots(org.cadre, decided)


class TestApi:
    def url(self, proposal):
        return f"/api/v1/proposals/{proposal.pk}/evaluation/ballots/"

    def client(self, user):
        client = Client()
        client.force_login(user)
        return client

    def test_cast_and_read(self, org, voting):
        answer = self.client(org.deputy).post(
            self.url(voting), {"choice": "partial"}, content_type="application/json"
        )
        assert answer.status_code == 200
        body = answer.json()
        assert body["my_ballot"] == "partial" and body["can_vote"] and not body["secret"]
        assert [b["voter"]["username"] for b in body["ballots"]] == ["deputy"]
        assert {c["choice"]: c["count"] for c in body["counts"]}["partial"] == 1
        outsider = self.client(org.cadre).get(self.url(voting)).json()
        assert outsider["secret"] and outsider["counts"] is None and outsider["ballots"] == []
        assert outsider["carried"] is None and outsider["eligible"] == 2

    @pytest.mark.parametrize(
        ("who", "state", "data", "status"),
        [
            ("cadre", "evaluating", {"choice": "achieved"}, 403),
            ("party", "evaluating", {"choice": "achieved"}, 403),
            ("deputy", "in_progress", {"choice": "achieved"}, 409),
            ("deputy", "evaluating", {"choice": "excellent"}, 400),
            ("deputy", "evaluating", {}, 400),
            ("commune_head", "evaluating", {"choice": "achieved"}, 404),
        ],
    )
    def test_errors(self, org, proposal, who, state, data, status):
        proposal = in_state(proposal, state, mode="pilot")
        before = written()
        answer = self.client(getattr(org, who)).post(
            self.url(proposal), data, content_type="application/json"
        )
        assert answer.status_code == status
        assert written() == before

    def test_evaluate_through_the_transition_with_the_minutes(self, org, voting):
        ballot(voting, org.deputy, "achieved")
        ballot(voting, org.head, "achieved")
        answer = self.client(org.head).post(
            f"/api/v1/proposals/{voting.pk}/transitions/evaluate/",
            {
                "outcome": "achieved",
                "meeting_date": YESTERDAY.isoformat(),
                **CAUSES,
                "minutes": minutes(),
            },
        )
        assert answer.status_code == 200, answer.json()
        assert answer.json()["state"] == State.SUCCEEDED
        review = self.client(org.cadre).get(f"/api/v1/proposals/{voting.pk}/review/").json()
        assert review["evaluation"]["tally"]["for"] == 2
        assert review["evaluation"]["minutes"]["name"] == "bien-ban-hop-danh-gia.pdf"
        download = self.client(org.cadre).get(f"/api/v1/proposals/{voting.pk}/evaluation/minutes/")
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == MINUTES_PDF
        outsider = self.client(org.commune_cadre).get(
            f"/api/v1/proposals/{voting.pk}/evaluation/minutes/"
        )
        assert outsider.status_code == 404


class TestPage:
    def client(self, user):
        client = Client()
        client.force_login(user)
        return client

    def test_the_collective_votes_on_the_page_others_see_that_voting_is_under_way(
        self, org, voting
    ):
        page = self.client(org.deputy).get(f"/reviews/{voting.pk}/")
        assert page.status_code == 200
        assert b'action="/reviews/%d/evaluation/ballot/"' % voting.pk in page.content
        answer = self.client(org.deputy).post(
            f"/reviews/{voting.pk}/evaluation/ballot/", {"choice": "damage"}
        )
        assert answer.status_code == 302
        assert EvaluationBallot.objects.get(voter=org.deputy).choice == "damage"
        cadre = self.client(org.cadre).get(f"/reviews/{voting.pk}/").content.decode()
        assert 'id="evaluation-voting-under-way"' in cadre
        assert "evaluation/ballot/" not in cadre

    @pytest.mark.parametrize(
        ("who", "data", "status"),
        [("cadre", {"choice": "achieved"}, 403), ("deputy", {"choice": "x"}, 400)],
    )
    def test_errors(self, org, voting, who, data, status):
        answer = self.client(getattr(org, who)).post(
            f"/reviews/{voting.pk}/evaluation/ballot/", data
        )
        assert answer.status_code == status
        assert not EvaluationBallot.objects.exists()


def test_the_dossier_prints_the_collectives_vote_the_reasons_and_the_minutes(org, voting):
    from django.template.loader import render_to_string
    from django.utils import translation

    from reviews.dossier import dossier_context

    ballot(voting, org.deputy, "partial")
    ballot(voting, org.head, "partial")
    evaluate(org, voting, outcome="achieved", override_reason="Các chỉ số đều đạt mục tiêu.")
    issue, _pdf, _document = services.dossier_issue_pdf(proposal=fresh(voting), actor=org.cadre)
    minutes_row = Evaluation.objects.get(proposal=voting).minutes
    with translation.override("vi"):
        html = render_to_string(
            "reviews/dossier_pdf.html",
            dossier_context(voting, issue, proposal_verify(fresh(voting))),
        )
    assert "0 tán thành, 2 chọn mức khác, 0 không biểu quyết, trên tổng số 2" in html
    assert "Các chỉ số đều đạt mục tiêu." in html
    assert f"SHA-256 {minutes_row.sha256}" in html
