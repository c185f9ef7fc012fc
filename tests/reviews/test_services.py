"""Every write of the review stage: the happy path and its ledger entry, the wrong state (409), the
wrong role (403), another unit's user (404), bad input (400) with nothing written."""

import datetime

import pytest
from django.utils import timezone

from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from ledger.models import LedgerEntry
from proposals.models import Mode, Proposal, ProposalVersion, State
from proposals.permissions import access_proposal
from proposals.selectors import proposal_verify
from reviews import board_requests, services
from reviews.models import (
    AbuseCase,
    AbuseReferral,
    Adoption,
    Evaluation,
    Institutionalization,
    Lesson,
    Recognition,
    Replication,
    ResponsibilityDecision,
)
from tests.factories.proposals import fresh, in_state
from tests.factories.reviews import (
    CAUSES,
    PROTECTED,
    collective_votes,
    decided,
    evaluating,
    in_review,
    minutes,
    recognised,
    replicated,
    succeeded,
)

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def ledger(proposal):
    return list(LedgerEntry.objects.filter(proposal=proposal).order_by("seq"))


def snapshot(proposal):
    """Everything a refused call must leave as it was."""
    p = Proposal.objects.get(pk=proposal.pk)
    return (
        p.state,
        p.published_at,
        Proposal.objects.count(),
        LedgerEntry.objects.count(),
        Evaluation.objects.count(),
        ResponsibilityDecision.objects.count(),
        AbuseReferral.objects.count(),
        Replication.objects.count(),
        Adoption.objects.count(),
        Institutionalization.objects.count(),
        Recognition.objects.count(),
        Lesson.objects.count(),
    )


def evaluate(org, proposal, who=None, **overrides):
    """The head records the evaluation, with the minutes of the meeting."""
    inputs = {"outcome": "achieved", "meeting_date": YESTERDAY, **CAUSES, **overrides}
    inputs.setdefault("minutes", minutes())
    return services.proposal_evaluate(proposal=fresh(proposal), actor=who or org.head, **inputs)


# --- evaluate -------------------------------------------------------------------------------------


