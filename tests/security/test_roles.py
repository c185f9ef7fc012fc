"""Writes by someone who sees the object but holds the wrong role: 403, and nothing changes (no
row, no ledger entry, no state). Then CSRF: an HTML form posted without its token is refused,
and so is a session-authenticated API write."""

import pytest

from .helpers import Route, fingerprint, pk, send, url

pytestmark = pytest.mark.django_db

R, P, D = "review", "pilot", "done"
PLAN = {"start_date": "2026-01-05", "end_date": "2026-06-30", "milestones": [], "kpis": []}

# (who, route): `who` sees the object (see test_isolation.py) but may not do this.
WRONG_ROLE = [
    # --- proposals: the dossier is its authors', the decision the deciding head's ---
    ("head", Route("edit", "PATCH", url("api:proposal-detail", pk(R)), True, {"title": "x"})),
    ("head", Route("delete", "DELETE", url("api:proposal-detail", pk(R)), True)),
    (
        "head",
        Route(
            "withdraw",
            "POST",
            url("api:proposal-transition", pk(R), "withdraw"),
            True,
            {"reason": "x"},
        ),
    ),
    (
        "deputy",
        Route(
            "approve",
            "POST",
            url("api:proposal-transition", pk(R), "approve"),
            True,
            {"mode": "pilot"},
        ),
    ),
    (
        "party",
        Route(
            "reject",
            "POST",
            url("api:proposal-transition", pk(R), "reject"),
            True,
            {"reasons": "x"},
        ),
    ),
    (
        "inspector",
        Route(
            "escalate",
            "POST",
            url("api:proposal-transition", pk(R), "escalate"),
            True,
            {"reason": "x"},
        ),
    ),
    ("party", Route("vote", "POST", url("api:proposal-votes", pk(R)), True, {"choice": "for"})),
    ("cadre", Route("vote", "POST", url("api:proposal-votes", pk(R)), True, {"choice": "for"})),
    (
        "orgboard",
        Route("vote", "POST", url("api:proposal-votes", pk(R)), True, {"choice": "against"}),
    ),
    (
        "deputy",
        Route(
            "opinion",
            "POST",
            url("api:proposal-opinions", pk(R)),
            True,
            {"stage": "decision", "stance": "disagree", "text": "x"},
        ),
    ),
    ("head", Route("attach", "POST", url("api:proposal-attachments", pk(R)), True)),
    (
        "head",
        Route(
            "detach", "DELETE", url("api:proposal-attachment", pk(R), pk("review_attachment")), True
        ),
    ),
    ("head", Route("edit page", "GET", url("proposals:edit", pk(R)))),
    ("head", Route("delete", "POST", url("proposals:delete", pk(R)))),
    ("head", Route("attach", "POST", url("proposals:attachment-add", pk(R)))),
    (
        "head",
        Route("detach", "POST", url("proposals:attachment-remove", pk(R), pk("review_attachment"))),
    ),
    ("party", Route("vote", "POST", url("proposals:vote", pk(R)), data={"choice": "for"})),
    (
        "head",
        Route(
            "opinion",
            "POST",
            url("proposals:opinion", pk(R)),
            data={"stance": "agree", "text": "x"},
        ),
    ),
    (
        "deputy",
        Route(
            "approve", "POST", url("proposals:transition", pk(R), "approve"), data={"mode": "pilot"}
        ),
    ),
    ("deputy", Route("approve form", "GET", url("proposals:transition", pk(R), "approve"))),
    # --- pilots: the plan is the home head's, reports the authors', inspections the monitors' ---
    ("cadre", Route("plan", "PUT", url("api:pilot-plan", pk(P)), True, PLAN)),
    ("cadre", Route("co-sign", "POST", url("api:pilot-cosign", pk(P)), True)),
    ("head", Route("report", "POST", url("api:pilot-reports", pk(P)), True, {"narrative": "x"})),
    (
        "cadre",
        Route(
            "inspect",
            "POST",
            url("api:pilot-inspections", pk(P)),
            True,
            {"date": "2026-01-05", "findings": "x", "assessment": "good"},
        ),
    ),
    (
        "head",
        Route(
            "inspect",
            "POST",
            url("api:pilot-inspections", pk(P)),
            True,
            {"date": "2026-01-05", "findings": "x", "assessment": "good"},
        ),
    ),
    (
        "head",
        Route(
            "adjust",
            "POST",
            url("api:pilot-adjustments", pk(P)),
            True,
            {"reasons": "x", "changes": {"people": "y"}},
        ),
    ),
    (
        "cadre",
        Route("approve adjustment", "POST", url("api:adjustment-approve", pk("adjustment")), True),
    ),
    (
        "deputy",
        Route(
            "reject adjustment",
            "POST",
            url("api:adjustment-reject", pk("adjustment")),
            True,
            {"reasons": "x"},
        ),
    ),
    (
        "cadre",
        Route(
            "suspend",
            "POST",
            url("api:proposal-transition", pk(P), "suspend"),
            True,
            {"reason": "x"},
        ),
    ),
    ("head", Route("complete", "POST", url("api:proposal-transition", pk(P), "complete"), True)),
    (
        "inspector",
        Route(
            "terminate",
            "POST",
            url("api:proposal-transition", pk(P), "terminate"),
            True,
            {"reason": "x"},
        ),
    ),
    ("cadre", Route("plan page", "GET", url("pilots:plan", pk(P)))),
    ("cadre", Route("co-sign", "POST", url("pilots:cosign", pk(P)))),
    ("head", Route("report", "POST", url("pilots:report", pk(P)), data={"narrative": "x"})),
    ("head", Route("inspect", "POST", url("pilots:inspection", pk(P)), data={"findings": "x"})),
    ("head", Route("adjust", "POST", url("pilots:adjustment", pk(P)), data={"reasons": "x"})),
    (
        "deputy",
        Route(
            "milestone", "POST", url("pilots:milestone", pk(P), pk("milestone")), data={"done": "1"}
        ),
    ),
    (
        "cadre",
        Route("suspend", "POST", url("pilots:transition", pk(P), "suspend"), data={"reason": "x"}),
    ),
    (
        "cadre",
        Route(
            "approve adjustment",
            "POST",
            url("pilots:adjustment-approve", pk("adjustment")),
            data={"reasons": ""},
        ),
    ),
    # --- reviews: recognition proposed by a board, lessons by the deciding head ---
    (
        "cadre",
        Route(
            "propose recognition",
            "POST",
            url("api:proposal-board-requests", pk(D)),
            True,
            {"kind": "recognition", "recognition_kind": "reward", "grounds": "x"},
        ),
    ),
    ("deputy", Route("publish", "POST", url("api:proposal-lesson", pk(D)), True, {"lessons": "x"})),
    (
        "orgboard",
        Route("publish", "POST", url("api:proposal-lesson", pk(D)), True, {"lessons": "x"}),
    ),
    ("cadre", Route("unpublish", "DELETE", url("api:proposal-lesson", pk("lesson")), True)),
    (
        "head",
        Route(
            "propose replication",
            "POST",
            url("api:proposal-board-requests", pk(D)),
            True,
            {"kind": "replication", "target_units": [], "grounds": "x"},
        ),
    ),
    (
        "cadre",
        Route(
            "institutionalize",
            "POST",
            url("api:proposal-transition", pk(D), "institutionalize"),
            True,
            {"title": "x", "issuing_level": "province"},
        ),
    ),
    (
        "cadre",
        Route(
            "refer",
            "POST",
            url("api:proposal-transition", pk(D), "refer_abuse"),
            True,
            {"evidence": "x"},
        ),
    ),
    (
        "cadre",
        Route(
            "propose recognition",
            "POST",
            url("reviews:recognition-request", pk(D)),
            data={"kind": "reward"},
        ),
    ),
    (
        "deputy",
        Route("publish", "POST", url("reviews:lesson-publish", pk(D)), data={"lessons": "x"}),
    ),
    ("cadre", Route("unpublish", "POST", url("reviews:lesson-unpublish", pk("lesson")))),
    ("head", Route("propose replication", "POST", url("reviews:replication-request", pk(D)))),
    # --- the organization board's pages ---
    ("cadre", Route("dashboard", "GET", url("api:dashboard"), True)),
    ("head", Route("period report", "GET", url("api:period-report"), True)),
    ("cadre", Route("recognitions", "GET", url("api:recognition-list"), True)),
    ("cadre", Route("dashboard", "GET", url("reviews:dashboard"))),
    (
        "head",
        Route("period report", "POST", url("exports:request"), data={"kind": "period_report"}),
    ),
    ("cadre", Route("recognitions", "GET", url("reviews:recognitions"))),
]


