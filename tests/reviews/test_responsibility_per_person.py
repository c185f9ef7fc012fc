"""Responsibility per person (amendment of 2026-11-29; issue 11 point 2): one decision per author
after each had the chance to explain, the state the authors' common outcome or
`responsibility_decided`, one official document per decision, each author's complaint and its
resolution by the deciding head; every step in the ledger."""

import datetime

import pytest
from django.utils import timezone

from documents.models import OfficialDocument
from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from ledger.models import LedgerEntry
from proposals.models import State
from proposals.selectors import proposal_verify
from reviews import responsibility as rs
from reviews.models import ResponsibilityComplaint, ResponsibilityDecision
from tests.factories.proposals import ProposalFactory, fresh, in_state
from tests.factories.reviews import PROTECTED, in_review
from tests.factories.units import api_token

pytestmark = pytest.mark.django_db

REASONS = "Làm đúng kế hoạch được duyệt; thiệt hại do nguyên nhân khách quan."


def decide(org, proposal, author=None, who=None, **overrides):
    inputs = {
        "decision": "reduced",
        **PROTECTED,
        "damage": True,
        "damage_amount": 80_000_000,
        "reasons": REASONS,
        **overrides,
    }
    return rs.proposal_decide_responsibility(
        proposal=fresh(proposal), actor=who or org.head, author=author, **inputs
    )


HELD = {"decision": "held_responsible", "no_personal_gain": False}


def events(proposal):
    return list(
        LedgerEntry.objects.filter(proposal=proposal)
        .order_by("seq")
        .values_list("event", flat=True)
    )


@pytest.fixture
def review(org, proposal):
    return in_review(proposal, head=org.head, party=org.party)


class TestDecisionPerAuthor:
    def test_different_outcomes_give_responsibility_decided(self, org, review):
        decide(org, review, author=org.cadre)
        assert fresh(review).state == State.RESPONSIBILITY_REVIEW
        assert events(review)[-1] == "responsibility_decision"
        decide(org, review, author=org.cadre2.pk, **HELD)
        proposal = fresh(review)
        assert proposal.state == State.RESPONSIBILITY_DECIDED
        entry = LedgerEntry.objects.filter(proposal=proposal).order_by("-seq").first()
        assert (entry.event, entry.to_state) == ("decide_responsibility", "responsibility_decided")
        assert entry.payload["author"] == "cadre2"
        assert entry.payload["outcomes"] == {"cadre": "reduced", "cadre2": "held_responsible"}
        mine = ResponsibilityDecision.objects.get(proposal=proposal, author=org.cadre)
        assert mine.protected and mine.decision == "reduced"
        assert not ResponsibilityDecision.objects.get(
            proposal=proposal, author=org.cadre2
        ).protected
        assert proposal_verify(proposal).valid

    def test_one_official_document_per_decision_naming_its_author(self, org, review):
        decide(org, review, author=org.cadre)
        decide(org, review, author=org.cadre2, **HELD)
        docs = OfficialDocument.objects.filter(
            proposal=review, kind__in=["responsibility", "responsibility_person"]
        )
        assert {d.concerns for d in docs} == {org.cadre, org.cadre2}
        held = docs.get(concerns=org.cadre2)
        text = " ".join(a["text"] for a in held.content["articles"])
        assert "Không thuộc trường hợp được bảo vệ" in text and "xử lý" not in text
        assert "Lê Văn Đức" in held.content["subject"]

    def test_a_shared_outcome_is_the_state(self, org, review):
        decide(org, review, author=org.cadre2, **HELD)
        decide(org, review, author=org.cadre, **HELD)
        assert fresh(review).state == State.HELD_RESPONSIBLE

    def test_a_single_author_is_one_decision_as_before(self, org):
        proposal = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
        proposal = in_review(proposal, head=org.head, party=org.party)
        decide(org, proposal)
        assert fresh(proposal).state == State.REDUCED
        assert events(proposal)[-1] == "decide_responsibility"
        assert "responsibility_decision" not in events(proposal)
        assert ResponsibilityDecision.objects.get(proposal=proposal).author == org.cadre

    def test_an_author_is_decided_on_once(self, org, review):
        decide(org, review, author=org.cadre)
        with pytest.raises(Conflict):
            decide(org, review, author=org.cadre)

    def test_the_author_must_be_an_author(self, org, review):
        before = events(review)
        with pytest.raises(Invalid) as error:
            decide(org, review, author=org.deputy)
        assert "author" in error.value.errors
        assert events(review) == before

    def test_the_rules_hold_per_person(self, org, review):
        with pytest.raises(Invalid) as error:
            decide(org, review, author=org.cadre, no_personal_gain=False)
        assert "decision" in error.value.errors
        assert not ResponsibilityDecision.objects.filter(proposal=review).exists()

    @pytest.mark.parametrize("who", ["deputy", "party", "cadre", "orgboard"])
    def test_only_the_deciding_head(self, org, review, who):
        with pytest.raises(Forbidden):
            decide(org, review, author=org.cadre, who=getattr(org, who))

    def test_another_unit_gets_not_found(self, org, review):
        with pytest.raises(NotFound):
            decide(org, review, author=org.cadre, who=org.commune_head)


