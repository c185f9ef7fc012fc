"""The responsibility rules of Decree 73, Art. 5(2) and 11 (lifecycle.md, `decide_responsibility`),
and the deadlines of this stage."""

from django.conf import settings
from django.utils.translation import gettext as _

from workdays.calendar import deadline_from

from .models import Decision

EVALUATION_WORKING_DAYS = 7  # after the final report (Decree 73)
DEFAULT_RESPONSIBILITY_WORKING_DAYS = 15
DEFAULT_ABUSE_EXPLANATION_WORKING_DAYS = 10
DEFAULT_RESPONSIBILITY_EXPLANATION_WORKING_DAYS = 5


def responsibility_working_days() -> int:
    return getattr(
        settings, "KL14_RESPONSIBILITY_DECISION_DAYS", DEFAULT_RESPONSIBILITY_WORKING_DAYS
    )


def allowed_decisions(*, criteria_met: bool, damage: bool) -> tuple[str, ...]:
    """All four criteria and no damage: only exclusion. All four with damage: exclusion, exemption
    or reduction. Any criterion not met: only holding responsible."""
    if not criteria_met:
        return (Decision.HELD_RESPONSIBLE,)
    if damage:
        return (Decision.LIABILITY_EXCLUDED, Decision.EXEMPTED, Decision.REDUCED)
    return (Decision.LIABILITY_EXCLUDED,)


def refusal(*, decision: str, criteria_met: bool, damage: bool) -> str:
    """Why `decision` is not allowed here, in words the head can act on."""
    if not criteria_met:
        return _(
            "Not all four criteria are met (followed the approved plan, pure motive, common "
            "interest, no personal gain): protection does not apply and the only possible "
            "decision is to hold the cadres responsible."
        )
    if damage:
        return _(
            "All four criteria are met: the cadres cannot be held responsible. With damage, "
            "choose to exclude liability, to exempt from responsibility or to reduce it."
        )
    return _(
        "All four criteria are met and there was no damage: liability must be excluded "
        "(Decree 73, Art. 11)."
    )


def evaluation_due(entered_evaluating):
    """7 working days after the final report (when the proposal entered `evaluating`)."""
    if entered_evaluating is None:
        return None
    return deadline_from(entered_evaluating, EVALUATION_WORKING_DAYS)


def responsibility_due(entered_review):
    """The responsibility decision is due 15 (a setting) working days after the evaluation."""
    if entered_review is None:
        return None
    return deadline_from(entered_review, responsibility_working_days())


def explanation_due(opened_at, setting: str, default: int):
    """The last day on which the persons concerned may explain (giải trình): `setting` (default
    `default`) working days of the workdays calendar after `opened_at`. The one rule of every
    hearing of this stage: the abuse case and the responsibility of each author."""
    return deadline_from(opened_at, getattr(settings, setting, default))


def abuse_explanation_working_days() -> int:
    return getattr(settings, "KL14_ABUSE_EXPLANATION_DAYS", DEFAULT_ABUSE_EXPLANATION_WORKING_DAYS)


def abuse_explanation_due(referred_at):
    """The authors explain within 10 (a setting) working days after the referral."""
    return explanation_due(
        referred_at, "KL14_ABUSE_EXPLANATION_DAYS", DEFAULT_ABUSE_EXPLANATION_WORKING_DAYS
    )


def explanation_working_days() -> int:
    """KL14_RESPONSIBILITY_EXPLANATION_DAYS: the authors' time to explain before the decisions."""
    return getattr(
        settings,
        "KL14_RESPONSIBILITY_EXPLANATION_DAYS",
        DEFAULT_RESPONSIBILITY_EXPLANATION_WORKING_DAYS,
    )


def responsibility_explanation_due(entered_review):
    """Each author may explain within 5 (KL14_RESPONSIBILITY_EXPLANATION_DAYS) working days after
    the proposal entered the responsibility review; the decision on an author waits for their
    explanation until then. 0 sets no period (the head need not wait; an author may still explain
    until decided on)."""
    if entered_review is None or not explanation_working_days():
        return None
    return explanation_due(
        entered_review,
        "KL14_RESPONSIBILITY_EXPLANATION_DAYS",
        DEFAULT_RESPONSIBILITY_EXPLANATION_WORKING_DAYS,
    )
