"""The review stage's pages: the review of a proposal and its forms, the replication page and its
comparison of KPI outcomes, and the generic transition pages showing this app's forms."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ledger.models import LedgerEntry
from proposals.models import Proposal, State
from reviews import services
from reviews.models import BoardRequest, Lesson, Recognition
from tests.factories.proposals import ProposalFactory, committee_reference, fresh
from tests.factories.reviews import (
    collective_votes,
    decided,
    evaluating,
    in_review,
    minutes,
    recognised,
    replicated,
    run_adoption,
    succeeded,
    through_pilot,
)
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


class TestReviewPage:
    def test_evaluating_shows_the_due_date_and_the_missing_opinion(self, org, proposal):
        proposal = evaluating(proposal)
        page = client_for(org.head).get(f"/reviews/{proposal.pk}/").content.decode()
        assert "Hạn:" in page
        assert "Cấp ủy chưa cho ý kiến về kết quả" in page
        # The evaluation waits for that opinion: a disabled button that says so, no link yet.
        assert 'disabled aria-describedby="why-not-evaluate"' in page
        assert f"/proposals/{proposal.pk}/actions/evaluate/" not in page

    def test_a_protection_decision(self, org, proposal):
        proposal = decided(proposal, head=org.head, party=org.party)
        page = client_for(org.cadre).get(f"/reviews/{proposal.pk}/").content.decode()
        assert "Giảm nhẹ trách nhiệm" in page
        assert "50.000.000 đồng" in page
        assert "được bảo vệ" in page
        # The dossier is asked for (a POST), then built by a worker: never in the request.
        assert 'action="/exports/new/"' in page
        assert f'name="proposal" value="{proposal.pk}"' in page
        assert "Lưu ghi nhận, khuyến khích" not in page  # nothing to recognise here

    def test_not_visible_is_not_found(self, org, proposal):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        assert client_for(org.commune_cadre).get(f"/reviews/{proposal.pk}/").status_code == 404

    def test_recognition_is_proposed_not_recorded(self, org, proposal):
        """The head and the board no longer record a recognition themselves (amendment
        2026-11-29): the board's page offers only the request to the competent authority."""
        proposal = succeeded(proposal, head=org.head, party=org.party)
        page = client_for(org.head).get(f"/reviews/{proposal.pk}/").content.decode()
        assert "Lưu ghi nhận, khuyến khích" not in page and "Gửi đề nghị" not in page
        page = client_for(org.orgboard).get(f"/reviews/{proposal.pk}/").content.decode()
        assert "Lưu ghi nhận, khuyến khích" not in page
        assert "Đề nghị ghi nhận, khuyến khích" in page and "Gửi đề nghị" in page
        assert "Nâng bậc lương trước thời hạn (12 tháng)" in page
        # The old direct route is gone.
        url = f"/reviews/{proposal.pk}/recognitions/"
        assert client_for(org.head).post(url, {"kind": "praise"}).status_code == 404
        assert client_for(org.orgboard).post(url, {"kind": "praise"}).status_code == 404
        assert Recognition.objects.count() == 0

    def test_lesson_forms(self, org, proposal):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        head = client_for(org.head)
        url = f"/reviews/{proposal.pk}/lesson/"
        assert head.post(url, {"lessons": ""}).status_code == 400
        assert client_for(org.cadre).post(url, {"lessons": "x"}).status_code == 403
        assert head.post(url, {"lessons": "Bài học quý"}).status_code == 302
        assert Lesson.objects.get().lessons == "Bài học quý"
        page = head.get(f"/reviews/{proposal.pk}/").content.decode()
        assert "Đã công bố" in page and "Rút khỏi thư viện" in page
        assert head.post(f"/reviews/{proposal.pk}/lesson/unpublish/").status_code == 302
        assert fresh(proposal).published_at is None
        assert head.post(f"/reviews/{proposal.pk}/lesson/unpublish/").status_code == 409

    def test_lesson_before_the_evaluation(self, org, proposal):
        proposal = evaluating(proposal, party=org.party)
        response = client_for(org.head).post(f"/reviews/{proposal.pk}/lesson/", {"lessons": ""})
        assert response.status_code == 409


