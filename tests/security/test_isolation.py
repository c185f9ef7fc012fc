"""Unit isolation (lifecycle.md, "Visibility"): every HTML page and API endpoint that takes an
object id answers 404 (never 403 or 200, and without the object's title) to a signed-in user who
may not see the object. One table of routes over one fixture tree (conftest.py); each route is
also requested by someone entitled to it, so that a 404 cannot come from a broken URL."""

import pytest

from .helpers import Route, fingerprint, pk, send, url

pytestmark = pytest.mark.django_db

# People who may not see the agency's proposals: a cadre of the same unit who is not an author,
# the heads of the unit below and of the unit above (neither decides here), and every role of a
# sibling subtree.
OUTSIDERS = (
    "cadre2",
    "office_head",
    "province_head",
    "commune_head",
    "commune_cadre",
    "commune_party",
    "commune_inspector",
    "commune_board",
    "commune_admin",
)

R, P = "review", "pilot"
PLAN = {
    "start_date": "2026-01-05",
    "end_date": "2026-06-30",
    "people": "x",
    "milestones": [],
    "kpis": [],
}

# --- the table: (route on an object of the agency) ------------------------------------------

ROUTES = [
    # proposals, HTML
    Route("proposal page", "GET", url("proposals:detail", pk(R)), reader="head"),
    Route("proposal edit", "GET", url("proposals:edit", pk(R)), reader="cadre", reader_status=409),
    Route("proposal edit", "POST", url("proposals:edit", pk(R)), data={"title": "x"}),
    Route("proposal delete", "GET", url("proposals:delete", pk(R))),
    Route("proposal delete", "POST", url("proposals:delete", pk(R))),
    Route("attachment form", "GET", url("proposals:attachment-add", pk(R))),
    Route("attachment add", "POST", url("proposals:attachment-add", pk(R))),
    Route(
        "attachment download",
        "GET",
        url("proposals:attachment", pk(R), pk("review_attachment")),
        reader="deputy",
    ),
    Route(
        "attachment remove",
        "POST",
        url("proposals:attachment-remove", pk(R), pk("review_attachment")),
    ),
    Route(
        "version diff",
        "GET",
        lambda w: url("proposals:diff", pk(R))(w) + "?old=1&new=1",
        reader="party",
    ),
    Route("ledger check", "GET", url("proposals:verify", pk(R)), reader="inspector"),
    # official documents: 409 to a reader while the worker has not issued them yet; those of a
    # published lesson stay with who could see the proposal before publication
    Route(
        "document pdf",
        "GET",
        url("documents:pdf", pk(P), pk("pilot_document")),
        reader="cadre",
        reader_status=409,
    ),
    Route(
        "document docx",
        "GET",
        url("documents:docx", pk("lesson"), pk("lesson_document")),
        reader="head",
        reader_status=409,
    ),
    Route(
        "documents",
        "GET",
        url("api:proposal-documents", pk("lesson")),
        api=True,
        reader="inspector",
    ),
    Route(
        "document pdf",
        "GET",
        url("api:proposal-document-pdf", pk(P), pk("pilot_document")),
        api=True,
        reader="head",
        reader_status=409,
    ),
    Route("vote", "POST", url("proposals:vote", pk(R)), data={"choice": "for"}),
    Route("opinion", "POST", url("proposals:opinion", pk(R)), data={"stance": "agree"}),
    Route("transition form", "GET", url("proposals:transition", pk(R), "approve"), reader="head"),
    Route(
        "transition", "POST", url("proposals:transition", pk(R), "reject"), data={"reasons": "x"}
    ),
    # proposals, API
    Route("proposal", "GET", url("api:proposal-detail", pk(R)), api=True, reader="orgboard"),
    Route("proposal", "PATCH", url("api:proposal-detail", pk(R)), api=True, data={"title": "x"}),
    Route("proposal", "DELETE", url("api:proposal-detail", pk(R)), api=True),
    Route("versions", "GET", url("api:proposal-versions", pk(R)), api=True, reader="head"),
    Route("version", "GET", url("api:proposal-version", pk(R), 1), api=True, reader="head"),
    Route(
        "version diff",
        "GET",
        url("api:proposal-version-diff", pk(R), 1, 1),
        api=True,
        reader="head",
    ),
    Route("transitions", "GET", url("api:proposal-transitions", pk(R)), api=True, reader="head"),
    Route(
        "transition",
        "POST",
        url("api:proposal-transition", pk(R), "reject"),
        api=True,
        data={"reasons": "x"},
    ),
    Route("votes", "GET", url("api:proposal-votes", pk(R)), api=True, reader="deputy"),
    Route("votes", "POST", url("api:proposal-votes", pk(R)), api=True, data={"choice": "for"}),
    Route("opinions", "GET", url("api:proposal-opinions", pk(R)), api=True, reader="party"),
    Route(
        "opinions",
        "POST",
        url("api:proposal-opinions", pk(R)),
        api=True,
        data={"stage": "decision", "stance": "agree", "text": "x"},
    ),
    Route("ledger", "GET", url("api:proposal-ledger", pk(R)), api=True, reader="cadre"),
    Route(
        "ledger verify", "GET", url("api:proposal-ledger-verify", pk(R)), api=True, reader="head"
    ),
    Route("attachments", "GET", url("api:proposal-attachments", pk(R)), api=True, reader="head"),
    Route("attachments", "POST", url("api:proposal-attachments", pk(R)), api=True),
    Route(
        "attachment",
        "DELETE",
        url("api:proposal-attachment", pk(R), pk("review_attachment")),
        api=True,
    ),
    Route(
        "attachment download",
        "GET",
        url("api:proposal-attachment-download", pk(R), pk("review_attachment")),
        api=True,
        reader="head",
    ),
    # pilots, HTML
    Route("pilot page", "GET", url("pilots:detail", pk(P)), reader="inspector"),
    Route("plan form", "GET", url("pilots:plan", pk(P)), reader="head", reader_status=409),
    Route("plan", "POST", url("pilots:plan", pk(P))),
    Route("plan co-sign", "POST", url("pilots:cosign", pk(P))),
    Route("progress report", "POST", url("pilots:report", pk(P)), data={"narrative": "x"}),
    Route("inspection", "POST", url("pilots:inspection", pk(P)), data={"findings": "x"}),
    Route("adjustment form", "GET", url("pilots:adjustment", pk(P)), reader="cadre"),
    Route("adjustment", "POST", url("pilots:adjustment", pk(P)), data={"reasons": "x"}),
    Route("milestone", "POST", url("pilots:milestone", pk(P), pk("milestone")), data={"done": "1"}),
    Route(
        "report file", "GET", url("pilots:attachment", pk("report_attachment")), reader="orgboard"
    ),
    Route(
        "pilot transition form", "GET", url("pilots:transition", pk(P), "suspend"), reader="head"
    ),
    Route(
        "pilot transition",
        "POST",
        url("pilots:transition", pk(P), "suspend"),
        data={"reason": "x"},
    ),
    Route(
        "adjustment approve",
        "POST",
        url("pilots:adjustment-approve", pk("adjustment")),
        data={"reasons": "x"},
    ),
    Route(
        "adjustment reject",
        "POST",
        url("pilots:adjustment-reject", pk("adjustment")),
        data={"reasons": "x"},
    ),
    # pilots, API
    Route("plan", "GET", url("api:pilot-plan", pk(P)), api=True, reader="cadre"),
    Route("plan", "PUT", url("api:pilot-plan", pk(P)), api=True, data=PLAN),
    Route("plan versions", "GET", url("api:pilot-plan-versions", pk(P)), api=True, reader="head"),
    Route("plan co-sign", "POST", url("api:pilot-cosign", pk(P)), api=True),
    Route("reports", "GET", url("api:pilot-reports", pk(P)), api=True, reader="inspector"),
    Route("reports", "POST", url("api:pilot-reports", pk(P)), api=True, data={"narrative": "x"}),
    Route("inspections", "GET", url("api:pilot-inspections", pk(P)), api=True, reader="head"),
    Route(
        "inspections",
        "POST",
        url("api:pilot-inspections", pk(P)),
        api=True,
        data={"date": "2026-01-05", "findings": "x", "assessment": "good"},
    ),
    Route("adjustments", "GET", url("api:pilot-adjustments", pk(P)), api=True, reader="head"),
    Route(
        "adjustments",
        "POST",
        url("api:pilot-adjustments", pk(P)),
        api=True,
        data={"reasons": "x", "changes": {"people": "y"}},
    ),
    Route(
        "final report",
        "GET",
        url("api:pilot-final-report", pk(P)),
        api=True,
        reader="head",
        reader_status=404,  # not filed yet: the reader's 404 says so in its detail
    ),
    Route(
        "adjustment approve",
        "POST",
        url("api:adjustment-approve", pk("adjustment")),
        api=True,
    ),
    Route(
        "adjustment reject",
        "POST",
        url("api:adjustment-reject", pk("adjustment")),
        api=True,
        data={"reasons": "x"},
    ),
    # reviews, HTML
    Route("review page", "GET", url("reviews:review", pk("done")), reader="orgboard"),
    Route(
        "recognition request",
        "POST",
        url("reviews:recognition-request", pk("done")),
        data={"kind": "praise"},
    ),
    Route("replication request", "POST", url("reviews:replication-request", pk("done"))),
    Route(
        "lesson publish", "POST", url("reviews:lesson-publish", pk("done")), data={"lessons": "x"}
    ),
    Route("lesson unpublish", "POST", url("reviews:lesson-unpublish", pk("done"))),
    Route("replication page", "GET", url("reviews:replication", pk("done")), reader="orgboard"),
    # The old address of the dossier leads to the review page's button (built by a worker).
    Route(
        "dossier PDF", "GET", url("reviews:dossier", pk("done")), reader="cadre", reader_status=302
    ),
    Route("unpublished lesson", "GET", url("reviews:lesson", pk("done")), reader="head"),
    # reviews, API
    Route("review", "GET", url("api:proposal-review", pk("done")), api=True, reader="head"),
    Route(
        "recognitions",
        "GET",
        url("api:proposal-recognitions", pk("done")),
        api=True,
        reader="party",
    ),
    Route(
        "board request",
        "POST",
        url("api:proposal-board-requests", pk("done")),
        api=True,
        data={"kind": "recognition", "recognition_kind": "praise", "grounds": "x"},
    ),
    Route("adoptions", "GET", url("api:proposal-adoptions", pk("done")), api=True, reader="head"),
    Route(
        "lesson",
        "POST",
        url("api:proposal-lesson", pk("done")),
        api=True,
        data={"lessons": "x"},
    ),
    # 202: the export job that builds the dossier (a worker, never the request).
    Route(
        "dossier",
        "GET",
        url("api:proposal-dossier", pk("done")),
        api=True,
        reader="deputy",
        reader_status=202,
    ),
    Route(
        "unpublished lesson", "GET", url("api:lesson-detail", pk("done")), api=True, reader="head"
    ),
    # the review report of the agency's periodic review: for those who oversee the agency
    Route(
        "periodic review report",
        "GET",
        url("notifications:review-report", pk("periodic_review")),
        reader="orgboard",
    ),
]