class TestEvaluate:
    def test_achieved_succeeds(self, org, proposal):
        proposal = collective_votes(evaluating(proposal, party=org.party))
        evaluate(org, proposal)
        proposal = fresh(proposal)
        assert proposal.state == State.SUCCEEDED
        evaluation = Evaluation.objects.get(proposal=proposal)
        assert evaluation.outcome == "achieved"
        assert evaluation.opinion.stage == "evaluation"
        assert evaluation.due is not None and evaluation.on_time
        entry = ledger(proposal)[-1]
        assert (entry.event, entry.from_state, entry.to_state) == (
            "evaluate",
            State.EVALUATING,
            State.SUCCEEDED,
        )
        assert entry.actor == org.head
        assert entry.payload["outcome"] == "achieved"
        assert entry.payload["opinion"]["stance"] == "agree"
        assert entry.payload["causes_subjective"] == CAUSES["causes_subjective"]
        assert entry.payload["meeting_date"] == YESTERDAY.isoformat()
        assert proposal_verify(proposal).valid

    @pytest.mark.parametrize("outcome", ["partial", "not_achieved", "damage"])
    def test_falling_short_goes_to_the_responsibility_review(self, org, proposal, outcome):
        proposal = collective_votes(evaluating(proposal, party=org.party), outcome)
        evaluate(org, proposal, outcome=outcome)
        assert fresh(proposal).state == State.RESPONSIBILITY_REVIEW
        assert ledger(proposal)[-1].to_state == State.RESPONSIBILITY_REVIEW

    def test_requires_the_party_committees_opinion_on_the_results(self, org, proposal):
        proposal = collective_votes(evaluating(proposal))
        before = snapshot(proposal)
        with pytest.raises(Invalid) as error:
            evaluate(org, proposal)
        assert "opinion" in error.value.errors
        assert snapshot(proposal) == before

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("outcome", "excellent"),
            ("causes_objective", "  "),
            ("causes_subjective", ""),
            ("meeting_date", "không phải ngày"),
            ("meeting_date", timezone.localdate() + datetime.timedelta(days=3)),
        ],
    )
    def test_bad_input_writes_nothing(self, org, proposal, field, value):
        proposal = collective_votes(evaluating(proposal, party=org.party))
        before = snapshot(proposal)
        with pytest.raises(Invalid) as error:
            evaluate(org, proposal, **{field: value})
        assert field in error.value.errors
        assert snapshot(proposal) == before

    @pytest.mark.parametrize("who", ["deputy", "party", "cadre", "orgboard", "inspector"])
    def test_only_the_deciding_head(self, org, proposal, who):
        proposal = collective_votes(evaluating(proposal, party=org.party))
        before = snapshot(proposal)
        with pytest.raises(Forbidden):
            evaluate(org, proposal, who=getattr(org, who))
        assert snapshot(proposal) == before

    @pytest.mark.parametrize("who", ["commune_head", "commune_cadre", "province_head"])
    def test_another_units_user_gets_not_found(self, org, proposal, who):
        proposal = collective_votes(evaluating(proposal, party=org.party))
        with pytest.raises(NotFound):
            evaluate(org, proposal, who=getattr(org, who))

    @pytest.mark.parametrize("state", ["ended", "in_progress", "succeeded", "referred"])
    def test_wrong_state(self, org, proposal, state):
        proposal = in_state(proposal, state, mode="pilot")
        before = snapshot(proposal)
        with pytest.raises(Conflict):
            evaluate(org, proposal)
        assert snapshot(proposal) == before

    def test_due_seven_working_days_after_the_final_report(self, org, proposal):
        # Friday 6 March 2026: seven working days later is Tuesday 17 March.
        entered = datetime.datetime(2026, 3, 6, 9, tzinfo=timezone.get_default_timezone())
        proposal = collective_votes(evaluating(proposal, party=org.party, entered=entered))
        evaluate(org, proposal)
        evaluation = Evaluation.objects.get(proposal=proposal)
        assert evaluation.due == datetime.date(2026, 3, 17)
        assert evaluation.on_time is False


# --- decide_responsibility (the rules themselves: test_responsibility_rules.py) ---------------


class TestDecideResponsibility:
    def decide(self, org, proposal, who=None, **overrides):
        inputs = {
            "decision": "reduced",
            **PROTECTED,
            "damage": True,
            "damage_amount": 80_000_000,
            "reasons": "Làm đúng kế hoạch, thiệt hại do nguyên nhân khách quan.",
            **overrides,
        }
        return services.proposal_decide_responsibility(
            proposal=fresh(proposal), actor=who or org.head, **inputs
        )

    def test_happy_path(self, org, proposal):
        proposal = in_review(proposal, head=org.head, party=org.party)
        self.decide(org, proposal)
        proposal = fresh(proposal)
        assert proposal.state == State.REDUCED
        # Two authors, the same decision on each (no `author`): one record per person.
        records = ResponsibilityDecision.objects.filter(proposal=proposal)
        assert {r.author for r in records} == {org.cadre, org.cadre2}
        assert all(r.protected and r.due is not None for r in records)
        assert ledger(proposal)[-2].event == "responsibility_decision"
        entry = ledger(proposal)[-1]
        assert (entry.event, entry.from_state, entry.to_state) == (
            "decide_responsibility",
            State.RESPONSIBILITY_REVIEW,
            State.REDUCED,
        )
        assert entry.payload["evaluation_outcome"] == "damage"
        assert entry.payload["damage_amount"] == "80000000"

    def test_reasons_required(self, org, proposal):
        proposal = in_review(proposal, head=org.head, party=org.party)
        before = snapshot(proposal)
        with pytest.raises(Invalid) as error:
            self.decide(org, proposal, reasons=" ")
        assert "reasons" in error.value.errors
        assert snapshot(proposal) == before

    @pytest.mark.parametrize("who", ["deputy", "party", "cadre", "orgboard", "agency_inspector"])
    def test_only_the_deciding_head(self, org, proposal, who):
        proposal = in_review(proposal, head=org.head, party=org.party)
        before = snapshot(proposal)
        with pytest.raises(Forbidden):
            self.decide(org, proposal, who=getattr(org, who))
        assert snapshot(proposal) == before

    def test_another_units_head_gets_not_found(self, org, proposal):
        proposal = in_review(proposal, head=org.head, party=org.party)
        with pytest.raises(NotFound):
            self.decide(org, proposal, who=org.commune_head)

    def test_wrong_state(self, org, proposal):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        with pytest.raises(Conflict):
            self.decide(org, proposal)

    def test_due_after_the_evaluation(self, org, proposal, settings):
        settings.KL14_RESPONSIBILITY_DECISION_DAYS = 3
        entered = datetime.datetime(2026, 3, 6, 9, tzinfo=timezone.get_default_timezone())
        proposal = in_state(
            proposal, State.RESPONSIBILITY_REVIEW, mode="pilot", state_changed_at=entered
        )
        self.decide(org, proposal)
        assert {r.due for r in ResponsibilityDecision.objects.filter(proposal=proposal)} == {
            datetime.date(2026, 3, 11)
        }


