"""Acting on a proposal from its page: the generic transition view, the vote, the opinion."""

import pytest
from django import forms
from django.urls import reverse

from kl14.errors import Invalid
from ledger import events as ledger_events
from ledger.models import LedgerEntry
from proposals import services, transitions
from proposals.models import Opinion, State, Vote
from proposals.transitions import TransitionSpec
from tests.factories.proposals import (
    CONDITIONS_MET,
    committee_reference,
    fresh,
    in_state,
    submitted,
    under_review,
)

pytestmark = pytest.mark.django_db


def action(proposal, name):
    return reverse("proposals:transition", args=[proposal.pk, name])


def html(response) -> str:
    return response.content.decode()


def entries(proposal) -> int:
    return LedgerEntry.objects.filter(proposal=proposal).count()


def ready_to_decide(org, draft, *, votes=("for", "for")):
    proposal = under_review(draft, org.cadre, org.head)
    for deputy, choice in zip((org.deputy1, org.deputy2), votes, strict=False):
        services.vote_cast(proposal=proposal, actor=deputy, choice=choice)
    services.opinion_record(
        proposal=fresh(proposal),
        actor=org.party,
        stage="decision",
        stance="agree",
        text="Đồng ý",
        **committee_reference(),
    )
    return fresh(proposal)


# --- the generic transition view ---------------------------------------------------------------


def test_get_shows_the_form_of_the_transition(client, org, draft):
    proposal = submitted(draft, org.cadre)
    client.force_login(org.head)
    page = html(client.get(action(proposal, "return_for_revision")))
    assert "Trả lại để chỉnh sửa" in page
    assert 'name="comment"' in page
    assert "<html" in page


def test_htmx_gets_only_the_form(client, org, draft):
    proposal = submitted(draft, org.cadre)
    client.force_login(org.head)
    page = html(client.get(action(proposal, "escalate"), headers={"HX-Request": "true"}))
    assert "<html" not in page
    assert 'name="reason"' in page
    assert "data-autofocus" in page


def test_a_transition_with_a_confirmation_shows_it(client, org, draft):
    client.force_login(org.cadre)
    page = html(client.get(action(draft, "submit")))
    assert "Trình đề xuất này? Hồ sơ sẽ được khóa thành một phiên bản mới có đánh số." in page


def test_posting_fires_the_transition_and_writes_the_ledger(client, org, draft):
    proposal = submitted(draft, org.cadre)
    client.force_login(org.head)
    response = client.post(action(proposal, "open_review"), follow=True)
    assert response.redirect_chain[-1][0] == proposal.get_absolute_url()
    assert fresh(proposal).state == State.UNDER_REVIEW
    assert LedgerEntry.objects.filter(proposal=proposal).last().event == "open_review"
    assert "Đã thực hiện: Mở xem xét." in [str(m) for m in response.context["messages"]]


def test_the_head_approves_as_a_pilot(client, org, draft):
    proposal = ready_to_decide(org, draft)
    client.force_login(org.head)
    page = html(client.get(action(proposal, "approve")))
    assert "2 tán thành, 0 không tán thành, 0 không biểu quyết, trên tổng số 3" in page
    assert "— Chọn —" in page  # the mode is chosen on purpose
    response = client.post(
        action(proposal, "approve"), {"mode": "pilot", "override_reason": "", **CONDITIONS_MET}
    )
    assert response.status_code == 302
    proposal = fresh(proposal)
    assert (proposal.state, proposal.mode, proposal.head_override) == (
        State.APPROVED,
        "pilot",
        False,
    )


