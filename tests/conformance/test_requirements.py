"""lifecycle.md, the "requires" column: each requirement is enforced with a 400 naming the field and
nothing written; what a transition "sets" or "creates" is set and created."""

import datetime

import pytest
from django.utils import timezone

from kl14.errors import Conflict, Forbidden, Invalid
from pilots import services as pilots
from proposals import services as proposals
from proposals.models import (
    CRITERIA_FIELDS,
    PLAN_FIELDS,
    Mode,
    Proposal,
    ProposalAuthor,
    ProposalVersion,
    Vote,
)
from proposals.selectors import proposal_tally, proposal_verify
from reviews import board_requests
from reviews import services as reviews
from reviews.models import (
    AbuseCase,
    AbuseReferral,
    Adoption,
    Evaluation,
    Institutionalization,
    ResponsibilityDecision,
)
from reviews.selectors import review_record
from tests.factories.pilots import plan_data
from tests.factories.proposals import CONDITIONS_MET, committee_reference, fresh
from units.models import Role
from workdays.calendar import deadline_from

from .life import (
    CAUSES,
    FINALS,
    INPUTS,
    PROTECTED,
    TABLE,
    S,
    cadre_draft,
    entries,
    explain_all,
    fingerprint,
    fire,
    head_draft,
    minutes_file,
    prepare,
    record_decision_opinion,
    record_evaluation_opinion,
    save_plan,
    vote_all,
)

pytestmark = pytest.mark.django_db


def refused(call, *fields):
    """`call` raises Invalid (400) naming every one of `fields`, and writes nothing."""
    before = fingerprint()
    with pytest.raises(Invalid) as error:
        call()
    assert set(fields) <= set(error.value.errors), error.value.errors
    assert fingerprint() == before
    return error.value.errors


# --- submit -------------------------------------------------------------------------------------

SECTIONS = ["summary", *PLAN_FIELDS]


@pytest.mark.parametrize("field", SECTIONS)
def test_submit_requires_every_art_7_2_section(org, field):
    draft = cadre_draft(org, **{field: ""})
    refused(lambda: fire(org, draft, "submit"), field)
    assert not ProposalVersion.objects.filter(proposal=draft).exists()


@pytest.mark.parametrize("field", [*CRITERIA_FIELDS, "declaration_no_personal_interest"])
def test_submit_requires_the_four_criteria_and_the_declaration(org, field):
    draft = cadre_draft(org, **{field: False})
    refused(lambda: fire(org, draft, "submit"), field)


def test_submit_freezes_a_numbered_version_sets_the_deciding_unit_and_the_due_date(org):
    draft = cadre_draft(org)
    proposal = fire(org, draft, "submit")
    version = ProposalVersion.objects.get(proposal=proposal)
    assert (proposal.version, version.number) == (1, 1)
    assert proposal.deciding_unit == org.agency
    assert proposal.decision_due == deadline_from(timezone.now(), 7)
    entry = entries(proposal)[-1]
    assert entry.dossier_hash == version.content_hash
    assert version.content["fields"]["bottleneck"] == draft.bottleneck
    # the frozen version does not follow later edits
    fire(org, proposal, "open_review")
    fire(org, proposal, "return_for_revision")
    proposals.proposal_update(proposal=fresh(proposal), actor=org.cadre, purpose="Mục đích mới.")
    proposal = fire(org, proposal, "submit")
    v1, v2 = ProposalVersion.objects.filter(proposal=proposal).order_by("number")
    assert v1.content["fields"]["purpose"] != "Mục đích mới." == v2.content["fields"]["purpose"]
    assert (proposal.version, proposal.decision_round) == (2, 2)
    assert entries(proposal)[-1].dossier_hash == v2.content_hash != v1.content_hash


@pytest.mark.parametrize(
    ("make", "deciding"),
    [
        (cadre_draft, "agency"),  # a cadre's proposal: the home unit
        (head_draft, "province"),  # the head is an author: the parent
    ],
)
def test_submit_routes_to_the_home_unit_or_to_its_parent(org, make, deciding):
    assert fire(org, make(org), "submit").deciding_unit == getattr(org, deciding)


def test_a_head_co_author_also_routes_to_the_parent(org):
    draft = cadre_draft(org)
    ProposalAuthor.objects.create(proposal=draft, user=org.head)
    assert fire(org, draft, "submit", actor=org.cadre).deciding_unit == org.province


def test_the_head_of_the_root_cannot_submit_anywhere(org):
    from tests.factories.proposals import ProposalFactory

    draft = ProposalFactory(home_unit=org.province, created_by=org.p_head)
    refused(lambda: fire(org, draft, "submit", actor=org.p_head), "home_unit")