class TestReplicationPage:
    def test_the_board_proposes_and_the_authority_directs(self, org, proposal):
        source = succeeded(proposal, head=org.head, party=org.party)
        standing = grant(org.province, Role.STANDING_COMMITTEE, username="standing")
        board = client_for(org.orgboard)
        page = board.get(f"/reviews/{source.pk}/replication/").content.decode()
        assert org.commune.name in page and org.commune2.name in page
        assert f'value="{org.agency.pk}"' not in page  # its own unit is not offered
        # One form only (no direct directive): every checkbox id is unique.
        assert "Chỉ đạo nhân rộng" not in page
        assert page.count(f'value="{org.commune.pk}"') == 1
        response = board.post(
            f"/reviews/{source.pk}/replication-requests/",
            {"target_units": [org.commune.pk, org.commune2.pk], "grounds": "Phù hợp."},
        )
        assert response.status_code == 302
        assert fresh(source).state == State.SUCCEEDED
        assert not Proposal.objects.filter(origin=source).exists()
        board_request = BoardRequest.objects.get(proposal=source)
        decision = client_for(standing).post(
            f"/reviews/requests/{board_request.pk}/decision/", {"decision": "approve"}
        )
        assert decision.status_code == 302
        assert fresh(source).state == State.REPLICATED
        page = board.get(f"/reviews/{source.pk}/replication/").content.decode()
        assert page.count("Đã phê duyệt") >= 2

    def test_adoptions_the_reader_may_not_see_are_counted_not_shown(self, org, proposal):
        """The source's head sees the source, not the commune's adoption: no row (its code,
        state, outcome, KPIs) and no link to a page that would answer 404, only a count."""
        source = succeeded(proposal, head=org.head, party=org.party)
        replicated(source, board=org.orgboard, target_units=[org.commune.pk, org.commune2.pk])
        adoptions = list(Proposal.objects.filter(origin=source).order_by("pk"))
        head = client_for(org.head)
        page = head.get(f"/reviews/{source.pk}/replication/").content.decode()
        for adoption in adoptions:
            assert adoption.code not in page
            assert f"/reviews/{adoption.pk}/" not in page
            assert head.get(f"/reviews/{adoption.pk}/").status_code == 404
        assert 'data-hidden-adoptions="2"' in page
        assert "2 đơn vị áp dụng mô hình không thuộc phạm vi đồng chí được xem" in page
        assert "Mô hình chưa được nhân rộng." not in page
        # The board over every unit sees every row, and no count.
        board_page = client_for(org.orgboard).get(f"/reviews/{source.pk}/replication/")
        board_page = board_page.content.decode()
        assert all(f"/reviews/{a.pk}/" in board_page for a in adoptions)
        assert "data-hidden-adoptions" not in board_page

    def test_an_adoption_links_to_its_model_only_for_whoever_sees_the_model(self, org, proposal):
        source = succeeded(proposal, head=org.head, party=org.party)
        replicated(source, board=org.orgboard, target_units=[org.commune.pk])
        adoption = Proposal.objects.get(origin=source)
        link = f'href="/reviews/{source.pk}/replication/"'
        commune = client_for(org.commune_head)
        assert commune.get(f"/reviews/{source.pk}/replication/").status_code == 404
        assert link not in commune.get(f"/proposals/{adoption.pk}/").content.decode()
        board = client_for(org.orgboard)
        assert link in board.get(f"/proposals/{adoption.pk}/").content.decode()
        assert board.get(f"/reviews/{source.pk}/replication/").status_code == 200

    def test_a_unit_outside_the_subtree_cannot_be_chosen(self, org, proposal):
        source = succeeded(proposal, head=org.head, party=org.party)
        board = client_for(org.agency_board)
        page = board.get(f"/reviews/{source.pk}/replication/").content.decode()
        assert org.office.name in page and org.commune.name not in page
        before = LedgerEntry.objects.count()
        response = board.post(
            f"/reviews/{source.pk}/replication-requests/",
            {"target_units": [org.commune.pk], "grounds": "x"},
        )
        assert response.status_code == 400
        assert LedgerEntry.objects.count() == before
        assert not BoardRequest.objects.exists()

    def test_nobody_replicates_directly(self, org, proposal):
        source = succeeded(proposal, head=org.head, party=org.party)
        for user in (org.head, org.orgboard):
            response = client_for(user).post(
                f"/reviews/{source.pk}/replication/", {"target_units": [org.commune.pk]}
            )
            assert response.status_code == 405
        response = client_for(org.head).post(
            f"/reviews/{source.pk}/replication-requests/",
            {"target_units": [org.commune.pk], "grounds": "x"},
        )
        assert response.status_code == 403
        assert client_for(org.head).get(f"/reviews/{source.pk}/replication/").status_code == 200
        assert fresh(source).state == State.SUCCEEDED

    def test_the_kpis_of_the_adoptions_are_compared(self, org):
        source = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
        source = through_pilot(source, org=org)
        source = fresh(
            services.proposal_evaluate(
                proposal=collective_votes(_with_opinion(source, org.party)),
                actor=org.head,
                outcome="achieved",
                causes_objective="Thuận lợi",
                causes_subjective="Quyết tâm",
                meeting_date=timezone.localdate(source.state_changed_at),
                minutes=minutes(),
            )
        )
        directive = replicated(source, board=org.orgboard, target_units=[org.commune.pk])
        adoption = Proposal.objects.get(origin=source)
        run_adoption(
            adoption,
            head=org.commune_head,
            supervisor=org.province_head,
            cosigner=directive.decided_by,
            monitor=org.inspector,
            finals={"Thời gian giải quyết hồ sơ": "20", "Tỷ lệ hồ sơ trực tuyến": "40"},
        )
        page = client_for(org.orgboard).get(f"/reviews/{source.pk}/replication/").content.decode()
        assert "Thời gian giải quyết hồ sơ" in page and "Tỷ lệ hồ sơ trực tuyến" in page
        assert "12 ngày" in page and "20 ngày" in page
        assert "(90%)" in page  # 30 → 12 against a target of 10
        assert "(50%)" in page  # 30 → 20
        body = client_for(org.orgboard).get(f"/api/v1/proposals/{source.pk}/adoptions/").json()
        assert body["has_kpis"] is True
        assert {k["name"]: k["met"] for k in body["rows"][1]["kpis"]} == {
            "Thời gian giải quyết hồ sơ": False,
            "Tỷ lệ hồ sơ trực tuyến": False,
        }
        assert fresh(adoption).state == State.EVALUATING


