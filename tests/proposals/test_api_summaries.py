"""The API's summaries written out (ProposalSummarySerializer and AuthorSerializer): the same
representation as DRF's own field-by-field way, key for key and in the same order, for a
proposal in every state, in both languages, over HTTP as in the serializer."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse, set_script_prefix
from django.utils import translation
from rest_framework.relations import HyperlinkedIdentityField
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.serializers import Serializer
from rest_framework.test import APIClient, APIRequestFactory

from proposals.models import AuthorPost, Mode, ProposalAuthor, State
from proposals.selectors import proposals_of_page, proposals_visible_to
from proposals.serializers import AuthorSerializer, ProposalSummarySerializer
from tests.factories.proposals import ProposalFactory, in_state

pytestmark = pytest.mark.django_db

VIEW = "api:proposal-detail"
LONG_AGO = datetime.date(2026, 1, 5)  # a decision due long ago: overdue while one is awaited


def summary_row(org, state):
    """A proposal of the agency in `state`, with a co-author holding a leadership post, decided
    by the province (a deciding unit other than its home), an origin and a mode where they
    apply, read as the API list reads its rows."""
    origin = ProposalFactory(home_unit=org.commune, created_by=org.commune_cadre)
    proposal = ProposalFactory(home_unit=org.agency, created_by=org.cadre, summary="Tóm tắt <b>&")
    ProposalAuthor.objects.create(proposal=proposal, user=org.deputy1, post=AuthorPost.LEADERSHIP)
    if state != State.DRAFT:
        in_state(
            proposal,
            state,
            deciding_unit=org.province,
            mode=Mode.PILOT if state not in (State.SUBMITTED, State.UNDER_REVIEW) else "",
            decision_due=LONG_AGO,
            submitted_at=datetime.datetime(2026, 3, 2, 1, 30, tzinfo=datetime.UTC),
            origin=origin,
        )
    (row,) = proposals_of_page([proposal.pk])
    return row


def as_json(data) -> bytes:
    return JSONRenderer().render(data)


def api_request(**extra):
    return Request(APIRequestFactory().get("/api/v1/proposals/", **extra))


@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_summary_is_drfs_own_representation(org, state, language):
    row = summary_row(org, state)
    serializer = ProposalSummarySerializer(context={"request": api_request()})
    with translation.override(language):
        written, generic = serializer.to_representation(row), serializer.generic_representation(row)
    assert list(written.items()) == list(generic.items())
    assert as_json(written) == as_json(generic)  # the same types too, as a client reads them
    # What it is compared with is not trivially equal: the fields of a real row are filled.
    assert written["url"].startswith("http://testserver/api/v1/proposals/")
    assert [a["post"] for a in written["authors"]] == ["", AuthorPost.LEADERSHIP]
    if state != State.DRAFT:
        assert written["deciding_unit"]["id"] == org.province.pk
        assert (
            written["origin"] is not None and written["submitted_at"] == "2026-03-02T08:30:00+07:00"
        )


def test_a_page_reads_what_the_lists_prefetch(org, django_assert_num_queries):
    """The authorships read with a page (one query, not a queryset per row) give the same
    summary as those of the lists' prefetch, and the rows come with their units and users."""
    row = summary_row(org, State.IN_PROGRESS)
    prefetched = proposals_visible_to(org.cadre).get(pk=row.pk)
    serializer = ProposalSummarySerializer(context={"request": api_request()})
    assert serializer.to_representation(row) == serializer.to_representation(prefetched)
    with django_assert_num_queries(0):
        serializer.to_representation(row)


def test_an_address_drf_would_write_otherwise_is_drfs_own(org):
    """The `?format=` override: DRF's reverse writes the address (the field's own way), and
    so does the summary; without a request, the field's own answer (DRF asks for one)."""
    row = summary_row(org, State.SUBMITTED)
    request = api_request(data={"format": "json"})
    serializer = ProposalSummarySerializer(context={"request": request})
    written = serializer.to_representation(row)
    assert written == serializer.generic_representation(row)
    assert written["url"].endswith(f"/api/v1/proposals/{row.pk}/?format=json")
    with pytest.raises(AssertionError, match="request"):
        ProposalSummarySerializer().to_representation(row)


def test_overdue_and_empty_values_are_drfs_own(org):
    """A draft: no code, deciding unit, due date, mode, origin or submission; then one overdue."""
    serializer = ProposalSummarySerializer(context={"request": api_request()})
    draft = summary_row(org, State.DRAFT)
    draft.code = None
    written = serializer.to_representation(draft)
    assert written == serializer.generic_representation(draft)
    assert [written[k] for k in ("code", "deciding_unit", "decision_due", "origin")] == [None] * 4
    assert written["mode"] == "" and written["submitted_at"] is None
    awaited = summary_row(org, State.UNDER_REVIEW)
    written = serializer.to_representation(awaited)
    assert written["overdue"] is True and written == serializer.generic_representation(awaited)


def test_an_author_is_drfs_own_representation(org):
    row = summary_row(org, State.IN_PROGRESS)
    serializer = AuthorSerializer()
    for language in ("vi", "en"):
        with translation.override(language):
            for authorship in row.authorships.all():
                written = serializer.to_representation(authorship)
                assert list(written.items()) == list(
                    Serializer.to_representation(serializer, authorship).items()
                )
    assert {a.user.get_full_name() for a in row.authorships.all()} != {""}


@override_settings(ALLOWED_HOSTS=["testserver", "kl14.example.vn", "[::1]"])
@pytest.mark.parametrize(
    "extra",
    [{}, {"secure": True, "HTTP_HOST": "kl14.example.vn"}, {"HTTP_HOST": "[::1]:8443"}],
)
def test_the_address_of_each_row_is_drfs_own(org, extra):
    """The site is found once per request; the address is what DRF's reverse gives."""
    row = summary_row(org, State.SUBMITTED)
    request = api_request(**extra)
    serializer = ProposalSummarySerializer(context={"request": request})
    field = serializer.fields["url"]
    expected = HyperlinkedIdentityField.get_url(field, row, VIEW, request, None)
    assert field.to_representation(row) == expected == field.to_representation(row)
    assert serializer.to_representation(row)["url"] == expected
    assert expected == request.build_absolute_uri(reverse("api:proposal-detail", args=[row.pk]))


def test_the_address_under_a_script_prefix_is_drfs_own(org):
    row = summary_row(org, State.SUBMITTED)
    request = api_request()
    serializer = ProposalSummarySerializer(context={"request": request})
    field = serializer.fields["url"]
    set_script_prefix("/kl14/")
    try:
        url, summary = field.to_representation(row), serializer.to_representation(row)["url"]
        expected = HyperlinkedIdentityField.get_url(field, row, VIEW, request, None)
    finally:
        set_script_prefix("/")
    assert url == summary == expected == f"http://testserver/kl14/api/v1/proposals/{row.pk}/"


def test_the_list_over_http_is_the_generic_representation(org):
    """The page the API answers holds, row for row, what DRF's own way writes."""
    rows = [summary_row(org, state) for state in (State.SUBMITTED, State.IN_PROGRESS)]
    client = APIClient()
    client.force_authenticate(org.province_head)  # the deciding unit's head
    results = client.get("/api/v1/proposals/").json()["results"]
    serializer = ProposalSummarySerializer(context={"request": api_request()})
    with translation.override("vi"):
        expected = {r.pk: serializer.generic_representation(r) for r in rows}
    assert {row["id"]: row for row in results if row["id"] in expected} == expected