# --- refer_abuse ------------------------------------------------------------------------------


GROUNDS = "Nghị định 73/2023/NĐ-CP, Điều 6: lợi dụng chủ trương để trục lợi."


def refer(proposal, who, evidence="Lợi dụng chủ trương để trục lợi cá nhân.", grounds=GROUNDS):
    return services.proposal_refer_abuse(
        proposal=fresh(proposal), actor=who, evidence=evidence, grounds=grounds
    )


def explain(proposal, who, text="Tôi làm đúng kế hoạch được duyệt."):
    return services.abuse_explain(proposal=fresh(proposal), actor=who, text=text)


def conclude(proposal, who, finding="founded", conclusion="Có căn cứ kết luận vụ lợi."):
    return services.proposal_conclude_abuse(
        proposal=fresh(proposal), actor=who, finding=finding, conclusion=conclusion
    )


class TestReferAbuse:
    """Amendments (2026-11-29): a referral opens a case, heard before any finding."""

    @pytest.mark.parametrize("who", ["inspector", "agency_inspector", "head"])
    def test_inspector_of_an_ancestor_or_self_or_the_deciding_head(self, org, proposal, who):
        proposal = in_state(proposal, State.IN_PROGRESS, mode="pilot")
        refer(proposal, getattr(org, who))
        proposal = fresh(proposal)
        assert proposal.state == State.ABUSE_REVIEW
        case = AbuseCase.objects.get(proposal=proposal)
        assert (case.from_state, case.referred_by, case.grounds) == (
            State.IN_PROGRESS,
            getattr(org, who),
            GROUNDS,
        )
        assert case.is_open and case.explanation_due > timezone.localdate()
        assert not AbuseReferral.objects.filter(proposal=proposal).exists()
        entry = ledger(proposal)[-1]
        assert (entry.event, entry.to_state) == ("refer_abuse", State.ABUSE_REVIEW)
        assert entry.payload["evidence"].startswith("Lợi dụng")
        assert entry.payload["explanation_due"] == case.explanation_due.isoformat()

    @pytest.mark.parametrize(
        "state",
        [
            "approved",
            "in_progress",
            "suspended",
            "ended",
            "evaluating",
            "succeeded",
            "liability_excluded",
            "exempted",
            "reduced",
            "replicated",
        ],
    )
    def test_from_every_state_after_approval(self, org, proposal, state):
        proposal = in_state(proposal, state, mode="pilot")
        refer(proposal, org.inspector)
        assert fresh(proposal).state == State.ABUSE_REVIEW

    def test_protection_is_withheld_while_heard(self, org, proposal):
        proposal = in_review(proposal, head=org.head, party=org.party)
        refer(proposal, org.inspector)
        with pytest.raises(Conflict):
            services.proposal_decide_responsibility(
                proposal=fresh(proposal),
                actor=org.head,
                decision="liability_excluded",
                **PROTECTED,
                damage=False,
                reasons="x",
            )
        with pytest.raises(Conflict):
            board_requests.recognition_propose(
                proposal=fresh(proposal), actor=org.orgboard, kind="praise", grounds="x"
            )

    @pytest.mark.parametrize("who", ["orgboard", "deputy", "cadre", "party"])
    def test_other_roles_are_forbidden(self, org, proposal, who):
        proposal = in_state(proposal, State.IN_PROGRESS, mode="pilot")
        before = snapshot(proposal)
        with pytest.raises(Forbidden):
            refer(proposal, getattr(org, who))
        assert snapshot(proposal) == before

    def test_an_inspector_of_another_subtree_gets_not_found(self, org, proposal):
        proposal = in_state(proposal, State.IN_PROGRESS, mode="pilot")
        with pytest.raises(NotFound):
            refer(proposal, org.commune_inspector)

    @pytest.mark.parametrize("state", ["submitted", "under_review", "referred", "abuse_review"])
    def test_wrong_state(self, org, proposal, state):
        proposal = in_state(proposal, state, mode="pilot")
        with pytest.raises(Conflict):
            refer(proposal, org.inspector)

    @pytest.mark.parametrize("field", ["evidence", "grounds"])
    def test_grounds_and_evidence_required(self, org, proposal, field):
        proposal = in_state(proposal, State.IN_PROGRESS, mode="pilot")
        before = snapshot(proposal)
        with pytest.raises(Invalid) as error:
            refer(proposal, org.inspector, **{field: "  "})
        assert field in error.value.errors
        assert snapshot(proposal) == before
        assert not AbuseCase.objects.exists()