def _id(case):
    who, route = case
    return f"{who}:{'api' if route.api else 'html'}:{route}"


@pytest.mark.parametrize("case", WRONG_ROLE, ids=[_id(c) for c in WRONG_ROLE])
def test_the_wrong_role_gets_403_and_changes_nothing(world, as_user, case):
    who, route = case
    before = fingerprint()
    response = send(
        as_user(getattr(world, who)), route.method, route.path(world), route.data, api=route.api
    )
    assert response.status_code == 403, response.content[:300]
    assert fingerprint() == before
    if route.api:
        assert response.json()["code"] in ("forbidden", "permission_denied")


# --- CSRF -----------------------------------------------------------------------------------

# (who, path, data): a sample of write views of every app, each one the user is allowed to use.
CSRF_SAMPLE = [
    ("cadre", url("set_language"), {"language": "en"}),
    ("cadre", url("password_change"), {"old_password": "secret-pass-123"}),
    ("cadre", url("notifications:read", pk("notification")), {}),
    ("cadre", url("notifications:read-all"), {}),
    ("cadre", url("notifications:preferences"), {"email": "immediate"}),
    ("cadre", url("proposals:create"), {"title": "x"}),
    ("cadre", url("proposals:attachment-remove", pk("draft"), pk("draft_attachment")), {}),
    ("cadre", url("proposals:delete", pk("draft")), {}),
    ("head", url("proposals:vote", pk(R)), {"choice": "against"}),
    ("party", url("proposals:opinion", pk(R)), {"stance": "agree", "text": "x"}),
    ("head", url("proposals:transition", pk(R), "reject"), {"reasons": "x"}),
    ("cadre", url("pilots:report", pk(P)), {"narrative": "x"}),
    ("inspector", url("pilots:inspection", pk(P)), {"findings": "x"}),
    ("head", url("pilots:adjustment-reject", pk("adjustment")), {"reasons": "x"}),
    ("head", url("pilots:milestone", pk(P), pk("milestone")), {"done": "1"}),
    ("head", url("pilots:transition", pk(P), "suspend"), {"reason": "x"}),
    ("head", url("reviews:recognition-request", pk(D)), {"kind": "reward"}),
    ("head", url("reviews:lesson-publish", pk(D)), {"lessons": "x"}),
    ("head", url("reviews:lesson-unpublish", pk("lesson")), {}),
    ("cadre", url("reviews:verify"), {"code": "AAAA-BBBB-CCCC-DDDD"}),
    ("commune_admin", lambda w: "/admin/units/membership/add/", {}),
]


