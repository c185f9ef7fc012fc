"""The organization board proposes, the competent authority decides (board_requests.py): the
happy paths and their ledger entries and notifications, the wrong role (403), another unit's user
(404), the wrong state (409) and bad input (400), with nothing written when refused."""

import pytest

from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from ledger.models import LedgerEntry
from notifications.models import Notification
from proposals.models import Proposal, State
from reviews import board_requests as requests
from reviews.models import (
    Adoption,
    BoardRequest,
    Recognition,
    Replication,
    RequestState,
)
from tests.factories.proposals import fresh, in_state
from tests.factories.reviews import succeeded
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def standing(org):
    """A member of the province Party committee's standing committee."""
    return grant(org.province, Role.STANDING_COMMITTEE, username="standing")


@pytest.fixture
def success(org, proposal):
    return succeeded(proposal, head=org.head, party=org.party)


def snapshot(proposal):
    p = Proposal.objects.get(pk=proposal.pk)
    return (
        p.state,
        Proposal.objects.count(),
        LedgerEntry.objects.count(),
        BoardRequest.objects.count(),
        list(BoardRequest.objects.order_by("pk").values_list("state", flat=True)),
        Recognition.objects.count(),
        Replication.objects.count(),
        Adoption.objects.count(),
    )


def last_entry(proposal):
    return LedgerEntry.objects.filter(proposal=proposal).order_by("seq").last()


def notified(user, event):
    return Notification.objects.filter(recipient=user, event__startswith=f"{event}.").exists()


def propose_praise(org, proposal, actor=None, **overrides):
    inputs = {
        "kind": "praise",
        "grounds": "Mô hình hiệu quả, tiết kiệm 30% thời gian.",
        **overrides,
    }
    return requests.recognition_propose(
        proposal=fresh(proposal), actor=actor or org.orgboard, **inputs
    )


def propose_replication(org, proposal, actor=None, **overrides):
    inputs = {
        "target_units": [org.commune],
        "grounds": "Điều kiện tương đồng, cần nhân rộng.",
        **overrides,
    }
    return requests.replication_propose(
        proposal=fresh(proposal), actor=actor or org.orgboard, **inputs
    )


def decide(board_request, actor, decision="approve", reason=""):
    return requests.board_request_decide(
        board_request=BoardRequest.objects.get(pk=board_request.pk),
        actor=actor,
        decision=decision,
        reason=reason,
    )


# --- recognition -------------------------------------------------------------------------------