class TestAbuseHearing:
    @pytest.fixture
    def heard(self, org, proposal):
        """A succeeded proposal of cadre and cadre2, referred by the agency's own inspector."""
        done = succeeded(proposal, head=org.head, party=org.party)
        refer(done, org.agency_inspector)
        return fresh(done)

    def test_each_author_explains_once(self, org, heard):
        explain(heard, org.cadre)
        entry = ledger(heard)[-1]
        assert (entry.event, entry.actor, entry.to_state) == (
            "abuse_explanation",
            org.cadre,
            State.ABUSE_REVIEW,
        )
        assert entry.payload["text"] == "Tôi làm đúng kế hoạch được duyệt."
        with pytest.raises(Conflict):
            explain(heard, org.cadre)
        explain(heard, org.cadre2)
        assert AbuseCase.objects.get(proposal=heard).explanations.count() == 2

    def test_only_authors_explain(self, org, heard):
        for who in (org.head, org.inspector, org.deputy):
            with pytest.raises(Forbidden):
                explain(heard, who)
        with pytest.raises(NotFound):
            explain(heard, org.commune_head)

    def test_an_empty_explanation_is_refused(self, org, heard):
        before = LedgerEntry.objects.count()
        with pytest.raises(Invalid) as error:
            explain(heard, org.cadre, text=" ")
        assert "text" in error.value.errors
        assert LedgerEntry.objects.count() == before

    def test_no_case_no_explanation(self, org, proposal):
        running = in_state(proposal, State.IN_PROGRESS, mode="pilot")
        with pytest.raises(Conflict):
            explain(running, org.cadre)

    def test_the_finding_waits_for_the_authors_then_founded_revokes(self, org, heard):
        explain(heard, org.cadre)
        with pytest.raises(Conflict) as error:
            conclude(heard, org.inspector)
        assert "Lê Văn Đức" in str(error.value)
        explain(heard, org.cadre2)
        conclude(heard, org.inspector)
        proposal = fresh(heard)
        assert proposal.state == State.REFERRED
        case = AbuseCase.objects.get(proposal=proposal)
        assert (case.finding, case.concluded_by) == ("founded", org.inspector)
        referral = AbuseReferral.objects.get(proposal=proposal)
        assert (referral.case, referral.from_state) == (case, State.SUCCEEDED)
        entry = ledger(proposal)[-1]
        assert (entry.event, entry.from_state, entry.to_state) == (
            "conclude_abuse",
            State.ABUSE_REVIEW,
            State.REFERRED,
        )
        assert entry.payload["finding"] == "founded"

    def test_unfounded_returns_where_it_was_with_protection(self, org, heard):
        explain(heard, org.cadre)
        explain(heard, org.cadre2)
        conclude(heard, org.inspector, finding="unfounded", conclusion="Không có căn cứ.")
        proposal = fresh(heard)
        assert proposal.state == State.SUCCEEDED
        assert not AbuseReferral.objects.exists()
        recognised(proposal, board=org.orgboard, kind="praise")
        # a new referral opens a new case
        refer(proposal, org.inspector)
        assert AbuseCase.objects.filter(proposal=proposal).count() == 2

    def test_the_time_to_explain_ends(self, org, heard, time_machine):
        due = AbuseCase.objects.get(proposal=heard).explanation_due
        time_machine.move_to(datetime.datetime.combine(due, datetime.time(3)))
        with pytest.raises(Conflict):
            conclude(heard, org.inspector)
        time_machine.move_to(
            datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time(3))
        )
        with pytest.raises(Conflict):
            explain(heard, org.cadre)
        conclude(heard, org.inspector)
        assert fresh(heard).state == State.REFERRED

    @pytest.mark.parametrize("who", ["agency_inspector", "head", "deputy", "cadre"])
    def test_only_the_inspection_of_a_superior_unit_finds(self, org, heard, who):
        explain(heard, org.cadre)
        explain(heard, org.cadre2)
        with pytest.raises(Forbidden):
            conclude(heard, getattr(org, who))

    def test_another_unit_gets_not_found(self, org, heard):
        with pytest.raises(NotFound):
            conclude(heard, org.commune_inspector)

    def test_wrong_state(self, org, proposal):
        running = in_state(proposal, State.IN_PROGRESS, mode="pilot")
        with pytest.raises(Conflict):
            conclude(running, org.inspector)

    @pytest.mark.parametrize(
        ("field", "value"), [("finding", "maybe"), ("conclusion", ""), ("finding", None)]
    )
    def test_bad_finding_writes_nothing(self, org, heard, field, value):
        explain(heard, org.cadre)
        explain(heard, org.cadre2)
        before = snapshot(heard)
        with pytest.raises(Invalid) as error:
            conclude(heard, org.inspector, **{field: value})
        assert field in error.value.errors
        assert snapshot(heard) == before
        assert AbuseCase.objects.get(proposal=heard).is_open


