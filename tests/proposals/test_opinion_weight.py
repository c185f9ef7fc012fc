"""Issue 11, point 5: the Party committee's opinion carries weight. An opinion records the
committee's document (number, date) and its signer (name, title), all four required; after a
`disagree` opinion at the decision stage, `approve` needs the head's written reasons — the same
`override_reason` as the vote override — recorded in the approve entry and shown on the page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from ledger.models import LedgerEntry
from proposals import services
from proposals.models import Opinion, Proposal, State
from proposals.selectors import opinion_disagrees
from tests.factories.proposals import (
    CONDITIONS_MET,
    ProposalFactory,
    committee_reference,
    fresh,
    in_state,
    under_review,
)

pytestmark = pytest.mark.django_db

DOC = {
    "document_number": "125-CV/ĐU",
    "document_date": datetime.date(2026, 11, 20),
    "signer_name": "Trần Thị Bình",
    "signer_title": "Bí thư Đảng ủy",
}


def entries(proposal):
    return list(LedgerEntry.objects.filter(proposal=proposal).order_by("seq"))


def written(proposal):
    p = Proposal.objects.get(pk=proposal.pk)
    return (p.state, p.mode, Opinion.objects.filter(proposal=p).count(), len(entries(p)))


def opine(org, proposal, stance="disagree", **reference):
    """The opinion with DOC as its reference, `reference` replacing any of its fields."""
    return services.opinion_record(
        proposal=fresh(proposal),
        actor=org.party,
        stage="decision",
        stance=stance,
        text="Cấp ủy chưa đồng ý: cần làm rõ nguồn lực.",
        **{**DOC, **reference},
    )


def vote_all(org, proposal, choice="for"):
    for voter in (org.head, org.deputy1, org.deputy2):
        services.vote_cast(proposal=fresh(proposal), actor=voter, choice=choice)


@pytest.fixture
def review(org, draft):
    return under_review(draft, org.cadre, org.head)


# --- the opinion's reference ---


class TestOpinionReference:
    def test_records_document_and_signer_in_row_and_ledger(self, org, review):
        opinion = opine(org, review, "agree", **DOC)
        opinion.refresh_from_db()
        assert (opinion.document_number, opinion.document_date) == (
            "125-CV/ĐU",
            DOC["document_date"],
        )
        assert (opinion.signer_name, opinion.signer_title) == ("Trần Thị Bình", "Bí thư Đảng ủy")
        payload = entries(review)[-1].payload
        assert payload["document_number"] == "125-CV/ĐU"
        assert payload["document_date"] == "2026-11-20"
        assert payload["signer_title"] == "Bí thư Đảng ủy"
        assert "125-CV/ĐU" in opinion.reference and "Trần Thị Bình" in opinion.reference

    def test_without_its_reference_the_opinion_is_400_per_field_in_vietnamese(self, org, review):
        before = written(review)
        with translation.override("vi"), pytest.raises(Invalid) as error:
            services.opinion_record(
                proposal=fresh(review),
                actor=org.party,
                stage="decision",
                stance="agree",
                text="Cấp ủy đồng ý.",
            )
        assert {
            field: [str(m) for m in messages] for field, messages in error.value.errors.items()
        } == {
            "document_number": ["Ghi số, ký hiệu văn bản của cấp ủy."],
            "document_date": ["Ghi ngày ban hành văn bản của cấp ủy."],
            "signer_name": ["Ghi họ tên người ký."],
            "signer_title": ["Ghi chức vụ của người ký."],
        }
        assert written(review) == before

    @pytest.mark.parametrize(
        ("reference", "field"),
        [
            ({"document_number": ""}, "document_number"),
            ({"document_number": "   "}, "document_number"),
            ({"document_date": None}, "document_date"),
            ({"document_date": ""}, "document_date"),
            ({"document_date": "2026-13-45"}, "document_date"),
            ({"document_date": datetime.date(2099, 1, 1)}, "document_date"),
            ({"document_date": "0001-01-01"}, "document_date"),  # was recorded
            ({"document_date": datetime.date(1999, 12, 31)}, "document_date"),
            ({"signer_name": ""}, "signer_name"),
            ({"signer_title": " "}, "signer_title"),
            ({"document_number": "x" * 101}, "document_number"),
        ],
    )
    def test_bad_reference_is_400_naming_the_field_and_writes_nothing(
        self, org, review, reference, field
    ):
        before = written(review)
        with pytest.raises(Invalid) as error:
            opine(org, review, **reference)
        assert list(error.value.errors) == [field]
        assert written(review) == before

    def test_wrong_role_403_wrong_state_409_other_unit_404(self, org, draft, review):
        with pytest.raises(Forbidden):
            services.opinion_record(
                proposal=fresh(review),
                actor=org.deputy1,
                stage="decision",
                stance="agree",
                text="x",
                **committee_reference(),
            )
        with pytest.raises(Forbidden):  # the role is checked before the inputs
            services.opinion_record(
                proposal=fresh(review), actor=org.deputy1, stage="decision", stance="agree", text=""
            )
        other = ProposalFactory(home_unit=org.agency, created_by=org.cadre2)
        in_state(other, State.APPROVED, deciding_unit=org.agency, mode="pilot")
        with pytest.raises(Conflict):
            opine(org, other)
        with pytest.raises(NotFound):
            services.opinion_record(
                proposal=fresh(review),
                actor=org.commune_head,
                stage="decision",
                stance="agree",
                text="x",
                **DOC,
            )


# --- approve after a disagreeing opinion ---


class TestApproveAfterDisagree:
    def test_selector_tells_the_current_stance(self, org, review):
        assert opinion_disagrees(review) is False
        opine(org, review)
        assert opinion_disagrees(fresh(review)) is True
        assert opinion_disagrees(fresh(review), Opinion.Stage.EVALUATION) is False
        opine(org, review, "agree_with_conditions")  # a later opinion of the round replaces it
        assert opinion_disagrees(fresh(review)) is False

    @pytest.mark.parametrize("reason", ["", "   ", None])
    def test_passed_vote_but_disagree_needs_a_reason_400_nothing_written(self, org, review, reason):
        opine(org, review, **DOC)
        vote_all(org, review)
        before = written(review)
        with pytest.raises(Invalid) as error:
            services.proposal_approve(
                proposal=fresh(review),
                actor=org.head,
                mode="pilot",
                override_reason=reason,
                **CONDITIONS_MET,
            )
        assert list(error.value.errors) == ["override_reason"]
        assert written(review) == before

    def test_reason_is_recorded_in_the_approve_entry(self, org, review):
        opine(org, review, **DOC)
        vote_all(org, review)
        proposal = services.proposal_approve(
            proposal=fresh(review),
            actor=org.head,
            mode="pilot",
            override_reason="Cấp bách cho người dân; đã bổ sung nguồn lực.",
            **CONDITIONS_MET,
        )
        proposal = fresh(proposal)
        assert (proposal.state, proposal.head_override) == (State.APPROVED, False)
        payload = entries(proposal)[-1].payload
        assert payload["against_opinion"] is True
        assert payload["head_bears_responsibility"] is False
        assert payload["override_reason"] == "Cấp bách cho người dân; đã bổ sung nguồn lực."
        assert payload["opinion"]["stance"] == "disagree"
        assert payload["opinion"]["document_number"] == "125-CV/ĐU"
        assert payload["opinion"]["signer_name"] == "Trần Thị Bình"

    def test_vote_failed_and_disagree_one_reason_covers_both(self, org, review):
        opine(org, review)
        vote_all(org, review, "against")
        services.proposal_approve(
            proposal=fresh(review),
            actor=org.head,
            mode="implementation",
            override_reason="Lý do.",
            **CONDITIONS_MET,
        )
        proposal = fresh(review)
        payload = entries(proposal)[-1].payload
        assert proposal.head_override is True
        assert (payload["head_bears_responsibility"], payload["against_opinion"]) == (True, True)
        assert payload["override_reason"] == "Lý do."

    def test_agree_and_passed_needs_no_reason(self, org, review):
        opine(org, review, "agree")
        vote_all(org, review)
        services.proposal_approve(
            proposal=fresh(review), actor=org.head, mode="pilot", **CONDITIONS_MET
        )
        payload = entries(review)[-1].payload
        assert "against_opinion" not in payload and "override_reason" not in payload

    def test_wrong_role_403_wrong_state_409_other_unit_404(self, org, review):
        opine(org, review)
        vote_all(org, review)
        for actor, error in ((org.deputy1, Forbidden), (org.commune_head, NotFound)):
            with pytest.raises(error):
                services.proposal_approve(
                    proposal=fresh(review),
                    actor=actor,
                    mode="pilot",
                    override_reason="x",
                    **CONDITIONS_MET,
                )
        services.proposal_approve(
            proposal=fresh(review),
            actor=org.head,
            mode="pilot",
            override_reason="x",
            **CONDITIONS_MET,
        )
        with pytest.raises(Conflict):
            services.proposal_approve(
                proposal=fresh(review),
                actor=org.head,
                mode="pilot",
                override_reason="x",
                **CONDITIONS_MET,
            )

    def test_assessment_of_the_four_conditions_is_recorded(self, org, review):
        opine(org, review, "agree")
        vote_all(org, review)
        services.proposal_approve(
            proposal=fresh(review),
            actor=org.head,
            mode="pilot",
            assessment_bottleneck="met",
            assessment_common_good="met",
            assessment_urgent_need="met",
            assessment_reform="met",
        )
        assert entries(review)[-1].payload["conditions"] == {
            "criterion_bottleneck": "met",
            "criterion_common_good": "met",
            "criterion_urgent_need": "met",
            "criterion_reform": "met",
        }

    @pytest.mark.parametrize("value", ["not_met", "maybe", "", None])
    def test_a_condition_not_met_or_not_assessed_refuses_the_approval(self, org, review, value):
        opine(org, review, "agree")
        vote_all(org, review)
        before = written(review)
        with pytest.raises(Invalid) as error:
            services.proposal_approve(
                proposal=fresh(review),
                actor=org.head,
                mode="pilot",
                **{**CONDITIONS_MET, "assessment_reform": value},
            )
        assert list(error.value.errors) == ["assessment_reform"]
        assert written(review) == before

    def test_without_the_assessment_each_condition_is_400_in_vietnamese(self, org, review):
        opine(org, review, "agree")
        vote_all(org, review)
        before = written(review)
        with translation.override("vi"), pytest.raises(Invalid) as error:
            services.proposal_approve(proposal=fresh(review), actor=org.head, mode="pilot")
        message = (
            "Ghi đánh giá của tập thể lãnh đạo về điều kiện này (khoản 1 Điều 5 Nghị định 73)."
        )
        assert {
            field: [str(m) for m in messages] for field, messages in error.value.errors.items()
        } == {name: [message] for name in CONDITIONS_MET}
        assert written(review) == before

    def test_the_assessment_is_checked_after_the_role_and_the_state(self, org, draft, review):
        opine(org, review, "agree")
        vote_all(org, review)
        with pytest.raises(Forbidden):
            services.proposal_approve(proposal=fresh(review), actor=org.deputy1, mode="pilot")
        with pytest.raises(NotFound):
            services.proposal_approve(proposal=fresh(review), actor=org.commune_head, mode="pilot")
        other = ProposalFactory(home_unit=org.agency, created_by=org.cadre2)
        in_state(other, State.APPROVED, deciding_unit=org.agency, mode="pilot")
        with pytest.raises(Conflict):
            services.proposal_approve(proposal=fresh(other), actor=org.head, mode="pilot")


# --- API and page ---


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestApi:
    def test_opinion_with_reference_then_approve_needs_the_reason(self, org, review):
        url = f"/api/v1/proposals/{review.pk}/opinions/"
        body = {"stance": "disagree", "text": "Chưa đồng ý.", "document_number": "7-CV/ĐU"}
        response = api(org.party).post(url, body, format="json")
        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"document_date", "signer_name", "signer_title"}
        assert Opinion.objects.filter(proposal=review).count() == 0
        body |= {
            "document_date": "2026-11-20",
            "signer_name": "Trần Thị Bình",
            "signer_title": "Bí thư",
        }
        response = api(org.party).post(url, body, format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        assert (data["document_number"], data["document_date"]) == ("7-CV/ĐU", "2026-11-20")
        assert (data["signer_name"], data["signer_title"]) == ("Trần Thị Bình", "Bí thư")
        vote_all(org, review)
        fire = f"/api/v1/proposals/{review.pk}/transitions/approve/"
        response = api(org.head).post(fire, {"mode": "pilot"}, format="json")
        assert response.status_code == 400
        assert set(response.json()["errors"]) == set(CONDITIONS_MET)
        assert fresh(review).state == State.UNDER_REVIEW
        response = api(org.head).post(fire, {"mode": "pilot", **CONDITIONS_MET}, format="json")
        assert response.status_code == 400
        assert "override_reason" in response.json()["errors"]
        assert fresh(review).state == State.UNDER_REVIEW
        response = api(org.head).post(
            fire,
            {"mode": "pilot", "override_reason": "Tôi giải trình.", **CONDITIONS_MET},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert entries(review)[-1].payload["override_reason"] == "Tôi giải trình."


class TestPage:
    def test_page_shows_reference_and_the_heads_reason(self, client, org, review):
        opine(org, review, **DOC)
        vote_all(org, review)
        client.force_login(org.head)
        url = reverse("proposals:transition", args=[review.pk, "approve"])
        response = client.post(url, {"mode": "pilot", "override_reason": "", **CONDITIONS_MET})
        assert response.status_code == 400
        assert fresh(review).state == State.UNDER_REVIEW
        response = client.post(
            url, {"mode": "pilot", "override_reason": "Lý do của tôi.", **CONDITIONS_MET}
        )
        assert response.status_code in (200, 302)
        page = client.get(fresh(review).get_absolute_url()).content.decode()
        assert "125-CV/ĐU" in page and "Bí thư Đảng ủy" in page
        assert 'data-testid="against-opinion"' in page
        assert "Lý do của tôi." in page


class TestDossier:
    def test_dossier_prints_the_reference_and_the_heads_reason(self, org, review):
        from reviews import services as reviews
        from reviews.dossier import dossier_pdf
        from tests.reviews.test_dossier import text_of

        opine(org, review, **DOC)
        vote_all(org, review)
        services.proposal_approve(
            proposal=fresh(review),
            actor=org.head,
            mode="pilot",
            override_reason="Lý do riêng.",
            **CONDITIONS_MET,
        )
        issued, verification = reviews.dossier_issue(proposal=fresh(review), actor=org.cadre)
        text = " ".join(
            text_of(dossier_pdf(fresh(review), issued, verification, language="vi")).split()
        )
        assert "125-CV/ĐU" in text and "Bí thư Đảng ủy" in text
        assert "Lý do riêng." in text
        assert "Phê duyệt dù cấp ủy cùng cấp không đồng ý" in text


class TestVerification:
    def test_an_edited_document_number_breaks_verification(self, org, review):
        from proposals.selectors import proposal_verify
        from tests.ledger.tamper import sql

        opinion = opine(org, review, **DOC)
        assert proposal_verify(fresh(review)).valid
        sql("UPDATE proposals_opinion SET document_number = %s WHERE id = %s", ["999", opinion.pk])
        result = proposal_verify(fresh(review))
        assert not result.valid
        assert result.first_bad_seq == entries(review)[-1].seq


class TestDecisionDocument:
    def test_the_approval_decision_cites_the_document_and_the_heads_reason(self, org, review):
        from proposals.documents import build_approval

        opine(org, review, **DOC)
        vote_all(org, review)
        services.proposal_approve(
            proposal=fresh(review),
            actor=org.head,
            mode="pilot",
            override_reason="Lý do riêng.",
            **CONDITIONS_MET,
        )
        proposal = fresh(review)
        entry = entries(proposal)[-1]
        (draft,) = build_approval(entry, proposal)
        grounds = " ".join(draft.content["grounds"])
        assert "Văn bản số 125-CV/ĐU ngày 20/11/2026, không đồng ý" in grounds
        articles = " ".join(article["text"] for article in draft.content["articles"])
        assert "Cấp ủy cùng cấp không đồng ý" in articles and "Lý do: Lý do riêng." in articles


class TestOpinionForm:
    def test_the_party_committee_records_the_document_through_the_form(self, client, org, review):
        client.force_login(org.party)
        url = reverse("proposals:opinion", args=[review.pk])
        data = {"stance": "disagree", "text": "Chưa đồng ý.", "document_number": "9-CV/ĐU"}
        response = client.post(url, data)
        assert response.status_code == 400
        page = response.content.decode()
        assert "Ghi ngày ban hành văn bản của cấp ủy." in page
        assert "Ghi họ tên người ký." in page and "Ghi chức vụ của người ký." in page
        assert not Opinion.objects.filter(proposal=review).exists()
        data |= {"document_date": "2026-11-20", "signer_name": "Hoàng Văn Em"}
        data |= {"signer_title": "Bí thư Đảng ủy"}
        assert client.post(url, data).status_code == 302
        opinion = Opinion.objects.get(proposal=review)
        assert (opinion.document_number, opinion.document_date.isoformat()) == (
            "9-CV/ĐU",
            "2026-11-20",
        )
        assert opinion_disagrees(fresh(review))