class TestRecognition:
    def test_the_board_proposes_and_nothing_is_granted_yet(self, org, success, standing):
        request = propose_praise(org, success, recipients=[org.cadre])
        assert request.state == RequestState.PENDING
        assert (request.board_unit, request.authority_unit) == (org.province, org.province)
        assert list(request.recipients.all()) == [org.cadre]
        assert Recognition.objects.count() == 0
        entry = last_entry(success)
        assert entry.event == "recognition_propose"
        assert entry.actor == org.orgboard
        assert entry.payload["request"] == request.pk
        assert entry.payload["recipients"] == ["cadre"]
        assert entry.from_state == entry.to_state == State.SUCCEEDED
        # the standing committee's turn; the root's head is nobody's superior here
        assert (
            Notification.objects.get(recipient=standing, event="recognition_propose.1").kind
            == "action"
        )
        assert not notified(org.province_head, "recognition_propose")

    def test_the_standing_committee_approves_and_the_recognition_is_granted(
        self, org, success, standing
    ):
        request = propose_praise(org, success)
        decided = decide(request, standing, reason="Đồng ý.")
        assert decided.state == RequestState.APPROVED
        assert (decided.decided_by, decided.decided_as, decided.decided_in) == (
            standing,
            "standing_committee",
            org.province,
        )
        records = Recognition.objects.filter(request=request)
        assert {r.recipient for r in records} == {org.cadre, org.cadre2}
        assert {(r.kind, r.unit, r.granted_by) for r in records} == {
            ("praise", org.province, standing)
        }
        entry = last_entry(success)
        assert entry.event == "recognition"
        assert entry.actor == standing
        assert entry.payload["request"] == request.pk
        assert entry.payload["decided_as"] == "standing_committee"
        assert sorted(entry.payload["recipients"]) == ["cadre", "cadre2"]
        assert notified(org.cadre, "recognition") and notified(org.orgboard, "recognition")

    def test_the_head_of_the_unit_above_the_board_decides_and_sees_the_proposal(self, org, success):
        request = propose_praise(org, success, actor=org.agency_board)
        assert (request.board_unit, request.authority_unit) == (org.agency, org.province)
        assert notified(org.province_head, "recognition_propose")
        decided = decide(request, org.province_head, decision="refuse", reason="Chưa đủ căn cứ.")
        assert (decided.state, decided.decided_as) == (RequestState.REFUSED, "head")
        assert Recognition.objects.count() == 0
        entry = last_entry(success)
        assert (entry.event, entry.payload["reason"]) == ("recognition_refuse", "Chưa đủ căn cứ.")
        assert notified(org.agency_board, "recognition_refuse")
        assert notified(org.cadre, "recognition_refuse")

    @pytest.mark.parametrize("who", ["cadre", "head", "deputy", "party", "inspector"])
    def test_only_an_organization_board_proposes(self, org, success, who):
        before = snapshot(success)
        with pytest.raises(Forbidden):
            propose_praise(org, success, actor=getattr(org, who))
        assert snapshot(success) == before

    def test_a_board_elsewhere_does_not_see_the_proposal(self, org, success):
        with pytest.raises(NotFound):
            propose_praise(org, success, actor=org.commune_board)

    @pytest.mark.parametrize("who", ["orgboard", "head", "province_head", "cadre", "inspector"])
    def test_only_the_competent_authority_decides(self, org, success, standing, who):
        """The board does not decide its own request; the deciding head of the agency is not the
        authority; the head of the root has no unit above the root's board."""
        request = propose_praise(org, success)
        before = snapshot(success)
        with pytest.raises((Forbidden, NotFound)):
            decide(request, getattr(org, who))
        assert snapshot(success) == before

    def test_an_author_never_decides_on_their_own_recognition(self, org, success):
        author_standing = grant(org.province, Role.STANDING_COMMITTEE, username="cadre")
        assert author_standing == org.cadre
        request = propose_praise(org, success)
        with pytest.raises(Forbidden):
            decide(request, org.cadre)

    def test_another_units_people_get_404(self, org, success, standing):
        request = propose_praise(org, success, actor=org.agency_board)
        other = grant(org.commune, Role.STANDING_COMMITTEE, username="commune_standing")
        for user in (org.commune_head, other):
            with pytest.raises(NotFound):
                decide(request, user)
            with pytest.raises(NotFound):
                requests.board_request_withdraw(
                    board_request=BoardRequest.objects.get(pk=request.pk), actor=user
                )

    def test_not_before_success(self, org, proposal, standing):
        running = in_state(proposal, "in_progress", mode="pilot")
        before = snapshot(running)
        with pytest.raises(Conflict):
            propose_praise(org, running)
        assert snapshot(running) == before

    @pytest.mark.parametrize(
        ("field", "overrides"),
        [
            ("grounds", {"grounds": "  "}),
            ("kind", {"kind": "medal"}),
            ("recipients", {"recipients": ["nobody"]}),
        ],
    )
    def test_bad_input_is_refused_and_nothing_written(
        self, org, success, standing, field, overrides
    ):
        before = snapshot(success)
        with pytest.raises(Invalid) as error:
            propose_praise(org, success, **overrides)
        assert field in error.value.errors
        assert snapshot(success) == before

    def test_someone_outside_the_authors_is_refused(self, org, success, standing):
        with pytest.raises(Invalid) as error:
            propose_praise(org, success, recipients=[org.deputy])
        assert "recipients" in error.value.errors

    def test_already_recognised_is_refused(self, org, success, standing):
        decide(propose_praise(org, success, recipients=[org.cadre]), standing)
        with pytest.raises(Invalid) as error:
            propose_praise(org, success, recipients=[org.cadre])
        assert "recipients" in error.value.errors

    def test_one_pending_request_per_form_of_recognition(self, org, success, standing):
        propose_praise(org, success)
        before = snapshot(success)
        with pytest.raises(Conflict):
            propose_praise(org, success, actor=org.agency_board)
        assert snapshot(success) == before
        # another form of recognition may be proposed meanwhile
        propose_praise(org, success, kind="early_salary_raise")

    def test_refusing_needs_reasons_and_the_decision_must_be_known(self, org, success, standing):
        request = propose_praise(org, success)
        before = snapshot(success)
        with pytest.raises(Invalid) as error:
            decide(request, standing, decision="refuse", reason=" ")
        assert "reason" in error.value.errors
        with pytest.raises(Invalid) as error:
            decide(request, standing, decision="maybe")
        assert "decision" in error.value.errors
        assert snapshot(success) == before

    def test_a_closed_request_is_not_decided_again(self, org, success, standing):
        request = propose_praise(org, success)
        decide(request, standing)
        before = snapshot(success)
        with pytest.raises(Conflict):
            decide(request, standing, decision="refuse", reason="Xét lại.")
        with pytest.raises(Conflict):
            requests.board_request_withdraw(
                board_request=BoardRequest.objects.get(pk=request.pk), actor=org.orgboard
            )
        assert snapshot(success) == before

    def test_approval_after_the_situation_changed_is_a_conflict(self, org, success, standing):
        """The proposal was referred for suspected abuse meanwhile."""
        from reviews.services import proposal_refer_abuse

        request = propose_praise(org, success, recipients=[org.cadre])
        proposal_refer_abuse(
            proposal=fresh(success),
            actor=org.inspector,
            evidence="Đơn phản ánh.",
            grounds="Điều 6.",
        )
        before = snapshot(success)
        with pytest.raises(Conflict):
            decide(request, standing)
        assert snapshot(success) == before

    def test_no_competent_authority_is_explained(self, org, success):
        """The root's board, with no standing committee anywhere: nobody could decide."""
        before = snapshot(success)
        with pytest.raises(Invalid) as error:
            propose_praise(org, success)
        assert "authority" in error.value.errors
        assert snapshot(success) == before

    def test_the_board_withdraws_a_pending_request(self, org, success, standing):
        request = propose_praise(org, success)
        withdrawn = requests.board_request_withdraw(
            board_request=BoardRequest.objects.get(pk=request.pk),
            actor=org.orgboard,
            reason="Bổ sung hồ sơ.",
        )
        assert (withdrawn.state, withdrawn.reason) == (RequestState.WITHDRAWN, "Bổ sung hồ sơ.")
        entry = last_entry(success)
        assert (entry.event, entry.payload["request"]) == ("recognition_withdraw", request.pk)
        assert notified(standing, "recognition_withdraw")
        # and may propose it again
        propose_praise(org, success)

    @pytest.mark.parametrize("who", ["standing", "cadre", "head"])
    def test_only_the_board_withdraws(self, org, success, standing, who):
        request = propose_praise(org, success)
        user = standing if who == "standing" else getattr(org, who)
        with pytest.raises(Forbidden):
            requests.board_request_withdraw(
                board_request=BoardRequest.objects.get(pk=request.pk), actor=user
            )