# --- replicate --------------------------------------------------------------------------------


class TestReplicate:
    """The replication directive, as the competent authority's approval of the organization
    board's request writes it (board_requests.py); the request itself: test_board_requests.py."""

    def replicate(self, org, proposal, units, who=None):
        return replicated(
            proposal,
            board=who or org.orgboard,
            target_units=[u.pk if hasattr(u, "pk") else u for u in units],
            authority=org.province_head if who == org.agency_board else None,
        )

    def test_each_target_gets_an_approved_linked_proposal(self, org, proposal):
        source = succeeded(proposal, head=org.head, party=org.party)
        self.replicate(org, source, [org.commune, org.commune2])
        source = fresh(source)
        assert source.state == State.REPLICATED
        adoptions = list(Proposal.objects.filter(origin=source).order_by("home_unit__path"))
        assert [a.home_unit for a in adoptions] == [org.commune, org.commune2]
        for adoption, head in zip(adoptions, [org.commune_head, org.commune2_head], strict=True):
            assert adoption.state == State.APPROVED
            assert adoption.mode == Mode.IMPLEMENTATION
            # Its head is its author: the superior unit decides on it (Decree 73, Art. 7(4)).
            assert adoption.deciding_unit == org.province
            assert adoption.title == source.title
            assert adoption.bottleneck == source.bottleneck
            assert adoption.code and adoption.code != source.code
            assert list(adoption.authors.all()) == [head]
            assert ProposalVersion.objects.get(proposal=adoption).number == 1
            first = ledger(adoption)
            assert len(first) == 1
            assert (first[0].event, first[0].from_state, first[0].to_state) == (
                "adopt",
                "",
                State.APPROVED,
            )
            assert first[0].payload["origin"] == source.code
            assert first[0].payload["decided_by"] == "replication_directive"
            assert proposal_verify(adoption).valid
        replication = Replication.objects.get(source=source)
        assert replication.board_unit == org.province
        entry = ledger(source)[-1]
        assert (entry.event, entry.from_state, entry.to_state) == (
            "replicate",
            State.SUCCEEDED,
            State.REPLICATED,
        )
        assert [t["unit"] for t in entry.payload["targets"]] == ["P-C", "P-C2"]

    def test_a_replicated_model_can_be_replicated_again(self, org, proposal):
        source = succeeded(proposal, head=org.head, party=org.party)
        self.replicate(org, source, [org.commune])
        self.replicate(org, source, [org.office])
        assert fresh(source).state == State.REPLICATED
        assert Adoption.objects.count() == 2
        events = [e.event for e in ledger(source)]
        assert events.count("replicate") == 2 and events[-1] == "replicate"

    def test_the_adopting_head_sees_it_and_the_authority_cosigns_its_plan(self, org, proposal):
        from pilots.permissions import approving_head_id

        source = succeeded(proposal, head=org.head, party=org.party)
        directive = self.replicate(org, source, [org.commune])
        adoption = Proposal.objects.get(origin=source)
        assert access_proposal(org.commune_head, adoption.pk) == adoption
        # The directive is the approval: the authority who directed it co-signs the plan's risk
        # declaration, not the board that proposed it.
        assert approving_head_id(adoption) == directive.decided_by_id != org.orgboard.pk

    def test_targets_outside_the_boards_subtree_are_refused(self, org, proposal):
        source = succeeded(proposal, head=org.head, party=org.party)
        before = snapshot(source)
        with pytest.raises(Invalid) as error:
            self.replicate(org, source, [org.office, org.commune], who=org.agency_board)
        assert "target_units" in error.value.errors
        assert org.commune.name in error.value.errors["target_units"][0]
        assert snapshot(source) == before

    @pytest.mark.parametrize(
        "targets",
        [
            pytest.param([], id="none"),
            pytest.param(["agency"], id="its-own-unit"),
            pytest.param(["commune", "commune"], id="twice"),
            pytest.param([987654], id="unknown"),
            pytest.param(["x"], id="not-an-id"),
        ],
    )
    def test_bad_targets_write_nothing(self, org, proposal, targets):
        source = succeeded(proposal, head=org.head, party=org.party)
        before = snapshot(source)
        units = [getattr(org, t) if isinstance(t, str) and hasattr(org, t) else t for t in targets]
        with pytest.raises(Invalid) as error:
            self.replicate(org, source, units)
        assert "target_units" in error.value.errors
        assert snapshot(source) == before

    def test_a_unit_adopts_a_model_once(self, org, proposal):
        source = succeeded(proposal, head=org.head, party=org.party)
        self.replicate(org, source, [org.commune])
        before = snapshot(source)
        with pytest.raises(Invalid):
            self.replicate(org, source, [org.commune2, org.commune])
        assert snapshot(source) == before

    @pytest.mark.parametrize("who", ["head", "inspector", "cadre", "province_head"])
    def test_only_an_organization_board_over_the_source(self, org, proposal, who):
        source = succeeded(proposal, head=org.head, party=org.party)
        user = getattr(org, who)
        expected = NotFound if who == "province_head" else Forbidden
        with pytest.raises(expected):
            self.replicate(org, source, [org.commune], who=user)

    def test_a_board_of_another_subtree_gets_not_found(self, org, proposal):
        source = succeeded(proposal, head=org.head, party=org.party)
        with pytest.raises(NotFound):
            self.replicate(org, source, [org.commune], who=org.commune_board)

    @pytest.mark.parametrize("state", ["evaluating", "reduced", "institutionalized"])
    def test_wrong_state(self, org, proposal, state):
        source = in_state(proposal, state, mode="pilot")
        with pytest.raises(Conflict):
            self.replicate(org, source, [org.commune])


