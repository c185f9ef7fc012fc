"""Issue 12: the rows of the proposal lists (my proposals, the head's inbox, the voting and the
Party committee's queues) are rendered once per content (kl14.fragments). What a person sees
never lags behind: a vote cast, an opinion recorded, a step taken, a due date passed, an author
renamed, a title rewritten in SQL, the other language."""

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import caches
from django.template.backends.django import Template
from django.test import Client
from django.urls import reverse

from kl14.fragments import ALIAS
from proposals import services
from proposals.models import Proposal
from tests.factories.proposals import ProposalFactory, committee_reference, fresh, under_review
from tests.ledger.tamper import sql

pytestmark = pytest.mark.django_db

ROW = "proposals/_table_row.html"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def rows(client, name) -> str:
    page = client.get(reverse(name)).content.decode()
    start = page.index('<tbody role="rowgroup">')
    return page[start : page.index("</tbody>", start)]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reviewed(org):
    """Two proposals of the agency under review, in the head's inbox and the collective's queue."""
    return [
        under_review(
            ProposalFactory(home_unit=org.agency, created_by=org.cadre, title=title),
            org.cadre,
            org.head,
        )
        for title in ("Một cửa điện tử cấp xã", "Số hóa hồ sơ đảng viên")
    ]


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("cadre", "proposals:mine"),
        ("head", "proposals:inbox"),
        ("deputy1", "proposals:votes"),
        ("party", "proposals:opinions"),
    ],
)
def test_kept_rows_render_as_fresh_ones(org, reviewed, who, name):
    client = signed_in(getattr(org, who))
    cold = rows(client, name)
    assert cold.count('<tr role="row">') == 2
    assert "Một cửa điện tử cấp xã" in cold and "Số hóa hồ sơ đảng viên" in cold
    with mock.patch.object(Template, "render", autospec=True, side_effect=Template.render) as spy:
        assert rows(client, name) == cold  # from the kept fragments
    assert ROW not in [call.args[0].template.name for call in spy.call_args_list]
    caches[ALIAS].clear()
    assert rows(client, name) == cold


def test_a_vote_cast_shows_in_the_inbox_and_the_voters_queue(org, reviewed):
    head, deputy = signed_in(org.head), signed_in(org.deputy1)
    assert rows(deputy, "proposals:votes").count("Chưa biểu quyết") == 2
    before = rows(head, "proposals:inbox")
    services.vote_cast(proposal=fresh(reviewed[0]), actor=org.deputy1, choice="for")
    assert rows(deputy, "proposals:votes").count("Chưa biểu quyết") == 1
    assert rows(head, "proposals:inbox") != before
    assert '<td role="cell" data-label="Số phiếu đã biểu quyết">1</td>' in rows(
        head, "proposals:inbox"
    )


def test_an_opinion_recorded_shows_in_the_inbox(org, reviewed):
    head = signed_in(org.head)
    assert rows(head, "proposals:inbox").count("Đã có") == 0
    services.opinion_record(
        proposal=fresh(reviewed[1]),
        actor=org.party,
        stage="decision",
        stance="agree",
        text="Đồng ý.",
        **committee_reference(),
    )
    assert rows(head, "proposals:inbox").count("Đã có") == 1
    assert rows(signed_in(org.party), "proposals:opinions").count("Đồng ý") == 1


def test_a_step_taken_shows_in_the_authors_list(org, reviewed):
    cadre = signed_in(org.cadre)
    assert rows(cadre, "proposals:mine").count("Đang xem xét") == 2
    services.proposal_return_for_revision(
        proposal=fresh(reviewed[0]), actor=org.head, comment="Bổ sung."
    )
    shown = rows(cadre, "proposals:mine")
    assert shown.count("Đang xem xét") == 1 and "Trả lại để chỉnh sửa" in shown


def test_a_due_date_passed_is_flagged_the_next_day(org, reviewed, time_machine):
    """Due today: not yet overdue; the next morning (a few hours later, well within the kept
    fragments' lifetime) the same row is flagged."""
    time_machine.move_to(datetime.datetime(2026, 12, 3, 10, 0, tzinfo=HANOI))
    Proposal.objects.filter(pk=reviewed[0].pk).update(decision_due=datetime.date(2026, 12, 3))
    head = signed_in(org.head)
    assert "Quá hạn" not in rows(head, "proposals:inbox")
    time_machine.move_to(datetime.datetime(2026, 12, 4, 8, 0, tzinfo=HANOI))
    assert rows(head, "proposals:inbox").count("Quá hạn") == 1


def test_a_review_opened_shows_in_the_authors_list(org):
    """Only the state changes (the due date and the rest stay): the row says so."""
    proposal = ProposalFactory(home_unit=org.agency, created_by=org.cadre, title="Sổ tay số")
    services.proposal_submit(proposal=fresh(proposal), actor=org.cadre)
    cadre = signed_in(org.cadre)
    before = rows(cadre, "proposals:mine")
    assert "Đã trình" in before and "Đang xem xét" not in before
    services.proposal_open_review(proposal=fresh(proposal), actor=org.head)
    after = rows(cadre, "proposals:mine")
    assert "Đang xem xét" in after and "Đã trình" not in after


def test_an_author_renamed_shows_with_the_new_name(org, reviewed):
    head = signed_in(org.head)
    assert org.cadre.get_full_name() in rows(head, "proposals:inbox")
    org.cadre.full_name = "Lê Thị Đổi Tên"
    org.cadre.save(update_fields=["full_name"])
    assert rows(head, "proposals:inbox").count("Lê Thị Đổi Tên") == 2


def test_a_title_rewritten_in_the_database_shows_as_it_now_is(org, reviewed):
    cadre = signed_in(org.cadre)
    assert "Một cửa điện tử cấp xã" in rows(cadre, "proposals:mine")
    sql(
        "UPDATE proposals_proposal SET title = %s WHERE id = %s",
        ["<script>alert(1)</script>", reviewed[0].pk],
    )
    shown = rows(cadre, "proposals:mine")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>" not in shown
    assert "Một cửa điện tử cấp xã" not in shown


def test_the_other_language_gets_its_own_rows(org, reviewed):
    cadre = signed_in(org.cadre)
    assert 'data-label="Mã"' in rows(cadre, "proposals:mine")
    cadre.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # what the language switch sets
    english = rows(cadre, "proposals:mine")
    assert 'data-label="Code"' in english and "Under review" in english


def test_one_proposal_in_two_lists_gets_the_row_of_each(org, reviewed):
    """The same proposal in the inbox and in the voting queue: each list's own columns."""
    head = signed_in(org.head)
    inbox, votes = rows(head, "proposals:inbox"), rows(head, "proposals:votes")
    assert (
        'data-label="Số phiếu đã biểu quyết"' in inbox
        and 'data-label="Số phiếu đã biểu quyết"' not in votes
    )
    assert (
        'data-label="Biểu quyết của bạn"' in votes
        and 'data-label="Biểu quyết của bạn"' not in inbox
    )
