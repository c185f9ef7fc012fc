"""The review stage's rows cross-checked with the ledger (reviews/records.py) beyond the tamper
matrix (tests/ledger/test_tamper_matrix.py): the proposal a replication adopted, a founded abuse
finding's referral, and a responsibility decision that no entry recorded."""

import pytest
from django.utils import timezone

from proposals.selectors import proposal_verify
from reviews import services
from reviews.models import Adoption, Decision
from tests.factories.proposals import fresh, in_state
from tests.factories.reviews import in_review, replicated, succeeded
from tests.ledger.tamper import sql

pytestmark = pytest.mark.django_db


def reason(proposal):
    verification = proposal_verify(fresh(proposal))
    return None if verification.valid else verification.reason


def test_the_adopted_proposal_is_its_adopt_entry(org, proposal):
    source = succeeded(proposal, head=org.head, party=org.party)
    replicated(source, board=org.orgboard, target_units=[org.commune.pk])
    adopted = Adoption.objects.get().proposal
    assert reason(adopted) is None and reason(source) is None

    sql("UPDATE proposals_proposal SET origin_id = NULL WHERE id = %s", [adopted.pk])

    assert reason(adopted) == "record:adoption"


def test_a_founded_finding_is_its_referral(org, proposal):
    p = in_state(proposal, "in_progress", mode="pilot")
    services.proposal_refer_abuse(
        proposal=fresh(p), actor=org.inspector, evidence="Trục lợi.", grounds="Điều 6."
    )
    for author in (org.cadre, org.cadre2):
        services.abuse_explain(proposal=fresh(p), actor=author, text="Tôi làm đúng.")
    services.proposal_conclude_abuse(
        proposal=fresh(p), actor=org.inspector, finding="founded", conclusion="Có căn cứ."
    )
    assert reason(p) is None

    sql("UPDATE reviews_abusereferral SET from_state = %s", ["succeeded"])

    assert reason(p) == "record:abuse_cases"


def test_a_responsibility_decision_no_entry_recorded(org, proposal):
    p = in_review(proposal, head=org.head, party=org.party)
    assert reason(p) is None

    sql(
        "INSERT INTO reviews_responsibilitydecision (proposal_id, decision, "
        "followed_approved_plan, pure_motive, common_interest, no_personal_gain, damage, "
        "reasons, decided_by_id, created_at) VALUES (%s, %s, true, true, true, true, false, "
        "%s, %s, %s)",
        [p.pk, Decision.EXEMPTED, "Miễn trách nhiệm.", org.head.pk, timezone.now()],
    )

    assert reason(p) == "record:responsibility_decisions"
