"""The lessons library: who reads it, and the search that ignores Vietnamese diacritics
(PostgreSQL's unaccent, and the folded column on SQLite)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reviews import services
from reviews.selectors import lessons_published, search_lessons
from reviews.text import fold, search_phrases
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.reviews import decided, succeeded
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.django_db


def test_fold():
    assert fold("Thủ tục HÀNH CHÍNH, Đà Nẵng!") == "thu tuc hanh chinh da nang"
    assert fold("  Nghị   quyết\n số 14-KL/TW ") == "nghi quyet so 14 kl tw"
    assert fold("ĐỔI MỚI sáng tạo; đột phá") == "doi moi sang tao dot pha"
    assert fold("") == ""


def test_search_phrases():
    assert search_phrases(' "thủ tục hành chính" , đất đai; ') == ["thủ tục hành chính", "đất đai"]
    assert search_phrases("thu tuc, Thủ tục") == ["thu tuc"]
    assert search_phrases(" , ; ") == []
    assert len(search_phrases(",".join(f"w{i}" for i in range(30)))) == 5


@pytest.fixture
def library(org):
    """Three published lessons and one evaluated proposal that is not published."""
    topics = {
        "admin": ("Một cửa liên thông thủ tục hành chính cấp xã", "Đơn giản hóa thủ tục."),
        "land": ("Số hóa hồ sơ đất đai", "Cần chuẩn hóa dữ liệu địa chính trước."),
        "health": ("Đặt lịch khám bệnh trực tuyến", "Người cao tuổi cần được hướng dẫn."),
        "hidden": ("Thủ tục hành chính không công bố", "Bài học nội bộ."),
    }
    made = {}
    for key, (title, lessons) in topics.items():
        p = ProposalFactory(
            home_unit=org.agency,
            created_by=org.cadre,
            title=title,
            summary=f"Tóm tắt: {title}.",
            bottleneck="Quy trình cũ kéo dài, nhiều khâu trung gian.",
        )
        p = (
            decided(p, head=org.head, party=org.party)
            if key == "land"
            else succeeded(p, head=org.head, party=org.party)
        )
        if key != "hidden":
            services.lesson_publish(proposal=p, actor=org.head, lessons=lessons)
        made[key] = fresh(p)
    return made


QUERIES = [
    ("thu tuc hanh chinh", {"admin"}),
    ("THỦ TỤC hành chính", {"admin"}),
    ("thủ tuc", {"admin"}),
    ("dia chinh", {"land"}),  # in the lessons text
    ("đất đai", {"land"}),
    ("dat dai, so hoa", {"land"}),  # every phrase, any order
    ("so hoa dat dai", set()),  # a phrase is consecutive syllables
    ("thu tuc hanh chi", {"admin"}),  # the last syllable may be cut short
    ("tuc hanh", {"admin"}),
    ("uc hanh", set()),  # but a phrase starts at a syllable
    ("ha tang mang", {"admin", "land", "health"}),  # the evaluation's objective causes
    ("lam dung ke hoach", {"land"}),  # the responsibility decision's reasons
    ("nguoi cao tuoi", {"health"}),
    ("thu tuc tau vu tru", set()),
    ("đặt", {"health", "land"}),  # diacritics ignored: "đặt" also finds "đất"
    ("", {"admin", "land", "health"}),
]


def _found(library, queryset):
    by_pk = {p.pk: key for key, p in library.items()}
    return {by_pk[p.pk] for p in queryset}


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_sqlite_fallback_over_the_folded_column(library, query, expected):
    """The fallback path, on whatever database runs the tests."""
    queryset = search_lessons(lessons_published(), query, vendor="sqlite")
    assert _found(library, queryset) == expected


@pytest.mark.services
@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_postgresql_unaccent(postgres, library, query, expected):
    assert _found(library, lessons_published(query=query)) == expected


@pytest.mark.services
def test_postgresql_ranks_the_best_match_first(postgres, org, library):
    """The title matching twice ranks above a lesson matching once in its causes."""
    other = ProposalFactory(
        home_unit=org.agency, created_by=org.cadre, title="Hồ sơ đất đai và đất đai nông nghiệp"
    )
    other = succeeded(other, head=org.head, party=org.party)
    services.lesson_publish(proposal=other, actor=org.head, lessons="Đất đai: số hóa toàn bộ.")
    results = list(lessons_published(query="dat dai"))
    assert results[0] == other
    assert set(results) == {other, library["land"]}


def test_the_default_path_matches_the_database(library):
    expected = {"admin"}
    assert _found(library, lessons_published(query="thu tuc hanh chinh")) == expected
    assert connection.vendor in ("sqlite", "postgresql")


def test_filters(library):
    assert _found(library, lessons_published(outcome="damage")) == {"land"}
    assert _found(library, lessons_published(outcome="achieved")) == {"admin", "health"}
    assert _found(library, lessons_published(field="finance")) == set()


class TestVisibility:
    def test_a_published_lesson_is_readable_by_another_units_cadre(self, org, library):
        client = Client()
        client.force_login(org.commune_cadre)
        assert client.get(f"/lessons/{library['admin'].pk}/").status_code == 200
        assert client.get(f"/api/v1/lessons/{library['admin'].pk}/").status_code == 200
        page = client.get("/lessons/").content.decode()
        assert library["admin"].title in page
        assert library["hidden"].title not in page

    def test_an_unpublished_one_is_not_found(self, org, library):
        client = Client()
        client.force_login(org.commune_cadre)
        assert client.get(f"/lessons/{library['hidden'].pk}/").status_code == 404
        assert client.get(f"/api/v1/lessons/{library['hidden'].pk}/").status_code == 404
        assert client.get(f"/reviews/{library['hidden'].pk}/").status_code == 404
        # A published one opens its review page and the proposal too: it is visible to all.
        assert client.get(f"/reviews/{library['admin'].pk}/").status_code == 200

    def test_unpublishing_hides_it_again(self, org, library):
        services.lesson_unpublish(proposal=library["admin"], actor=org.head)
        client = Client()
        client.force_login(org.commune_cadre)
        assert client.get(f"/lessons/{library['admin'].pk}/").status_code == 404

    def test_the_api_lists_and_searches(self, org, library):
        client = Client()
        client.force_login(org.commune_cadre)
        body = client.get("/api/v1/lessons/", {"q": "thu tuc hanh chinh"}).json()
        assert body["count"] == 1
        lesson = body["results"][0]
        assert lesson["title"] == library["admin"].title
        assert lesson["lessons"] == "Đơn giản hóa thủ tục."
        assert lesson["evaluation"]["outcome"] == "achieved"
        assert lesson["responsibility_decision"] is None
        land = client.get(f"/api/v1/lessons/{library['land'].pk}/").json()
        assert land["responsibility_decision"]["decision"] == "reduced"
        assert land["responsibility_decision"]["protected"] is True
        assert client.get("/api/v1/lessons/", {"outcome": "excellent"}).status_code == 400

    def test_anonymous_gets_401_or_the_login_page(self, library):
        client = Client()
        assert client.get("/api/v1/lessons/").status_code == 401
        assert client.get("/lessons/").status_code == 302


def _publish_many(org, n):
    for i in range(n):
        p = ProposalFactory(home_unit=org.agency, created_by=org.cadre, title=f"Bài học số {i}")
        p = (
            decided(p, head=org.head, party=org.party)
            if i % 2
            else succeeded(p, head=org.head, party=org.party)
        )
        services.lesson_publish(proposal=p, actor=org.head, lessons=f"Thủ tục hành chính {i}")


@pytest.mark.parametrize("url", ["/lessons/", "/lessons/?q=thu+tuc", "/api/v1/lessons/?q=thu"])
def test_the_library_runs_a_fixed_number_of_queries(org, url):
    reader = grant(org.commune, Role.CADRE)
    client = Client()
    client.force_login(reader)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _publish_many(org, 2)
    few = count()
    _publish_many(org, 6)
    assert count() == few