# --- the simple text inputs ---------------------------------------------------------------------

TEXT_INPUTS = [
    # transition, state, input field
    ("withdraw", S.SUBMITTED, "reason"),
    ("return_for_revision", S.UNDER_REVIEW, "comment"),
    ("escalate", S.SUBMITTED, "reason"),
    ("reject", S.UNDER_REVIEW, "reasons"),
    ("suspend", S.IN_PROGRESS, "reason"),
    ("terminate", S.IN_PROGRESS, "reason"),
    ("submit_final_report", S.ENDED, "report"),
    ("evaluate", S.EVALUATING, "causes_objective"),
    ("evaluate", S.EVALUATING, "causes_subjective"),
    ("decide_responsibility", S.RESPONSIBILITY_REVIEW, "reasons"),
    ("refer_abuse", S.IN_PROGRESS, "evidence"),
    ("refer_abuse", S.IN_PROGRESS, "grounds"),
    ("conclude_abuse", S.ABUSE_REVIEW, "conclusion"),
    ("institutionalize", S.SUCCEEDED, "title"),
]


@pytest.mark.parametrize(("name", "state", "field"), TEXT_INPUTS)
@pytest.mark.parametrize("value", ["", "   "], ids=["empty", "blank"])
def test_every_required_text_input(org, reach, name, state, field, value):
    proposal = reach(state)
    prepare(org, proposal, name)
    refused(lambda: fire(org, proposal, name, **{field: value}), field)
    assert fresh(proposal).state == state


CHOICES = [
    ("approve", S.UNDER_REVIEW, "mode", "both"),
    ("evaluate", S.EVALUATING, "outcome", "excellent"),
    ("decide_responsibility", S.RESPONSIBILITY_REVIEW, "decision", "pardoned"),
    ("institutionalize", S.SUCCEEDED, "issuing_level", "galaxy"),
    ("evaluate", S.EVALUATING, "meeting_date", "not a date"),
    ("conclude_abuse", S.ABUSE_REVIEW, "finding", "maybe"),
]


@pytest.mark.parametrize(("name", "state", "field", "value"), CHOICES)
def test_every_choice_input(org, reach, name, state, field, value):
    proposal = reach(state)
    prepare(org, proposal, name)
    refused(lambda: fire(org, proposal, name, **{field: value}), field)


# --- authors' posts and the regulation status (amendment 2026-11-29) -----------------------------


def test_each_authors_post_is_recorded_and_frozen_with_the_version(org):
    draft = head_draft(org)
    proposals.proposal_update(
        proposal=fresh(draft),
        actor=org.head,
        author_posts={org.head.pk: "leadership", org.cadre.pk: "staff"},
    )
    refused(
        lambda: proposals.proposal_update(
            proposal=fresh(draft), actor=org.head, author_posts={org.cadre.pk: "chief"}
        ),
        "author_posts",
    )
    proposal = fire(org, draft, "submit")
    frozen = {a["username"]: a["post"] for a in proposal.versions.get().content["authors"]}
    assert frozen == {org.head.username: "leadership", org.cadre.username: "staff"}


def test_a_proposal_on_a_matter_already_regulated_is_flagged_not_refused(org):
    from proposals.selectors import regulation_flag

    draft = cadre_draft(org, regulation_status="regulated_and_fit")
    proposal = fire(org, draft, "submit")
    assert proposal.state == S.SUBMITTED
    assert regulation_flag(proposal)
    assert not regulation_flag(fresh(cadre_draft(org, regulation_status="not_regulated")))


# --- escalate -----------------------------------------------------------------------------------


def test_escalate_moves_the_decision_up_resets_the_votes_and_sets_a_new_due_date(org, reach):
    proposal = reach(S.UNDER_REVIEW)
    record_decision_opinion(org, proposal)
    vote_all(org, proposal)
    assert proposal_tally(fresh(proposal)).passed
    round_before = fresh(proposal).decision_round
    proposal = fire(org, proposal, "escalate")
    assert (proposal.state, proposal.deciding_unit) == (S.SUBMITTED, org.province)
    assert proposal.decision_round == round_before + 1
    assert proposal.decision_due == deadline_from(timezone.now(), 7)
    tally = proposal_tally(proposal)
    assert (tally.eligible, tally.votes_for, tally.passed) == (2, 0, False)  # province head+deputy
    assert Vote.objects.filter(proposal=proposal).count() == 3  # kept on record, not counted
    # the agency's Party committee opinion was for the agency's decision: a new one is needed
    fire(org, proposal, "open_review", actor=org.p_head)
    for voter in (org.p_head, org.p_deputy):
        proposals.vote_cast(proposal=fresh(proposal), actor=voter, choice="for")
    refused(lambda: fire(org, proposal, "approve", actor=org.p_head), "opinion")
    proposals.opinion_record(
        proposal=fresh(proposal),
        actor=org.p_party,
        stage="decision",
        stance="agree",
        text="Đồng ý.",
        **committee_reference(),
    )
    assert fire(org, proposal, "approve", actor=org.p_head).state == S.APPROVED


