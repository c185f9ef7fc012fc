"""Editing a review record behind the application's back breaks verification at its entry."""

import pytest

from ledger.models import LedgerEntry
from proposals.selectors import proposal_verify
from reviews.models import Evaluation, ResponsibilityDecision
from tests.factories.proposals import fresh
from tests.factories.reviews import decided
from tests.ledger.tamper import tampering

pytestmark = pytest.mark.django_db


def _entry(proposal, event):
    return LedgerEntry.objects.get(proposal=proposal, event=event)


def _sql(sql, params):
    with tampering() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("model", "column", "value", "event"),
    [
        # Two authors: the decision on the first is the in-state `responsibility_decision`.
        (ResponsibilityDecision, "decision", "liability_excluded", "responsibility_decision"),
        (ResponsibilityDecision, "pure_motive", False, "responsibility_decision"),
        (Evaluation, "outcome", "achieved", "evaluate"),
    ],
)
def test_an_edited_review_record_is_named(org, proposal, model, column, value, event):
    proposal = decided(proposal, head=org.head, party=org.party)
    assert proposal_verify(fresh(proposal)).valid
    _sql(
        f"UPDATE {model._meta.db_table} SET {column} = %s WHERE proposal_id = %s",  # noqa: S608
        [value, proposal.pk],
    )
    result = proposal_verify(fresh(proposal))
    assert not result.valid
    assert result.first_bad_seq == _entry(proposal, event).seq


def test_an_edited_state_is_named_at_the_last_entry(org, proposal):
    proposal = decided(proposal, head=org.head, party=org.party)
    _sql("UPDATE proposals_proposal SET state = %s WHERE id = %s", ["exempted", proposal.pk])
    result = proposal_verify(fresh(proposal))
    assert not result.valid
    assert result.first_bad_seq == LedgerEntry.objects.filter(proposal=proposal).count()


def test_the_verify_page_says_protection_is_denied_after_a_referral(org, proposal, client):
    from reviews import services
    from tests.factories.proposals import in_state

    proposal = in_state(proposal, "in_progress", mode="pilot")
    issue, _ = services.dossier_issue(proposal=proposal, actor=org.cadre)
    client.force_login(org.cadre)
    page = client.post("/dossiers/verify/", {"code": issue.code}).content.decode()
    assert 'data-protection="denied"' not in page
    services.proposal_refer_abuse(
        proposal=fresh(proposal), actor=org.head, grounds="Điều 6.", evidence="Vụ lợi."
    )
    page = client.post("/dossiers/verify/", {"code": issue.code}).content.decode()
    assert 'data-protection="withheld"' in page
    assert 'data-protection="denied"' not in page
    for author in (org.cadre, org.cadre2):
        services.abuse_explain(proposal=fresh(proposal), actor=author, text="Giải trình.")
    services.proposal_conclude_abuse(
        proposal=fresh(proposal),
        actor=org.inspector,
        finding="founded",
        conclusion="Có căn cứ kết luận vụ lợi.",
    )
    page = client.post("/dossiers/verify/", {"code": issue.code}).content.decode()
    assert 'data-protection="denied"' in page
    assert "Có căn cứ kết luận vụ lợi." in page
    assert "Không còn được bảo vệ" in page
