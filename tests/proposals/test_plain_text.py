"""Text that cannot be seen is not text (kl14/text.py): a required reason of zero-width spaces
only is refused as empty, a right-to-left override never reaches the ledger, and letters typed
decomposed are stored composed; through the pages and the API, passwords untouched."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kl14.text import plain_data, plain_text
from ledger.models import LedgerEntry
from proposals.models import State
from tests.factories.proposals import fresh, submitted

pytestmark = pytest.mark.django_db

ZERO_WIDTH = "\u200b\u200b\u2060\u200b\ufeff"
OVERRIDE = "\u202eabc\u200b\u2066"
DECOMPOSED = "Bo\u0302\u0309 sung tie\u0302\u0301n \u0111o\u0323\u0302"  # "Bổ sung tiến độ"


def test_plain_text():
    assert plain_text(ZERO_WIDTH) == ""
    assert plain_text(OVERRIDE) == "abc"
    assert plain_text(DECOMPOSED) == "Bổ sung tiến độ"
    assert plain_text("dòng 1\r\n\tdòng 2\x07\x1b[31m") == "dòng 1\r\n\tdòng 2[31m"
    assert plain_text("a\x00b") == "a\x00b"  # left for the forms to refuse
    assert plain_data({"a": [OVERRIDE, 1, None], "new_password": OVERRIDE}) == {
        "a": ["abc", 1, None],
        "new_password": OVERRIDE,
    }


def entries(proposal):
    return LedgerEntry.objects.filter(proposal=proposal).count()


def test_a_reason_of_invisible_characters_only_is_refused_on_the_page(client, org, draft):
    proposal = submitted(draft, org.cadre)
    before = entries(proposal)
    client.force_login(org.head)
    url = reverse("proposals:transition", args=[proposal.pk, "return_for_revision"])
    response = client.post(url, {"comment": ZERO_WIDTH})
    assert response.status_code == 400
    assert "Mục này là bắt buộc." in response.content.decode()
    assert fresh(proposal).state == State.SUBMITTED
    assert entries(proposal) == before


def test_the_ledger_keeps_the_reason_as_it_is_seen(client, org, draft):
    proposal = submitted(draft, org.cadre)
    client.force_login(org.head)
    url = reverse("proposals:transition", args=[proposal.pk, "return_for_revision"])
    response = client.post(url, {"comment": OVERRIDE + " " + DECOMPOSED})
    assert response.status_code == 302
    entry = LedgerEntry.objects.filter(proposal=proposal).latest("seq")
    assert entry.event == "return_for_revision"
    assert entry.payload["comment"] == "abc Bổ sung tiến độ"


def _send(api, url, data, format):
    if format == "urlencoded":
        return api.generic(
            "POST", url, urlencode(data), content_type="application/x-www-form-urlencoded"
        )
    return api.post(url, data, format=format)


@pytest.mark.parametrize("format", ["json", "multipart", "urlencoded"])
def test_the_api_makes_its_text_plain_too(org, draft, format):
    """JSON through kl14.drf.JSONParser, a multipart POST through the middleware (Django has
    parsed it), a URL-encoded one through kl14.drf.FormParser (DRF parses it again)."""
    proposal = submitted(draft, org.cadre)
    api = APIClient()
    api.force_authenticate(org.head)
    url = f"/api/v1/proposals/{proposal.pk}/transitions/return_for_revision/"
    refused = _send(api, url, {"comment": ZERO_WIDTH}, format)
    assert refused.status_code == 400 and "comment" in refused.json()["errors"]
    assert fresh(proposal).state == State.SUBMITTED
    done = _send(api, url, {"comment": OVERRIDE + DECOMPOSED}, format)
    assert done.status_code == 200, done.content
    entry = LedgerEntry.objects.filter(proposal=proposal).latest("seq")
    assert entry.payload["comment"] == "abcBổ sung tiến độ"


def test_a_password_is_what_was_typed(client, org):
    password = "m\u1eadt-kh\u1ea9u\u200b-2026"  # a zero-width space inside it, on purpose
    client.force_login(org.cadre)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "secret-pass-123",
            "new_password1": password,
            "new_password2": password,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org.cadre.refresh_from_db()
    assert org.cadre.check_password(password)
