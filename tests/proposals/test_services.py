import datetime
import itertools

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from ledger.models import LedgerEntry
from proposals import services
from proposals.models import Mode, Opinion, Proposal, ProposalVersion, State, Vote
from proposals.selectors import proposal_verify
from tests.factories.proposals import (
    CONDITIONS_MET,
    ProposalFactory,
    committee_reference,
    fresh,
    submitted,
    under_review,
)
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.django_db


def ledger(proposal):
    return list(LedgerEntry.objects.filter(proposal=proposal).order_by("seq"))


def snapshot(proposal):
    """Everything a failed call must leave untouched."""
    p = Proposal.objects.get(pk=proposal.pk)
    return (
        p.state,
        p.deciding_unit_id,
        p.version,
        p.decision_due,
        p.decision_round,
        LedgerEntry.objects.filter(proposal=p).count(),
        ProposalVersion.objects.filter(proposal=p).count(),
        Vote.objects.filter(proposal=p).count(),
    )


def agree(org, proposal, who=None):
    return services.opinion_record(
        proposal=fresh(proposal),
        actor=who or org.party,
        stage="decision",
        stance="agree",
        text="Đồng ý chủ trương.",
        **committee_reference(),
    )


def vote(proposal, user, choice="for"):
    return services.vote_cast(proposal=fresh(proposal), actor=user, choice=choice)


# --- create and edit ---


class TestCreate:
    def test_creates_a_private_draft_with_a_code_and_no_ledger(self, org):
        proposal = services.proposal_create(
            actor=org.cadre, home_unit=org.agency, title="Một cửa liên thông", summary="Tóm tắt"
        )
        assert proposal.state == State.DRAFT
        assert proposal.code.startswith("DX-") and proposal.code.endswith(f"{proposal.pk:06d}")
        assert list(proposal.authors.all()) == [org.cadre]
        assert ledger(proposal) == []

    def test_only_in_own_units(self, org):
        with pytest.raises(Invalid) as error:
            services.proposal_create(actor=org.cadre, home_unit=org.commune, title="X")
        assert "home_unit" in error.value.errors
        assert not Proposal.objects.exists()

    def test_title_is_required(self, org):
        with pytest.raises(Invalid) as error:
            services.proposal_create(actor=org.cadre, home_unit=org.agency, title="  ")
        assert "title" in error.value.errors
        assert not Proposal.objects.exists()

    def test_co_authors(self, org):
        proposal = services.proposal_create(
            actor=org.cadre, home_unit=org.agency, title="T", co_authors=[org.cadre2]
        )
        assert set(proposal.authors.all()) == {org.cadre, org.cadre2}

    def test_co_authors_must_belong_to_the_unit(self, org):
        with pytest.raises(Invalid) as error:
            services.proposal_create(
                actor=org.cadre, home_unit=org.agency, title="T", co_authors=[org.commune_cadre]
            )
        assert "co_authors" in error.value.errors
        assert not Proposal.objects.exists()

    def test_the_title_is_one_line(self, org):
        with pytest.raises(Invalid) as error:
            services.proposal_create(actor=org.cadre, home_unit=org.agency, title="Một\rhai")
        assert "title" in error.value.errors
        assert not Proposal.objects.exists()

    def test_text_fields_must_be_text(self, org):
        with pytest.raises(Invalid) as error:
            services.proposal_create(actor=org.cadre, home_unit=org.agency, title=["x"])
        assert "title" in error.value.errors


