"""What the review stage adds to ledger verification (proposals.selectors.RECORD_CHECKS): the
evaluation and the responsibility decision rows still say what their ledger entries recorded, so
editing them in the database (a `held_responsible` turned into `liability_excluded`) is caught."""

from .models import Evaluation, ResponsibilityDecision

CRITERIA = ("followed_approved_plan", "pure_motive", "common_interest", "no_personal_gain")


def evaluation_matches(proposal, entry, *, is_last) -> bool:
    if entry.event != "evaluate":
        return True
    row = Evaluation.objects.filter(proposal=proposal).first()
    return row is not None and (
        row.outcome,
        row.causes_objective,
        row.causes_subjective,
        row.meeting_date.isoformat(),
    ) == tuple(
        entry.payload.get(k)
        for k in ("outcome", "causes_objective", "causes_subjective", "meeting_date")
    )


def responsibility_matches(proposal, entry, *, is_last) -> bool:
    if entry.event != "decide_responsibility":
        return True
    row = ResponsibilityDecision.objects.filter(proposal=proposal).first()
    if row is None:
        return False
    amount = str(row.damage_amount) if row.damage_amount is not None else None
    recorded = entry.payload
    return (
        row.decision == recorded.get("decision")
        and {name: getattr(row, name) for name in CRITERIA} == recorded.get("criteria")
        and row.damage == recorded.get("damage")
        and amount == recorded.get("damage_amount")
    )
