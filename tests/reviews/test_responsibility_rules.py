"""lifecycle.md, `decide_responsibility`, as a table: every combination of the four criteria and
damage, with every decision. All four true and no damage: only liability_excluded. All four true
with damage: liability_excluded, exempted or reduced. Any false: only held_responsible. Anything
else is refused with 400 and writes nothing."""

import itertools

import pytest
from django.test import Client

from kl14.errors import Invalid
from ledger.models import LedgerEntry
from proposals.models import State
from reviews import services
from reviews.models import Decision, ResponsibilityDecision
from reviews.rules import allowed_decisions
from tests.factories.proposals import ProposalFactory, fresh, in_state

pytestmark = pytest.mark.django_db

CRITERIA = ("followed_approved_plan", "pure_motive", "common_interest", "no_personal_gain")
ALL_MET = dict.fromkeys(CRITERIA, True)

# (criteria values, damage) -> the decisions lifecycle.md allows, written out by hand.
EXPECTED = {}
for values in itertools.product([True, False], repeat=4):
    for damage in (False, True):
        if not all(values):
            allowed = {Decision.HELD_RESPONSIBLE}
        elif damage:
            allowed = {Decision.LIABILITY_EXCLUDED, Decision.EXEMPTED, Decision.REDUCED}
        else:
            allowed = {Decision.LIABILITY_EXCLUDED}
        EXPECTED[(values, damage)] = allowed

CASES = [
    pytest.param(
        values,
        damage,
        decision,
        decision in allowed,
        id=(
            "".join("T" if v else "F" for v in values)
            + ("-damage-" if damage else "-nodamage-")
            + decision
        ),
    )
    for (values, damage), allowed in EXPECTED.items()
    for decision in Decision.values
]


def test_the_table_covers_every_combination():
    assert len(EXPECTED) == 32
    assert len(CASES) == 128
    accepted = sum(1 for case in CASES if case.values[3])
    assert accepted == 15 * 2 + 1 + 3  # held_responsible in the 30 rows with a false criterion


@pytest.mark.parametrize(("values", "damage"), list(EXPECTED))
def test_the_pure_rule_matches_the_table(values, damage):
    allowed = allowed_decisions(criteria_met=all(values), damage=damage)
    assert set(allowed) == EXPECTED[(values, damage)]


@pytest.fixture
def in_review(org):
    proposal = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
    return in_state(proposal, State.RESPONSIBILITY_REVIEW, mode="pilot")


@pytest.mark.parametrize(("values", "damage", "decision", "accepted"), CASES)
def test_decision(org, in_review, values, damage, decision, accepted):
    inputs = {
        "decision": decision,
        **dict(zip(CRITERIA, values, strict=True)),
        "damage": damage,
        "damage_amount": 120_000_000 if damage else None,
        "reasons": "Cán bộ làm đúng kế hoạch được duyệt.",
    }
    if accepted:
        services.proposal_decide_responsibility(proposal=in_review, actor=org.head, **inputs)
        assert fresh(in_review).state == decision
        record = ResponsibilityDecision.objects.get(proposal=in_review)
        assert record.decision == decision
        assert record.damage is damage
        entry = LedgerEntry.objects.get(proposal=in_review)
        assert (entry.event, entry.to_state) == ("decide_responsibility", decision)
        assert entry.payload["criteria"] == dict(zip(CRITERIA, values, strict=True))
    else:
        with pytest.raises(Invalid) as error:
            services.proposal_decide_responsibility(proposal=in_review, actor=org.head, **inputs)
        assert list(error.value.errors) == ["decision"]
        assert fresh(in_review).state == State.RESPONSIBILITY_REVIEW
        assert not ResponsibilityDecision.objects.exists()
        assert not LedgerEntry.objects.exists()


REFUSAL_MESSAGES = [
    # (criteria, damage, decision, words of the Vietnamese message)
    (
        {**ALL_MET, "pure_motive": False},
        False,
        "liability_excluded",
        "không đủ điều kiện được bảo vệ",
    ),
    (ALL_MET, True, "held_responsible", "miễn trách nhiệm"),
    (ALL_MET, False, "reduced", "loại trừ trách nhiệm"),
]


@pytest.mark.parametrize(("criteria", "damage", "decision", "words"), REFUSAL_MESSAGES)
def test_the_api_answers_400_with_a_clear_vietnamese_message(
    org, in_review, criteria, damage, decision, words
):
    client = Client()
    client.force_login(org.head)
    response = client.post(
        f"/api/v1/proposals/{in_review.pk}/transitions/decide_responsibility/",
        {
            "decision": decision,
            **criteria,
            "damage": damage,
            "damage_amount": 5_000_000 if damage else None,
            "reasons": "Lý do",
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 400
    message = response.json()["errors"]["decision"][0]
    assert words in message
    assert fresh(in_review).state == State.RESPONSIBILITY_REVIEW
    assert not LedgerEntry.objects.exists()


class TestDamageAmount:
    def decide(self, org, proposal, **overrides):
        inputs = {
            "decision": "reduced",
            **ALL_MET,
            "damage": True,
            "damage_amount": 1_000_000,
            "reasons": "Lý do",
            **overrides,
        }
        return services.proposal_decide_responsibility(proposal=proposal, actor=org.head, **inputs)

    @pytest.mark.parametrize("amount", [None, "", 0, -5, "nhiều", "1.5"])
    def test_required_and_positive_when_there_was_damage(self, org, in_review, amount):
        with pytest.raises(Invalid) as error:
            self.decide(org, in_review, damage_amount=amount)
        assert "damage_amount" in error.value.errors
        assert not LedgerEntry.objects.exists()

    def test_refused_without_damage(self, org, in_review):
        with pytest.raises(Invalid) as error:
            self.decide(
                org, in_review, decision="liability_excluded", damage=False, damage_amount=5
            )
        assert "damage_amount" in error.value.errors

    def test_recorded_with_the_decision(self, org, in_review):
        self.decide(org, in_review, damage_amount="250000000")
        record = ResponsibilityDecision.objects.get(proposal=in_review)
        assert record.damage_amount == 250_000_000
        assert LedgerEntry.objects.get(proposal=in_review).payload["damage_amount"] == "250000000"

    @pytest.mark.parametrize("field", [*CRITERIA, "damage"])
    def test_every_criterion_must_be_a_boolean(self, org, in_review, field):
        with pytest.raises(Invalid) as error:
            self.decide(org, in_review, **{field: None})
        assert field in error.value.errors
