"""Odd input is a 400, never a 500 nor silently altered data (issue 13): JSON nested deeply
enough to hit Python's recursion limit, bodies that are not valid UTF-8 (which Django decoded
with U+FFFD, then stored)."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from proposals.models import Proposal
from tests.proposals.test_views import form_data

pytestmark = pytest.mark.django_db

API = "/api/v1/proposals/"


@pytest.fixture
def cadre_client(org):
    client = Client()
    client.force_login(org.cadre)
    return client


def post_raw(client, path, body: bytes, content_type):
    return client.generic("POST", path, body, content_type=content_type)


@pytest.mark.parametrize("depth", [33, 5_000, 100_000])
def test_deeply_nested_json_is_400(cadre_client, depth):
    body = ("[" * depth + "]" * depth).encode()
    response = post_raw(cadre_client, API, body, "application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"
    assert "lồng nhau quá 32 cấp" in response.json()["detail"]


@pytest.mark.parametrize("body", [b"[]", b"null", b"5", b'"text"', b"true", b'[{"text": "x"}]'])
@pytest.mark.parametrize(
    "path",
    [
        API,
        # Views that read request.data.get(…) answered these with an AttributeError, a 500.
        "/api/v1/proposals/{pk}/abuse-cases/explanation/",
        "/api/v1/proposals/{pk}/responsibility/explanations/",
        "/api/v1/proposals/{pk}/responsibility/complaint/",
    ],
)
def test_a_json_body_that_is_not_an_object_is_400(cadre_client, org, path, body):
    from tests.factories.proposals import ProposalFactory

    proposal = ProposalFactory(created_by=org.cadre, home_unit=org.agency)
    before = Proposal.objects.count()
    response = post_raw(cadre_client, path.format(pk=proposal.pk), body, "application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "not_an_object"
    assert "phải là một đối tượng" in response.json()["detail"]
    assert Proposal.objects.count() == before


def test_nested_objects_inside_a_field_are_400(cadre_client, org):
    nested: dict = {}
    for _ in range(40):
        nested = {"a": nested}
    body = {"title": nested, "home_unit": org.agency.pk}
    response = cadre_client.post(API, body, content_type="application/json")
    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_ordinary_json_still_works(cadre_client, org):
    body = {
        "title": "Một cửa điện tử",
        "field": "administrative_reform",
        "home_unit": org.agency.pk,
    }
    response = cadre_client.post(API, body, content_type="application/json")
    assert response.status_code == 201, response.content


def test_invalid_utf8_json_is_400(cadre_client, org):
    body = b'{"title": "M\xff\xfet c\xe1a", "home_unit": %d}' % org.agency.pk
    response = post_raw(cadre_client, API, body, "application/json")
    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_invalid_utf8_in_a_form_body_is_400_and_nothing_is_stored(cadre_client, org):
    data = form_data(org.agency, action="save")
    body = urlencode(data).encode().replace(b"Ti%E1%BA%BFp", b"Ti%FF%FEp")
    assert b"%FF%FE" in body
    response = post_raw(
        cadre_client, reverse("proposals:create"), body, "application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert not Proposal.objects.exists()


def test_invalid_utf8_in_a_form_body_to_the_api_is_400(cadre_client, org):
    body = b"title=M%FFt&home_unit=" + str(org.agency.pk).encode()
    response = post_raw(cadre_client, API, body, "application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_encoding"
    assert not Proposal.objects.exists()


def test_invalid_utf8_in_a_multipart_field_is_400(cadre_client, org):
    boundary = "kl14boundary"
    body = (
        (f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n').encode()
        + b"Ti\xff\xfep nh\xe1n\r\n"
        + (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="action"\r\n\r\nsave\r\n'
            f"--{boundary}--\r\n"
        ).encode()
    )
    response = post_raw(
        cadre_client,
        reverse("proposals:create"),
        body,
        f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_a_valid_form_still_saves(cadre_client, org):
    response = cadre_client.post(reverse("proposals:create"), form_data(org.agency, action="save"))
    assert response.status_code == 302
    assert Proposal.objects.get().title == "Tiếp nhận hồ sơ đất đai trực tuyến"


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "a", "home_unit": 1e400, "field": "finance"}',  # a float no id can be
        b'{"title": "a", "home_unit": -1e400, "field": "finance"}',
        b'{"title": "a", "home_unit": 1, "co_authors": [1e400]}',
        b'{"title": "a", "home_unit": UNIT.5, "field": "finance"}',  # was taken as UNIT
        b'{"title": "a", "home_unit": UNIT, "author_posts": [{"user": 1e400, "post": "staff"}]}',
    ],
)
def test_a_number_out_of_range_is_400_and_nothing_is_written(cadre_client, org, body):
    before = Proposal.objects.count()
    body = body.replace(b"UNIT", str(org.agency.pk).encode())
    response = post_raw(cadre_client, API, body, "application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] in ("out_of_range", "invalid")
    assert Proposal.objects.count() == before


def test_an_overflow_anywhere_in_a_view_is_a_400_in_vietnamese():
    """The API's one answer to a number no column holds, wherever it overflows (a conversion, the
    SQLite driver: a complaint's author id of 10**23 in the path was a 500)."""
    from rest_framework.views import APIView

    from kl14.drf import exception_handler

    response = exception_handler(
        OverflowError("Python int too large to convert to SQLite INTEGER"), {"view": APIView()}
    )
    assert response.status_code == 400
    assert response.data["code"] == "out_of_range"
    assert response.data["detail"] == "Một con số trong yêu cầu vượt quá giới hạn cho phép."