class TestExplanation:
    @pytest.fixture(autouse=True)
    def hearing(self, settings):
        settings.KL14_RESPONSIBILITY_EXPLANATION_DAYS = 5

    def test_the_decision_waits_for_the_authors_explanation(self, org, review):
        with pytest.raises(Conflict) as error:
            decide(org, review, author=org.cadre)
        assert error.value.code == "hearing_open"
        rs.responsibility_explain(proposal=fresh(review), actor=org.cadre, text="Tôi làm đúng.")
        assert events(review)[-1] == "responsibility_explanation"
        decide(org, review, author=org.cadre)
        # The co-author has not explained yet and still may: the decision on them waits.
        with pytest.raises(Conflict):
            decide(org, review, author=org.cadre2)
        assert rs.decidable_authors(fresh(review)) == []
        assert rs.hearing_waiting(fresh(review))

    def test_after_the_deadline_the_head_may_decide(self, org, proposal):
        entered = timezone.now() - datetime.timedelta(days=30)
        proposal = in_state(
            proposal, State.RESPONSIBILITY_REVIEW, mode="pilot", state_changed_at=entered
        )
        decide(org, proposal, author=org.cadre)
        with pytest.raises(Conflict) as error:
            rs.responsibility_explain(proposal=fresh(proposal), actor=org.cadre2, text="Muộn.")
        assert error.value.code == "explanation_closed"

    def test_once_and_only_by_an_author(self, org, review):
        rs.responsibility_explain(proposal=fresh(review), actor=org.cadre, text="Giải trình.")
        with pytest.raises(Conflict):
            rs.responsibility_explain(proposal=fresh(review), actor=org.cadre, text="Lần nữa.")
        with pytest.raises(Forbidden):
            rs.responsibility_explain(proposal=fresh(review), actor=org.deputy, text="Không.")
        with pytest.raises(NotFound):
            rs.responsibility_explain(proposal=fresh(review), actor=org.commune_cadre, text="X")
        with pytest.raises(Invalid):
            rs.responsibility_explain(proposal=fresh(review), actor=org.cadre2, text="  ")

    def test_not_outside_the_review(self, org, proposal):
        proposal = in_state(proposal, State.EVALUATING, mode="pilot")
        with pytest.raises(Conflict):
            rs.responsibility_explain(proposal=proposal, actor=org.cadre, text="Giải trình.")


class TestComplaint:
    @pytest.fixture
    def decided(self, org, review):
        decide(org, review, author=org.cadre)
        decide(org, review, author=org.cadre2, **HELD)
        return fresh(review)

    def test_an_author_complains_and_the_deciding_head_resolves(self, org, decided):
        rs.complaint_file(proposal=decided, actor=org.cadre2, text="Tôi không vụ lợi.")
        assert events(decided)[-1] == "responsibility_complaint"
        complaint = rs.complaint_resolve(
            proposal=fresh(decided),
            actor=org.head,
            author=org.cadre2.pk,
            resolution="upheld",
            text="Có căn cứ về việc vụ lợi.",
        )
        assert complaint.resolved_by == org.head and not complaint.is_open
        entry = LedgerEntry.objects.filter(proposal=decided).order_by("-seq").first()
        assert entry.event == "responsibility_complaint_resolution"
        assert entry.payload == {
            "author": "cadre2",
            "resolution": "upheld",
            "text": "Có căn cứ về việc vụ lợi.",
        }
        with pytest.raises(Conflict):
            rs.complaint_resolve(
                proposal=fresh(decided),
                actor=org.head,
                author=org.cadre2.pk,
                resolution="accepted",
                text="Lại.",
            )
        assert proposal_verify(fresh(decided)).valid

    def test_complaint_rules(self, org, decided):
        with pytest.raises(Forbidden):
            rs.complaint_file(proposal=decided, actor=org.deputy, text="Khiếu nại.")
        with pytest.raises(NotFound):
            rs.complaint_file(proposal=decided, actor=org.commune_cadre, text="Khiếu nại.")
        with pytest.raises(Invalid):
            rs.complaint_file(proposal=decided, actor=org.cadre, text="")
        rs.complaint_file(proposal=decided, actor=org.cadre, text="Khiếu nại.")
        with pytest.raises(Conflict):
            rs.complaint_file(proposal=fresh(decided), actor=org.cadre, text="Lần hai.")

    def test_no_complaint_before_the_decision(self, org, review):
        with pytest.raises(Conflict):
            rs.complaint_file(proposal=review, actor=org.cadre, text="Khiếu nại.")

    def test_resolution_rules(self, org, decided):
        rs.complaint_file(proposal=decided, actor=org.cadre, text="Khiếu nại.")
        for who in (org.cadre, org.deputy, org.party):
            with pytest.raises(Forbidden):
                rs.complaint_resolve(
                    proposal=fresh(decided),
                    actor=who,
                    author=org.cadre.pk,
                    resolution="upheld",
                    text="X",
                )
        with pytest.raises(NotFound):
            rs.complaint_resolve(
                proposal=fresh(decided),
                actor=org.commune_head,
                author=org.cadre.pk,
                resolution="upheld",
                text="X",
            )
        with pytest.raises(NotFound):  # cadre2 filed nothing
            rs.complaint_resolve(
                proposal=fresh(decided),
                actor=org.head,
                author=org.cadre2.pk,
                resolution="upheld",
                text="X",
            )
        with pytest.raises(Invalid) as error:
            rs.complaint_resolve(
                proposal=fresh(decided),
                actor=org.head,
                author=org.cadre.pk,
                resolution="pardoned",
                text="",
            )
        assert set(error.value.errors) == {"resolution", "text"}
        assert ResponsibilityComplaint.objects.get().is_open


