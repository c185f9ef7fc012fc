"""The proposals API: the dossier (create, read, edit, delete), lists with their filters and
pagination, authentication and unit isolation, and constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ledger.models import LedgerEntry
from proposals import services
from proposals.models import DOSSIER_FIELDS, Proposal, State
from tests.factories.proposals import PLAN, ProposalFactory, fresh, in_state, submitted
from tests.factories.units import api_token, grant
from units.models import Role

pytestmark = pytest.mark.django_db

LIST = "/api/v1/proposals/"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def detail(proposal) -> str:
    return f"/api/v1/proposals/{proposal.pk}/"


def codes(response) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


def error(response, status_code, code=None):
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    if code:
        assert body["code"] == code
    return body


# --- authentication ---

SUBRESOURCES = [
    "",
    "versions/",
    "versions/1/",
    "versions/1/diff/1/",
    "transitions/",
    "votes/",
    "opinions/",
    "ledger/",
    "ledger/verify/",
    "attachments/",
    "attachments/1/download/",
]


@pytest.mark.parametrize("suffix", SUBRESOURCES)
def test_anonymous_gets_401(org, draft, suffix):
    error(client_for().get(f"{detail(draft)}{suffix}"), 401, "not_authenticated")


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", LIST),
        ("post", LIST),
        ("patch", "{detail}"),
        ("delete", "{detail}"),
        ("post", "{detail}transitions/submit/"),
        ("post", "{detail}votes/"),
        ("post", "{detail}opinions/"),
        ("post", "{detail}attachments/"),
        ("delete", "{detail}attachments/1/"),
    ],
)
def test_anonymous_writes_get_401_and_change_nothing(org, draft, method, path):
    response = getattr(client_for(), method)(path.format(detail=detail(draft)), {}, format="json")
    error(response, 401)
    assert fresh(draft).state == State.DRAFT and Proposal.objects.count() == 1


def test_token_authentication_works_on_the_proposals_api(org, draft):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(org.cadre)}")
    assert codes(client.get(LIST)) == [draft.code]
    response = client.post(f"{detail(draft)}transitions/submit/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    assert LedgerEntry.objects.get(proposal=draft).actor == org.cadre


def test_a_bad_token_is_401(org, draft):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    error(client.get(LIST), 401)


# --- unit isolation ---


@pytest.mark.parametrize("suffix", SUBRESOURCES)
def test_another_units_user_gets_404_everywhere(org, draft, suffix):
    proposal = submitted(draft, org.cadre)
    error(client_for(org.commune_head).get(f"{detail(proposal)}{suffix}"), 404, "not_found")


def test_drafts_are_visible_to_their_authors_only(org, draft):
    error(client_for(org.head).get(detail(draft)), 404)
    assert codes(client_for(org.head).get(LIST)) == []
    assert client_for(org.cadre).get(detail(draft)).status_code == 200


def test_another_units_proposal_is_not_listed(org, draft):
    submitted(draft, org.cadre)
    assert codes(client_for(org.commune_head).get(LIST)) == []
    assert codes(client_for(org.head).get(LIST)) == [draft.code]
    assert codes(client_for(org.inspector).get(LIST)) == [draft.code]  # oversight of the subtree


# --- create ---


def dossier(**overrides) -> dict:
    return {"title": "Một cửa liên thông điện tử", "field": "finance", **PLAN, **overrides}


def test_create_answers_201_with_the_draft(org):
    client = client_for(org.cadre)
    response = client.post(
        LIST, dossier(home_unit=org.agency.pk, co_authors=[org.cadre2.pk]), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    proposal = Proposal.objects.get()
    assert response["Location"] == body["url"] == f"http://testserver{detail(proposal)}"
    assert body["id"] == proposal.pk and body["code"] == proposal.code
    assert body["state"] == "draft" and body["state_label"]
    assert body["home_unit"] == {"id": org.agency.pk, "code": "P-A", "name": "Sở"}
    assert body["deciding_unit"] is None and body["version"] == 0
    assert body["decision_due"] is None and body["overdue"] is False
    assert [a["username"] for a in body["authors"]] == ["cadre", "cadre2"]
    assert body["authors"][0] == {
        "id": org.cadre.pk,
        "username": "cadre",
        "full_name": org.cadre.get_full_name(),
        "post": "staff",  # a cadre, unless the authors say otherwise (issue 11, point 7)
        "post_label": "Không giữ chức vụ lãnh đạo, quản lý",
    }
    assert "co_authors" not in body
    for name in DOSSIER_FIELDS:
        assert body[name] == dossier()[name], name
    assert not LedgerEntry.objects.exists()  # drafts leave no ledger entry


def test_every_dossier_field_and_read_only_field_is_in_the_representation(org, draft):
    body = client_for(org.cadre).get(detail(draft)).json()
    expected = {
        *DOSSIER_FIELDS,
        "id",
        "url",
        "code",
        "state",
        "state_label",
        "home_unit",
        "deciding_unit",
        "authors",
        "attachments",
        "version",
        "decision_due",
        "overdue",
        "mode",
        "origin",
    }
    assert expected <= set(body)


def test_create_in_a_unit_where_the_user_is_not_a_member_is_400(org):
    response = client_for(org.cadre).post(LIST, dossier(home_unit=org.commune.pk), format="json")
    assert "home_unit" in error(response, 400, "invalid")["errors"]
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"field": "astrology"}, "field"),
        ({"regulation_status": "maybe"}, "regulation_status"),
        ({"criterion_reform": "perhaps"}, "criterion_reform"),
        ({"home_unit": 999999}, "home_unit"),
        ({"co_authors": [999999]}, "co_authors"),
    ],
)
def test_create_with_bad_input_is_400_and_writes_nothing(org, overrides, field):
    data = dossier(**{"home_unit": org.agency.pk, **overrides})
    response = client_for(org.cadre).post(LIST, data, format="json")
    assert field in error(response, 400, "invalid")["errors"]
    assert not Proposal.objects.exists()


def test_read_only_fields_cannot_be_written(org):
    response = client_for(org.cadre).post(
        LIST,
        dossier(home_unit=org.agency.pk, state="approved", code="X", version=9, mode="pilot"),
        format="json",
    )
    assert response.status_code == 201
    proposal = Proposal.objects.get()
    assert (proposal.state, proposal.version, proposal.mode) == ("draft", 0, "")
    assert proposal.code.startswith("DX-")


# --- edit ---


def test_author_edits_a_draft(org, draft):
    response = client_for(org.cadre).patch(
        detail(draft),
        {"title": "Tên mới", "criterion_reform": False, "co_authors": [org.cadre2.pk]},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Tên mới" and body["criterion_reform"] is False
    assert {a["username"] for a in body["authors"]} == {"cadre", "cadre2"}
    draft = fresh(draft)
    assert draft.title == "Tên mới" and draft.summary == PLAN["summary"]


def test_home_unit_is_fixed_after_creation(org, draft):
    grant(org.commune, Role.CADRE, user=org.cadre)
    response = client_for(org.cadre).patch(
        detail(draft), {"home_unit": org.commune.pk}, format="json"
    )
    assert response.status_code == 200
    assert fresh(draft).home_unit == org.agency


def test_edit_a_returned_proposal(org, draft):
    proposal = submitted(draft, org.cadre)
    services.proposal_return_for_revision(proposal=proposal, actor=org.head, comment="Bổ sung")
    response = client_for(org.cadre).patch(detail(draft), {"scope": "Cả tỉnh"}, format="json")
    assert response.status_code == 200
    assert fresh(draft).scope == "Cả tỉnh"


def test_edit_by_a_visible_non_author_is_403(org, draft):
    proposal = submitted(draft, org.cadre)
    services.proposal_return_for_revision(proposal=proposal, actor=org.head, comment="Bổ sung")
    error(client_for(org.head).patch(detail(draft), {"title": "X"}, format="json"), 403)
    assert fresh(draft).title == draft.title


def test_edit_a_submitted_proposal_is_409(org, draft):
    submitted(draft, org.cadre)
    response = client_for(org.cadre).patch(detail(draft), {"title": "X"}, format="json")
    error(response, 409, "wrong_state")
    assert fresh(draft).title == draft.title


def test_edit_with_bad_input_is_400_and_writes_nothing(org, draft):
    response = client_for(org.cadre).patch(
        detail(draft), {"title": "", "scope": "Cả tỉnh"}, format="json"
    )
    assert "title" in error(response, 400)["errors"]
    assert fresh(draft).scope == PLAN["scope"]


def test_edit_another_units_proposal_is_404(org, draft):
    error(client_for(org.commune_cadre).patch(detail(draft), {"title": "X"}, format="json"), 404)


# --- delete ---


def test_author_deletes_a_draft(org, draft):
    response = client_for(org.cadre).delete(detail(draft))
    assert response.status_code == 204
    assert not Proposal.objects.exists()


def test_a_submitted_proposal_is_never_deleted(org, draft):
    submitted(draft, org.cadre)
    error(client_for(org.cadre).delete(detail(draft)), 409, "wrong_state")
    error(client_for(org.head).delete(detail(draft)), 403)
    assert Proposal.objects.filter(pk=draft.pk).exists()


def test_delete_a_draft_of_someone_else_is_404(org, draft):
    error(client_for(org.cadre2).delete(detail(draft)), 404)
    assert Proposal.objects.filter(pk=draft.pk).exists()


# --- lists: filters, ordering, pagination ---


@pytest.fixture
def portfolio(org):
    """Proposals of the agency in several states, as the head sees them."""
    make = ProposalFactory
    p = {
        "draft": make(home_unit=org.agency, created_by=org.cadre, title="Bản nháp riêng"),
        "submitted": submitted(
            make(home_unit=org.agency, created_by=org.cadre, title="Cấp phép trực tuyến"),
            org.cadre,
        ),
        "overdue": in_state(
            make(home_unit=org.agency, created_by=org.cadre2, title="Chữ ký số"),
            State.UNDER_REVIEW,
            decision_due=datetime.date(2020, 1, 6),
        ),
        "approved": in_state(
            make(home_unit=org.agency, created_by=org.cadre2, title="Phần mềm một cửa"),
            State.APPROVED,
            mode="pilot",
        ),
        "returned": in_state(
            make(home_unit=org.agency, created_by=org.cadre, title="Kho dữ liệu dùng chung"),
            State.RETURNED,
        ),
        "province": submitted(make(home_unit=org.agency, created_by=org.head), org.head),
    }
    return p


def test_list_answers_the_pagination_envelope_and_summaries(org, portfolio):
    body = client_for(org.head).get(LIST).json()
    assert set(body) == {"count", "count_capped", "next", "previous", "results"}
    assert body["count_capped"] is False
    assert body["count"] == 5  # every submitted proposal of the agency; not the draft
    row = body["results"][0]
    assert {"code", "title", "state", "state_label", "home_unit", "deciding_unit", "authors"} <= (
        set(row)
    )
    assert {"overdue", "decision_due", "url", "version", "mode"} <= set(row)
    assert "bottleneck" not in row  # summaries: read the proposal for the plan


def test_filter_state_one_or_several(org, portfolio):
    client = client_for(org.head)
    assert codes(client.get(LIST, {"state": "approved"})) == [portfolio["approved"].code]
    both = codes(client.get(f"{LIST}?state=approved&state=returned"))
    assert set(both) == {portfolio["approved"].code, portfolio["returned"].code}
    error(client.get(LIST, {"state": "nonsense"}), 400, "invalid")


def test_filter_units(org, portfolio):
    client = client_for(org.head)
    by_province = codes(client.get(LIST, {"deciding_unit": org.province.pk}))
    assert by_province == [portfolio["province"].code]
    assert len(codes(client.get(LIST, {"home_unit": org.agency.pk}))) == 5
    assert codes(client.get(LIST, {"home_unit": org.commune.pk})) == []


@pytest.mark.parametrize("value", ["-5.1550252064649706e+85", "1e30", str(2**63), "0", "abc"])
@pytest.mark.parametrize("name", ["home_unit", "deciding_unit"])
def test_a_unit_id_no_column_holds_is_400_not_500(org, portfolio, name, value):
    """Found by schemathesis: a huge number overflowed SQLite's driver (500)."""
    body = error(client_for(org.head).get(LIST, {name: value}), 400, "invalid")
    assert name in body["errors"]