@pytest.mark.parametrize("ordering", ["title,", ",title", "title,,", ","])
def test_an_ordering_with_empty_names_leaves_them_out(cadre_client, org, ordering):
    from tests.factories.proposals import ProposalFactory

    for title in ("Bình", "An"):
        ProposalFactory(created_by=org.cadre, home_unit=org.agency, title=title)
    response = cadre_client.get(API, {"ordering": ordering, "mine": "true"})
    assert response.status_code == 200, response.content
    titles = [row["title"] for row in response.json()["results"]]
    assert titles == (["An", "Bình"] if "title" in ordering else titles)


@pytest.mark.parametrize(
    ("body", "content_type", "detail"),
    [
        (b'{"title":', "application/json", "Nội dung gửi lên không phải JSON hợp lệ."),
        (b"\xef\xbb\xbf{}", "application/json", "Nội dung gửi lên không phải JSON hợp lệ."),
        (b"--x\r\n", "multipart/form-data", "Nội dung gửi lên không phải biểu mẫu nhiều phần"),
    ],
)
def test_a_body_that_cannot_be_parsed_is_told_so_in_vietnamese(
    cadre_client, body, content_type, detail
):
    response = post_raw(cadre_client, API, body, content_type)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)
    assert "parse error" not in response.content.decode()


def test_a_nul_in_text_that_a_service_reads_is_refused_in_vietnamese():
    from pilots.planning import clean_plan
    from pilots.services import _text
    from proposals.services import clean_text

    for check in (
        lambda errors: clean_text("a\x00b", "text", errors),
        lambda errors: _text("a\x00b", "text", errors),
    ):
        errors = {}
        check(errors)
        assert errors == {"text": ["Văn bản không được chứa ký tự rỗng (NUL)."]}
    _clean, errors = clean_plan({"people": "a\x00b"}, home_unit=None, only=("people",))
    assert errors["people"] == ["Văn bản không được chứa ký tự rỗng (NUL)."]


@pytest.mark.parametrize("amount", [2**63 - 1, "1e16", -1, "12.5", "nhiều"])
def test_a_budget_that_is_not_a_whole_number_of_dong_below_the_bound_says_which(amount):
    from django.utils import translation

    from pilots.planning import clean_plan

    with translation.override("vi"):
        _clean, errors = clean_plan(
            {"budget_amount": amount}, home_unit=None, only=("budget_amount",)
        )
    assert errors["budget_amount"] == [
        "Hãy nhập số đồng là số nguyên không âm, nhỏ hơn 10.000.000.000.000.000."
    ]


def test_a_budget_just_below_the_bound_is_taken():
    from pilots.planning import clean_plan

    clean, errors = clean_plan(
        {"budget_amount": 10**16 - 1}, home_unit=None, only=("budget_amount",)
    )
    assert errors == {} and clean["budget_amount"] == 10**16 - 1
