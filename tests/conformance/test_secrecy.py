"""lifecycle.md, Amendments: "Votes are secret while open" and "Published lessons". Checked for
every person of the tree (and a signed-in outsider) through the proposal page and the API (votes,
ledger, lessons), against the oracle: who votes (head and deputies of the deciding unit who are
not authors) sees who voted what; anyone else who sees the proposal sees that voting is under way,
then the tally; a published lesson is read by everyone signed in, the rest of the proposal only by
those who saw it before."""

import pytest
from django.test import Client

from proposals import services as proposals
from reviews import services as reviews
from reviews.models import ResponsibilityDecision
from tests.factories.proposals import committee_reference
from tests.factories.units import UserFactory

from .life import S, cadre_draft, drive, spec_visible

pytestmark = pytest.mark.django_db

CHOICES = {"head": "for", "deputy1": "against", "deputy2": "abstain"}


def people(org):
    users = {name: getattr(org, name) for name in org.people}
    users["outsider"] = UserFactory(username="outsider")
    return users


def spec_sees_votes(org, name) -> bool:
    """The collective of a cadre's proposal of the agency: its head and deputies."""
    return name in {"head", "deputy1", "deputy2"}


@pytest.fixture
def voting(org):
    proposal = drive(org, cadre_draft(org), S.UNDER_REVIEW)
    for name, choice in CHOICES.items():
        proposals.vote_cast(proposal=proposal, actor=getattr(org, name), choice=choice)
    return proposal


def _page(client, proposal):
    response = client.get(f"/proposals/{proposal.pk}/")
    return response.status_code, response.content.decode()


def test_while_open_only_the_collective_sees_who_voted_what(org, voting):
    client = Client()
    names = {getattr(org, n).get_full_name() for n in CHOICES}
    diff = []
    for uname, user in people(org).items():
        if not spec_visible(user, voting):
            continue
        client.force_login(user)
        sees = spec_sees_votes(org, uname)
        status, page = _page(client, voting)
        votes = client.get(f"/api/v1/proposals/{voting.pk}/votes/").json()
        ledger = client.get(f"/api/v1/proposals/{voting.pk}/ledger/", {"page_size": 100}).json()
        events = [row["event"] for row in ledger["results"]]
        got = {
            "names in the vote table": 'caption class="visually-hidden">' in page
            and all(n in page for n in names),
            "under way": "voting-under-way" in page,
            "api names": len(votes["votes"]) == 3,
            "api counts": votes["for"] is not None,
            "api secret": votes["secret"],
            "ledger votes": "vote" in events,
        }
        expected = {
            "names in the vote table": sees,
            "under way": not sees,
            "api names": sees,
            "api counts": sees,
            "api secret": not sees,
            "ledger votes": sees,
        }
        if status != 200 or got != expected:
            diff.append((uname, status, got))
    assert diff == []


def test_after_the_decision_others_see_the_tally_never_names(org, voting):
    proposals.opinion_record(
        proposal=voting,
        actor=org.party,
        stage="decision",
        stance="agree",
        text="Đồng ý.",
        **committee_reference(),
    )
    proposals.proposal_return_for_revision(proposal=voting, actor=org.head, comment="Bổ sung.")
    client = Client()
    client.force_login(org.cadre)  # the author
    status, page = _page(client, voting)
    assert status == 200
    assert "voting-under-way" not in page
    assert org.deputy1.get_full_name() not in page
    votes = client.get(f"/api/v1/proposals/{voting.pk}/votes/").json()
    assert (votes["for"], votes["against"], votes["abstain"], votes["secret"]) == (1, 1, 1, True)
    assert votes["votes"] == []
    ledger = client.get(f"/api/v1/proposals/{voting.pk}/ledger/", {"page_size": 100}).json()
    assert "vote" not in {row["event"] for row in ledger["results"]}
    assert client.get(f"/api/v1/proposals/{voting.pk}/ledger/verify/").json()["valid"] is True


def test_the_transition_page_shows_the_open_vote_to_the_collective_only(org, voting):
    client = Client()
    client.force_login(org.cadre)
    page = client.get(f"/proposals/{voting.pk}/actions/withdraw/").content.decode()
    assert "1 tán thành" not in page
    client.force_login(org.head)
    page = client.get(f"/proposals/{voting.pk}/actions/return_for_revision/").content.decode()
    assert "1 tán thành, 1 không tán thành, 1 không biểu quyết" in page


@pytest.fixture
def lesson(org):
    proposal = drive(org, cadre_draft(org), S.REDUCED)
    reviews.lesson_publish(proposal=proposal, actor=org.head, lessons="Bài học: làm từng bước.")
    return proposal


def test_a_published_lesson_is_read_by_everyone_and_the_rest_stays(org, lesson):
    decision = ResponsibilityDecision.objects.get(proposal=lesson)
    client = Client()
    diff = []
    for uname, user in people(org).items():
        client.force_login(user)
        full = spec_visible(user, lesson)
        page = client.get(f"/lessons/{lesson.pk}/")
        api = client.get(f"/api/v1/lessons/{lesson.pk}/")
        text = page.content.decode()
        got = {
            "lesson page": page.status_code,
            "lesson api": api.status_code,
            "lessons learned": "Bài học: làm từng bước." in text,
            "reasons on the page": decision.reasons in text,
            "dossier in the api": api.json().get("dossier") is not None,
            "proposal": client.get(f"/proposals/{lesson.pk}/").status_code,
            "review": client.get(f"/reviews/{lesson.pk}/").status_code,
            "ledger": client.get(f"/api/v1/proposals/{lesson.pk}/ledger/").status_code,
            "votes": client.get(f"/api/v1/proposals/{lesson.pk}/votes/").status_code,
            "opinions": client.get(f"/api/v1/proposals/{lesson.pk}/opinions/").status_code,
            "dossier": client.post(
                "/exports/new/", {"kind": "dossier", "proposal": lesson.pk}
            ).status_code,
        }
        expected = {
            "lesson page": 200,
            "lesson api": 200,
            "lessons learned": True,
            "reasons on the page": full,
            "dossier in the api": full,
            "proposal": 200 if full else 404,
            "review": 200 if full else 404,
            "ledger": 200 if full else 404,
            "votes": 200 if full else 404,
            "opinions": 200 if full else 404,
            "dossier": 302 if full else 404,  # to the export job's page
        }
        if got != expected:
            diff.append((uname, {k: v for k, v in got.items() if v != expected[k]}))
    assert diff == []


def test_the_library_never_lists_damages_or_decisions(org, lesson):
    client = Client()
    client.force_login(UserFactory(username="reader"))
    row = client.get("/api/v1/lessons/").json()["results"][0]
    assert set(row) == {
        "id",
        "code",
        "title",
        "summary",
        "bottleneck",
        "content",
        "field",
        "field_label",
        "home_unit",
        "published_at",
        "lessons",
        "evaluation",
    }
    assert "damage_amount" not in str(row) and "reasons" not in str(row)