@pytest.mark.parametrize(("who", "path", "data"), CSRF_SAMPLE)
def test_an_html_form_without_its_csrf_token_is_refused(world, as_user, who, path, data):
    client = as_user(getattr(world, who), csrf=True)
    before = fingerprint()
    response = client.post(path(world), data)
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert fingerprint() == before


API_CSRF_SAMPLE = [
    ("head", "POST", url("api:proposal-votes", pk(R)), {"choice": "against"}),
    ("head", "POST", url("api:proposal-transition", pk(R), "reject"), {"reasons": "x"}),
    ("cadre", "PATCH", url("api:proposal-detail", pk("draft")), {"title": "x"}),
    ("cadre", "DELETE", url("api:proposal-detail", pk("draft")), {}),
    ("cadre", "POST", url("api:pilot-reports", pk(P)), {"narrative": "x"}),
    (
        "orgboard",
        "POST",
        url("api:proposal-board-requests", pk(D)),
        {"kind": "recognition", "recognition_kind": "reward", "grounds": "x"},
    ),
    ("cadre", "POST", url("api:notification-read-all"), {}),
]


@pytest.mark.parametrize(("who", "method", "path", "data"), API_CSRF_SAMPLE)
def test_a_session_authenticated_api_write_needs_the_csrf_token(
    world, as_user, who, method, path, data
):
    client = as_user(getattr(world, who), csrf=True)
    before = fingerprint()
    response = send(client, method, path(world), data, api=True)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert fingerprint() == before