def test_filter_mine(org, portfolio):
    client = client_for(org.cadre)
    mine = {portfolio[k].code for k in ("draft", "submitted", "returned")}
    assert set(codes(client.get(LIST, {"mine": "true"}))) == mine
    head = client_for(org.head)
    assert codes(head.get(LIST, {"mine": "true"})) == [portfolio["province"].code]
    assert portfolio["province"].code not in codes(head.get(LIST, {"mine": "false"}))


def test_filter_awaiting_me(org, portfolio):
    head = codes(client_for(org.head).get(LIST, {"awaiting_me": "true"}))
    assert set(head) == {portfolio["submitted"].code, portfolio["overdue"].code}
    cadre = codes(client_for(org.cadre).get(LIST, {"awaiting_me": "true"}))
    assert cadre == [portfolio["returned"].code]  # a returned proposal waits for its authors
    deputy = codes(client_for(org.deputy1).get(LIST, {"awaiting_me": "true"}))
    assert deputy == [portfolio["overdue"].code]  # under review: the deputy has not voted
    services.vote_cast(proposal=portfolio["overdue"], actor=org.deputy1, choice="for")
    assert codes(client_for(org.deputy1).get(LIST, {"awaiting_me": "true"})) == []
    party = codes(client_for(org.party).get(LIST, {"awaiting_me": "true"}))
    assert party == [portfolio["overdue"].code]
    province_head = codes(client_for(org.province_head).get(LIST, {"awaiting_me": "true"}))
    assert province_head == [portfolio["province"].code]