def test_a_missing_input_answers_400_and_writes_nothing(client, org, draft):
    proposal = submitted(draft, org.cadre)
    before = entries(proposal)
    client.force_login(org.head)
    response = client.post(action(proposal, "return_for_revision"), {"comment": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["comment"]
    assert fresh(proposal).state == State.SUBMITTED
    assert entries(proposal) == before


def test_a_service_error_answers_400_with_the_message_and_writes_nothing(client, org, draft):
    proposal = under_review(draft, org.cadre, org.head)  # no opinion, no votes
    before = entries(proposal)
    client.force_login(org.head)
    response = client.post(action(proposal, "approve"), {"mode": "pilot", **CONDITIONS_MET})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["override_reason"]  # a field of the form: next to it
    assert any("ý kiến của cấp ủy" in e for e in form.non_field_errors())  # not a field: on top
    assert fresh(proposal).state == State.UNDER_REVIEW
    assert entries(proposal) == before


def test_the_approve_form_asks_the_assessment_of_each_condition(client, org, draft):
    """Issue 11, point 7: the collective's assessment of each Art. 5(1) condition is required."""
    proposal = ready_to_decide(org, draft)
    before = entries(proposal)
    client.force_login(org.head)
    page = html(client.get(action(proposal, "approve")))
    for label in (
        "Tháo gỡ điểm nghẽn, nút thắt về cơ chế, chính sách",
        "Vì lợi ích chung",
        "Đáp ứng yêu cầu cấp bách của thực tiễn, không gây phương hại",
        "Thúc đẩy phân cấp, phân quyền, cải cách hành chính hoặc chuyển đổi số",
    ):
        assert label in page
    response = client.post(
        action(proposal, "approve"),
        {"mode": "pilot", **CONDITIONS_MET, "assessment_common_good": ""},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "assessment_common_good": [
            "Ghi đánh giá của tập thể lãnh đạo về điều kiện này (khoản 1 Điều 5 Nghị định 73)."
        ]
    }
    assert fresh(proposal).state == State.UNDER_REVIEW
    assert entries(proposal) == before


def test_submitting_an_incomplete_draft_lists_the_missing_sections(client, org, draft):
    services.proposal_update(proposal=draft, actor=org.cadre, purpose="", criterion_reform=False)
    client.force_login(org.cadre)
    response = client.post(action(draft, "submit"))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Sự cần thiết, mục đích, yêu cầu: Mục này phải được điền trước khi trình." in errors
    assert "Thúc đẩy đổi mới, cải cách" in errors
    assert fresh(draft).state == State.DRAFT
    assert entries(draft) == 0


def test_a_user_without_the_role_is_forbidden(client, org, draft):
    proposal = ready_to_decide(org, draft)
    for user in (org.cadre, org.deputy1, org.party):
        client.force_login(user)
        assert client.get(action(proposal, "approve")).status_code == 403, user.username
        assert client.post(action(proposal, "approve"), {"mode": "pilot"}).status_code == 403
    assert fresh(proposal).state == State.UNDER_REVIEW


def test_another_units_user_and_unknown_actions_get_404(client, org, draft):
    proposal = submitted(draft, org.cadre)
    client.force_login(org.commune_head)
    assert client.get(action(proposal, "open_review")).status_code == 404
    assert client.post(action(proposal, "open_review")).status_code == 404
    client.force_login(org.head)
    assert client.get(action(proposal, "no_such_thing")).status_code == 404
    assert client.post(action(proposal, "no_such_thing")).status_code == 404
    assert fresh(proposal).state == State.SUBMITTED


def test_the_wrong_state_is_a_conflict(client, org, draft):
    proposal = under_review(draft, org.cadre, org.head)
    before = entries(proposal)
    client.force_login(org.head)
    assert client.get(action(proposal, "open_review")).status_code == 409
    response = client.post(action(proposal, "open_review"))
    assert response.status_code == 409
    assert "Đang xem xét" in html(response)  # the status page, with the message
    assert any("Không thể thực hiện" in str(m) for m in response.context["messages"])
    assert entries(proposal) == before


@pytest.fixture
def later_transition():
    """A transition another app might register later (here `start`, with its own form)."""
    calls = []

    class StartForm(forms.Form):
        note = forms.CharField(label="Ghi chú")

        def __init__(self, *args, proposal=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.proposal = proposal

    def start(*, proposal, actor, note):
        if note == "sai":
            raise Invalid(errors={"note": ["Ghi chú không hợp lệ."]})
        proposal = services.lock_proposal(proposal, actor)
        services.fire_transition(proposal, actor, "start", payload={"note": note})
        calls.append(note)
        return proposal

    spec = TransitionSpec(
        "start",
        "Bắt đầu thực hiện (thử)",
        start,
        lambda user, proposal: services.perms.is_home_head(user, proposal),
        form_class=StartForm,
        style="success",
    )
    previous = transitions.get("start")
    previous_event = ledger_events.get("start")
    transitions.register(spec)
    # Its ledger event is labelled like every other (ledger/events.py).
    ledger_events.register(
        ledger_events.EventSpec(
            "start", "Bắt đầu thực hiện (thử)", {"note": ledger_events.Text("Ghi chú")}
        )
    )
    yield calls
    if previous is not None:
        transitions.register(previous)
    else:
        transitions._registry.pop("start", None)
    if previous_event is not None:
        ledger_events.register(previous_event)
    else:
        ledger_events._registry.pop("start", None)


def test_transitions_registered_by_other_apps_work_the_same_way(
    client, org, draft, later_transition
):
    proposal = in_state(draft, State.APPROVED, mode="pilot")
    client.force_login(org.head)
    detail = client.get(proposal.get_absolute_url())
    assert "start" in {spec.name for spec in detail.context["actions"]}
    form = client.get(action(proposal, "start")).context["form"]
    assert form.proposal.pk == proposal.pk
    response = client.post(action(proposal, "start"), {"note": "sai"})
    assert response.status_code == 400
    assert "Ghi chú không hợp lệ." in html(response)
    assert fresh(proposal).state == State.APPROVED
    response = client.post(action(proposal, "start"), {"note": "Bắt đầu"})
    assert response.status_code == 302
    assert fresh(proposal).state == State.IN_PROGRESS
    assert later_transition == ["Bắt đầu"]
    page = html(client.get(proposal.get_absolute_url()))
    assert "Bắt đầu thực hiện" in page  # the timeline label
    assert "Bắt đầu" in page


# --- voting ---------------------------------------------------------------------------------------


def test_a_deputy_votes_and_changes_the_vote(client, org, draft):
    proposal = under_review(draft, org.cadre, org.head)
    url = reverse("proposals:vote", args=[proposal.pk])
    client.force_login(org.deputy1)
    page = html(client.get(proposal.get_absolute_url()))
    assert f'action="{url}"' in page
    response = client.post(url, {"choice": "for"}, follow=True)
    assert "Đã ghi nhận biểu quyết của bạn: Tán thành." in [
        str(m) for m in response.context["messages"]
    ]
    client.post(url, {"choice": "abstain"})
    vote = Vote.objects.get(proposal=proposal, voter=org.deputy1)
    assert vote.choice == "abstain"
    assert "Thay đổi biểu quyết" in html(client.get(proposal.get_absolute_url()))


def test_a_bad_vote_answers_400_and_writes_nothing(client, org, draft):
    proposal = under_review(draft, org.cadre, org.head)
    before = entries(proposal)
    client.force_login(org.deputy1)
    response = client.post(reverse("proposals:vote", args=[proposal.pk]), {"choice": "maybe"})
    assert response.status_code == 400
    assert response.context["vote_form"].errors["choice"]
    assert not Vote.objects.exists()
    assert entries(proposal) == before


@pytest.mark.parametrize(
    ("who", "state_of", "status"),
    [
        ("cadre", "under_review", 403),  # an author does not vote
        ("party", "under_review", 403),
        ("commune_head", "under_review", 404),
        ("deputy1", "submitted", 409),
    ],
)
def test_who_may_vote_and_when(client, org, draft, who, state_of, status):
    proposal = (
        under_review(draft, org.cadre, org.head)
        if state_of == "under_review"
        else submitted(draft, org.cadre)
    )
    client.force_login(getattr(org, who))
    url = reverse("proposals:vote", args=[proposal.pk])
    assert client.post(url, {"choice": "for"}).status_code == status
    assert client.post(url, {"choice": ""}).status_code == status
    assert not Vote.objects.exists()


# --- the Party committee's opinion ---------------------------------------------------------------


def test_the_party_committee_records_its_opinion(client, org, draft):
    proposal = under_review(draft, org.cadre, org.head)
    url = reverse("proposals:opinion", args=[proposal.pk])
    client.force_login(org.party)
    page = html(client.get(proposal.get_absolute_url()))
    assert f'action="{url}"' in page
    assert "Hãy ghi nhận ý kiến của cấp ủy ở phần bên dưới." in page
    response = client.post(
        url,
        {"stance": "agree_with_conditions", "text": "Cần báo cáo quý", **committee_reference()},
    )
    assert response.status_code == 302
    opinion = Opinion.objects.get(proposal=proposal)
    assert (opinion.stage, opinion.stance, opinion.text) == (
        "decision",
        "agree_with_conditions",
        "Cần báo cáo quý",
    )
    page = html(client.get(proposal.get_absolute_url()))
    assert "Đồng ý có điều kiện" in page and "Cần báo cáo quý" in page
    assert "15-CV/ĐU" in page and "Bí thư Đảng ủy" in page


def test_an_opinion_without_its_reference_answers_400_per_field_and_writes_nothing(
    client, org, draft
):
    proposal = under_review(draft, org.cadre, org.head)
    before = entries(proposal)
    client.force_login(org.party)
    page = html(client.get(proposal.get_absolute_url()))
    for label in ("Số, ký hiệu văn bản của cấp ủy", "Ngày văn bản", "Người ký", "Chức vụ người ký"):
        assert label in page
    response = client.post(
        reverse("proposals:opinion", args=[proposal.pk]), {"stance": "agree", "text": "Đồng ý"}
    )
    assert response.status_code == 400
    assert response.context["opinion_form"].errors == {
        "document_number": ["Ghi số, ký hiệu văn bản của cấp ủy."],
        "document_date": ["Ghi ngày ban hành văn bản của cấp ủy."],
        "signer_name": ["Ghi họ tên người ký."],
        "signer_title": ["Ghi chức vụ của người ký."],
    }
    assert not Opinion.objects.exists()
    assert entries(proposal) == before


def test_an_opinion_without_text_answers_400_and_writes_nothing(client, org, draft):
    proposal = under_review(draft, org.cadre, org.head)
    before = entries(proposal)
    client.force_login(org.party)
    response = client.post(
        reverse("proposals:opinion", args=[proposal.pk]),
        {"stance": "agree", "text": " ", **committee_reference()},
    )
    assert response.status_code == 400
    assert response.context["opinion_form"].errors["text"]
    assert not Opinion.objects.exists()
    assert entries(proposal) == before


@pytest.mark.parametrize(
    ("who", "state_of", "status"),
    [
        ("deputy1", "under_review", 403),
        ("head", "under_review", 403),
        ("commune_head", "under_review", 404),
        ("party", "submitted", 409),
    ],
)
def test_who_may_give_the_opinion_and_when(client, org, draft, who, state_of, status):
    proposal = (
        under_review(draft, org.cadre, org.head)
        if state_of == "under_review"
        else submitted(draft, org.cadre)
    )
    client.force_login(getattr(org, who))
    url = reverse("proposals:opinion", args=[proposal.pk])
    data = {"stance": "agree", "text": "Đồng ý", **committee_reference()}
    assert client.post(url, data).status_code == status
    assert client.post(url, {"stance": "", "text": ""}).status_code == status
    assert not Opinion.objects.exists()


def test_an_action_that_waits_says_why_instead_of_failing_after_submit(client, org, draft):
    """Approval waits for the Party committee: the button is disabled and names what is
    missing; once the opinion is recorded it is a link to the form."""
    proposal = under_review(draft, org.cadre, org.head)
    client.force_login(org.head)
    page = html(client.get(proposal.get_absolute_url()))
    assert 'disabled aria-describedby="why-not-approve"' in page
    assert "chưa cho ý kiến" in page
    assert action(proposal, "approve") not in page
    services.opinion_record(
        proposal=fresh(proposal),
        actor=org.party,
        stage="decision",
        stance="agree",
        text="Đồng ý.",
        **committee_reference(),
    )
    page = html(client.get(proposal.get_absolute_url()))
    assert "why-not-approve" not in page
    assert action(proposal, "approve") in page


def test_a_never_submitted_draft_is_deleted_not_withdrawn(client, org, draft):
    client.force_login(org.cadre)
    page = html(client.get(draft.get_absolute_url()))
    assert action(draft, "withdraw") not in page
    assert "Xóa bản nháp này" in page