def test_escalate_from_the_root_is_refused(org, reach):
    proposal = reach(S.SUBMITTED)
    fire(org, proposal, "escalate")
    refused(lambda: fire(org, proposal, "escalate", actor=org.p_head), "reason")


# --- approve and reject -------------------------------------------------------------------------


def test_approve_requires_the_party_committee_opinion(org, reach):
    proposal = reach(S.UNDER_REVIEW)
    vote_all(org, proposal)
    refused(lambda: fire(org, proposal, "approve"), "opinion")


@pytest.mark.parametrize("override", ["", "   "])
def test_approve_without_a_passed_vote_requires_written_reasons(org, reach, override):
    proposal = reach(S.UNDER_REVIEW)
    record_decision_opinion(org, proposal)
    vote_all(org, proposal, "against")
    refused(lambda: fire(org, proposal, "approve", override_reason=override), "override_reason")


@pytest.mark.parametrize("mode", list(Mode.values))
def test_approve_on_the_heads_responsibility_is_marked_in_the_ledger(org, reach, mode):
    proposal = reach(S.UNDER_REVIEW)
    record_decision_opinion(org, proposal)
    vote_all(org, proposal, "against")
    proposal = fire(org, proposal, "approve", mode=mode, override_reason="Tôi chịu trách nhiệm.")
    assert (proposal.state, proposal.mode, proposal.head_override) == (S.APPROVED, mode, True)
    payload = entries(proposal)[-1].payload
    assert payload["head_bears_responsibility"] is True
    assert payload["override_reason"] == "Tôi chịu trách nhiệm."
    assert payload["tally"]["passed"] is False


def record_disagreement(org, proposal):
    proposals.opinion_record(
        proposal=fresh(proposal),
        actor=org.party,
        stage="decision",
        stance="disagree",
        text="Cấp ủy không đồng ý.",
        document_number="15-CV/ĐU",
        document_date=timezone.localdate(),
        signer_name="Trần Thị Bình",
        signer_title="Bí thư Đảng ủy",
    )


@pytest.mark.parametrize("override", ["", "   "])
def test_approve_after_a_disagreeing_opinion_requires_written_reasons(org, reach, override):
    """Amendment 2026-11-29: after `disagree`, approving needs the head's written reasons, even
    when the vote passed."""
    proposal = reach(S.UNDER_REVIEW)
    vote_all(org, proposal, "for")
    record_disagreement(org, proposal)
    refused(lambda: fire(org, proposal, "approve", override_reason=override), "override_reason")


def test_approve_after_a_disagreeing_opinion_records_the_reasons_and_the_document(org, reach):
    proposal = reach(S.UNDER_REVIEW)
    vote_all(org, proposal, "for")
    record_disagreement(org, proposal)
    opinion_entry = entries(proposal)[-1].payload
    assert (opinion_entry["document_number"], opinion_entry["signer_name"]) == (
        "15-CV/ĐU",
        "Trần Thị Bình",
    )
    proposal = fire(org, proposal, "approve", override_reason="Lý do của người đứng đầu.")
    payload = entries(proposal)[-1].payload
    assert (proposal.state, proposal.head_override) == (S.APPROVED, False)
    assert payload["against_opinion"] is True
    assert payload["override_reason"] == "Lý do của người đứng đầu."
    assert payload["opinion"]["document_number"] == "15-CV/ĐU"


@pytest.mark.parametrize("field", list(CONDITIONS_MET))
def test_approve_requires_the_collectives_assessment_of_each_condition(org, reach, field):
    """Issue 11, point 7: the collective records its assessment of each of the four conditions
    of Art. 5(1) at the decision."""
    proposal = reach(S.UNDER_REVIEW)
    prepare(org, proposal, "approve")
    errors = refused(lambda: fire(org, proposal, "approve", **{field: ""}), field)
    assert list(errors) == [field]