def test_filter_overdue(org, portfolio):
    client = client_for(org.head)
    response = client.get(LIST, {"overdue": "true"})
    assert codes(response) == [portfolio["overdue"].code]
    assert response.json()["results"][0]["overdue"] is True
    others = client.get(LIST, {"overdue": "false"}).json()["results"]
    assert portfolio["overdue"].code not in [row["code"] for row in others]
    assert not any(row["overdue"] for row in others)


def test_filter_q_searches_code_title_summary_and_bottleneck(org, portfolio):
    client = client_for(org.head)
    assert codes(client.get(LIST, {"q": "chữ ký"})) == [portfolio["overdue"].code]
    assert codes(client.get(LIST, {"q": portfolio["approved"].code})) == [
        portfolio["approved"].code
    ]
    # every proposal of the factory shares the plan: its bottleneck mentions paper files
    assert len(codes(client.get(LIST, {"q": "hồ sơ giấy"}))) == 5
    assert codes(client.get(LIST, {"q": "không có ở đâu"})) == []
    # diacritics and case ignored; every word, in any field, in any order; the last a prefix
    overdue = [portfolio["overdue"].code]
    assert codes(client.get(LIST, {"q": "CHU KY"})) == overdue
    assert codes(client.get(LIST, {"q": "giay ho so ky chu"})) == overdue
    assert codes(client.get(LIST, {"q": "chữ k"})) == overdue
    assert codes(client.get(LIST, {"q": '"ky chu"'})) == []  # quoted: the words together
    assert codes(client.get(LIST, {"q": "hu ky"})) == []  # a word starts at a syllable