def test_a_token_authenticated_api_write_needs_no_csrf_token(world, as_user, client):
    """The token is not sent by the browser on its own, so it is not a CSRF vector."""
    from tests.factories import api_token

    token = api_token(world.cadre)
    response = client.post(
        f"/api/v1/notifications/{world.notification.pk}/read/",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 200


# A malformed form from someone who may not act at all: 403 as well (the order of lifecycle.md
# and of the other views: 403 before 409 before 400), not the form again with field errors.
EMPTY_FORMS = [
    ("deputy", "approve"),
    ("party", "reject"),
    ("inspector", "escalate"),
    ("cadre", "return_for_revision"),
    ("head", "withdraw"),
]


@pytest.mark.parametrize(("who", "name"), EMPTY_FORMS)
def test_a_malformed_action_from_the_wrong_role_is_403(world, as_user, who, name):
    before = fingerprint()
    response = as_user(getattr(world, who)).post(f"/proposals/{world.review.pk}/actions/{name}/")
    assert response.status_code == 403
    assert fingerprint() == before


@pytest.mark.parametrize(("who", "name"), EMPTY_FORMS)
def test_the_api_checks_the_role_before_the_input(world, as_user, who, name):
    response = as_user(getattr(world, who)).post(
        f"/api/v1/proposals/{world.review.pk}/transitions/{name}/",
        {},
        content_type="application/json",
    )
    assert response.status_code == 403


# --- fields and ids a client cannot forge ---------------------------------------------------


def test_an_author_cannot_write_the_read_only_fields(world, as_user):
    draft = world.draft
    response = as_user(world.cadre).patch(
        f"/api/v1/proposals/{draft.pk}/",
        {
            "title": "Tiêu đề mới",
            "state": "approved",
            "code": "DX-FORGED",
            "version": 7,
            "deciding_unit": world.province.pk,
            "home_unit": world.commune.pk,
            "mode": "implementation",
            "decided_at": "2026-01-01T00:00:00Z",
            "head_override": True,
            "origin": world.done.pk,
            "published_at": "2026-01-01T00:00:00Z",
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.title == "Tiêu đề mới"
    assert (draft.state, draft.version, draft.mode, draft.head_override) == ("draft", 0, "", False)
    assert draft.code != "DX-FORGED" and draft.origin_id is None and draft.published_at is None
    assert (draft.home_unit_id, draft.deciding_unit_id) == (world.agency.pk, None)


@pytest.mark.parametrize("api", (True, False), ids=("api", "html"))
def test_a_proposal_cannot_be_written_in_someone_elses_unit(world, as_user, api):
    from proposals.models import Proposal

    before = Proposal.objects.count()
    client = as_user(world.cadre)
    data = {"title": "Đề xuất", "field": "administrative_reform", "home_unit": world.commune.pk}
    if api:
        response = client.post("/api/v1/proposals/", data, content_type="application/json")
    else:
        response = client.post("/proposals/new/", data)
    assert response.status_code == 400
    assert Proposal.objects.count() == before


@pytest.mark.parametrize("co_author", ("commune_cadre", "office_cadre"))
def test_co_authors_come_from_the_proposals_unit(world, as_user, co_author):
    from tests.factories.units import grant
    from units.models import Role

    user = grant(world.office, Role.CADRE) if co_author == "office_cadre" else world.commune_cadre
    response = as_user(world.cadre).patch(
        f"/api/v1/proposals/{world.draft.pk}/",
        {"co_authors": [user.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not world.draft.authorships.filter(user=user).exists()