TITLES = {
    "review": "TITLE-REVIEW-3d9a",
    "pilot": "TITLE-PILOT-5e27",
    "done": "TITLE-DONE-a4b0",
}


def _ids(route):
    return f"{'api' if route.api else 'html'}:{route}"


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("route", ROUTES, ids=_ids)
def test_an_outsider_gets_404_without_the_title(world, as_user, route, who):
    client = as_user(getattr(world, who))
    response = send(client, route.method, route.path(world), route.data, api=route.api)
    assert response.status_code == 404, (route, who, response.status_code)
    body = response.content.decode(errors="replace")
    for title in TITLES.values():
        assert title not in body


READABLE = [r for r in ROUTES if r.reader]


@pytest.mark.parametrize("route", READABLE, ids=_ids)
def test_someone_entitled_reaches_the_route(world, as_user, route):
    client = as_user(getattr(world, route.reader))
    response = send(client, route.method, route.path(world), route.data, api=route.api)
    assert response.status_code == route.reader_status, response.content[:300]


# --- drafts: their authors' alone -----------------------------------------------------------

DRAFT_ROUTES = [
    Route("page", "GET", url("proposals:detail", pk("draft")), reader="cadre"),
    Route("edit", "GET", url("proposals:edit", pk("draft")), reader="cadre"),
    Route("delete", "GET", url("proposals:delete", pk("draft")), reader="cadre"),
    Route(
        "attachment",
        "GET",
        url("proposals:attachment", pk("draft"), pk("draft_attachment")),
        reader="cadre",
    ),
    Route("actions", "GET", url("proposals:transition", pk("draft"), "submit"), reader="cadre"),
    Route("verify", "GET", url("proposals:verify", pk("draft")), reader="cadre"),
    Route("proposal", "GET", url("api:proposal-detail", pk("draft")), api=True, reader="cadre"),
    Route("ledger", "GET", url("api:proposal-ledger", pk("draft")), api=True, reader="cadre"),
    Route(
        "attachments", "GET", url("api:proposal-attachments", pk("draft")), api=True, reader="cadre"
    ),
    Route(
        "download",
        "GET",
        url("api:proposal-attachment-download", pk("draft"), pk("draft_attachment")),
        api=True,
        reader="cadre",
    ),
    Route("review", "GET", url("api:proposal-review", pk("draft")), api=True, reader="cadre"),
    Route("submit", "POST", url("api:proposal-transition", pk("draft"), "submit"), api=True),
]
# Everyone who would see it once submitted: the unit's leaders and the oversight of the subtree.
NOT_AUTHORS = ("head", "deputy", "party", "agency_admin", "inspector", "orgboard", *OUTSIDERS)