def test_approve_records_the_collectives_assessment(org, reach):
    proposal = reach(S.UNDER_REVIEW)
    prepare(org, proposal, "approve")
    proposal = fire(org, proposal, "approve")
    assert entries(proposal)[-1].payload["conditions"] == dict.fromkeys(CRITERIA_FIELDS, "met")


def test_approve_refused_when_the_collective_finds_a_condition_not_met(org, reach):
    proposal = reach(S.UNDER_REVIEW)
    prepare(org, proposal, "approve")
    refused(
        lambda: fire(org, proposal, "approve", assessment_urgent_need="not_met"),
        "assessment_urgent_need",
    )


def test_approve_with_a_passed_vote_marks_no_personal_responsibility(org, reach):
    proposal = reach(S.UNDER_REVIEW)
    prepare(org, proposal, "approve")
    proposal = fire(org, proposal, "approve", mode="implementation")
    assert (proposal.mode, proposal.head_override) == ("implementation", False)
    assert entries(proposal)[-1].payload["head_bears_responsibility"] is False


def test_reject_is_not_allowed_when_the_vote_passed(org, reach):
    proposal = reach(S.UNDER_REVIEW)
    vote_all(org, proposal, "for")
    refused(lambda: fire(org, proposal, "reject"), "reasons")
    proposals.vote_cast(proposal=fresh(proposal), actor=org.deputy1, choice="against")
    proposals.vote_cast(proposal=fresh(proposal), actor=org.deputy2, choice="against")
    assert fire(org, proposal, "reject").state == S.REJECTED


# --- start --------------------------------------------------------------------------------------

PLAN_GAPS = [
    # plan_data override, the field start names
    ({"start_date": None, "end_date": None}, "start_date"),
    ({"milestones": []}, "milestones"),
    ({"kpis": []}, "kpis"),
    ({"budget_amount": None}, "budget_amount"),
    ({"people": ""}, "people"),
    ({"equipment": ""}, "equipment"),
    ({"monitors": []}, "monitors"),
    ({"risk_declaration": ""}, "risk_declaration"),
]


def test_start_requires_a_plan(org, reach):
    proposal = reach(S.APPROVED)
    refused(lambda: fire(org, proposal, "start"), "plan")


@pytest.mark.parametrize(("gap", "field"), PLAN_GAPS, ids=[f for _g, f in PLAN_GAPS])
def test_start_requires_the_full_plan(org, reach, gap, field):
    proposal = reach(S.APPROVED)
    data = {**plan_data(monitors=[org.p_inspector]), **gap}
    pilots.plan_save(proposal=fresh(proposal), actor=org.head, **data)
    refused(lambda: fire(org, proposal, "start"), field, "cosignature")


def test_start_requires_the_risk_declaration_co_signed_by_the_approving_head(org, reach):
    proposal = reach(S.APPROVED, head=True)  # approved by the province head
    save_plan(org, proposal, cosign=False)
    refused(lambda: fire(org, proposal, "start"), "cosignature")
    with pytest.raises(Forbidden):  # the home head is not the approving head
        pilots.plan_cosign(proposal=fresh(proposal), actor=org.head)
    pilots.plan_cosign(proposal=fresh(proposal), actor=org.p_head)
    # a later change of the plan is not covered by that signature
    pilots.plan_save(
        proposal=fresh(proposal),
        actor=org.p_head,  # the head's own proposal: the province's head supervises it
        **plan_data(monitors=[org.p_inspector], people="2 cán bộ."),
    )
    refused(lambda: fire(org, proposal, "start"), "cosignature")
    pilots.plan_cosign(proposal=fresh(proposal), actor=org.p_head)
    assert fire(org, proposal, "start").state == S.IN_PROGRESS


# --- submit_final_report ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [{}, {"Thời gian giải quyết hồ sơ": "12"}, {**FINALS, "Không có": "1"}, {**FINALS, "x": "y"}],
    ids=["none", "one-missing", "unknown-kpi", "not-a-number"],
)
def test_the_final_report_needs_the_final_value_of_every_kpi(org, reach, values):
    proposal = reach(S.ENDED)
    refused(lambda: fire(org, proposal, "submit_final_report", kpi_values=values), "kpi_values")


# --- evaluate -----------------------------------------------------------------------------------


def test_evaluate_requires_the_party_committees_opinion_on_the_results(org, reach):
    proposal = reach(S.EVALUATING)
    refused(lambda: fire(org, proposal, "evaluate"), "opinion")