# --- replication -------------------------------------------------------------------------------


class TestReplication:
    def test_proposed_then_approved_issues_the_directive(self, org, success, standing):
        request = propose_replication(org, success, target_units=[org.commune, org.commune2])
        assert fresh(success).state == State.SUCCEEDED
        assert Adoption.objects.count() == 0
        assert last_entry(success).event == "replication_propose"
        assert last_entry(success).payload["targets"] == ["P-C", "P-C2"]
        assert notified(standing, "replication_propose")
        decided = decide(request, standing, reason="Nhân rộng trong quý I.")
        assert decided.state == RequestState.APPROVED
        source = fresh(success)
        assert source.state == State.REPLICATED
        replication = decided.replication
        assert (replication.board_unit, replication.directed_by) == (org.province, standing)
        assert {a.unit for a in replication.adoptions.all()} == {org.commune, org.commune2}
        entry = last_entry(success)
        assert (entry.event, entry.from_state, entry.to_state) == (
            "replicate",
            State.SUCCEEDED,
            State.REPLICATED,
        )
        assert entry.payload["request"] == request.pk
        assert entry.payload["decided_as"] == "standing_committee"
        assert notified(org.orgboard, "replicate")
        assert notified(org.commune_head, "adopt")

    def test_the_board_is_named_as_proposing_not_directing(self, org, success, standing):
        """Issue 11, point 6: the board proposes, the competent authority decides; neither the
        directive's field nor the adopted proposal's ledger says the board directed it."""
        from django.utils import translation

        from ledger.events import details

        decide(propose_replication(org, success), standing)
        adopted = Adoption.objects.get().proposal
        entry = LedgerEntry.objects.get(proposal=adopted, event="adopt")
        with translation.override("vi"):
            label = str(Replication._meta.get_field("board_unit").verbose_name)
            lines = dict(details(entry.event, entry.payload))
        assert label == "do ban tổ chức đề xuất"
        assert lines["Ban tổ chức đề nghị"] == org.province.code  # named by its code here
        assert "chỉ đạo" not in label + " ".join(lines)

    def test_refused_creates_nothing(self, org, success, standing):
        request = propose_replication(org, success)
        decide(request, standing, decision="refuse", reason="Chưa phù hợp với địa bàn.")
        assert fresh(success).state == State.SUCCEEDED
        assert (Replication.objects.count(), Adoption.objects.count()) == (0, 0)
        assert last_entry(success).event == "replication_refuse"
        assert notified(org.cadre, "replication_refuse")

    def test_targets_outside_the_board_are_bad_input(self, org, success, standing):
        before = snapshot(success)
        with pytest.raises(Invalid) as error:
            propose_replication(org, success, actor=org.agency_board)
        assert "target_units" in error.value.errors
        with pytest.raises(Invalid) as error:
            propose_replication(org, success, target_units=[])
        assert "target_units" in error.value.errors
        with pytest.raises(Invalid) as error:
            propose_replication(org, success, grounds="")
        assert "grounds" in error.value.errors
        assert snapshot(success) == before

    def test_one_pending_replication_at_a_time(self, org, success, standing):
        propose_replication(org, success)
        with pytest.raises(Conflict):
            propose_replication(org, success, target_units=[org.commune2])

    def test_not_before_success(self, org, proposal, standing):
        with pytest.raises(Conflict):
            propose_replication(org, in_state(proposal, "ended", mode="pilot"))

    def test_the_agency_board_asks_the_province_head(self, org, success):
        request = propose_replication(
            org, success, actor=org.agency_board, target_units=[org.office]
        )
        assert request.authority_unit == org.province
        decide(request, org.province_head)
        assert fresh(success).state == State.REPLICATED
        assert Adoption.objects.get().unit == org.office

    def test_a_unit_adopted_meanwhile_is_a_conflict(self, org, success, standing):
        first = propose_replication(org, success)
        decide(first, standing)
        second = propose_replication(org, success, target_units=[org.commune2])
        # a unit adopted since the request was made (here: added to it afterwards)
        second.target_units.add(org.commune)
        before = snapshot(success)
        with pytest.raises(Conflict):
            decide(second, standing)
        assert snapshot(success) == before