class TestUpdate:
    def test_author_edits_a_draft(self, org, draft):
        services.proposal_update(proposal=draft, actor=org.cadre, title="Tên mới")
        assert fresh(draft).title == "Tên mới"

    def test_drafts_are_private_to_their_authors(self, org, draft):
        with pytest.raises(NotFound):
            services.proposal_update(proposal=draft, actor=org.head, title="Tên mới")

    def test_not_an_author_is_forbidden(self, org, draft):
        proposal = submitted(draft, org.cadre)
        services.proposal_return_for_revision(proposal=proposal, actor=org.head, comment="x")
        with pytest.raises(Forbidden):
            services.proposal_update(proposal=fresh(draft), actor=org.head, title="Tên mới")

    def test_other_unit_gets_not_found(self, org, draft):
        with pytest.raises(NotFound):
            services.proposal_update(proposal=draft, actor=org.commune_cadre, title="x")

    def test_submitted_cannot_be_edited(self, org, draft):
        submitted(draft, org.cadre)
        with pytest.raises(Conflict):
            services.proposal_update(proposal=draft, actor=org.cadre, title="x")

    def test_unknown_field_is_refused(self, org, draft):
        with pytest.raises(Invalid) as error:
            services.proposal_update(proposal=draft, actor=org.cadre, state="approved")
        assert "state" in error.value.errors
        assert fresh(draft).state == State.DRAFT


class TestDelete:
    def test_author_deletes_a_draft(self, org, draft):
        services.proposal_delete(proposal=draft, actor=org.cadre)
        assert not Proposal.objects.filter(pk=draft.pk).exists()

    def test_a_submitted_proposal_is_never_deleted(self, org, draft):
        submitted(draft, org.cadre)
        with pytest.raises(Conflict):
            services.proposal_delete(proposal=draft, actor=org.cadre)
        assert Proposal.objects.filter(pk=draft.pk).exists()

    def test_not_an_author(self, org, draft):
        with pytest.raises(NotFound):
            services.proposal_delete(proposal=draft, actor=org.head)


# --- submit ---