@pytest.mark.parametrize("who", NOT_AUTHORS)
@pytest.mark.parametrize("route", DRAFT_ROUTES, ids=_ids)
def test_a_draft_is_its_authors_alone(world, as_user, route, who):
    response = send(
        as_user(getattr(world, who)), route.method, route.path(world), route.data, api=route.api
    )
    assert response.status_code == 404
    assert "TITLE-DRAFT-8c1f" not in response.content.decode(errors="replace")


@pytest.mark.parametrize("route", [r for r in DRAFT_ROUTES if r.reader], ids=_ids)
def test_the_author_reads_the_draft(world, as_user, route):
    response = send(as_user(world.cadre), route.method, route.path(world), api=route.api)
    assert response.status_code == 200


# --- ids that do not belong together --------------------------------------------------------

MISMATCHED = [
    # The head sees the proposal under review, not the draft whose attachment is asked for.
    ("head", url("proposals:attachment", pk(R), pk("draft_attachment")), False),
    ("head", url("api:proposal-attachment-download", pk(R), pk("draft_attachment")), True),
    ("head", url("proposals:attachment-remove", pk(R), pk("draft_attachment")), False),
    # Anyone sees the published lesson; the pilot's milestone, attachment and the review's file
    # are not reached through it.
    ("commune_cadre", url("pilots:milestone", pk("lesson"), pk("milestone")), False),
    ("commune_cadre", url("proposals:attachment", pk("lesson"), pk("review_attachment")), False),
    (
        "commune_cadre",
        url("api:proposal-attachment-download", pk("lesson"), pk("review_attachment")),
        True,
    ),
]