def test_ordering(org, portfolio):
    client = client_for(org.head)
    by_code = codes(client.get(LIST, {"ordering": "code"}))
    assert by_code == sorted(by_code)
    assert codes(client.get(LIST, {"ordering": "-code"})) == by_code[::-1]
    due = client.get(LIST, {"ordering": "decision_due"}).json()["results"]
    dates = [row["decision_due"] for row in due]
    # the earliest due date first; proposals without one come last
    assert dates[0] == "2020-01-06"
    filled = [d for d in dates if d]
    assert filled == sorted(filled) and dates[len(filled) :] == [None] * (len(dates) - len(filled))
    error(client.get(LIST, {"ordering": "bottleneck"}), 400)


def test_default_order_is_newest_first(org, portfolio):
    body = client_for(org.head).get(LIST).json()["results"]
    created = [row["created_at"] for row in body]
    assert created == sorted(created, reverse=True)


def test_pagination_page_size_is_capped_at_100(org):
    for _ in range(101):
        ProposalFactory(home_unit=org.agency, created_by=org.cadre)
    client = client_for(org.cadre)
    body = client.get(LIST, {"page_size": 1000}).json()
    assert body["count"] == 101 and len(body["results"]) == 100 and body["next"]
    assert len(client.get(LIST).json()["results"]) == 20
    second = client.get(LIST, {"page_size": 100, "page": 2}).json()
    assert len(second["results"]) == 1 and second["next"] is None
    error(client.get(LIST, {"page": 9}), 404)