# --- the board's old direct powers are gone ----------------------------------------------------


class TestTheBoardNoLongerDecides:
    """Amendment 2026-11-29: the organization board proposes; it neither recognises nor
    replicates itself, by page, API or service."""

    def test_no_service_or_predicate_grants_directly(self):
        from proposals import transitions as registry
        from reviews import permissions, services

        assert not hasattr(services, "recognition_grant")
        assert not hasattr(services, "proposal_replicate")
        assert not hasattr(permissions, "may_recognise")
        assert "replicate" not in permissions.TRANSITION_ACTORS
        assert registry.get("replicate") is None

    def test_the_board_cannot_approve_its_own_request(self, org, success, standing):
        """A board member deciding — the proposer or a colleague of the same board — is the
        wrong role (403), and nothing is written."""
        colleague = grant(org.province, Role.ORGANIZATION_BOARD, username="colleague")
        praise = propose_praise(org, success)
        replication = propose_replication(org, success)
        before = snapshot(success)
        for board_request in (praise, replication):
            for actor in (org.orgboard, colleague):
                with pytest.raises(Forbidden):
                    decide(board_request, actor)
        assert snapshot(success) == before

    def test_the_direct_routes_are_gone(self, org, success, client):
        before = snapshot(success)
        client.force_login(org.orgboard)
        pk = success.pk
        # The old recognition form's route does not exist any more.
        assert client.post(f"/reviews/{pk}/recognitions/", {"kind": "praise"}).status_code == 404
        # The replication page only shows; the request goes to its own route.
        replicate = {"target_units": [org.commune.pk]}
        assert client.post(f"/reviews/{pk}/replication/", replicate).status_code == 405
        # The generic transition page and the API transition no longer know `replicate`.
        assert client.get(f"/proposals/{pk}/actions/replicate/").status_code == 404
        api = client.post(
            f"/api/v1/proposals/{pk}/transitions/replicate/",
            replicate,
            content_type="application/json",
        )
        assert api.status_code == 404
        # The recognitions endpoint is read-only.
        api = client.post(
            f"/api/v1/proposals/{pk}/recognitions/",
            {"kind": "praise"},
            content_type="application/json",
        )
        assert api.status_code == 405
        assert snapshot(success) == before
        # Neither page offers the old forms.
        review = client.get(f"/reviews/{pk}/").content.decode()
        assert "Lưu ghi nhận, khuyến khích" not in review
        page = client.get(f"/proposals/{pk}/").content.decode()
        assert f"/proposals/{pk}/actions/replicate/" not in page