@pytest.mark.parametrize(("who", "path", "api"), MISMATCHED)
def test_an_object_is_not_reached_through_another_proposal(world, as_user, who, path, api):
    client = as_user(getattr(world, who))
    method = "POST" if "remove" in path(world) or "milestones" in path(world) else "GET"
    assert send(client, method, path(world), api=api).status_code == 404


# --- units and notifications ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "unit", "status"),
    [
        ("cadre", "agency", 200),
        ("cadre", "office", 200),  # the subtree of one's unit
        ("province_head", "agency", 200),
        ("cadre", "province", 404),  # not an ancestor
        ("cadre", "commune", 404),
        ("office_head", "agency", 404),
        ("commune_head", "agency", 404),
        ("commune_admin", "office", 404),
    ],
)
def test_a_unit_is_visible_in_ones_subtrees_only(world, as_user, who, unit, status):
    response = as_user(getattr(world, who)).get(f"/api/v1/units/{getattr(world, unit).pk}/")
    assert response.status_code == status


@pytest.mark.parametrize("who", ("head", "cadre2", "commune_cadre", "orgboard"))
@pytest.mark.parametrize("api", (False, True), ids=("html", "api"))
def test_a_notification_is_its_recipients_alone(world, as_user, who, api):
    path = (
        f"/api/v1/notifications/{world.notification.pk}/read/"
        if api
        else f"/notifications/{world.notification.pk}/read/"
    )
    response = as_user(getattr(world, who)).post(path)
    assert response.status_code == 404
    world.notification.refresh_from_db()
    assert world.notification.read_at is None
    listing = as_user(getattr(world, who)).get("/api/v1/notifications/").json()
    assert world.notification.pk not in [n["id"] for n in listing["results"]]