# --- a fixed number of queries whatever the number of rows ---


def populate(org, n):
    for i in range(n):
        author = org.cadre if i % 2 else org.cadre2
        proposal = ProposalFactory(home_unit=org.agency, created_by=author)
        services.proposal_update(proposal=proposal, actor=author, co_authors=[org.deputy2])
        proposal = submitted(proposal, author)
        if i % 3 == 0:
            services.proposal_open_review(proposal=proposal, actor=org.head)
            services.vote_cast(proposal=fresh(proposal), actor=org.deputy1, choice="for")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"awaiting_me": "true", "overdue": "false", "q": "thủ tục", "ordering": "decision_due"},
        {"mine": "false", "state": ["submitted", "under_review"], "home_unit": "1"},
    ],
)
def test_list_query_count_is_constant(org, params):
    counts = []
    for n in (2, 7):  # 2 rows, then 9
        populate(org, n)
        client = client_for(org.head)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, {"page_size": 100, **params})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 7, counts


def test_list_query_count_with_token_authentication(org):
    key = api_token(org.head)
    counts = []
    for n in (1, 8):
        populate(org, n)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        with CaptureQueriesContext(connection) as queries:
            body = client.get(LIST, {"page_size": 100}).json()
        assert body["results"]
        counts.append(len(queries))
    # token + user, memberships, the page's keys (one UNION), its rows, authorships: a list that
    # fits its first page is counted from that page, not by the database
    assert counts == [5, 5]


# --- keyset pagination and the capped count (kl14.keyset) ---


def walk(client, params, *, backwards_from=None):
    """Every code, following `next` from the first page (or `previous` from a last page)."""
    seen, url = [], None
    response = client.get(LIST, params) if backwards_from is None else client.get(backwards_from)
    while True:
        body = response.json()
        assert response.status_code == 200, body
        page = [row["code"] for row in body["results"]]
        seen = seen + page if backwards_from is None else page + seen
        url = body["next"] if backwards_from is None else body["previous"]
        if not url:
            return seen, body
        response = client.get(url)


@pytest.mark.parametrize(
    "ordering", [None, "decision_due", "-decision_due", "code", "-submitted_at,title", "state"]
)
def test_cursor_pages_cover_every_row_once_in_order(org, ordering):
    """Walking `next` then `previous` gives every visible proposal exactly once, in the order of
    one unpaginated query, whatever the ordering (empty due dates last in both directions)."""
    for i in range(7):
        p = submitted(ProposalFactory(home_unit=org.agency, created_by=org.cadre), org.cadre)
        if i % 3 == 0:
            Proposal.objects.filter(pk=p.pk).update(decision_due=None)
        if i % 2:
            Proposal.objects.filter(pk=p.pk).update(decision_due=datetime.date(2030, 1, 1))
    ProposalFactory(home_unit=org.agency, created_by=org.cadre)  # a draft: not the head's
    params = {"page_size": 3, **({"ordering": ordering} if ordering else {})}
    client = client_for(org.head)
    expected = codes(client.get(LIST, {**params, "page_size": 100}))
    assert len(expected) == 7
    forward, _last = walk(client, params)
    assert forward == expected
    # from the last page back to the first
    last_page_url = client.get(LIST, params).json()["next"]
    while client.get(last_page_url).json()["next"]:
        last_page_url = client.get(last_page_url).json()["next"]
    backward, first = walk(client, params, backwards_from=last_page_url)
    assert backward == expected
    assert first["previous"] is None