# --- institutionalize -------------------------------------------------------------------------


class TestInstitutionalize:
    def act(self, org, proposal, who=None, **overrides):
        inputs = {
            "title": "Quy định về tiếp nhận hồ sơ trực tuyến toàn trình",
            "issuing_level": "province",
            **overrides,
        }
        return services.proposal_institutionalize(
            proposal=fresh(proposal), actor=who or org.orgboard, **inputs
        )

    @pytest.mark.parametrize("start", ["succeeded", "replicated"])
    def test_happy_path(self, org, proposal, start):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        if start == "replicated":
            replicated(proposal, board=org.orgboard, target_units=[org.commune.pk])
        self.act(org, proposal, who=org.agency_board)
        proposal = fresh(proposal)
        assert proposal.state == State.INSTITUTIONALIZED
        record = Institutionalization.objects.get(proposal=proposal)
        assert (record.issuing_level, record.board_unit) == ("province", org.agency)
        entry = ledger(proposal)[-1]
        assert (entry.event, entry.to_state) == ("institutionalize", State.INSTITUTIONALIZED)
        assert entry.payload["title"].startswith("Quy định")

    @pytest.mark.parametrize(
        ("field", "value"), [("title", ""), ("issuing_level", "village"), ("issuing_level", "")]
    )
    def test_bad_input(self, org, proposal, field, value):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        before = snapshot(proposal)
        with pytest.raises(Invalid) as error:
            self.act(org, proposal, **{field: value})
        assert field in error.value.errors
        assert snapshot(proposal) == before

    @pytest.mark.parametrize("who", ["head", "inspector", "cadre"])
    def test_only_an_organization_board(self, org, proposal, who):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        with pytest.raises(Forbidden):
            self.act(org, proposal, who=getattr(org, who))

    def test_another_subtree(self, org, proposal):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        with pytest.raises(NotFound):
            self.act(org, proposal, who=org.commune_board)

    def test_wrong_state(self, org, proposal):
        proposal = in_review(proposal, head=org.head, party=org.party)
        with pytest.raises(Conflict):
            self.act(org, proposal)