def test_the_recipient_reads_the_notification(world, as_user):
    client = as_user(world.cadre)
    assert client.post(f"/api/v1/notifications/{world.notification.pk}/read/").status_code == 200


# --- lists never carry what the user may not see --------------------------------------------

LISTS = [
    "/proposals/",
    "/proposals/inbox/",
    "/proposals/votes/",
    "/proposals/opinions/",
    "/pilots/mine/",
    "/pilots/unit/",
    "/pilots/monitored/",
    "/api/v1/proposals/",
    "/api/v1/proposals/?mine=true",
    "/api/v1/proposals/?awaiting_me=true",
    "/api/v1/pilots/mine/",
    "/api/v1/pilots/unit/",
    "/api/v1/pilots/monitored/",
    "/",
]


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("path", LISTS)
def test_lists_do_not_show_other_units_proposals(world, as_user, path, who):
    response = as_user(getattr(world, who)).get(path)
    assert response.status_code == 200
    body = response.content.decode()
    for title in (*TITLES.values(), "TITLE-DRAFT-8c1f"):
        assert title not in body


# --- a published lesson ---------------------------------------------------------------------
# lifecycle.md: a proposal is visible "to every signed-in user once it is published to the
# lessons library", and everything under /proposals/{id}/ follows the proposal's visibility. So
# publishing opens the whole record - votes by name, the Party committee's opinions, the pilot's
# plan and reports, the ledger and the protection dossier - to everyone signed in, read-only.

L = "lesson"
PUBLISHED_READS = [
    url("proposals:detail", pk(L)),
    url("proposals:verify", pk(L)),
    url("pilots:detail", pk(L)),
    url("reviews:review", pk(L)),
    url("reviews:lesson", pk(L)),
    url("reviews:dossier", pk(L)),
    url("api:proposal-detail", pk(L)),
    url("api:proposal-versions", pk(L)),
    url("api:proposal-votes", pk(L)),
    url("api:proposal-opinions", pk(L)),
    url("api:proposal-ledger", pk(L)),
    url("api:proposal-attachments", pk(L)),
    url("api:pilot-plan", pk(L)),
    url("api:pilot-reports", pk(L)),
    url("api:pilot-inspections", pk(L)),
    url("api:pilot-final-report", pk(L)),
    url("api:proposal-review", pk(L)),
    url("api:proposal-recognitions", pk(L)),
    url("api:proposal-dossier", pk(L)),
    url("api:lesson-detail", pk(L)),
]