@pytest.mark.parametrize(
    ("outcome", "target"),
    [
        ("achieved", S.SUCCEEDED),
        ("partial", S.RESPONSIBILITY_REVIEW),
        ("not_achieved", S.RESPONSIBILITY_REVIEW),
        ("damage", S.RESPONSIBILITY_REVIEW),
    ],
)
def test_evaluate_maps_the_outcome(org, reach, outcome, target):
    proposal = reach(S.EVALUATING)
    prepare(org, proposal, "evaluate", outcome=outcome)
    proposal = fire(org, proposal, "evaluate", outcome=outcome)
    assert proposal.state == target
    evaluation = Evaluation.objects.get(proposal=proposal)
    assert (evaluation.outcome, evaluation.causes_objective) == (
        outcome,
        CAUSES["causes_objective"],
    )
    assert evaluation.opinion.stage == "evaluation"
    assert entries(proposal)[-1].payload["outcome"] == outcome


def test_the_evaluation_meeting_cannot_be_in_the_future(org, reach):
    proposal = reach(S.EVALUATING)
    record_evaluation_opinion(org, proposal)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused(lambda: fire(org, proposal, "evaluate", meeting_date=tomorrow), "meeting_date")


def test_the_evaluation_meeting_cannot_predate_the_final_report(org, reach):
    """lifecycle.md: the head evaluates the final report (due 7 working days after it) in a
    collective meeting whose record is an input. A meeting held before the report existed cannot
    have evaluated it, yet a date years earlier is accepted."""
    proposal = reach(S.EVALUATING)
    record_evaluation_opinion(org, proposal)
    long_before = datetime.date(2020, 1, 1)
    refused(lambda: fire(org, proposal, "evaluate", meeting_date=long_before), "meeting_date")


# --- decide_responsibility ----------------------------------------------------------------------

DECISIONS = ["liability_excluded", "exempted", "reduced", "held_responsible"]
RULE = {
    # (all four criteria, damage): decisions lifecycle.md allows
    (True, False): {"liability_excluded"},
    (True, True): {"liability_excluded", "exempted", "reduced"},
    (False, False): {"held_responsible"},
    (False, True): {"held_responsible"},
}
CASES = [
    (criteria, damage, decision, failing)
    for (criteria, damage) in RULE
    for decision in DECISIONS
    for failing in ([None] if criteria else list(PROTECTED))
]


@pytest.mark.parametrize(
    ("criteria", "damage", "decision", "failing"),
    CASES,
    ids=[
        f"{'all' if c else 'no-' + str(f)}-{'damage' if d else 'no-damage'}-{x}"
        for c, d, x, f in CASES
    ],
)
def test_the_responsibility_rules(org, reach, criteria, damage, decision, failing):
    proposal = reach(S.RESPONSIBILITY_REVIEW)
    inputs = {
        **PROTECTED,
        "decision": decision,
        "damage": damage,
        "damage_amount": 50_000_000 if damage else None,
    }
    if failing:
        inputs[failing] = False
    if decision in RULE[(criteria, damage)]:
        proposal = fire(org, proposal, "decide_responsibility", **inputs)
        assert proposal.state == decision
        record = ResponsibilityDecision.objects.get(proposal=proposal)
        assert (record.decision, record.damage) == (decision, damage)
        assert entries(proposal)[-1].payload["criteria"] == {
            **PROTECTED,
            **({failing: False} if failing else {}),
        }
    else:
        refused(lambda: fire(org, proposal, "decide_responsibility", **inputs), "decision")


@pytest.mark.parametrize(
    ("damage", "amount", "field"),
    [(True, None, "damage_amount"), (False, 1_000_000, "damage_amount"), ("yes", None, "damage")],
)
def test_damage_and_its_amount_agree(org, reach, damage, amount, field):
    proposal = reach(S.RESPONSIBILITY_REVIEW)
    refused(
        lambda: fire(
            org,
            proposal,
            "decide_responsibility",
            decision="liability_excluded",
            damage=damage,
            damage_amount=amount,
        ),
        field,
    )


# --- refer_abuse --------------------------------------------------------------------------------


