"""A write is done once however many times it is sent (ops.submissions): a form's one-time key
(`kl14_once`) and the API's `Idempotency-Key` header."""

import json
import re
import threading
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from ledger.models import LedgerEntry
from ops import services as ops_services
from ops import submissions, tasks
from ops.models import Submission
from ops.submissions import FIELD
from proposals import services
from proposals.models import Proposal, State
from tests.factories.units import api_token
from tests.proposals.test_api import LIST, dossier
from tests.proposals.test_views import form_data
from tests.reliability import http

# Committed for real: what counts is a write whose transaction committed (on_commit).
pytestmark = pytest.mark.django_db(transaction=True)

CREATE = reverse("proposals:create")
KEY = "0f8e7a52c4a54d4f9e3f5c4d0b3a1e21"


def once_key(html: str) -> str:
    (key,) = re.findall(rf'name="{FIELD}" value="([0-9a-f]+)"', html)
    return key


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- forms ----------------------------------------------------------------------------------------


def test_the_form_carries_a_new_key_at_each_rendering(org):
    client = signed_in(org.cadre)
    first, second = (once_key(client.get(CREATE).content.decode()) for _ in range(2))
    assert first != second


def test_a_form_sent_twice_makes_one_draft_and_the_copy_is_sent_to_its_result(org):
    client = signed_in(org.cadre)
    data = {**form_data(org.agency), "action": "save", FIELD: KEY}
    first = client.post(CREATE, data)
    (draft,) = Proposal.objects.all()
    assert first.status_code == 302 and first["Location"] == f"/proposals/{draft.pk}/edit/"

    again = client.post(CREATE, data, follow=True)
    assert Proposal.objects.count() == 1
    assert again.redirect_chain == [(f"/proposals/{draft.pk}/edit/", 303)]
    assert any("không thực hiện lần thứ hai" in m for m in messages_of(again))


def test_a_kept_answer_changed_behind_the_apps_back_sends_nobody_elsewhere(org):
    """An attacker with SQL access points a kept answer at another site: the copy goes home."""
    client = signed_in(org.cadre)
    data = {**form_data(org.agency), "action": "save", FIELD: KEY}
    client.post(CREATE, data)
    Submission.objects.update(location="https://evil.example/phish")
    again = client.post(CREATE, data)
    assert again.status_code == 303 and again["Location"] == "/"
    assert Proposal.objects.count() == 1


def test_a_form_submitted_twice_is_submitted_once(org):
    client = signed_in(org.cadre)
    data = {**form_data(org.agency), "action": "submit", FIELD: KEY}
    for _ in range(3):
        assert client.post(CREATE, data).status_code in (302, 303)
    proposal = Proposal.objects.get()
    assert proposal.state == State.SUBMITTED
    assert LedgerEntry.objects.filter(event="submit").count() == 1


def test_the_same_form_with_other_contents_is_another_write(org):
    """Back on the form (its key unchanged), new text, sent again: a second draft."""
    client = signed_in(org.cadre)
    data = {**form_data(org.agency), "action": "save", FIELD: KEY}
    client.post(CREATE, data)
    client.post(CREATE, {**data, "title": "Một đề xuất khác"})
    assert sorted(Proposal.objects.values_list("title", flat=True)) == [
        "Một đề xuất khác",
        "Tiếp nhận hồ sơ đất đai trực tuyến",
    ]


def test_the_same_key_from_two_people_is_two_writes(org):
    data = {**form_data(org.agency), "action": "save", FIELD: KEY}
    signed_in(org.cadre).post(CREATE, data)
    signed_in(org.cadre2).post(CREATE, data)
    assert Proposal.objects.count() == 2


def test_a_form_refused_frees_its_key_and_may_be_sent_again(org):
    client = signed_in(org.cadre)
    data = {**form_data(org.agency), "action": "save", "title": "", FIELD: KEY}
    assert client.post(CREATE, data).status_code == 400  # the form again, with its errors
    assert not Submission.objects.exists()
    assert client.post(CREATE, data).status_code == 400  # not an answer replayed
    assert not Proposal.objects.exists()


def test_a_redirect_that_wrote_nothing_is_not_kept(org, client):
    """Signed out meanwhile: sent to the sign-in page, nothing done; signed in again, the same
    form (its key, its contents) is saved."""
    data = {**form_data(org.agency), "action": "save", FIELD: KEY}
    response = client.post(CREATE, data)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Submission.objects.exists()
    client.force_login(org.cadre)
    client.post(CREATE, data)
    assert Proposal.objects.count() == 1


