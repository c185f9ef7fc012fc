"""The collective evaluation (Decree 73, Art. 18; issue 11, point 4): the head and deputies of the
deciding unit who are not authors meet and vote on the outcome, with the arithmetic of the decision
vote (proposals.selectors.vote_passes); the head records the evaluation (reviews.services'
`proposal_evaluate`) with the meeting's date and minutes, on the outcome the vote carried or with
written reasons, as at the decision. Reads and the ballot's write live here."""

from django.db import transaction
from django.db.models import OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kl14.errors import Conflict, Invalid
from kl14.files import stored_copy
from proposals import ballots
from proposals.models import State
from proposals.selectors import Tally, vote_passes, voting_collective
from proposals.services import lock_proposal, record_action, require
from proposals.uploads import inspect_upload

from . import permissions as perms
from .models import BallotChoice, EvaluationBallot, EvaluationMinutes, Outcome
from .rules import evaluation_due


def _ballots(proposal, collective) -> tuple:
    return tuple(
        EvaluationBallot.objects.filter(proposal=proposal, voter_id__in=collective.eligible)
        .select_related("voter")
        .order_by("cast_at", "pk")
    )


def evaluation_ballots(proposal) -> tuple:
    """The ballots of the collective as it stands (a member who left it no longer counts)."""
    return _ballots(proposal, voting_collective(proposal))


def evaluation_tally(proposal, outcome) -> Tally:
    """The collective's vote on `outcome`: a ballot for it counts for, a ballot for another
    outcome against; it passes as the decision vote does (more than half of the eligible members;
    at exactly half, when the head is among them)."""
    collective = voting_collective(proposal)
    ballots = _ballots(proposal, collective)
    votes_for = sum(1 for b in ballots if b.choice == outcome)
    abstain = sum(1 for b in ballots if b.choice == BallotChoice.ABSTAIN)
    head_for = any(b.voter_id in collective.heads and b.choice == outcome for b in ballots)
    eligible = len(collective.eligible)
    return Tally(
        eligible=eligible,
        votes_for=votes_for,
        against=len(ballots) - votes_for - abstain,
        abstain=abstain,
        head_for=head_for,
        passed=vote_passes(eligible=eligible, votes_for=votes_for, head_for=head_for),
        voter_ids=collective.eligible,
        votes=ballots,
    )


def outcome_counts(proposal) -> list[dict]:
    """Every choice with its count and, for an outcome, whether the vote on it passed."""
    collective = voting_collective(proposal)
    ballots = _ballots(proposal, collective)
    rows = []
    for value, label in BallotChoice.choices:
        chosen = [b for b in ballots if b.choice == value]
        head_for = any(b.voter_id in collective.heads for b in chosen)
        passed = value in Outcome.values and vote_passes(
            eligible=len(collective.eligible), votes_for=len(chosen), head_for=head_for
        )
        rows.append({"choice": value, "label": label, "count": len(chosen), "passed": passed})
    return rows


def carried_outcome(proposal) -> str | None:
    """The outcome the collective's vote carried, if any (at most one can: each passes with at
    least half of the members, and at exactly half only with the head)."""
    return next((row["choice"] for row in outcome_counts(proposal) if row["passed"]), None)


@transaction.atomic
def evaluation_ballot_cast(*, proposal, actor, choice) -> EvaluationBallot:
    """A member of the collective casts or changes their ballot on the outcome; the ledger records
    it (secret to anyone outside the collective: proposals.permissions.SECRET_EVENTS)."""
    proposal = lock_proposal(proposal, actor)
    require(perms.is_eligible_voter(actor, proposal))
    if proposal.state != State.EVALUATING:
        raise Conflict(
            _("Ballots on the outcome are cast only while the results are being evaluated."),
            code="wrong_state",
        )
    if choice not in BallotChoice.values:
        raise Invalid(errors={"choice": [_("Choose an outcome, or abstain.")]})
    same = EvaluationBallot.objects.filter(proposal=proposal, voter=actor, choice=choice).first()
    if same is not None:
        return same  # the same ballot again: nothing changes, so nothing is recorded
    ballot, created = EvaluationBallot.objects.update_or_create(
        proposal=proposal, voter=actor, defaults={"choice": choice}
    )
    record_action(
        proposal=proposal,
        actor=actor,
        event="evaluation_vote",
        payload={"choice": choice, "changed": not created},
    )
    return ballot


evaluation_ballot_cast.alters_data = True


def check_minutes(uploaded, errors) -> dict | None:
    """The minutes' file checked like every upload (type read from the content, size, name)."""
    if uploaded is None or isinstance(uploaded, str):
        errors["minutes"] = [_("Attach the minutes of the evaluation meeting.")]
        return None
    try:
        return inspect_upload(uploaded)
    except Invalid as error:
        errors["minutes"] = error.errors.get("file", [_("This file cannot be accepted.")])
        return None


def minutes_store(*, evaluation, uploaded, info, actor) -> EvaluationMinutes:
    minutes = EvaluationMinutes(
        evaluation=evaluation,
        extension=f".{info['extension']}",
        original_name=info["name"],
        content_type=info["content_type"],
        size=info["size"],
        sha256=info["sha256"],
        uploaded_by=actor,
    )
    minutes.file.save(info["name"], stored_copy(uploaded), save=False)
    try:
        minutes.save()
    except Exception:
        minutes.file.delete(save=False)  # nothing is half-written
        raise
    return minutes


# The evaluation's ballot among the votes a member of the collective may owe ("Awaiting my vote").
ballots.register(
    ballots.CollectiveVote(
        state=State.EVALUATING,
        subject=gettext_lazy("Evaluation of the results"),
        ballot_of=lambda user: EvaluationBallot.objects.filter(proposal=OuterRef("pk"), voter=user),
        choice_label=lambda choice: BallotChoice(choice).label,
        url=lambda proposal: f"{reverse('reviews:review', args=[proposal.pk])}#evaluation-vote",
        # 7 working days after the final report, when the proposal entered `evaluating`.
        due=lambda proposal: evaluation_due(proposal.state_changed_at),
    )
)