class TestSubmit:
    @time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC), tick=False)
    def test_happy_path(self, org, draft):
        proposal = submitted(draft, org.cadre)
        assert proposal.state == State.SUBMITTED
        assert proposal.deciding_unit == org.agency
        assert proposal.version == 1
        # Friday 20 Nov 2026 + 7 working days, skipping the weekends and Vietnam Culture Day
        # (Tuesday 24 Nov, a public holiday from 2026) = Wednesday 2 Dec 2026.
        assert proposal.decision_due == datetime.date(2026, 12, 2)
        version = ProposalVersion.objects.get(proposal=proposal)
        assert version.number == 1 and len(version.content_hash) == 64
        (entry,) = ledger(proposal)
        assert (entry.event, entry.from_state, entry.to_state) == ("submit", "draft", "submitted")
        assert entry.actor == org.cadre
        assert entry.dossier_hash == version.content_hash
        assert entry.payload["deciding_unit"] == org.agency.code

    def test_incomplete_dossier_is_refused_with_every_missing_section(self, org):
        proposal = ProposalFactory(
            home_unit=org.agency,
            created_by=org.cadre,
            bottleneck="",
            criterion_reform=False,
            declaration_no_personal_interest=False,
        )
        before = snapshot(proposal)
        with pytest.raises(Invalid) as error:
            services.proposal_submit(proposal=proposal, actor=org.cadre)
        assert {"bottleneck", "criterion_reform", "declaration_no_personal_interest"} <= set(
            error.value.errors
        )
        assert snapshot(proposal) == before

    def test_head_author_goes_to_the_parent_unit(self, org):
        proposal = ProposalFactory(home_unit=org.agency, created_by=org.head)
        assert submitted(proposal, org.head).deciding_unit == org.province

    def test_co_author_head_also_routes_up(self, org, draft):
        services.proposal_update(proposal=draft, actor=org.cadre, co_authors=[org.head])
        assert submitted(draft, org.cadre).deciding_unit == org.province

    def test_head_of_the_root_has_nowhere_to_go(self, org):
        proposal = ProposalFactory(home_unit=org.province, created_by=org.province_head)
        before = snapshot(proposal)
        with pytest.raises(Invalid):
            services.proposal_submit(proposal=proposal, actor=org.province_head)
        assert snapshot(proposal) == before

    def test_not_an_author(self, org, draft):
        proposal = submitted(draft, org.cadre)
        services.proposal_return_for_revision(proposal=proposal, actor=org.head, comment="x")
        with pytest.raises(Forbidden):
            services.proposal_submit(proposal=fresh(draft), actor=org.head)

    def test_other_unit(self, org, draft):
        with pytest.raises(NotFound):
            services.proposal_submit(proposal=draft, actor=org.commune_head)

    def test_wrong_state(self, org, draft):
        submitted(draft, org.cadre)
        with pytest.raises(Conflict):
            services.proposal_submit(proposal=fresh(draft), actor=org.cadre)

    def test_resubmission_freezes_a_new_version_and_a_new_round(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        services.proposal_return_for_revision(proposal=proposal, actor=org.head, comment="Bổ sung")
        services.proposal_update(proposal=fresh(draft), actor=org.cadre, scope="Thí điểm 2 xã")
        proposal = submitted(draft, org.cadre)
        assert proposal.version == 2 and proposal.decision_round == 2
        v1, v2 = ProposalVersion.objects.filter(proposal=proposal).order_by("number")
        assert v1.content_hash != v2.content_hash
        assert v2.content["fields"]["scope"] == "Thí điểm 2 xã"


# --- the head's transitions ---


class TestOpenReview:
    def test_happy_path(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        assert proposal.state == State.UNDER_REVIEW
        assert ledger(proposal)[-1].event == "open_review"

    @pytest.mark.parametrize("who", ["deputy1", "cadre", "party", "orgboard"])
    def test_only_the_deciding_head(self, org, draft, who):
        submitted(draft, org.cadre)
        with pytest.raises(Forbidden):
            services.proposal_open_review(proposal=draft, actor=getattr(org, who))

    def test_other_unit(self, org, draft):
        submitted(draft, org.cadre)
        with pytest.raises(NotFound):
            services.proposal_open_review(proposal=draft, actor=org.commune_head)

    def test_wrong_state(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        with pytest.raises(Conflict):
            services.proposal_open_review(proposal=proposal, actor=org.head)

    def test_the_head_does_not_see_drafts(self, org, draft):
        with pytest.raises(NotFound):
            services.proposal_open_review(proposal=draft, actor=org.head)


class TestReturnForRevision:
    def test_happy_path(self, org, draft):
        proposal = submitted(draft, org.cadre)
        services.proposal_return_for_revision(proposal=proposal, actor=org.head, comment="Làm rõ")
        proposal = fresh(draft)
        assert proposal.state == State.RETURNED
        assert ledger(proposal)[-1].payload == {"comment": "Làm rõ"}

    def test_comment_required(self, org, draft):
        proposal = submitted(draft, org.cadre)
        before = snapshot(proposal)
        with pytest.raises(Invalid) as error:
            services.proposal_return_for_revision(proposal=proposal, actor=org.head, comment=" ")
        assert "comment" in error.value.errors
        assert snapshot(proposal) == before

    def test_wrong_role_and_state(self, org, draft):
        proposal = submitted(draft, org.cadre)
        with pytest.raises(Forbidden):
            services.proposal_return_for_revision(proposal=proposal, actor=org.cadre, comment="x")
        services.proposal_return_for_revision(proposal=proposal, actor=org.head, comment="x")
        with pytest.raises(Conflict):
            services.proposal_return_for_revision(
                proposal=fresh(draft), actor=org.head, comment="x"
            )


class TestEscalate:
    def test_moves_up_resets_votes_and_sets_a_new_due_date(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        vote(proposal, org.deputy1)
        services.proposal_escalate(proposal=proposal, actor=org.head, reason="Vượt thẩm quyền")
        proposal = fresh(draft)
        assert proposal.state == State.SUBMITTED
        assert proposal.deciding_unit == org.province
        assert proposal.decision_round == 2
        assert services.proposal_tally(proposal).votes_for == 0
        entry = ledger(proposal)[-1]
        assert entry.payload["to_unit"] == org.province.code
        # The new deciding head can act on it now; the old one no longer can.
        services.proposal_open_review(proposal=proposal, actor=org.province_head)
        with pytest.raises(Forbidden):
            services.proposal_reject(proposal=fresh(draft), actor=org.head, reasons="x")

    def test_reason_required(self, org, draft):
        proposal = submitted(draft, org.cadre)
        before = snapshot(proposal)
        with pytest.raises(Invalid):
            services.proposal_escalate(proposal=proposal, actor=org.head, reason="")
        assert snapshot(proposal) == before

    def test_root_cannot_escalate(self, org):
        proposal = ProposalFactory(home_unit=org.agency, created_by=org.head)
        proposal = submitted(proposal, org.head)  # decided by the province (root)
        with pytest.raises(Invalid):
            services.proposal_escalate(proposal=proposal, actor=org.province_head, reason="x")

    def test_wrong_role(self, org, draft):
        proposal = submitted(draft, org.cadre)
        with pytest.raises(Forbidden):
            services.proposal_escalate(proposal=proposal, actor=org.deputy1, reason="x")


class TestApprove:
    def test_with_a_passed_vote_and_an_opinion(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        agree(org, proposal)
        vote(proposal, org.deputy1)
        vote(proposal, org.deputy2)
        services.proposal_approve(
            proposal=fresh(draft), actor=org.head, mode=Mode.PILOT, **CONDITIONS_MET
        )
        proposal = fresh(draft)
        assert proposal.state == State.APPROVED
        assert proposal.mode == Mode.PILOT
        assert not proposal.head_override
        entry = ledger(proposal)[-1]
        assert entry.event == "approve"
        assert entry.payload["head_bears_responsibility"] is False
        assert entry.payload["tally"] == {
            "eligible": 3,
            "for": 2,
            "against": 0,
            "abstain": 0,
            "passed": True,
        }

    def test_needs_the_party_committee_opinion(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        vote(proposal, org.deputy1)
        vote(proposal, org.deputy2)
        before = snapshot(proposal)
        with pytest.raises(Invalid) as error:
            services.proposal_approve(
                proposal=fresh(draft), actor=org.head, mode=Mode.PILOT, **CONDITIONS_MET
            )
        assert "opinion" in error.value.errors
        assert snapshot(proposal) == before

    def test_failed_vote_needs_a_written_override(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        agree(org, proposal)
        vote(proposal, org.deputy1, "against")
        before = snapshot(proposal)
        with pytest.raises(Invalid) as error:
            services.proposal_approve(
                proposal=fresh(draft), actor=org.head, mode=Mode.PILOT, **CONDITIONS_MET
            )
        assert "override_reason" in error.value.errors
        assert snapshot(proposal) == before
        services.proposal_approve(
            proposal=fresh(draft),
            actor=org.head,
            mode=Mode.IMPLEMENTATION,
            override_reason="Cấp bách, tôi chịu trách nhiệm.",
            **CONDITIONS_MET,
        )
        proposal = fresh(draft)
        assert proposal.head_override
        entry = ledger(proposal)[-1]
        assert entry.payload["head_bears_responsibility"] is True
        assert entry.payload["override_reason"] == "Cấp bách, tôi chịu trách nhiệm."

    def test_bad_mode(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        agree(org, proposal)
        with pytest.raises(Invalid) as error:
            services.proposal_approve(
                proposal=proposal,
                actor=org.head,
                mode="bogus",
                override_reason="x",
                **CONDITIONS_MET,
            )
        assert "mode" in error.value.errors

    def test_wrong_state_role_and_unit(self, org, draft):
        proposal = submitted(draft, org.cadre)
        with pytest.raises(Conflict):
            services.proposal_approve(
                proposal=proposal, actor=org.head, mode=Mode.PILOT, **CONDITIONS_MET
            )
        with pytest.raises(Forbidden):
            services.proposal_approve(
                proposal=proposal, actor=org.deputy1, mode=Mode.PILOT, **CONDITIONS_MET
            )
        with pytest.raises(NotFound):
            services.proposal_approve(
                proposal=proposal, actor=org.commune_head, mode=Mode.PILOT, **CONDITIONS_MET
            )


class TestReject:
    def test_happy_path(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        vote(proposal, org.deputy1, "against")
        services.proposal_reject(proposal=fresh(draft), actor=org.head, reasons="Chưa khả thi")
        proposal = fresh(draft)
        assert proposal.state == State.REJECTED
        assert ledger(proposal)[-1].payload["reasons"] == "Chưa khả thi"

    def test_not_allowed_when_the_vote_passed(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        vote(proposal, org.deputy1)
        vote(proposal, org.deputy2)
        before = snapshot(proposal)
        with pytest.raises(Invalid):
            services.proposal_reject(proposal=fresh(draft), actor=org.head, reasons="x")
        assert snapshot(proposal) == before

    def test_reasons_required(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        with pytest.raises(Invalid):
            services.proposal_reject(proposal=proposal, actor=org.head, reasons="")


class TestWithdraw:
    @pytest.mark.parametrize("stage", ["draft", "submitted", "under_review", "returned"])
    def test_from_every_allowed_state(self, org, draft, stage):
        if stage != "draft":
            under_review(draft, org.cadre, org.head) if stage != "submitted" else submitted(
                draft, org.cadre
            )
        if stage == "returned":
            services.proposal_return_for_revision(
                proposal=fresh(draft), actor=org.head, comment="x"
            )
        services.proposal_withdraw(proposal=fresh(draft), actor=org.cadre, reason="Không cần nữa")
        assert fresh(draft).state == State.WITHDRAWN
        assert ledger(draft)[-1].event == "withdraw"

    def test_reason_required_and_author_only(self, org, draft):
        with pytest.raises(Invalid):
            services.proposal_withdraw(proposal=draft, actor=org.cadre, reason="")
        with pytest.raises(Forbidden):
            submitted(draft, org.cadre)
            services.proposal_withdraw(proposal=fresh(draft), actor=org.head, reason="x")

    def test_wrong_state(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        services.proposal_reject(proposal=proposal, actor=org.head, reasons="x")
        with pytest.raises(Conflict):
            services.proposal_withdraw(proposal=fresh(draft), actor=org.cadre, reason="x")


# --- votes and opinions ---


class TestVote:
    def test_cast_and_change(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        vote(proposal, org.deputy1, "against")
        vote(proposal, org.deputy1, "for")
        assert Vote.objects.get(proposal=proposal, voter=org.deputy1).choice == "for"
        events = [e.event for e in ledger(proposal)]
        assert events.count("vote") == 2
        assert ledger(proposal)[-1].payload["changed"] is True

    def test_authors_never_vote(self, org):
        proposal = ProposalFactory(home_unit=org.agency, created_by=org.deputy1)
        proposal = under_review(proposal, org.deputy1, org.head)
        with pytest.raises(Forbidden):
            vote(proposal, org.deputy1)

    def test_only_leaders_vote(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        with pytest.raises(Forbidden):
            vote(proposal, org.party)
        with pytest.raises(NotFound):  # a cadre of the unit does not even see it
            vote(proposal, org.cadre2)

    def test_only_under_review(self, org, draft):
        submitted(draft, org.cadre)
        with pytest.raises(Conflict):
            vote(draft, org.deputy1)

    def test_bad_choice(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        with pytest.raises(Invalid):
            vote(proposal, org.deputy1, "maybe")
        assert not Vote.objects.exists()


class TestOpinion:
    def test_party_committee_records_its_opinion(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        opinion = agree(org, proposal)
        assert opinion.stance == Opinion.Stance.AGREE and opinion.unit == org.agency
        assert ledger(proposal)[-1].event == "opinion"

    def test_others_cannot(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        with pytest.raises(Forbidden):
            agree(org, proposal, who=org.head)

    def test_bad_input(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        with pytest.raises(Invalid) as error:
            services.opinion_record(
                proposal=proposal,
                actor=org.party,
                stage="decision",
                stance="perhaps",
                text="",
                **committee_reference(),
            )
        assert set(error.value.errors) == {"stance", "text"}
        assert not Opinion.objects.exists()

    def test_wrong_stage(self, org, draft):
        proposal = submitted(draft, org.cadre)
        with pytest.raises(Conflict):
            agree(org, proposal)


# --- the ledger ---


class TestLedger:
    def test_full_decision_chain_verifies(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        agree(org, proposal)
        vote(proposal, org.deputy1)
        vote(proposal, org.deputy2)
        services.proposal_approve(
            proposal=fresh(draft), actor=org.head, mode=Mode.PILOT, **CONDITIONS_MET
        )
        entries = ledger(draft)
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        for previous, entry in itertools.pairwise(entries):
            assert entry.prev_hash == previous.hash
        result = proposal_verify(fresh(draft))
        assert result.valid and result.entries == len(entries) and result.head == entries[-1].hash

    def test_service_outside_a_transaction_is_impossible(self, org, draft):
        from ledger.services import ledger_append

        with pytest.raises(RuntimeError):
            # The test itself runs in a transaction; emulate a caller outside one.
            from unittest import mock

            with mock.patch("django.db.transaction.get_connection") as conn:
                conn.return_value.in_atomic_block = False
                ledger_append(proposal=draft, actor=org.cadre, event="x")

    def test_receivers_of_entry_appended_run_inside_the_transaction(self, org, draft):
        from django.db import transaction

        from ledger.signals import entry_appended

        seen = []

        def receiver(sender, entry, proposal, **kwargs):
            seen.append((entry.event, proposal.pk, transaction.get_connection().in_atomic_block))

        entry_appended.connect(receiver)
        try:
            services.proposal_submit(proposal=fresh(draft), actor=org.cadre)
        finally:
            entry_appended.disconnect(receiver)
        assert seen == [("submit", draft.pk, True)]

    def test_a_failing_receiver_undoes_the_whole_step(self, org, draft):
        from ledger.signals import entry_appended

        def receiver(sender, **kwargs):
            raise RuntimeError("outbox unavailable")

        entry_appended.connect(receiver)
        try:
            with pytest.raises(RuntimeError):
                services.proposal_submit(proposal=fresh(draft), actor=org.cadre)
        finally:
            entry_appended.disconnect(receiver)
        assert fresh(draft).state == State.DRAFT
        assert not LedgerEntry.objects.filter(proposal=draft).exists()
        assert not ProposalVersion.objects.filter(proposal=draft).exists()

    def test_the_state_field_cannot_be_set_directly(self, org, draft):
        with pytest.raises(AttributeError):
            draft.state = State.APPROVED

    def test_tally_uses_the_current_round_only(self, org, draft):
        proposal = under_review(draft, org.cadre, org.head)
        vote(proposal, org.deputy1)
        services.proposal_return_for_revision(proposal=fresh(draft), actor=org.head, comment="x")
        proposal = under_review(fresh(draft), org.cadre, org.head)
        assert services.proposal_tally(proposal).votes_for == 0


def test_decision_due_skips_weekends_and_holidays(org, draft):
    # Monday 31 Aug 2026: 1 and 2 Sep are National Day holidays.
    with time_machine.travel(datetime.datetime(2026, 8, 31, 2, 0, tzinfo=datetime.UTC), tick=False):
        proposal = submitted(draft, org.cadre)
    assert proposal.decision_due > datetime.date(2026, 9, 9)
    assert timezone.is_aware(proposal.submitted_at)


def test_grant_helper_makes_independent_people(org):
    other = grant(org.agency, Role.CADRE)
    assert other.pk not in {org.cadre.pk, org.cadre2.pk}


def test_a_transition_saved_over_a_state_changed_meanwhile_is_a_conflict(org, draft):
    """The second guard behind the proposal's row lock (django-fsm's ConcurrentTransitionMixin):
    a copy whose state another step changed after it was read saves nothing and writes no
    ledger entry."""
    submitted(draft, org.cadre)
    stale = fresh(draft)
    Proposal.objects.filter(pk=draft.pk).update(state=State.UNDER_REVIEW)  # another step's
    entries = LedgerEntry.objects.filter(proposal=draft).count()
    with pytest.raises(Conflict), transaction.atomic():  # a service's transaction
        services.fire_transition(stale, org.cadre, "withdraw")
    assert fresh(draft).state == State.UNDER_REVIEW
    assert LedgerEntry.objects.filter(proposal=draft).count() == entries
