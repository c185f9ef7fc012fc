import threading

import pytest
from django.core.management import call_command
from django.db import connections

from kl14.errors import Conflict
from ledger.models import AppendOnlyError, LedgerEntry
from proposals import services
from proposals.models import Mode, Proposal, State
from proposals.selectors import proposal_tally, proposal_verify, vote_passes
from tests.factories.proposals import (
    CONDITIONS_MET,
    ProposalFactory,
    committee_reference,
    fresh,
    under_review,
)
from tests.factories.units import UnitFactory, grant
from tests.ledger.tamper import tampering
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("eligible", "votes_for", "head_for", "passed"),
    [
        (1, 1, True, True),  # no deputies: the head alone decides
        (1, 0, False, False),
        (3, 2, False, True),  # more than half
        (3, 1, True, False),
        (4, 2, True, True),  # a tie: the head voted for
        (4, 2, False, False),  # a tie: the head voted against
        (4, 3, False, True),
        (2, 1, True, True),
        (2, 1, False, False),
        (0, 0, False, False),
    ],
)
def test_vote_arithmetic(eligible, votes_for, head_for, passed):
    assert vote_passes(eligible=eligible, votes_for=votes_for, head_for=head_for) is passed


def leadership(deputies: int):
    unit = UnitFactory(parent=UnitFactory())
    head = grant(unit, Role.HEAD)
    deps = [grant(unit, Role.DEPUTY) for _ in range(deputies)]
    party = grant(unit, Role.PARTY_COMMITTEE)
    cadre = grant(unit, Role.CADRE)
    return unit, head, deps, party, cadre


def cast(proposal, user, choice):
    services.vote_cast(proposal=fresh(proposal), actor=user, choice=choice)


class TestTallyFromVotes:
    def test_no_deputies_head_alone(self):
        unit, head, _, _, cadre = leadership(0)
        proposal = under_review(ProposalFactory(home_unit=unit, created_by=cadre), cadre, head)
        assert proposal_tally(proposal).eligible == 1
        cast(proposal, head, "for")
        tally = proposal_tally(fresh(proposal))
        assert tally.passed and tally.votes_for == 1

    @pytest.mark.parametrize(("head_choice", "passed"), [("for", True), ("against", False)])
    def test_tie_decided_by_the_head(self, head_choice, passed):
        unit, head, (d1, d2, d3), _, cadre = leadership(3)
        proposal = under_review(ProposalFactory(home_unit=unit, created_by=cadre), cadre, head)
        cast(proposal, head, head_choice)
        cast(proposal, d1, "for")
        cast(proposal, d2, "against" if head_choice == "for" else "for")
        cast(proposal, d3, "against")
        tally = proposal_tally(fresh(proposal))
        assert (tally.eligible, tally.votes_for) == (4, 2)
        assert tally.passed is passed

    def test_an_author_who_is_a_deputy_does_not_count(self):
        unit, head, (d1, d2), _, _ = leadership(2)
        proposal = under_review(ProposalFactory(home_unit=unit, created_by=d1), d1, head)
        tally = proposal_tally(proposal)
        assert tally.eligible == 2  # the head and the other deputy
        cast(proposal, d2, "for")
        assert not proposal_tally(fresh(proposal)).passed  # 1 of 2, head did not vote for
        cast(proposal, head, "for")
        assert proposal_tally(fresh(proposal)).passed

    def test_abstentions_count_as_not_for(self):
        unit, head, (d1, d2), _, cadre = leadership(2)
        proposal = under_review(ProposalFactory(home_unit=unit, created_by=cadre), cadre, head)
        cast(proposal, d1, "for")
        cast(proposal, d2, "abstain")
        cast(proposal, head, "abstain")
        tally = proposal_tally(fresh(proposal))
        assert (tally.votes_for, tally.abstain, tally.passed) == (1, 2, False)


