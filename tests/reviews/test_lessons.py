"""The lessons library: who reads it, and the search that ignores Vietnamese diacritics
(PostgreSQL's full-text search over an unaccented tsvector, and the folded column on SQLite)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kl14.search import Term, fold, search_terms, tsquery
from reviews import services
from reviews.selectors import lesson_keys, lessons_published
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


def test_search_terms():
    assert search_terms(' "thủ tục hành chính" , đất; VNeID ') == [
        Term(("thu", "tuc", "hanh", "chinh")),
        Term(("dat",)),
        Term(("vneid",), prefix=True),
    ]
    assert search_terms("thu tuc Thủ") == [Term(("thu",)), Term(("tuc",), prefix=True)]
    assert search_terms("số 14-KL/TW") == [Term(("so",)), Term(("14", "kl", "tw"), prefix=True)]
    assert search_terms(' , ; "" ') == []
    assert len(search_terms(" ".join(f"w{i}" for i in range(30)))) == 8
    assert tsquery(search_terms('"đất đai" vneid tuy')) == (
        "('dat' <-> 'dai') & ('vneid') & ('tuy':*)"
    )
    assert Term(("dat", "dai")).needle() == " dat dai "
    assert Term(("tuy",), prefix=True).needle() == " tuy"


@pytest.fixture
def library(org):
    """Four published lessons and one evaluated proposal that is not published."""
    topics = {
        "admin": ("Một cửa liên thông thủ tục hành chính cấp xã", "Đơn giản hóa thủ tục."),
        "land": ("Số hóa hồ sơ đất đai", "Cần chuẩn hóa dữ liệu địa chính trước."),
        "health": ("Đặt lịch khám bệnh trực tuyến", "Người cao tuổi cần được hướng dẫn."),
        "vneid": ("Tuyển dụng công chức qua hồ sơ điện tử", "Xác thực thí sinh bằng VNeID."),
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


EVERY = {"admin", "land", "health", "vneid"}
QUERIES = [
    ("thu tuc hanh chinh", {"admin"}),
    ("THỦ TỤC hành chính", {"admin"}),
    ("thủ tuc", {"admin"}),
    ("dia chinh", {"land"}),  # in the lessons text
    ("vneid tuyen dung", {"vneid"}),  # every word, wherever it stands
    ("tuyển dụng VNeID", {"vneid"}),
    ("đất đai", {"land", "health"}),  # "đặt lịch … kéo dài": the words apart count too
    ('"đất đai"', {"land"}),  # a quoted phrase is consecutive syllables
    ('"so hoa dat dai"', set()),
    ("so hoa dat dai", {"land"}),
    ("dat dai, so hoa", {"land"}),
    ("thu tuc hanh chi", {"admin"}),  # the last syllable may be cut short
    ("chi thu tuc hanh", set()),  # but not the others
    ("tuc hanh", {"admin"}),
    ("uc hanh", set()),  # a word starts at a syllable
    ("ha tang mang", EVERY),  # the evaluation's objective causes
    ("lam dung ke hoach", set()),  # the responsibility decision is not searched: it is hidden
    ("nguoi cao tuoi", {"health"}),
    ("thu tuc tau vu tru", set()),
    ("đặt", {"health", "land"}),  # diacritics ignored: "đặt" also finds "đất"
    ("", EVERY),
    (' " ; ', EVERY),
]


def _found(library, keys):
    by_pk = {p.pk: key for key, p in library.items()}
    return {by_pk[pk] for pk in keys}


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_sqlite_fallback_over_the_folded_column(library, query, expected):
    """The fallback path, on whatever database runs the tests."""
    assert _found(library, lesson_keys(query=query, vendor="sqlite")) == expected


@pytest.mark.services
@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_postgresql_unaccent(postgres, library, query, expected):
    assert _found(library, lesson_keys(query=query)) == expected


@pytest.mark.services
def test_postgresql_ranks_the_best_match_first(postgres, org, library):
    """Terms standing together and often rank first: the title with the phrase twice, then the
    lesson with it once, then the one where the words stand apart."""
    other = ProposalFactory(
        home_unit=org.agency, created_by=org.cadre, title="Hồ sơ đất đai và đất đai nông nghiệp"
    )
    other = succeeded(other, head=org.head, party=org.party)
    services.lesson_publish(proposal=other, actor=org.head, lessons="Đất đai: số hóa toàn bộ.")
    results = list(lesson_keys(query="dat dai"))
    assert results == [other.pk, library["land"].pk, library["health"].pk]


@pytest.mark.services
def test_postgresql_ranks_the_query_as_typed_first(postgres, org, library):
    """The words in the order typed come before the same words the other way round, though that
    lesson is newer and holds them as often (cover density ranked those two alike)."""
    lessons = {}
    for key, title in (("typed", "Hồ sơ đất đai"), ("reversed", "Hồ sơ đai đất")):
        proposal = ProposalFactory(home_unit=org.agency, created_by=org.cadre, title=title)
        proposal = succeeded(proposal, head=org.head, party=org.party)
        services.lesson_publish(proposal=proposal, actor=org.head, lessons="Số hóa hồ sơ.")
        lessons[key] = proposal.pk
    results = list(lesson_keys(query="dat dai"))
    assert results.index(lessons["typed"]) < results.index(lessons["reversed"])
    # Words both hold as typed, as often: the newer first.
    results = list(lesson_keys(query="ho so"))
    assert results[:2] == [lessons["reversed"], lessons["typed"]]


def test_the_default_path_matches_the_database(library):
    expected = {"admin"}
    assert _found(library, lesson_keys(query="thu tuc hanh chinh")) == expected
    assert connection.vendor in ("sqlite", "postgresql")


def test_filters(library):
    assert _found(library, lesson_keys(outcome="damage")) == {"land"}
    assert _found(library, lesson_keys(outcome="achieved")) == {"admin", "health", "vneid"}
    assert _found(library, lesson_keys(field="finance")) == set()


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
        # A published one opens as a lesson only: its review page and the proposal stay with
        # those who could see it before (amendment "Published lessons").
        assert client.get(f"/lessons/{library['admin'].pk}/").status_code == 200
        assert client.get(f"/reviews/{library['admin'].pk}/").status_code == 404
        assert client.get(f"/proposals/{library['admin'].pk}/").status_code == 404

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
        assert "responsibility_decision" not in lesson and "dossier" not in lesson
        land = client.get(f"/api/v1/lessons/{library['land'].pk}/").json()
        assert land["dossier"] is None  # another unit's cadre: the lesson, not the decision
        client.force_login(org.head)
        land = client.get(f"/api/v1/lessons/{library['land'].pk}/").json()
        assert land["dossier"]["responsibility_decision"]["decision"] == "reduced"
        assert land["dossier"]["responsibility_decision"]["protected"] is True
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


@pytest.mark.parametrize("query", ["", "thu tuc", "bai hoc so"])
def test_the_pages_read_in_two_steps_hold_the_list_in_its_order(org, query):
    """The page is cut on the keys, then its rows are read: page after page gives the whole
    ranked (or newest-first) list, each row once, with what the page shows."""
    from reviews.selectors import lessons_in_order, lessons_of_page

    _publish_many(org, 7)
    everything = lessons_in_order(lessons_published(), list(lesson_keys(query=query)))
    assert len(everything) == 7
    seen = []
    for number in (1, 2, 3):
        page, rows = lessons_of_page(number, 3, query=query)
        assert page.number == number and page.paginator.count == 7
        seen += rows
    assert seen == everything
    assert all(row.lesson.lessons.startswith("Thủ tục hành chính") for row in seen)


@pytest.mark.parametrize("query", ["", "thu tuc", "bai hoc so"])
def test_the_api_pages_read_in_two_steps_hold_the_list_in_its_order(org, query, client):
    """The API's pages are cut on the keys as the library's are: page after page gives the whole
    ranked (or newest-first) list, each lesson once, with the count of all matches."""
    _publish_many(org, 7)
    from reviews.selectors import lessons_in_order

    everything = [
        p.code for p in lessons_in_order(lessons_published(), list(lesson_keys(query=query)))
    ]
    client.force_login(org.cadre)
    seen = []
    for number in (1, 2, 3):
        body = client.get("/api/v1/lessons/", {"q": query, "page": number, "page_size": 3}).json()
        assert body["count"] == 7
        seen += [row["code"] for row in body["results"]]
        assert all(row["lessons"].startswith("Thủ tục hành chính") for row in body["results"])
    assert seen == everything
    assert (
        client.get("/api/v1/lessons/", {"q": query, "page": 4, "page_size": 3}).status_code == 404
    )


# --- Lesson.published_at: the library's copy of the publication date (issue 12) ----------------


def test_a_lesson_keeps_its_proposals_publication_date(org):
    """lesson_publish and lesson_unpublish keep Lesson.published_at equal to the proposal's, in
    the same transaction: published, withdrawn, published again."""
    from reviews.models import Lesson

    _publish_many(org, 1)
    proposal = lessons_published().get()

    def both():
        lesson = Lesson.objects.get(proposal=proposal)
        return fresh(proposal).published_at, lesson.published_at

    published, copy = both()
    assert published is not None and copy == published
    services.lesson_unpublish(proposal=proposal, actor=org.head)
    assert both() == (None, None)
    assert list(lessons_published()) == []
    services.lesson_publish(proposal=fresh(proposal), actor=org.head, lessons="Bài học mới")
    again, copy = both()
    assert again is not None and again != published and copy == again


@pytest.mark.parametrize(
    ("query", "outcome", "field"),
    [
        ("", "", ""),
        ("thu tuc", "", ""),
        ("bai hoc so", "achieved", ""),
        ("", "achieved", ""),
        ("", "damage", ""),
        ("", "", "administrative_reform"),
        ("thu", "", "finance"),
        ("khong co", "", ""),
    ],
)
def test_the_keys_are_the_published_lessons_found(org, query, outcome, field):
    """lesson_keys, read on the lesson table, finds exactly the published lessons whose outcome,
    field and folded text match (checked here in Python, row by row), newest first without a
    search; a withdrawn lesson is not among them."""
    _publish_many(org, 6)
    withdrawn = lessons_published().first()
    services.lesson_unpublish(proposal=withdrawn, actor=org.head)
    terms = search_terms(query)

    def found(p) -> bool:
        return (
            (not outcome or p.evaluation.outcome == outcome)
            and (not field or p.field == field)
            and all(term.needle() in p.lesson.search_text for term in terms)
        )

    expected = [p.pk for p in lessons_published() if found(p)]
    keys = list(lesson_keys(query=query, outcome=outcome, field=field))
    if terms:  # ranked on PostgreSQL: the same lessons, best first
        assert sorted(keys) == sorted(expected)
    else:
        assert keys == expected
    assert withdrawn.pk not in keys
    assert (outcome, field, query) != ("", "", "") or len(keys) == 5


def test_the_migration_copies_each_proposals_publication_date(org):
    """reviews 0013 fills Lesson.published_at from the proposals, withdrawn ones as None."""
    import importlib

    from django.apps import apps

    from reviews.models import Lesson

    migration = importlib.import_module("reviews.migrations.0013_lesson_published_at")
    _publish_many(org, 3)
    withdrawn = lessons_published().first()
    services.lesson_unpublish(proposal=withdrawn, actor=org.head)
    expected = dict(Lesson.objects.values_list("proposal_id", "proposal__published_at"))
    Lesson.objects.update(published_at=None)
    migration.copy_published_at(apps, None)
    assert dict(Lesson.objects.values_list("proposal_id", "published_at")) == expected
    assert expected[withdrawn.pk] is None and sum(v is not None for v in expected.values()) == 2


def test_the_library_is_cut_on_the_lesson_table(postgres, org):
    """The keys of a search never join the proposals (their date is on the lesson); the library
    without a search is read newest first through the lesson_published index."""
    _publish_many(org, 3)
    with CaptureQueriesContext(postgres) as queries:
        assert len(lesson_keys(query="thu tuc")) == 3
    (search_sql,) = [q["sql"] for q in queries]
    assert "proposals_proposal" not in search_sql
    newest = lesson_keys()[:2]
    sql, params = newest.query.sql_with_params()
    with postgres.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "lesson_published" in plan, plan
    assert "Sort" not in plan, plan