PUBLISHED_WRITES = [
    Route("unpublish", "POST", url("reviews:lesson-unpublish", pk(L))),
    Route(
        "propose recognition",
        "POST",
        url("reviews:recognition-request", pk(L)),
        data={"kind": "praise"},
    ),
    Route("propose replication", "POST", url("reviews:replication-request", pk(L))),
    Route("unpublish", "DELETE", url("api:proposal-lesson", pk(L)), api=True),
    Route("publish", "POST", url("api:proposal-lesson", pk(L)), api=True, data={"lessons": "x"}),
    Route(
        "propose recognition",
        "POST",
        url("api:proposal-board-requests", pk(L)),
        api=True,
        data={"kind": "recognition", "recognition_kind": "praise", "grounds": "x"},
    ),
    Route(
        "institutionalize",
        "POST",
        url("api:proposal-transition", pk(L), "institutionalize"),
        api=True,
        data={"title": "x", "issuing_level": "province"},
    ),
    Route("vote", "POST", url("api:proposal-votes", pk(L)), api=True, data={"choice": "for"}),
    Route("edit", "PATCH", url("api:proposal-detail", pk(L)), api=True, data={"title": "x"}),
]


LESSON_READS = [PUBLISHED_READS[4], PUBLISHED_READS[-1]]  # reviews:lesson, api:lesson-detail


@pytest.mark.parametrize("who", ("commune_cadre", "cadre2", "office_head"))
@pytest.mark.parametrize("path", LESSON_READS)
def test_a_published_lesson_is_read_by_everyone_signed_in(world, as_user, path, who):
    response = as_user(getattr(world, who)).get(path(world))
    assert response.status_code == 200


@pytest.mark.parametrize("who", ("commune_cadre", "cadre2", "office_head"))
@pytest.mark.parametrize("path", PUBLISHED_READS[:4] + PUBLISHED_READS[5:-1])
def test_the_whole_record_of_a_published_lesson_stays_with_those_who_saw_it(
    world, as_user, path, who
):
    """Amendment 2026-11-29: a published lesson shows the lesson to everyone signed in; votes,
    opinions, ledger, dossier and the rest stay with those who could see the proposal."""
    response = as_user(getattr(world, who)).get(path(world))
    assert response.status_code == 404


@pytest.mark.parametrize("route", PUBLISHED_WRITES, ids=_ids)
def test_a_published_lesson_is_read_only_for_outsiders(world, as_user, route):
    before = fingerprint()
    response = send(
        as_user(world.commune_board), route.method, route.path(world), route.data, api=route.api
    )
    # 404 where the outsider may not even see the proposal behind the lesson.
    assert response.status_code in (403, 404)
    assert fingerprint() == before


# --- the organization board's unit parameter -------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/?unit={}",
        "/recognitions/?unit={}",
        "/api/v1/dashboard/?unit={}",
        "/api/v1/reports/period/?unit={}",
        "/api/v1/recognitions/?unit={}",
    ],
)
def test_a_board_cannot_read_another_subtree(world, as_user, path):
    """The commune's board asks for the agency's figures: refused (404, or 400 where the unit is
    a form field whose choices are the board's subtree), and nothing of the agency is shown."""
    response = as_user(world.commune_board).get(path.format(world.agency.pk))
    assert response.status_code in (400, 404)
    assert response.get("Content-Disposition") is None
    body = response.content.decode()
    for title in (*TITLES.values(), "TITLE-LESSON-77c2"):
        assert title not in body