# --- recognition ------------------------------------------------------------------------------


class TestRecognition:
    """Granted only by the competent authority's approval of the organization board's request
    (board_requests.py; its rules: test_board_requests.py): what the approval writes."""

    def test_all_authors_on_approval(self, org, proposal):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        request = recognised(proposal, board=org.agency_board, authority=org.province_head)
        records = list(Recognition.objects.filter(proposal=proposal))
        assert {r.recipient for r in records} == {org.cadre, org.cadre2}
        # Granted in the name of the unit whose head decided, by that head, on the request.
        assert {(r.unit, r.granted_by, r.request) for r in records} == {
            (org.province, org.province_head, request)
        }
        entry = ledger(proposal)[-1]
        assert (entry.event, entry.from_state, entry.to_state) == (
            "recognition",
            State.SUCCEEDED,
            State.SUCCEEDED,
        )
        assert sorted(entry.payload["recipients"]) == ["cadre", "cadre2"]
        assert entry.payload["kind"] == "praise"
        assert entry.payload["decided_as"] == "head"

    @pytest.mark.parametrize("state", ["replicated", "institutionalized"])
    def test_later_states(self, org, proposal, state):
        proposal = in_state(proposal, state, mode="pilot")
        recognised(proposal, board=org.agency_board, authority=org.province_head)
        assert Recognition.objects.count() == 2

    def test_nobody_grants_directly(self):
        assert not hasattr(services, "recognition_grant")
        assert not hasattr(services, "proposal_replicate")