def test_a_referral_opens_a_case_and_a_founded_finding_revokes_protection(org, reach):
    """Amendments (2026-11-29): the referral opens a case (who, grounds, evidence); protection is
    withheld while it is heard; the finding waits for the authors' explanations (or their
    deadline); founded -> referred, the protection revoked for good."""
    proposal = reach(S.RESPONSIBILITY_REVIEW)
    proposal = fire(org, proposal, "refer_abuse")
    assert proposal.state == S.ABUSE_REVIEW
    case = AbuseCase.objects.get(proposal=proposal)
    assert (case.from_state, case.referred_by, case.grounds) == (
        S.RESPONSIBILITY_REVIEW,
        org.p_inspector,
        INPUTS["refer_abuse"]["grounds"],
    )
    assert case.explanation_due == deadline_from(case.created_at, 10)
    assert not AbuseReferral.objects.filter(proposal=proposal).exists()
    # the authors have not explained and their time is not over: no finding yet
    with pytest.raises(Conflict):
        fire(org, proposal, "conclude_abuse")
    explain_all(proposal)
    proposal = fire(org, proposal, "conclude_abuse")
    assert proposal.state == S.REFERRED
    assert AbuseReferral.objects.get(proposal=proposal).case == case
    assert review_record(proposal).protected is False
    for name in TABLE:
        with pytest.raises((Conflict, Forbidden)):
            fire(org, proposal, name, actor=org.head if name != "refer_abuse" else None)
    with pytest.raises(Conflict):
        board_requests.recognition_propose(
            proposal=fresh(proposal), actor=org.p_board, kind="praise", grounds="x"
        )


@pytest.mark.parametrize("state", [S.SUCCEEDED, S.LIABILITY_EXCLUDED, S.REPLICATED])
def test_an_unfounded_finding_returns_the_proposal_with_its_protection(org, reach, state):
    proposal = reach(state)
    fire(org, proposal, "refer_abuse")
    explain_all(proposal)
    proposal = fire(org, proposal, "conclude_abuse", finding="unfounded")
    assert proposal.state == state
    assert not AbuseReferral.objects.filter(proposal=proposal).exists()
    assert AbuseCase.objects.get(proposal=proposal).finding == "unfounded"
    assert review_record(proposal).protected is not False


def test_the_finding_may_come_once_the_time_to_explain_is_over(org, reach, time_machine):
    proposal = fire(org, reach(S.SUCCEEDED), "refer_abuse")
    case = AbuseCase.objects.get(proposal=proposal)
    time_machine.move_to(datetime.datetime.combine(case.explanation_due, datetime.time(12)))
    with pytest.raises(Conflict):
        fire(org, proposal, "conclude_abuse")
    time_machine.move_to(
        datetime.datetime.combine(
            case.explanation_due + datetime.timedelta(days=1), datetime.time(9)
        )
    )
    with pytest.raises(Conflict):  # too late to explain
        reviews.abuse_explain(proposal=fresh(proposal), actor=org.cadre, text="Muộn.")
    assert fire(org, proposal, "conclude_abuse").state == S.REFERRED


def test_a_dossier_issued_before_a_referral_no_longer_passes_as_protection(org, reach):
    """A cadre who printed a dossier while the pilot ran can still have it verified: while the
    case is heard the answer says protection is withheld; after a founded finding, revoked,
    with the finding."""
    from reviews.dossier import VALID, dossier_check

    proposal = reach(S.IN_PROGRESS)
    issue, _verification = reviews.dossier_issue(proposal=proposal, actor=org.cadre)
    assert dossier_check(issue.code).status == VALID
    fire(org, proposal, "refer_abuse")
    result = dossier_check(issue.code).as_dict()
    assert (result["protection"], result["protection_denied"]) == ("withheld", False)
    explain_all(proposal)
    fire(org, proposal, "conclude_abuse")
    result = dossier_check(issue.code).as_dict()
    assert (result["protection"], result["protection_denied"]) == ("revoked", True)
    assert result["finding"]["conclusion"] == INPUTS["conclude_abuse"]["conclusion"]


# --- replicate and institutionalize -------------------------------------------------------------


def test_replicate_creates_an_approved_linked_proposal_in_each_target(org, reach):
    source = reach(S.SUCCEEDED)
    before = len(entries(source))
    source = fire(org, source, "replicate", target_units=[org.commune, org.commune2])
    # the board's request, then the directive (the competent authority's approval)
    assert [e.event for e in entries(source)[before:]] == ["replication_propose", "replicate"]
    adoptions = Proposal.objects.filter(origin=source).order_by("home_unit__path")
    assert [a.home_unit for a in adoptions] == [org.commune, org.commune2]
    for adoption in adoptions:
        assert (adoption.state, adoption.mode, adoption.origin_id) == (
            S.APPROVED,
            Mode.IMPLEMENTATION,
            source.pk,
        )
        assert adoption.version == 1
        (entry,) = entries(adoption)
        assert (entry.event, entry.to_state) == ("adopt", S.APPROVED)
        assert entry.payload["origin"] == source.code
        assert entry.dossier_hash == ProposalVersion.objects.get(proposal=adoption).content_hash
    assert Adoption.objects.filter(replication__source=source).count() == 2
    # and again from replicated, elsewhere
    source = fire(org, source, "replicate", target_units=[org.office])
    assert source.state == S.REPLICATED
    assert Proposal.objects.filter(origin=source).count() == 3