class TestApiAndPages:
    def test_api_per_author(self, org, review, client):
        head = {"HTTP_AUTHORIZATION": f"Token {api_token(org.head)}"}
        body = {
            "author": org.cadre.pk,
            "decision": "reduced",
            **PROTECTED,
            "damage": True,
            "damage_amount": "1000000",
            "reasons": REASONS,
        }
        url = f"/api/v1/proposals/{review.pk}/transitions/decide_responsibility/"
        response = client.post(url, body, content_type="application/json", **head)
        assert response.status_code == 200, response.content
        assert response.json()["state"] == State.RESPONSIBILITY_REVIEW
        response = client.post(
            url,
            {**body, "author": org.cadre2.pk, **HELD},
            content_type="application/json",
            **head,
        )
        assert response.json()["state"] == State.RESPONSIBILITY_DECIDED
        cadre = {"HTTP_AUTHORIZATION": f"Token {api_token(org.cadre2)}"}
        base = f"/api/v1/proposals/{review.pk}/responsibility"
        response = client.post(
            f"{base}/complaint/", {"text": "Khiếu nại."}, content_type="application/json", **cadre
        )
        assert response.status_code == 201
        response = client.post(
            f"{base}/complaints/{org.cadre2.pk}/resolution/",
            {"resolution": "partly", "text": "Một phần."},
            content_type="application/json",
            **cadre,
        )
        assert response.status_code == 403
        response = client.post(
            f"{base}/complaints/{org.cadre2.pk}/resolution/",
            {"resolution": "partly", "text": "Một phần."},
            content_type="application/json",
            **head,
        )
        assert response.status_code == 400  # partly founded: the revised decision is needed
        assert {"decision", "reasons"} <= set(response.json()["errors"])
        response = client.post(
            f"{base}/complaints/{org.cadre2.pk}/resolution/",
            {"resolution": "partly", "text": "Một phần.", **body, "decision": "exempted"},
            content_type="application/json",
            **head,
        )
        assert response.status_code == 200, response.content
        rows = client.get(f"{base}/decisions/", **head).json()
        assert [(r["author"]["username"], r["decision"], r["current"]) for r in rows] == [
            ("cadre", "reduced", True),
            ("cadre2", "held_responsible", False),
            ("cadre2", "exempted", True),
        ]
        assert rows[1]["complaint"]["resolution"] == "partly"
        assert rows[2]["supersedes"] == rows[1]["id"]
        review_body = client.get(f"/api/v1/proposals/{review.pk}/review/", **head).json()
        assert review_body["protected"] is True
        assert review_body["proposal"]["state"] == State.RESPONSIBILITY_DECIDED
        assert len(review_body["responsibility_decisions"]) == 2

    def test_the_review_page_shows_each_authors_outcome(self, org, review, client):
        decide(org, review, author=org.cadre)
        decide(org, review, author=org.cadre2, **HELD)
        client.force_login(org.cadre2)
        page = client.get(f"/reviews/{review.pk}/").content.decode()
        assert "Giảm nhẹ trách nhiệm" in page
        assert "Không đủ điều kiện được bảo vệ" in page
        assert f'action="/reviews/{review.pk}/responsibility/complaint/"' in page
        response = client.post(f"/reviews/{review.pk}/responsibility/complaint/", {"text": ""})
        assert response.status_code == 400
        response = client.post(
            f"/reviews/{review.pk}/responsibility/complaint/", {"text": "Khiếu nại."}
        )
        assert response.status_code == 302
        client.force_login(org.head)
        page = client.get(f"/reviews/{review.pk}/").content.decode()
        assert f"/responsibility/complaints/{org.cadre2.pk}/resolution/" in page

    def test_the_dossier_prints_the_holders_own_decision_first(self, org, review):
        from reviews.dossier import dossier_context
        from reviews.services import dossier_issue

        decide(org, review, author=org.cadre)
        decide(org, review, author=org.cadre2, **HELD)
        issue, verification = dossier_issue(proposal=fresh(review), actor=org.cadre2)
        context = dossier_context(fresh(review), issue, verification, holder=org.cadre2)
        assert [row["author"] for row in context["persons"]] == [org.cadre2, org.cadre]
        assert context["persons"][0]["decision"].decision == "held_responsible"
