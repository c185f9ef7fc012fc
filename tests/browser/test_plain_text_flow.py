"""Text made plain where people type it (kl14.text, kl14.middleware.PlainTextMiddleware), in a
real browser: a head pastes into "Nội dung cần chỉnh sửa" what Word and chat apps bring along
unseen. A reason of zero-width spaces only looks filled in to the browser, so the form is sent; the
page then says the field is required and the proposal stays where it was. A reason carrying a
right-to-left override returns the proposal, and the ledger keeps the words as they are read."""

import re

import pytest
from playwright.sync_api import expect

from ledger.models import LedgerEntry
from proposals.models import State
from tests.factories.proposals import fresh

pytestmark = pytest.mark.browser

INVISIBLE = "\u200b\u200b\ufeff\u2060"
REASON = "Bổ sung số liệu quý III"


def test_invisible_characters_are_not_a_reason_and_never_reach_the_ledger(return_form):
    page, proposal = return_form
    reason = page.get_by_label("Nội dung cần chỉnh sửa")
    send = page.get_by_role("button", name=re.compile("Trả lại để chỉnh sửa"))

    reason.fill(INVISIBLE)
    send.click()
    expect(page.get_by_role("alert").filter(has_text="Mục này là bắt buộc.")).to_be_visible()
    expect(reason).to_have_attribute("aria-invalid", "true")
    assert fresh(proposal).state == State.SUBMITTED
    assert not LedgerEntry.objects.filter(proposal=proposal, event="return_for_revision").exists()

    reason.fill("\u202e" + REASON + "\u200b")
    send.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(proposal.title)
    assert fresh(proposal).state == State.RETURNED
    entry = LedgerEntry.objects.get(proposal=proposal, event="return_for_revision")
    assert entry.payload["comment"] == REASON
    expect(page.locator("main").get_by_text(REASON).first).to_be_visible()