@pytest.mark.parametrize(
    "targets", [[], "nothing", [999999]], ids=["none", "not-a-list", "no-such-unit"]
)
def test_replicate_requires_target_units(org, reach, targets):
    source = reach(S.SUCCEEDED)
    refused(lambda: fire(org, source, "replicate", target_units=targets), "target_units")


def test_a_proposals_authors_never_sit_as_its_deciding_head(org, reach):
    """The rule behind "its parent when an author is the home unit's head" (Art. 7(4)): nobody
    decides on, evaluates or rules on the responsibility for their own proposal."""
    for head in (False, True):
        proposal = reach(S.APPROVED, head=head)
        heads = set(
            proposal.deciding_unit.memberships.filter(role=Role.HEAD).values_list(
                "user_id", flat=True
            )
        )
        assert not heads & set(proposal.authorships.values_list("user_id", flat=True))


def test_the_head_implementing_an_adoption_does_not_judge_his_own_results(org, reach):
    """lifecycle.md: `evaluate` and `decide_responsibility` are the deciding head's; submit makes
    the deciding unit the parent "when an author is the home unit's head". An adoption makes
    the target's head its author: the head of the superior unit supervises it (plan, start,
    completion; amendments of 2026-11-29), the commune head reports, and never evaluates his own
    work nor excludes his own liability."""
    source = reach(S.SUCCEEDED)
    fire(org, source, "replicate", target_units=[org.commune])
    adoption = Proposal.objects.get(origin=source)
    assert ProposalAuthor.objects.filter(proposal=adoption, user=org.c_head).exists()
    with pytest.raises(Forbidden):
        pilots.plan_save(
            proposal=fresh(adoption), actor=org.c_head, **plan_data(monitors=[org.p_inspector])
        )
    pilots.plan_save(
        proposal=fresh(adoption), actor=org.p_head, **plan_data(monitors=[org.p_inspector])
    )
    # The directive's author: the standing committee that approved the board's request.
    pilots.plan_cosign(proposal=fresh(adoption), actor=org.p_standing)
    with pytest.raises(Forbidden):
        pilots.pilot_start(proposal=fresh(adoption), actor=org.c_head)
    pilots.pilot_start(proposal=fresh(adoption), actor=org.p_head)
    with pytest.raises(Forbidden):
        pilots.pilot_complete(proposal=fresh(adoption), actor=org.c_head)
    pilots.pilot_complete(proposal=fresh(adoption), actor=org.p_head)
    pilots.pilot_submit_final_report(
        proposal=fresh(adoption), actor=org.c_head, report="Báo cáo.", kpi_values=FINALS
    )
    proposals.opinion_record(
        proposal=fresh(adoption),
        actor=org.p_party,
        stage="evaluation",
        stance="agree",
        text="Ok.",
        **committee_reference(),
    )
    with pytest.raises(Forbidden):
        reviews.proposal_evaluate(
            proposal=fresh(adoption),
            actor=org.c_head,
            outcome="damage",
            meeting_date=timezone.localdate(),
            minutes=minutes_file(),
            **CAUSES,
        )


def test_institutionalize_records_the_regulation(org, reach):
    proposal = fire(org, reach(S.SUCCEEDED), "institutionalize")
    record = Institutionalization.objects.get(proposal=proposal)
    assert (record.title, record.issuing_level) == ("Quy định về một cửa số", "province")
    assert entries(proposal)[-1].payload["issuing_level"] == "province"


# --- responsibility per person (amendment of 2026-11-29) ----------------------------------------


def test_one_decision_per_author_and_the_state_is_their_common_outcome(org, reach):
    """`decide_responsibility` records one decision per author; the state is the outcome they
    share, or `responsibility_decided` when theirs differ; one ledger entry per decision."""
    proposal = reach(S.RESPONSIBILITY_REVIEW, head=True)  # the head and a cadre are authors
    decided_by = org.p_head
    before = len(entries(proposal))
    fire(org, proposal, "decide_responsibility", actor=decided_by, author=org.head.pk)
    assert fresh(proposal).state == S.RESPONSIBILITY_REVIEW
    proposal = fire(
        org,
        proposal,
        "decide_responsibility",
        actor=decided_by,
        author=org.cadre.pk,
        decision="held_responsible",
        no_personal_gain=False,
    )
    assert proposal.state == S.RESPONSIBILITY_DECIDED
    added = entries(proposal)[before:]
    assert [e.event for e in added] == ["responsibility_decision", "decide_responsibility"]
    assert [e.payload["author"] for e in added] == [org.head.username, org.cadre.username]
    assert dict(
        ResponsibilityDecision.objects.filter(proposal=proposal).values_list(
            "author__username", "decision"
        )
    ) == {org.head.username: "liability_excluded", org.cadre.username: "held_responsible"}
    assert review_record(proposal).protected is None  # one protected, one not