class TestTamperEvidence:
    def decided(self):
        unit, head, (d1, d2), party, cadre = leadership(2)
        proposal = under_review(ProposalFactory(home_unit=unit, created_by=cadre), cadre, head)
        services.opinion_record(
            proposal=proposal,
            actor=party,
            stage="decision",
            stance="agree",
            text="Đồng ý",
            **committee_reference(),
        )
        cast(proposal, d1, "for")
        cast(proposal, d2, "for")
        services.proposal_approve(
            proposal=fresh(proposal), actor=head, mode=Mode.PILOT, **CONDITIONS_MET
        )
        return fresh(proposal)

    def test_editing_a_row_behind_the_applications_back_is_named(self):
        proposal = self.decided()
        entries = list(LedgerEntry.objects.filter(proposal=proposal).order_by("seq"))
        assert proposal_verify(proposal).valid
        victim = entries[3]
        with tampering() as cursor:
            cursor.execute(
                f"UPDATE {LedgerEntry._meta.db_table} SET payload = %s WHERE id = %s",  # noqa: S608
                ['{"choice": "against", "round": 1, "changed": false}', victim.pk],
            )
        result = proposal_verify(proposal)
        assert not result.valid
        assert result.first_bad_seq == victim.seq
        assert result.entries == len(entries)

    def test_deleting_a_row_breaks_the_chain_at_the_gap(self):
        proposal = self.decided()
        victim = LedgerEntry.objects.filter(proposal=proposal, seq=2).get()
        with tampering() as cursor:
            cursor.execute(
                f"DELETE FROM {LedgerEntry._meta.db_table} WHERE id = %s",  # noqa: S608
                [victim.pk],
            )
        assert proposal_verify(proposal).first_bad_seq == 3

    def test_editing_a_frozen_version_is_detected(self):
        proposal = self.decided()
        version = proposal.versions.get()
        with tampering() as cursor:
            cursor.execute(
                f"UPDATE {version._meta.db_table} SET content = %s WHERE id = %s",  # noqa: S608
                ['{"fields": {"title": "rewritten"}}', version.pk],
            )
        result = proposal_verify(proposal)
        assert not result.valid and result.first_bad_seq == 1

    def test_the_application_cannot_update_or_delete_entries(self):
        proposal = self.decided()
        entry = LedgerEntry.objects.filter(proposal=proposal).first()
        entry.event = "forged"
        with pytest.raises(AppendOnlyError):
            entry.save()
        with pytest.raises(AppendOnlyError):
            entry.delete()
        with pytest.raises(AppendOnlyError):
            LedgerEntry.objects.filter(proposal=proposal).update(event="forged")
        with pytest.raises(AppendOnlyError):
            LedgerEntry.objects.filter(proposal=proposal).delete()

    def test_verify_ledger_command(self, capsys):
        proposal = self.decided()
        call_command("verify_ledger", "--proposal", proposal.code)
        assert "OK" in capsys.readouterr().out
        entry = LedgerEntry.objects.filter(proposal=proposal, seq=2).get()
        with tampering() as cursor:
            cursor.execute(
                f"UPDATE {LedgerEntry._meta.db_table} SET event = 'forged' WHERE id = %s",  # noqa: S608
                [entry.pk],
            )
        with pytest.raises(SystemExit) as exit_info:
            call_command("verify_ledger")
        assert exit_info.value.code == 1
        out = capsys.readouterr().out
        assert proposal.code in out and "seq 2" in out


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_decisions_exactly_one_wins(postgres):
    """On PostgreSQL the row lock serialises them: the second sees the new state and gets 409."""
    unit, head, (d1, d2), party, cadre = leadership(2)
    proposal = under_review(ProposalFactory(home_unit=unit, created_by=cadre), cadre, head)
    services.opinion_record(
        proposal=proposal,
        actor=party,
        stage="decision",
        stance="agree",
        text="Đồng ý",
        **committee_reference(),
    )
    cast(proposal, d1, "against")
    cast(proposal, d2, "against")
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(action):
        try:
            barrier.wait(timeout=10)
            if action == "approve":
                services.proposal_approve(
                    proposal=fresh(proposal),
                    actor=head,
                    mode=Mode.PILOT,
                    override_reason="Tôi chịu trách nhiệm",
                    **CONDITIONS_MET,
                )
            else:
                services.proposal_reject(proposal=fresh(proposal), actor=head, reasons="Chưa đạt")
            outcomes.append(action)
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(a,)) for a in ("approve", "reject")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) in (["approve", "conflict"], ["conflict", "reject"])
    final = Proposal.objects.get(pk=proposal.pk)
    assert final.state in (State.APPROVED, State.REJECTED)
    decisions = LedgerEntry.objects.filter(proposal=proposal, event__in=["approve", "reject"])
    assert decisions.count() == 1
    assert proposal_verify(final).valid


class TestRecasting:
    """Issue 13: casting the same vote again added a ledger entry marked changed."""

    def test_the_same_vote_again_changes_nothing_and_records_nothing(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        first = services.vote_cast(proposal=fresh(proposal), actor=org.deputy1, choice="for")
        entries = LedgerEntry.objects.filter(proposal=proposal).count()
        again = services.vote_cast(proposal=fresh(proposal), actor=org.deputy1, choice="for")
        assert again.pk == first.pk and again.choice == "for"
        assert again.cast_at == first.cast_at
        assert LedgerEntry.objects.filter(proposal=proposal).count() == entries
        assert proposal_verify(fresh(proposal)).valid

    def test_a_different_vote_is_recorded_as_changed(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        services.vote_cast(proposal=fresh(proposal), actor=org.deputy1, choice="for")
        services.vote_cast(proposal=fresh(proposal), actor=org.deputy1, choice="for")
        services.vote_cast(proposal=fresh(proposal), actor=org.deputy1, choice="against")
        votes = LedgerEntry.objects.filter(proposal=proposal, event="vote").order_by("pk")
        assert [(e.payload["choice"], e.payload["changed"]) for e in votes] == [
            ("for", False),
            ("against", True),
        ]

    def test_through_the_api(self, client, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        client.force_login(org.deputy1)
        path = f"/api/v1/proposals/{proposal.pk}/votes/"
        for _ in range(3):
            response = client.post(path, {"choice": "abstain"}, content_type="application/json")
            assert response.status_code in (200, 201), response.content
        assert LedgerEntry.objects.filter(proposal=proposal, event="vote").count() == 1
