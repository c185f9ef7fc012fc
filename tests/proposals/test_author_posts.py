"""Issue 11, point 7: who is protected, and what is claimed. Each author's post (leadership or
management, or not) is recorded with the proposal (form, API, page, frozen version, dossier);
the page promises consideration "if they qualify", protection for leadership posts and
encouragement for the others. A proposal on a matter already regulated, whose rule still fits, is
flagged to the deciders."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from proposals import services
from proposals.models import AuthorPost, ProposalAuthor, RegulationStatus, State
from proposals.transitions import get as transition
from tests.factories.proposals import PLAN, ProposalFactory, fresh, submitted, under_review

pytestmark = pytest.mark.django_db

LEAD, STAFF = AuthorPost.LEADERSHIP, AuthorPost.STAFF


def posts(proposal) -> dict:
    return {
        a.user.username: a.post
        for a in ProposalAuthor.objects.filter(proposal=proposal).select_related("user")
    }


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestService:
    def test_default_posts_follow_the_roles_of_the_home_unit(self, org):
        proposal = services.proposal_create(
            actor=org.cadre, home_unit=org.agency, title="Một cửa", co_authors=[org.deputy1]
        )
        assert posts(proposal) == {"cadre": STAFF, "deputy1": LEAD}

    def test_authors_posts_are_recorded_on_create_and_update(self, org):
        proposal = services.proposal_create(
            actor=org.cadre,
            home_unit=org.agency,
            title="Một cửa",
            co_authors=[org.cadre2],
            author_posts={org.cadre.pk: LEAD},
        )
        assert posts(proposal) == {"cadre": LEAD, "cadre2": STAFF}
        services.proposal_update(
            proposal=fresh(proposal), actor=org.cadre2, author_posts={org.cadre2.pk: LEAD}
        )
        assert posts(proposal) == {"cadre": LEAD, "cadre2": LEAD}

    @pytest.mark.parametrize("bad", ["manager", ""])
    def test_bad_post_or_non_author_is_400_and_nothing_changes(self, org, draft, bad):
        before = posts(draft)
        for author_posts in ({org.cadre.pk: bad}, {org.cadre2.pk: LEAD}):
            with pytest.raises(Invalid) as error:
                services.proposal_update(
                    proposal=fresh(draft), actor=org.cadre, title="Mới", author_posts=author_posts
                )
            assert list(error.value.errors) == ["author_posts"]
        assert posts(draft) == before
        assert fresh(draft).title != "Mới"  # nothing half-written

    def test_create_with_a_bad_post_writes_no_draft(self, org):
        with pytest.raises(Invalid):
            services.proposal_create(
                actor=org.cadre,
                home_unit=org.agency,
                title="Một cửa",
                author_posts={org.cadre.pk: "boss"},
            )
        assert not ProposalAuthor.objects.exists()

    def test_403_409_404(self, org, draft):
        proposal = submitted(draft, org.cadre)
        with pytest.raises(Forbidden):  # the head sees it but is no author
            services.proposal_update(
                proposal=fresh(proposal), actor=org.head, author_posts={org.cadre.pk: LEAD}
            )
        with pytest.raises(Conflict):  # submitted: the dossier is frozen
            services.proposal_update(
                proposal=fresh(proposal), actor=org.cadre, author_posts={org.cadre.pk: LEAD}
            )
        with pytest.raises(NotFound):
            services.proposal_update(
                proposal=fresh(proposal),
                actor=org.commune_head,
                author_posts={org.cadre.pk: LEAD},
            )
        assert posts(proposal) == {"cadre": ""}  # the factory's authorship: not declared

    def test_the_frozen_version_keeps_the_posts(self, org):
        proposal = services.proposal_create(
            actor=org.cadre,
            home_unit=org.agency,
            title="Một cửa",
            author_posts={org.cadre.pk: LEAD},
            **PLAN,
        )
        proposal = submitted(proposal, org.cadre)
        assert proposal.versions.get().content["authors"][0]["post"] == LEAD


class TestApi:
    def test_create_read_and_patch_posts(self, org):
        body = {
            "title": "Một cửa",
            "home_unit": org.agency.pk,
            "co_authors": [org.cadre2.pk],
            "author_posts": [{"user": org.cadre2.pk, "post": "leadership"}],
        }
        response = api(org.cadre).post("/api/v1/proposals/", body, format="json")
        assert response.status_code == 201, response.content
        authors = {a["username"]: a for a in response.json()["authors"]}
        assert (authors["cadre2"]["post"], authors["cadre"]["post"]) == ("leadership", "staff")
        assert authors["cadre2"]["post_label"] == "Giữ chức vụ lãnh đạo, quản lý"
        url = response.json()["url"]
        response = api(org.cadre).patch(
            url, {"author_posts": [{"user": org.cadre.pk, "post": "chief"}]}, format="json"
        )
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["author_posts.0.post"]
        response = api(org.cadre).patch(
            url, {"author_posts": [{"user": org.head.pk, "post": "leadership"}]}, format="json"
        )
        assert response.status_code == 400 and "author_posts" in response.json()["errors"]
        response = api(org.cadre).patch(
            url, {"author_posts": [{"user": org.cadre.pk, "post": "leadership"}]}, format="json"
        )
        assert response.status_code == 200
        assert {a["post"] for a in response.json()["authors"]} == {"leadership"}

    def test_regulated_and_fit_is_accepted_and_flagged(self, org, draft):
        url = f"/api/v1/proposals/{draft.pk}/"
        response = api(org.cadre).patch(
            url, {"regulation_status": "regulated_and_fit"}, format="json"
        )
        assert response.status_code == 200
        assert fresh(draft).regulation_status == RegulationStatus.REGULATED_AND_FIT


class TestPages:
    def test_form_records_posts_and_page_promises_only_if_they_qualify(self, client, org, draft):
        client.force_login(org.cadre)
        edit = reverse("proposals:edit", args=[draft.pk])
        page = client.get(edit).content.decode()
        assert 'name="leadership_authors"' in page
        data = {"title": draft.title, "field": draft.field, "co_authors": [org.cadre2.pk]}
        data |= {"leadership_authors": [org.head.pk], "action": "save"}
        response = client.post(edit, data)
        assert response.status_code == 400  # the head is not an author
        assert posts(draft) == {"cadre": ""}
        data["leadership_authors"] = [org.cadre.pk]
        response = client.post(edit, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert posts(draft) == {"cadre": LEAD, "cadre2": STAFF}
        page = client.get(draft.get_absolute_url()).content.decode()
        assert "được xem xét bảo vệ theo Kết luận 14-KL/TW" in page
        assert "được xem xét khuyến khích theo Kết luận 14-KL/TW" in page
        assert "nếu đủ điều kiện" in page
        assert "được pháp luật bảo vệ" not in page

    def test_already_regulated_is_flagged_to_the_deciders(self, client, org):
        proposal = ProposalFactory(
            home_unit=org.agency,
            created_by=org.cadre,
            regulation_status=RegulationStatus.REGULATED_AND_FIT,
        )
        proposal = under_review(proposal, org.cadre, org.head)
        client.force_login(org.head)
        page = client.get(proposal.get_absolute_url()).content.decode()
        assert 'data-testid="regulation-flag"' in page
        inbox = client.get(reverse("proposals:inbox")).content.decode()
        assert "Đã có quy định</span>" in inbox
        assert "điểm a khoản 1 Điều 5" in page
        preview = transition("approve").consequences(proposal)
        assert any("điểm a khoản 1 Điều 5" in line for line in preview)
        assert fresh(proposal).state == State.UNDER_REVIEW

    def test_dossier_prints_each_authors_post(self, org, draft):
        from reviews import services as reviews
        from reviews.dossier import dossier_pdf
        from tests.reviews.test_dossier import text_of

        services.proposal_update(
            proposal=fresh(draft), actor=org.cadre, author_posts={org.cadre.pk: LEAD}
        )
        proposal = submitted(draft, org.cadre)
        issued, verification = reviews.dossier_issue(proposal=fresh(proposal), actor=org.cadre)
        pdf = dossier_pdf(fresh(proposal), issued, verification, language="vi")
        assert "Giữ chức vụ lãnh đạo, quản lý" in " ".join(text_of(pdf).split())


def test_an_edited_post_after_submission_breaks_verification(org, draft):
    from proposals.selectors import proposal_verify
    from tests.ledger.tamper import sql

    proposal = submitted(draft, org.cadre)
    assert proposal_verify(fresh(proposal)).valid
    sql(
        "UPDATE proposals_proposalauthor SET post = %s WHERE proposal_id = %s",
        ["leadership", proposal.pk],
    )
    assert not proposal_verify(fresh(proposal)).valid