def test_each_author_is_heard_before_the_decision_on_them(org, reach, settings):
    settings.KL14_RESPONSIBILITY_EXPLANATION_DAYS = 5
    proposal = reach(S.RESPONSIBILITY_REVIEW)
    with pytest.raises(Conflict):
        fire(org, proposal, "decide_responsibility")
    from reviews import responsibility

    responsibility.responsibility_explain(
        proposal=fresh(proposal), actor=org.cadre, text="Giải trình."
    )
    assert entries(proposal)[-1].event == "responsibility_explanation"
    proposal = fire(org, proposal, "decide_responsibility")
    assert proposal.state == S.LIABILITY_EXCLUDED


def test_an_author_complains_and_the_deciding_head_resolves(org, reach):
    from reviews import responsibility

    proposal = reach(S.HELD_RESPONSIBLE)
    with pytest.raises(Forbidden):
        responsibility.complaint_file(proposal=proposal, actor=org.head, text="Khiếu nại.")
    responsibility.complaint_file(proposal=fresh(proposal), actor=org.cadre, text="Khiếu nại.")
    with pytest.raises(Forbidden):
        responsibility.complaint_resolve(
            proposal=fresh(proposal),
            actor=org.deputy1,
            author=org.cadre.pk,
            resolution="accepted",
            text="X",
        )
    responsibility.complaint_resolve(
        proposal=fresh(proposal),
        actor=org.head,
        author=org.cadre.pk,
        resolution="upheld",
        text="Khiếu nại không có căn cứ: giữ nguyên quyết định.",
    )
    assert [e.event for e in entries(proposal)[-2:]] == [
        "responsibility_complaint",
        "responsibility_complaint_resolution",
    ]
    assert fresh(proposal).state == S.HELD_RESPONSIBLE


def test_a_founded_complaint_revises_the_decision_and_the_state(org, reach):
    """Law on Complaints, Art. 31: resolved as founded, the complaint carries the revised decision
    on the author; the decision complained of stays as history; the proposal's state follows the
    authors' current decisions; a founded resolution without a revised decision is 400."""
    from reviews import responsibility

    proposal = reach(S.HELD_RESPONSIBLE)
    responsibility.complaint_file(proposal=fresh(proposal), actor=org.cadre, text="Khiếu nại.")
    before = fingerprint()
    with pytest.raises(Invalid) as error:
        responsibility.complaint_resolve(
            proposal=fresh(proposal),
            actor=org.head,
            author=org.cadre.pk,
            resolution="accepted",
            text="Khiếu nại đúng.",
        )
    assert {"decision", "reasons"} <= set(error.value.errors)
    assert fingerprint() == before
    complained_of = ResponsibilityDecision.objects.get(proposal=proposal)
    proposal = fire(org, proposal, "revise_responsibility")
    assert proposal.state == S.EXEMPTED
    entry = entries(proposal)[-1]
    assert (entry.event, entry.from_state, entry.to_state) == (
        "revise_responsibility",
        S.HELD_RESPONSIBLE,
        S.EXEMPTED,
    )
    assert entry.payload["previous_decision"] == "held_responsible"
    revised = ResponsibilityDecision.objects.get(supersedes=complained_of)
    assert revised.decision == "exempted" and revised.author == org.cadre
    assert ResponsibilityDecision.objects.get(pk=complained_of.pk).decision == "held_responsible"
    assert review_record(proposal).protected is True
    assert proposal_verify(proposal).valid


def test_a_complaint_is_filed_within_the_days_the_law_allows(org, reach, settings):
    """Law on Complaints, Art. 9: 90 days (KL14_COMPLAINT_DAYS) from the decision; later, 400
    and nothing written."""
    from reviews import responsibility

    assert settings.KL14_COMPLAINT_DAYS == 90
    settings.KL14_COMPLAINT_DAYS = -1  # the last day was yesterday
    proposal = reach(S.HELD_RESPONSIBLE)
    before = fingerprint()
    with pytest.raises(Invalid):
        responsibility.complaint_file(proposal=fresh(proposal), actor=org.cadre, text="Muộn.")
    assert fingerprint() == before
