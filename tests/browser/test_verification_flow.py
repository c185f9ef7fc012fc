"""Verification in a real browser: a vote changed in the database behind the application's back
is named, by its kind and its ledger entry, on the proposal's integrity check and on the dossier
verification page."""

import pytest
from playwright.sync_api import expect

from ledger.models import LedgerEntry
from proposals.models import Vote
from reviews import services as reviews
from tests.factories.pilots import approved
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.units import grant
from tests.ledger.tamper import sql
from units.models import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def changed_vote(tree):
    """An approved proposal whose dossier was issued, then the deputy's vote flipped by SQL.
    Answers (proposal, the dossier's code, the cadre, the seq of the deputy's vote entry)."""
    agency = tree["agency"]
    head = grant(agency, Role.HEAD, full_name="Trần Văn Hùng")
    deputy = grant(agency, Role.DEPUTY, full_name="Lê Văn Cường")
    party = grant(agency, Role.PARTY_COMMITTEE, full_name="Phạm Thị Lan")
    cadre = grant(agency, Role.CADRE, full_name="Nguyễn Thị Hương")
    proposal = approved(
        ProposalFactory(home_unit=agency, created_by=cadre, title="Một cửa số cấp sở"),
        author=cadre,
        head=head,
        party=party,
        voters=[deputy],
    )
    issue, _verification, _document = reviews.dossier_issue_pdf(
        proposal=fresh(proposal), actor=cadre
    )
    vote = Vote.objects.get(proposal=proposal, voter=deputy)
    sql("UPDATE proposals_vote SET choice = %s WHERE id = %s", ["against", vote.pk])
    entry = (
        LedgerEntry.objects.filter(proposal=proposal, event="vote", actor=deputy)
        .order_by("-seq")
        .first()
    )
    return proposal, issue.code, cadre, entry.seq


def test_a_changed_vote_is_named_by_its_kind_and_entry(login, changed_vote):
    proposal, code, cadre, seq = changed_vote
    problem = f"Bản ghi loại “Phiếu biểu quyết” không còn khớp với mục #{seq} của nhật ký."

    page = login(cadre.username)
    page.goto(f"/proposals/{proposal.pk}/")
    page.get_by_role("link", name="Kiểm tra tính toàn vẹn").click()
    alert = page.locator("#verify-result").get_by_role("alert")
    expect(alert).to_contain_text(f"mục #{seq}")
    expect(alert).to_contain_text(problem)

    page.goto("/dossiers/verify/")
    page.get_by_label("Mã xác minh").fill(code)
    page.get_by_role("button", name="Xác minh").click()
    result = page.locator('[data-status="broken"]')
    expect(result).to_be_visible()
    expect(result).to_contain_text(problem)
    expect(page.locator("[data-altered-record]")).to_have_text("Phiếu biểu quyết")