def test_a_form_without_a_key_is_handled_as_before(org):
    client = signed_in(org.cadre)
    data = {**form_data(org.agency), "action": "save"}
    client.post(CREATE, data)
    client.post(CREATE, data)
    assert Proposal.objects.count() == 2
    assert not Submission.objects.exists()


def test_a_view_that_failed_before_writing_frees_its_key(org, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "proposal_create", broken)
    client = Client(raise_request_exception=False)
    client.force_login(org.cadre)
    data = {**form_data(org.agency), "action": "save", FIELD: KEY}
    assert client.post(CREATE, data).status_code == 500
    assert not Submission.objects.exists()


def test_a_write_rolled_back_counts_for_nothing(org, monkeypatch):
    """A service that updated a row, then refused (its transaction rolled back): nothing was
    done, the key is free, and the form sent again as it was runs."""
    from kl14.errors import Invalid

    original = services.proposal_create

    def refusing(**kwargs):
        with transaction.atomic():
            User.objects.filter(pk=org.cadre.pk).update(first_name="Đổi")
            raise Invalid(errors={"title": ["Không hợp lệ."]})

    monkeypatch.setattr(services, "proposal_create", refusing)
    client = signed_in(org.cadre)
    data = {**form_data(org.agency), "action": "save", FIELD: KEY}
    assert client.post(CREATE, data).status_code == 400
    assert not Submission.objects.exists()
    monkeypatch.setattr(services, "proposal_create", original)
    assert client.post(CREATE, data).status_code == 302
    assert Proposal.objects.count() == 1


def test_submit_with_sections_missing_saves_one_draft_and_a_copy_gets_the_same_page(org):
    """ "Lưu và trình" with sections still missing: the draft is saved, then the form answers 400
    with what is missing. A double click must not save a second draft."""
    client = signed_in(org.cadre)
    data = {**form_data(org.agency), "action": "submit", "bottleneck": "", FIELD: KEY}
    first = client.post(CREATE, data)
    assert first.status_code == 400
    again = client.post(CREATE, data)
    assert again.status_code == 400 and again.content == first.content
    (draft,) = Proposal.objects.all()
    assert draft.state == State.DRAFT
    # Nothing left over for the next page: the page itself was the answer.
    assert not messages_of(client.get(reverse("proposals:mine")))


def test_an_answer_too_large_to_keep_is_not_sent_again_but_said_done(org, monkeypatch):
    """An answer over MAX_BODY (or a file) is not kept, only that its write was done: a copy is
    not done again, and its page says it was done, under a title that says so (not "the
    action was not carried out")."""
    monkeypatch.setattr(submissions, "MAX_BODY", 16)
    client = signed_in(org.cadre)
    data = {**form_data(org.agency), "action": "submit", "bottleneck": "", FIELD: KEY}
    assert client.post(CREATE, data).status_code == 400  # the draft saved, sections missing
    again = client.post(CREATE, data)
    assert again.status_code == 409 and Proposal.objects.count() == 1
    page = again.content.decode()
    assert "<title>Đã được thực hiện trước đó" in page
    assert "yêu cầu của nó đã được thực hiện" in page
    assert "Thao tác chưa được thực hiện" not in page


def test_when_its_answer_could_not_be_recorded_a_copy_is_never_run_again(
    org, monkeypatch, settings
):
    """The database went away after the write committed: the person still gets its result, and a
    copy is told to wait, then that whether it was done is not known, with the form to send
    again as a new one. Never a second draft on a guess."""

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    settings.KL14_SUBMISSION_WAIT = 0.2
    client = signed_in(org.cadre)
    data = {**form_data(org.agency), "action": "save", FIELD: KEY}
    with monkeypatch.context() as patch:
        patch.setattr(ops_services, "submission_complete", unreachable)
        response = client.post(CREATE, data)
    draft = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/proposals/{draft.pk}/edit/"

    waiting = client.post(CREATE, data)
    assert waiting.status_code == 409 and "đang được xử lý" in waiting.content.decode()
    assert "<title>Đang được xử lý" in waiting.content.decode()

    Submission.objects.update(
        claimed_at=timezone.now() - timedelta(seconds=settings.KL14_SUBMISSION_STALE + 1)
    )
    unknown = client.post(CREATE, data)
    assert unknown.status_code == 409
    page = unknown.content.decode()
    assert "không biết đã được lưu hay chưa" in page and "<title>Chưa rõ kết quả" in page
    assert Proposal.objects.count() == 1
    # The form is kept on the page, with a new key: sent from there, it is a new write.
    new = once_key(page)
    assert new != KEY
    assert 'name="title" value="Tiếp nhận hồ sơ đất đai trực tuyến"' in page
    client.post(CREATE, {**data, FIELD: new})
    assert Proposal.objects.count() == 2


