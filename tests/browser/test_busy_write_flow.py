"""A write the database keeps refusing (kl14.transient), in a real browser: the head returns a
proposal with a comment; the database refuses the save every time (the attempt and both retries),
so the page says in Vietnamese that nothing was saved and keeps what the head wrote; once the
database takes writes again, one click on "Gửi lại" saves it, the comment as it was typed."""

import re
from unittest import mock

import pytest
from playwright.sync_api import expect

from kl14.transient import RETRIES
from ledger.models import LedgerEntry
from proposals import services
from proposals.models import State
from tests.factories.proposals import fresh
from tests.reliability.refusals import Refuse

pytestmark = pytest.mark.browser

COMMENT = 'Bổ sung số liệu "quý III" <b>và</b> đánh giá tác động & chi phí'


def test_a_form_the_database_refused_is_kept_and_sent_again(return_form):
    page, proposal = return_form
    page.get_by_label("Nội dung cần chỉnh sửa").fill(COMMENT)

    refuse = Refuse(times=RETRIES + 1)
    with mock.patch.object(services, "ledger_append", refuse):
        page.get_by_role("button", name=re.compile("Trả lại để chỉnh sửa")).click()
        expect(page.get_by_role("alert")).to_contain_text("không có gì được lưu")
        expect(page.get_by_text("Nội dung đồng chí đã nhập vẫn được giữ")).to_be_visible()
        assert refuse.calls == 1 + RETRIES
        assert fresh(proposal).state == State.SUBMITTED
        # The database takes writes again: the same form, sent from the page.
        page.get_by_role("button", name="Gửi lại").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(proposal.title)
    assert refuse.calls == 2 + RETRIES
    proposal = fresh(proposal)
    assert proposal.state == State.RETURNED
    entry = LedgerEntry.objects.get(proposal=proposal, event="return_for_revision")
    assert entry.payload["comment"] == COMMENT