def test_a_bad_cursor_is_400(org):
    client = client_for(org.cadre)
    error(client.get(LIST, {"cursor": "not-a-cursor"}), 400, "invalid")
    error(client.get(LIST, {"cursor": "eyJ2IjpbMV0sImIiOmZhbHNlfQ"}), 400, "invalid")


def test_a_page_number_no_list_can_reach_is_404_not_500(org):
    """schemathesis sent page=10**20: the offset overflowed SQLite's LIMIT (a 500)."""
    client = client_for(org.cadre)
    for page in ("0", "-1", "abc", str(10**20)):
        assert client.get(LIST, {"page": page}).status_code == 404, page


def test_the_count_is_capped(org, monkeypatch):
    from kl14 import keyset

    monkeypatch.setattr(keyset, "COUNT_CAP", 3)
    for _ in range(5):
        ProposalFactory(home_unit=org.agency, created_by=org.cadre)
    body = client_for(org.cadre).get(LIST, {"page_size": 2}).json()
    assert (body["count"], body["count_capped"]) == (3, True)
    assert len(body["results"]) == 2 and body["next"]
    body = client_for(org.cadre).get(LIST, {"state": "draft", "mine": "true"}).json()
    assert body["count_capped"] is True and len(body["results"]) == 5


def _counted(client, url, params=None):
    """The list's answer, and whether the database counted it (the capped COUNT query)."""
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url, params).json()
    return body, any("COUNT(" in q["sql"].upper() for q in queries)


def test_a_list_that_fits_its_first_page_is_counted_from_it(org):
    """The count of a list whose first page holds every row is that page's length; any other page
    (a cursor, a numbered page past the first, a list longer than a page) is counted by the
    database, whatever that page holds."""
    client = client_for(org.cadre)
    assert _counted(client, LIST) == ({"count": 0, "count_capped": False, "next": None,
                                       "previous": None, "results": []}, False)  # fmt: skip
    for _ in range(3):
        ProposalFactory(home_unit=org.agency, created_by=org.cadre)
    body, counted = _counted(client, LIST)
    assert (body["count"], len(body["results"]), counted) == (3, 3, False)
    body, counted = _counted(client, LIST, {"page": 1})
    assert (body["count"], len(body["results"]), counted) == (3, 3, False)
    # Longer than a page: its first page, then the last (one row, nothing after), then back.
    body, counted = _counted(client, LIST, {"page_size": 2})
    assert (body["count"], len(body["results"]), counted) == (3, 2, True)
    last, counted = _counted(client, body["next"])
    assert (last["count"], len(last["results"]), last["next"], counted) == (3, 1, None, True)
    back, counted = _counted(client, last["previous"])
    assert (back["count"], len(back["results"]), counted) == (3, 2, True)
    body, counted = _counted(client, LIST, {"page_size": 2, "page": 2})
    assert (body["count"], len(body["results"]), counted) == (3, 1, True)
    # A cursor past the last row (that row left the filter since): no rows, yet the list is not
    # empty.
    first, _ = _counted(client, LIST, {"page_size": 2, "state": "draft"})
    Proposal.objects.filter(code=last["results"][0]["code"]).update(state=State.WITHDRAWN)
    past, counted = _counted(client, first["next"])
    assert (past["count"], past["results"], past["next"], counted) == (2, [], None, True)