# --- the lessons library ----------------------------------------------------------------------


class TestLessons:
    def test_publish_and_unpublish(self, org, proposal):
        proposal = decided(proposal, head=org.head, party=org.party)
        lesson = services.lesson_publish(
            proposal=proposal, actor=org.head, lessons="Cần tập huấn trước khi triển khai."
        )
        assert fresh(proposal).published_at is not None
        assert "tap huan" in lesson.search_text
        # the responsibility decision is not in the lesson, so a search must not find it
        assert "lam dung ke hoach" not in lesson.search_text
        assert ledger(proposal)[-1].event == "lesson_publish"
        services.lesson_unpublish(proposal=fresh(proposal), actor=org.head)
        assert fresh(proposal).published_at is None
        assert Lesson.objects.filter(proposal=proposal).exists()
        assert ledger(proposal)[-1].event == "lesson_unpublish"

    def test_republishing_replaces_the_text(self, org, proposal):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        services.lesson_publish(proposal=proposal, actor=org.head, lessons="Một")
        services.lesson_publish(proposal=fresh(proposal), actor=org.head, lessons="Hai")
        assert Lesson.objects.get(proposal=proposal).lessons == "Hai"

    def test_a_later_decision_stays_out_of_the_search(self, org, proposal):
        proposal = in_review(proposal, head=org.head, party=org.party)
        services.lesson_publish(proposal=proposal, actor=org.head, lessons="Bài học")
        services.proposal_decide_responsibility(
            proposal=fresh(proposal),
            actor=org.head,
            decision="exempted",
            **PROTECTED,
            damage=True,
            damage_amount=1000,
            reasons="Rủi ro khách quan do thiên tai.",
        )
        assert "thien tai" not in Lesson.objects.get(proposal=proposal).search_text

    def test_only_evaluated_proposals(self, org, proposal):
        proposal = evaluating(proposal, party=org.party)
        with pytest.raises(Conflict):
            services.lesson_publish(proposal=proposal, actor=org.head, lessons="x")

    @pytest.mark.parametrize("who", ["orgboard", "deputy", "cadre"])
    def test_only_the_deciding_head(self, org, proposal, who):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        with pytest.raises(Forbidden):
            services.lesson_publish(proposal=proposal, actor=getattr(org, who), lessons="x")

    def test_lessons_text_required(self, org, proposal):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        before = snapshot(proposal)
        with pytest.raises(Invalid):
            services.lesson_publish(proposal=proposal, actor=org.head, lessons=" ")
        assert snapshot(proposal) == before

    def test_unpublishing_what_is_not_published(self, org, proposal):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        with pytest.raises(Conflict):
            services.lesson_unpublish(proposal=proposal, actor=org.head)

    def test_a_published_lesson_is_visible_to_another_units_cadre(self, org, proposal):
        from proposals.permissions import access_proposal
        from reviews.permissions import access_lesson, sees_lesson_dossier

        proposal = succeeded(proposal, head=org.head, party=org.party)
        with pytest.raises(NotFound):
            access_lesson(org.commune_cadre, proposal.pk)
        services.lesson_publish(proposal=proposal, actor=org.head, lessons="Bài học")
        assert access_lesson(org.commune_cadre, proposal.pk) == proposal
        # the lesson, not the proposal: its dossier stays with those who saw it before
        assert not sees_lesson_dossier(org.commune_cadre, proposal)
        assert sees_lesson_dossier(org.head, proposal)
        with pytest.raises(NotFound):
            access_proposal(org.commune_cadre, proposal.pk)
        services.lesson_unpublish(proposal=fresh(proposal), actor=org.head)
        with pytest.raises(NotFound):
            access_lesson(org.commune_cadre, proposal.pk)
        assert access_lesson(org.head, proposal.pk) == proposal