def test_a_claim_the_database_refuses_does_nothing(org, monkeypatch):
    """SQLite still locked after its timeout, PostgreSQL out of reach: without its claim a copy
    could be done twice, so nothing is done, and the form is kept to be sent again."""

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(ops_services, "submission_claim", locked)
    client = signed_in(org.cadre)
    response = client.post(CREATE, {**form_data(org.agency), "action": "save", FIELD: KEY})
    assert response.status_code == 503
    assert not Proposal.objects.exists()
    assert f'name="{FIELD}" value="{KEY}"' in response.content.decode()


def test_a_copy_waits_for_the_first_then_says_it_is_under_way(org, settings):
    settings.KL14_SUBMISSION_WAIT = 0.3
    client = signed_in(org.cadre)
    data = {**form_data(org.agency), "action": "save", FIELD: KEY}
    client.post(CREATE, data)
    Proposal.objects.all().delete()
    Submission.objects.update(status=None, claimed_at=timezone.now())  # under way
    started = time.monotonic()
    response = client.post(CREATE, data)
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 409
    assert "đang được xử lý" in response.content.decode()
    assert not Proposal.objects.exists()


def test_two_copies_at_once_make_one_draft(org, monkeypatch):
    """The double click the server sees: the second copy arrives while the first is saving. It
    waits for the first one's answer and gets it."""
    original = services.proposal_create

    def slower(**kwargs):
        time.sleep(0.5)
        return original(**kwargs)

    monkeypatch.setattr(services, "proposal_create", slower)
    data = {**form_data(org.agency), "action": "save", FIELD: KEY}
    answers = []

    def send():
        answers.append(signed_in(org.cadre).post(CREATE, data))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    for thread in threads:
        thread.join()
    (draft,) = Proposal.objects.all()
    assert sorted(a.status_code for a in answers) == [302, 303]
    assert {a["Location"] for a in answers} == {f"/proposals/{draft.pk}/edit/"}


def test_old_keys_are_forgotten(org, settings):
    client = signed_in(org.cadre)
    client.post(CREATE, {**form_data(org.agency), "action": "save", FIELD: KEY})
    fresh = Submission.objects.get()
    old = Submission.objects.create(
        scope="anonymous",
        key="old",
        fingerprint="x",
        path="/",
        claimed_at=timezone.now() - timedelta(seconds=settings.KL14_SUBMISSION_TTL + 60),
    )
    assert tasks.purge_submissions() == 1
    assert list(Submission.objects.all()) == [fresh]
    assert not Submission.objects.filter(pk=old.pk).exists()


# --- the API --------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)  # the session: known to the middleware, before DRF
    return client


def test_a_delete_sent_again_answers_the_same_204_without_a_content_type(org):
    client = api(org.cadre)
    created = client.post(LIST, dossier(home_unit=org.agency.pk), format="json")
    url = f"{LIST}{created.json()['id']}/"
    first = client.delete(url, headers={"Idempotency-Key": KEY})
    again = client.delete(url, headers={"Idempotency-Key": KEY})
    assert first.status_code == again.status_code == 204
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Content-Type") and not again.has_header("Content-Type")
    assert not Proposal.objects.exists()


def test_a_create_sent_again_with_its_key_answers_the_same_and_makes_one(org):
    client = api(org.cadre)
    body = dossier(home_unit=org.agency.pk)
    first = client.post(LIST, body, format="json", headers={"Idempotency-Key": KEY})
    assert first.status_code == 201, first.content
    again = client.post(LIST, body, format="json", headers={"Idempotency-Key": KEY})
    assert again.status_code == 201
    assert again.content == first.content and again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Proposal.objects.count() == 1


def test_the_same_json_written_otherwise_is_the_same_write(org):
    """Keys in another order, other spacing, a letter escaped: the same object, so the same write
    (a client's JSON library may order keys differently on its retry)."""
    client = api(org.cadre)
    body = dossier(home_unit=org.agency.pk, title="Số hóa hồ sơ")
    first = client.post(
        LIST, json.dumps(body), content_type="application/json", headers={"Idempotency-Key": KEY}
    )
    assert first.status_code == 201, first.content
    retry = json.dumps(dict(reversed(list(body.items()))), indent=2, ensure_ascii=True)
    again = client.post(
        LIST, retry, content_type="application/json", headers={"Idempotency-Key": KEY}
    )
    assert again.status_code == 201, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert Proposal.objects.count() == 1