def test_every_visibility_branch_lists_and_none_leaks(org):
    """Authored, deciding or home unit, and subtree oversight each list their
    proposals through their own branch; another unit's user sees none of them."""
    from proposals.permissions import visible_branches, visible_q

    mine = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
    sent = submitted(ProposalFactory(home_unit=org.agency, created_by=org.cadre2), org.cadre2)
    published = in_state(
        ProposalFactory(home_unit=org.agency, created_by=org.cadre2), State.SUCCEEDED
    )
    Proposal.objects.filter(pk=published.pk).update(
        published_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    # Amendment 2026-11-29: publishing opens the lesson (the lessons library), never the proposal.
    expectations = {
        org.cadre: {mine.code},
        org.head: {sent.code, published.code},
        org.commune_cadre: set(),
    }
    for user, expected in expectations.items():
        listed = set(walk(client_for(user), {"page_size": 1})[0])
        assert listed == expected, user
        by_or = set(Proposal.objects.filter(visible_q(user)).values_list("code", flat=True))
        assert by_or == expected
        assert len(visible_branches(user)) >= 1  # authored, at least


def test_a_whole_trees_overseers_see_its_submitted_proposals_and_no_other_tree(org):
    """An oversight role at a root reads every submitted proposal without the units while no
    other root exists (proposals.permissions._subtree_branches); once another tree exists, its
    proposals stay out of the root's reach, in the list, the count and the detail alike."""
    from proposals.permissions import visible_q
    from tests.factories.units import UnitFactory

    def seen(user):
        listed, last = walk(client_for(user), {"page_size": 1})
        by_or = set(Proposal.objects.filter(visible_q(user)).values_list("code", flat=True))
        assert set(listed) == by_or and last["count"] == len(listed), user
        return by_or

    sent = submitted(ProposalFactory(home_unit=org.agency, created_by=org.cadre), org.cadre)
    commune = submitted(
        ProposalFactory(home_unit=org.commune, created_by=org.commune_cadre), org.commune_cadre
    )
    ProposalFactory(home_unit=org.agency, created_by=org.cadre2)  # a draft: its authors' only
    expected = {sent.code, commune.code}
    assert seen(org.orgboard) == seen(org.inspector) == expected

    other_root = UnitFactory(code="Q", name="Tỉnh khác")
    other_cadre = grant(other_root, Role.CADRE, username="other_cadre")
    other_board = grant(other_root, Role.ORGANIZATION_BOARD, username="other_board")
    other = submitted(ProposalFactory(home_unit=other_root, created_by=other_cadre), other_cadre)
    assert seen(org.orgboard) == seen(org.inspector) == expected
    assert seen(other_board) == {other.code}
    assert client_for(org.orgboard).get(detail(other)).status_code == 404
    assert client_for(other_board).get(detail(sent)).status_code == 404


@pytest.mark.parametrize("user", ["head", "orgboard", "cadre"])
def test_numbered_pages_are_slices_of_the_whole_list(org, user):
    """`page=N` gives rows (N-1)*size+1 … N*size of the unpaginated list (the database skips the
    rows before), whatever branches the user's visibility has."""
    for i in range(8):
        author = org.cadre if i % 2 else org.cadre2
        proposal = ProposalFactory(home_unit=org.agency, created_by=author)
        if i % 4:
            submitted(proposal, author)
    client = client_for(getattr(org, user))
    whole = codes(client.get(LIST, {"page_size": 100}))
    assert whole
    pages, number = [], 1
    while True:
        body = client.get(LIST, {"page_size": 3, "page": number}).json()
        pages.append([row["code"] for row in body["results"]])
        assert (body["previous"] is None) == (number == 1)
        if not body["next"]:
            break
        number += 1
    assert pages == [whole[i : i + 3] for i in range(0, len(whole), 3)]
    error(client.get(LIST, {"page_size": 3, "page": number + 1}), 404)


def test_list_rows_show_labels_units_and_authors_as_the_detail_does(org):
    """The list's rows share one unit and one author serializer and read choice labels from the
    choices: the same values as the proposal read alone."""
    proposal = submitted(ProposalFactory(home_unit=org.agency, created_by=org.cadre), org.cadre)
    services.proposal_open_review(proposal=proposal, actor=org.head)
    client = client_for(org.head)
    (row,) = client.get(LIST).json()["results"]
    full = client.get(detail(proposal)).json()
    proposal = fresh(proposal)
    assert row["state_label"] == proposal.get_state_display() == full["state_label"]
    assert row["home_unit"] == {"id": org.agency.pk, "code": "P-A", "name": "Sở"}
    assert row["deciding_unit"] == full["deciding_unit"]
    assert row["authors"] == full["authors"]
    authorship = proposal.authorships.get()
    assert row["authors"][0]["post_label"] == authorship.get_post_display()
    assert row["authors"][0]["username"] == "cadre"