def _with_opinion(proposal, party):
    from proposals.services import opinion_record

    opinion_record(
        proposal=fresh(proposal),
        actor=party,
        stage="evaluation",
        stance="agree",
        text="Đồng ý.",
        **committee_reference(),
    )
    return fresh(proposal)


class TestGenericTransitionPages:
    """The proposals app's transition pages show this app's forms."""

    def test_evaluate_form(self, org, proposal):
        proposal = evaluating(proposal, party=org.party)
        page = client_for(org.head).get(f"/proposals/{proposal.pk}/actions/evaluate/")
        assert page.status_code == 200
        body = page.content.decode()
        for name in ("outcome", "causes_objective", "causes_subjective", "meeting_date"):
            assert f'name="{name}"' in body

    def test_decide_responsibility_through_the_form(self, org, proposal):
        proposal = in_review(proposal, head=org.head, party=org.party)
        url = f"/proposals/{proposal.pk}/actions/decide_responsibility/"
        head = client_for(org.head)
        refused = head.post(
            url,
            {
                "decision": "held_responsible",
                "followed_approved_plan": "on",
                "pure_motive": "on",
                "common_interest": "on",
                "no_personal_gain": "on",
                "damage": "on",
                "damage_amount": "1000000",
                "reasons": "Lý do",
            },
        )
        assert refused.status_code == 400
        assert "cán bộ thuộc diện được bảo vệ" in refused.content.decode()
        accepted = head.post(
            url,
            {
                "decision": "held_responsible",
                "followed_approved_plan": "on",
                "pure_motive": "",
                "common_interest": "on",
                "no_personal_gain": "on",
                "reasons": "Có dấu hiệu vụ lợi.",
            },
        )
        assert accepted.status_code == 302
        assert fresh(proposal).state == State.HELD_RESPONSIBLE

    def test_replicate_is_not_a_generic_transition_page(self, org, proposal):
        """Replication is proposed on the replication page and decided by the authority."""
        source = succeeded(proposal, head=org.head, party=org.party)
        page = client_for(org.orgboard).get(f"/proposals/{source.pk}/actions/replicate/")
        assert page.status_code == 404


@pytest.mark.parametrize("state", ["evaluating", "succeeded"])
def test_the_review_page_runs_a_fixed_number_of_queries(org, state):
    """However many recognitions and adoptions it lists."""
    proposal = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
    proposal = (
        evaluating(proposal, party=org.party)
        if state == "evaluating"
        else succeeded(proposal, head=org.head, party=org.party)
    )
    client = client_for(org.orgboard)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/reviews/{proposal.pk}/").status_code == 200
        return len(queries)

    few = count()
    if state == "succeeded":
        recognised(proposal, board=org.orgboard, kind="praise")
        replicated(
            proposal,
            board=org.orgboard,
            target_units=[org.commune.pk, org.commune2.pk, org.office.pk],
        )
        few = count()
        recognised(proposal, board=org.orgboard, kind="reward")
    assert count() == few


def test_the_navigation(org):
    board = client_for(org.orgboard).get("/").content.decode()
    for url in ("/lessons/", "/dashboard/", "/recognitions/", "/dossiers/verify/"):
        assert f'href="{url}"' in board
    cadre = client_for(org.cadre).get("/").content.decode()
    assert 'href="/lessons/"' in cadre and 'href="/dossiers/verify/"' in cadre
    assert 'href="/dashboard/"' not in cadre and 'href="/recognitions/"' not in cadre