def test_a_key_reused_for_another_write_is_422(org):
    client = api(org.cadre)
    client.post(
        LIST, dossier(home_unit=org.agency.pk), format="json", headers={"Idempotency-Key": KEY}
    )
    response = client.post(
        LIST,
        dossier(home_unit=org.agency.pk, title="Khác"),
        format="json",
        headers={"Idempotency-Key": KEY},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Proposal.objects.count() == 1


def test_api_keys_are_each_persons_own(org):
    """Two people's tokens sending the same key: two writes, neither gets the other's answer. The
    same person through a session: their own answer again (keys are a person's, whichever way
    they sign in)."""
    body = dossier(home_unit=org.agency.pk)
    headers = {"Idempotency-Key": KEY}
    answers = []
    for user in (org.cadre, org.cadre2):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        answers.append(client.post(LIST, body, format="json", headers=headers))
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] != answers[1].json()["id"]
    again = api(org.cadre).post(LIST, body, format="json", headers=headers)
    assert again["Idempotent-Replayed"] == "true" and again.content == answers[0].content
    assert Proposal.objects.count() == 2


def test_an_api_write_refused_frees_its_key(org):
    client = api(org.cadre)
    bad = dossier(home_unit=org.commune.pk)  # not the cadre's unit
    assert (
        client.post(LIST, bad, format="json", headers={"Idempotency-Key": KEY}).status_code == 400
    )
    assert not Submission.objects.exists()


def test_an_overlong_key_is_422(org):
    response = api(org.cadre).post(
        LIST,
        dossier(home_unit=org.agency.pk),
        format="json",
        headers={"Idempotency-Key": "k" * 101},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not Proposal.objects.exists()


def test_the_api_sign_in_is_never_kept(org):
    """Its answer is a token: a secret, never stored in the clear (knox keeps only its digest),
    even for a client signed in already (who has keys of its own)."""
    client = api(org.cadre)
    response = client.post(
        "/api/v1/auth/token/",
        {"username": org.cadre.username, "password": "secret-pass-123", "client": "app"},
        format="json",
        headers={"Idempotency-Key": KEY},
    )
    assert response.status_code == 200, response.content
    assert not Submission.objects.exists()
    other = client.post(
        LIST, dossier(home_unit=org.agency.pk), format="json", headers={"Idempotency-Key": KEY}
    )
    assert other.status_code == 201 and Submission.objects.count() == 1


def test_the_sender_is_who_the_api_says_the_token_before_the_session(org):
    """A session of one person and a token of another: DRF acts as the token's. The key is the
    token owner's, so the session's person never gets that answer."""
    body = dossier(home_unit=org.agency.pk)
    both = api(org.cadre)
    both.credentials(HTTP_AUTHORIZATION=f"Token {api_token(org.cadre2)}")
    first = both.post(LIST, body, format="json", headers={"Idempotency-Key": KEY})
    assert first.status_code == 201
    assert Submission.objects.get().scope == f"user:{org.cadre2.pk}"
    mine = api(org.cadre).post(LIST, body, format="json", headers={"Idempotency-Key": KEY})
    assert mine.status_code == 201 and "Idempotent-Replayed" not in mine
    assert mine.json()["id"] != first.json()["id"]


def test_a_revoked_token_gets_no_answer_again(org):
    from accounts.models import ApiToken
    from accounts.services import token_revoke

    token = api_token(org.cadre)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = dossier(home_unit=org.agency.pk)
    headers = {"Idempotency-Key": KEY}
    assert client.post(LIST, body, format="json", headers=headers).status_code == 201
    key = ApiToken.objects.get(user=org.cadre).token_key
    assert token_revoke(user=org.cadre, token_key=key) == 1
    assert client.post(LIST, body, format="json", headers=headers).status_code == 401
    assert Proposal.objects.count() == 1


def test_an_empty_key_is_422(org):
    response = api(org.cadre).post(
        LIST, dossier(home_unit=org.agency.pk), format="json", headers={"Idempotency-Key": " "}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not Proposal.objects.exists()


def test_over_a_real_server_a_retried_create_is_made_once(org, live_server):
    """Over HTTP, with a token, as a program retrying after its connection dropped."""
    token = api_token(org.cadre)
    body = dossier(home_unit=org.agency.pk)
    sent = [
        http.request(
            live_server.url, "POST", LIST, body, token=token, headers={"Idempotency-Key": KEY}
        )
        for _ in range(2)
    ]
    (first_status, first, first_headers), (again_status, again, again_headers) = sent
    assert first_status == again_status == 201
    assert again == first and first["id"] == Proposal.objects.get().pk
    assert again_headers["Idempotent-Replayed"] == "true"
    assert first_headers["Idempotent-Replayed"] is None
