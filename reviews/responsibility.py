"""Responsibility per person (Decree 73, Art. 5(2), 11; lifecycle.md, amendment of 2026-11-29).

After an evaluation that falls short, the head of the deciding unit decides on each author in
turn (criteria, damage, decision), once that author has explained (giải trình) or the time to
explain (KL14_RESPONSIBILITY_EXPLANATION_DAYS working days after the review opened) is over. The
decision on every author but the last is an in-state action (`responsibility_decision`); the last
one fires `decide_responsibility`, to the outcome the authors share, or to
`responsibility_decided` when their outcomes differ. With a single author that is one call, as
before. Each decision issues its own official document (reviews/documents.py).

Each author may then complain (khiếu nại) against the decision on them. The Law on Complaints
(2011, Art. 18) gives the first resolution to the head of the body that issued the decision
complained of, so the head of the deciding unit resolves it here; a second complaint goes to the
superior head (Art. 21) or to court, outside KL14. A complaint is filed within
KL14_COMPLAINT_DAYS calendar days of the decision (Art. 9: 90 days from receiving it). Resolved as
founded or partly founded, it carries the revised decision on that author, which supersedes the
one complained of (kept as history): the proposal's state follows the authors' current decisions
(the `revise_responsibility` transition once every author is decided) and the revision issues its
own document. Every step is in the ledger, in the same transaction as its row."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kl14.errors import Conflict, Invalid, NotFound
from proposals.models import RESPONSIBILITY_OUTCOMES, Proposal, ProposalAuthor, State
from proposals.permissions import is_author, is_deciding_head
from proposals.services import (
    clean_text,
    fire_transition,
    lock_proposal,
    raise_if_invalid,
    record_action,
    require,
    require_state,
)

from . import permissions as perms
from . import rollups
from .models import (
    REVISING,
    Decision,
    Evaluation,
    ResponsibilityComplaint,
    ResponsibilityDecision,
    ResponsibilityExplanation,
)
from .rules import allowed_decisions, refusal, responsibility_due, responsibility_explanation_due

# --- what the pages and the API read ----------------------------------------------------------


def explanation_deadline(proposal):
    """The last day the authors may explain, or None (no fixed period)."""
    if proposal.state != State.RESPONSIBILITY_REVIEW:
        return None
    return responsibility_explanation_due(proposal.state_changed_at)


def author_users(proposal) -> list:
    return [
        a.user
        for a in ProposalAuthor.objects.filter(proposal=proposal)
        .select_related("user")
        .order_by("-is_creator", "added_at", "pk")
    ]


def current_rows(proposal):
    """The authors' current decisions: those no revision superseded."""
    return ResponsibilityDecision.objects.filter(proposal=proposal, superseded_by__isnull=True)


def decisions_by_author(proposal) -> dict:
    return {
        d.author_id: d
        for d in current_rows(proposal).select_related("author", "decided_by", "supersedes")
    }


def undecided_authors(proposal) -> list:
    decided = decisions_by_author(proposal)
    return [u for u in author_users(proposal) if u.pk not in decided]


def hearing_open_for(proposal, author) -> bool:
    """The decision on `author` still waits: they have not explained and may until the deadline."""
    due = explanation_deadline(proposal)
    if due is None or timezone.localdate() > due:
        return False
    return not ResponsibilityExplanation.objects.filter(proposal=proposal, author=author).exists()


def decidable_authors(proposal) -> list:
    """The undecided authors whose hearing is over: explained, or the deadline passed (one
    query for the explanations, not one per author)."""
    undecided = undecided_authors(proposal)
    due = explanation_deadline(proposal)
    if due is None or timezone.localdate() > due:
        return undecided
    explained = set(
        ResponsibilityExplanation.objects.filter(proposal=proposal).values_list(
            "author_id", flat=True
        )
    )
    return [u for u in undecided if u.pk in explained]


def hearing_waiting(proposal) -> list[str]:
    """Why the head cannot decide on anyone yet (the transition's prerequisites), in words."""
    if proposal.state != State.RESPONSIBILITY_REVIEW:
        return []
    undecided = undecided_authors(proposal)
    if not undecided or decidable_authors(proposal):
        return []
    return [
        _("The authors may explain until %(day)s: %(names)s have not yet explained.")
        % {
            "day": date_format(explanation_deadline(proposal), "SHORT_DATE_FORMAT"),
            "names": ", ".join(u.get_full_name() or u.get_username() for u in undecided),
        }
    ]


def person_rows(proposal) -> list[dict]:
    """One row per author: the explanation, the decision and the complaint, for the pages."""
    decided = decisions_by_author(proposal)
    explained = {
        e.author_id: e for e in ResponsibilityExplanation.objects.filter(proposal=proposal)
    }
    complaints = {
        c.decision.author_id: c
        for c in ResponsibilityComplaint.objects.filter(decision__proposal=proposal)
        .select_related("decision", "resolved_by", "extended_by")
        .order_by("filed_at", "pk")
    }
    rows = []
    today = timezone.localdate()
    for user in author_users(proposal):
        decision = decided.get(user.pk)
        due = complaint_deadline(decision) if decision else None
        complaint = complaints.get(user.pk)
        pending = complaint is not None and not complaint.resolution
        resolve_by = complaint_resolution_due(complaint) if pending else None
        rows.append(
            {
                "author": user,
                "explanation": explained.get(user.pk),
                "decision": decision,
                # the decision complained of, when a founded complaint revised it
                "revised_from": decision.supersedes if decision else None,
                "complaint": complaint,
                "complaint_due": due,
                # a complaint not resolved yet: the head's last day, and whether it has passed
                "resolution_due": resolve_by,
                "resolution_overdue": resolve_by is not None and today > resolve_by,
                "complaint_open": due is not None and timezone.localdate() <= due,
            }
        )
    legacy = decided.get(None)  # one decision for all authors, recorded before the amendment
    if legacy is not None:
        for row in rows:
            row["decision"] = row["decision"] or legacy
    return rows


def decision_for(proposal, user):
    """The current decision on `user` (or the one for all authors recorded before the
    amendment)."""
    rows = current_rows(proposal)
    return rows.filter(author=user).first() or rows.filter(author__isnull=True).first()


def complaint_days() -> int:
    return getattr(settings, "KL14_COMPLAINT_DAYS", 90)


def complaint_deadline(decision):
    """The last day to complain against `decision`: KL14_COMPLAINT_DAYS calendar days after the
    day it was issued (Law on Complaints, Art. 9: 90 days from receiving it; the author receives
    it in KL14, and its document is dated, the day it is made)."""
    return timezone.localdate(decision.created_at) + timedelta(days=complaint_days())


def complaint_resolution_days() -> int:
    return getattr(settings, "KL14_COMPLAINT_RESOLUTION_DAYS", 30)


def complaint_resolution_days_complex() -> int:
    return getattr(settings, "KL14_COMPLAINT_RESOLUTION_DAYS_COMPLEX", 45)


def complaint_resolution_due(complaint):
    """The last day to resolve `complaint`: KL14_COMPLAINT_RESOLUTION_DAYS calendar days after
    it was filed, or KL14_COMPLAINT_RESOLUTION_DAYS_COMPLEX once the head has declared the case
    complex (Law on Complaints, Art. 28: 30 days, 45 for a complex case)."""
    days = (
        complaint_resolution_days_complex()
        if complaint.extended_at
        else complaint_resolution_days()
    )
    return timezone.localdate(complaint.filed_at) + timedelta(days=days)


def has_complained(proposal, user) -> bool:
    """Whether `user` has filed their complaint (one first complaint per author: a second one
    goes to the superior head or to court, Art. 21, outside KL14)."""
    return ResponsibilityComplaint.objects.filter(
        decision__proposal=proposal, decision__author=user
    ).exists()


def can_explain(user, proposal) -> bool:
    return (
        proposal.state == State.RESPONSIBILITY_REVIEW
        and is_author(user, proposal)
        and not ResponsibilityExplanation.objects.filter(proposal=proposal, author=user).exists()
        and not ResponsibilityDecision.objects.filter(proposal=proposal, author=user).exists()
    )


def can_complain(user, proposal) -> bool:
    decision = current_rows(proposal).filter(author=user).first()
    return (
        decision is not None
        and not has_complained(proposal, user)
        and timezone.localdate() <= complaint_deadline(decision)
    )


# --- inputs -----------------------------------------------------------------------------------


def _damage_amount(value, damage, errors):
    if value in (None, ""):
        if damage:
            errors.setdefault("damage_amount", []).append(
                _("Enter the amount of the damage (VND).")
            )
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault("damage_amount", []).append(_("Enter a number."))
        return None
    if not amount.is_finite() or amount != amount.to_integral_value():
        errors.setdefault("damage_amount", []).append(_("Enter a whole number of đồng."))
        return None
    if not damage:
        if amount:
            errors.setdefault("damage_amount", []).append(
                _("There is an amount of damage, but no damage is declared.")
            )
        return None
    if amount <= 0:
        errors.setdefault("damage_amount", []).append(_("The damage must be more than zero."))
    elif amount >= 10**18:
        errors.setdefault("damage_amount", []).append(_("The amount is too large."))
    return amount


def _authors_concerned(proposal, value, errors) -> list:
    """The authors a decision concerns: the one named by `value` (a user or an id), or, when
    `value` is empty, every author not yet decided on."""
    if value in (None, ""):
        return undecided_authors(proposal)
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        pk = None
    authors = {u.pk: u for u in author_users(proposal)}
    if pk not in authors:
        errors.setdefault("author", []).append(_("Choose one of the proposal's authors."))
        return []
    return [authors[pk]]


def _clean_decision(*, decision, criteria, damage, damage_amount, reasons, errors):
    """Checks a decision on one person (criteria, damage, decision, reasons), as
    `rules.allowed_decisions` admits; answers the cleaned (reasons, damage_amount)."""
    for name, value in [*criteria.items(), ("damage", damage)]:
        if not isinstance(value, bool):
            errors.setdefault(name, []).append(_("Must be true or false."))
    reasons = clean_text(reasons, "reasons", errors)
    if decision not in Decision.values:
        errors.setdefault("decision", []).append(_("Choose a valid option."))
    if isinstance(damage, bool):
        damage_amount = _damage_amount(damage_amount, damage, errors)
    if not errors:
        criteria_met = all(criteria.values())
        if decision not in allowed_decisions(criteria_met=criteria_met, damage=damage):
            errors["decision"] = [
                refusal(decision=decision, criteria_met=criteria_met, damage=damage)
            ]
    return reasons, damage_amount


def _decision_payload(*, decision, criteria, damage, damage_amount, reasons) -> dict:
    return {
        "decision": decision,
        "criteria": criteria,
        "damage": damage,
        "damage_amount": str(damage_amount) if damage_amount is not None else None,
        "reasons": reasons,
    }


def shared_outcome(proposal) -> tuple[str, dict]:
    """The state the authors' current decisions put the proposal in (the outcome they share, or
    `responsibility_decided`), and each author's outcome by username."""
    outcomes = {
        d.author.get_username(): d.decision
        for d in decisions_by_author(proposal).values()
        if d.author_id is not None
    }
    shared = set(outcomes.values())
    return (shared.pop() if len(shared) == 1 else State.RESPONSIBILITY_DECIDED), outcomes


# --- the steps --------------------------------------------------------------------------------


@transaction.atomic
def responsibility_explain(*, proposal, actor, text) -> ResponsibilityExplanation:
    """An author's explanation (giải trình) before the decision on them, once, before the
    deadline."""
    proposal = lock_proposal(proposal, actor)
    require(is_author(actor, proposal))
    if proposal.state != State.RESPONSIBILITY_REVIEW:
        raise Conflict(_("There is no responsibility review to explain in."), code="wrong_state")
    if ResponsibilityDecision.objects.filter(proposal=proposal, author=actor).exists():
        raise Conflict(_("The decision on you has already been made."), code="decided")
    due = explanation_deadline(proposal)
    if due is not None and timezone.localdate() > due:
        raise Conflict(
            _("The time to explain ended on %(day)s.")
            % {"day": date_format(due, "SHORT_DATE_FORMAT")},
            code="explanation_closed",
        )
    if ResponsibilityExplanation.objects.filter(proposal=proposal, author=actor).exists():
        raise Conflict(_("You have already explained."), code="explained")
    errors: dict = {}
    text = clean_text(text, "text", errors, max_length=20000)
    raise_if_invalid(errors)
    explanation = ResponsibilityExplanation.objects.create(
        proposal=proposal, author=actor, text=text
    )
    record_action(
        proposal=proposal,
        actor=actor,
        event="responsibility_explanation",
        payload={"text": text},
    )
    return explanation


responsibility_explain.alters_data = True


@transaction.atomic
def proposal_decide_responsibility(
    *,
    proposal,
    actor,
    decision,
    followed_approved_plan,
    pure_motive,
    common_interest,
    no_personal_gain,
    damage,
    reasons,
    damage_amount=None,
    author=None,
) -> Proposal:
    """The decision on one author (`author`: a user or id), exactly as `rules.allowed_decisions`
    admits for their criteria and damage. Without `author`, the same decision on every author
    not yet decided on, each with their own record, ledger entry and document (a single author:
    one decision, as before the amendment). The last decision moves the proposal to the outcome
    all authors share, or to `responsibility_decided`."""
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "decide_responsibility"))
    require_state(proposal, "decide_responsibility")
    criteria = {
        "followed_approved_plan": followed_approved_plan,
        "pure_motive": pure_motive,
        "common_interest": common_interest,
        "no_personal_gain": no_personal_gain,
    }
    errors: dict = {}
    people = _authors_concerned(proposal, author, errors)
    for person in people:
        name = person.get_full_name() or person.get_username()
        if ResponsibilityDecision.objects.filter(proposal=proposal, author=person).exists():
            raise Conflict(
                _("The decision on %(name)s has already been made.") % {"name": name},
                code="decided",
            )
        if hearing_open_for(proposal, person):
            raise Conflict(
                _("%(name)s may explain until %(day)s: the decision waits for the explanation.")
                % {
                    "name": name,
                    "day": date_format(explanation_deadline(proposal), "SHORT_DATE_FORMAT"),
                },
                code="hearing_open",
            )
    reasons, damage_amount = _clean_decision(
        decision=decision,
        criteria=criteria,
        damage=damage,
        damage_amount=damage_amount,
        reasons=reasons,
        errors=errors,
    )
    raise_if_invalid(errors)
    evaluation = Evaluation.objects.filter(proposal=proposal).first()
    due = responsibility_due(proposal.state_changed_at)
    for person in people:
        _decide_one(
            proposal,
            actor,
            person,
            decision=decision,
            criteria=criteria,
            damage=damage,
            damage_amount=damage_amount,
            reasons=reasons,
            due=due,
            evaluation=evaluation,
        )
    return proposal


def _decide_one(proposal, actor, person, *, decision, criteria, damage, damage_amount, **rest):
    """Records the decision on `person`: an in-state action while other authors wait for theirs,
    the `decide_responsibility` transition for the last one."""
    due, evaluation = rest["due"], rest["evaluation"]
    record = ResponsibilityDecision.objects.create(
        proposal=proposal,
        author=person,
        decision=decision,
        **criteria,
        damage=damage,
        damage_amount=damage_amount,
        reasons=rest["reasons"],
        due=due,
        decided_by=actor,
    )
    rollups.count_records(proposal, [(f"protection:{decision}", record.created_at)])
    payload = {
        "author": person.get_username(),
        "decision": decision,
        "criteria": criteria,
        "damage": damage,
        "damage_amount": str(damage_amount) if damage_amount is not None else None,
        "reasons": rest["reasons"],
        "evaluation_outcome": evaluation.outcome if evaluation else None,
        "due": due.isoformat() if due else None,
    }
    if undecided_authors(proposal):
        record_action(
            proposal=proposal, actor=actor, event="responsibility_decision", payload=payload
        )
        return
    target, outcomes = shared_outcome(proposal)
    fire_transition(
        proposal,
        actor,
        "decide_responsibility",
        decision=target,
        payload={**payload, "outcomes": outcomes},
    )
    from .services import _refresh_lesson

    _refresh_lesson(proposal)


proposal_decide_responsibility.alters_data = True


@transaction.atomic
def complaint_file(*, proposal, actor, text) -> ResponsibilityComplaint:
    """An author's complaint (khiếu nại) against the decision on their own responsibility; once."""
    proposal = lock_proposal(proposal, actor)
    require(is_author(actor, proposal))
    decision = current_rows(proposal).filter(author=actor).first()
    if decision is None:
        raise Conflict(
            _("No decision on your responsibility has been made to complain against."),
            code="wrong_state",
        )
    if has_complained(proposal, actor):
        raise Conflict(
            _(
                "You have already complained against the decision on you. A further complaint "
                "goes to the head of the superior unit, or to court (Law on Complaints, Art. 21)."
            ),
            code="filed",
        )
    due = complaint_deadline(decision)
    if timezone.localdate() > due:
        late = _(
            "The time to complain is over (last day: %(day)s, %(days)d days after the decision "
            "was issued; Law on Complaints, Art. 9)."
        ) % {"day": date_format(due, "SHORT_DATE_FORMAT"), "days": complaint_days()}
        raise Invalid(late, errors={"deadline": [late]})
    errors: dict = {}
    text = clean_text(text, "text", errors, max_length=20000)
    raise_if_invalid(errors)
    complaint = ResponsibilityComplaint.objects.create(decision=decision, text=text)
    record_action(
        proposal=proposal,
        actor=actor,
        event="responsibility_complaint",
        payload={"decision": decision.decision, "text": text},
    )
    return complaint


complaint_file.alters_data = True


def _open_complaint(proposal, actor, author) -> ResponsibilityComplaint:
    """The complaint of `author` on `proposal`, locked, for its resolving head; still open."""
    require(is_deciding_head(actor, proposal) and not is_author(actor, proposal))
    try:
        author_pk = int(getattr(author, "pk", author))
    except (TypeError, ValueError):
        raise NotFound() from None
    complaint = (
        ResponsibilityComplaint.objects.select_for_update()
        .select_related("decision__author")
        .filter(decision__proposal=proposal, decision__author_id=author_pk)
        .first()
    )
    if complaint is None:
        raise NotFound(_("This author has filed no complaint."))
    if not complaint.is_open:
        raise Conflict(_("The complaint has already been resolved."), code="resolved")
    return complaint


@transaction.atomic
def complaint_extend(*, proposal, actor, author, reason) -> ResponsibilityComplaint:
    """The head of the deciding unit declares an author's complaint a complex case, which gives
    them KL14_COMPLAINT_RESOLUTION_DAYS_COMPLEX days from its filing instead of
    KL14_COMPLAINT_RESOLUTION_DAYS (Law on Complaints, Art. 28); once, with the reasons, and
    while the ordinary time has not run out."""
    proposal = lock_proposal(proposal, actor)
    complaint = _open_complaint(proposal, actor, author)
    if complaint.extended_at:
        raise Conflict(
            _("The time to resolve this complaint has already been extended."), code="extended"
        )
    ordinary = complaint_resolution_due(complaint)
    if timezone.localdate() > ordinary:
        late = _(
            "The time to resolve this complaint ran out on %(day)s: it can no longer be "
            "extended (Law on Complaints, Art. 28)."
        ) % {"day": date_format(ordinary, "SHORT_DATE_FORMAT")}
        raise Invalid(late, errors={"deadline": [late]})
    errors: dict = {}
    reason = clean_text(reason, "reason", errors, max_length=5000)
    raise_if_invalid(errors)
    complaint.extended_at = timezone.now()
    complaint.extended_by = actor
    complaint.extension_reason = reason
    complaint.save(update_fields=["extended_at", "extended_by", "extension_reason"])
    record_action(
        proposal=proposal,
        actor=actor,
        event="responsibility_complaint_extension",
        payload={
            "author": complaint.decision.author.get_username(),
            "reason": reason,
            "resolution_due": complaint_resolution_due(complaint).isoformat(),
        },
    )
    return complaint


complaint_extend.alters_data = True


@transaction.atomic
def complaint_resolve(
    *,
    proposal,
    actor,
    author,
    resolution,
    text,
    decision=None,
    followed_approved_plan=None,
    pure_motive=None,
    common_interest=None,
    no_personal_gain=None,
    damage=None,
    damage_amount=None,
    reasons=None,
) -> ResponsibilityComplaint:
    """The head of the deciding unit resolves an author's complaint (first resolution, Law on
    Complaints, Art. 18, 31): rejected (the decision stands), or founded or partly founded with
    the revised decision on that author (criteria, damage, decision, reasons, checked as
    `proposal_decide_responsibility` checks them; the revision fields are read only then). The
    revised decision supersedes the one complained of, which is kept; once every author is
    decided, the `revise_responsibility` transition moves the proposal to the authors' shared
    outcome or to `responsibility_decided`."""
    proposal = lock_proposal(proposal, actor)
    complaint = _open_complaint(proposal, actor, author)
    revising = resolution in REVISING
    in_review = proposal.state == State.RESPONSIBILITY_REVIEW
    if revising and not in_review:
        require_state(proposal, "revise_responsibility")
    errors: dict = {}
    if resolution not in ResponsibilityComplaint.Resolution.values:
        errors["resolution"] = [_("Choose a valid option.")]
    text = clean_text(text, "text", errors, max_length=20000)
    previous = complaint.decision
    criteria = {
        "followed_approved_plan": followed_approved_plan,
        "pure_motive": pure_motive,
        "common_interest": common_interest,
        "no_personal_gain": no_personal_gain,
    }
    if revising:
        reasons, damage_amount = _clean_decision(
            decision=decision,
            criteria=criteria,
            damage=damage,
            damage_amount=damage_amount,
            reasons=reasons,
            errors=errors,
        )
        if not errors and _same_decision(previous, decision, criteria, damage, damage_amount):
            errors["decision"] = [
                _(
                    "The revised decision says what the decision complained of says: change "
                    "it, or reject the complaint."
                )
            ]
    raise_if_invalid(errors)
    complaint.resolution = resolution
    complaint.resolution_text = text
    complaint.resolved_by = actor
    complaint.resolved_at = timezone.now()
    complaint.save(update_fields=["resolution", "resolution_text", "resolved_by", "resolved_at"])
    payload = {
        "author": previous.author.get_username(),
        "resolution": resolution,
        "text": text,
    }
    if not revising:
        record_action(
            proposal=proposal,
            actor=actor,
            event="responsibility_complaint_resolution",
            payload=payload,
        )
        return complaint
    revised = ResponsibilityDecision.objects.create(
        proposal=proposal,
        author=previous.author,
        decision=decision,
        **criteria,
        damage=damage,
        damage_amount=damage_amount,
        reasons=reasons,
        decided_by=actor,
        supersedes=previous,
    )
    # The dashboard counts each author's current decision: the revision instead of the one
    # complained of (still kept, as the history).
    rollups.count_records(
        proposal,
        [(f"protection:{decision}", revised.created_at)],
        replaced=[(f"protection:{previous.decision}", previous.created_at)],
    )
    payload.update(
        _decision_payload(
            decision=decision,
            criteria=criteria,
            damage=damage,
            damage_amount=damage_amount,
            reasons=reasons,
        ),
        previous_decision=previous.decision,
    )
    if in_review:
        # Other authors still wait for their decision: the last of those sets the state.
        record_action(
            proposal=proposal,
            actor=actor,
            event="responsibility_complaint_resolution",
            payload=payload,
        )
        return complaint
    target, outcomes = shared_outcome(proposal)
    fire_transition(
        proposal,
        actor,
        "revise_responsibility",
        decision=target,
        payload={**payload, "outcomes": outcomes},
    )
    from .services import _refresh_lesson

    _refresh_lesson(proposal)
    return complaint


def _same_decision(previous, decision, criteria, damage, damage_amount) -> bool:
    return (
        previous.decision == decision
        and all(getattr(previous, name) == value for name, value in criteria.items())
        and previous.damage == damage
        and previous.damage_amount == damage_amount
    )


complaint_resolve.alters_data = True


def complaints_open(proposal) -> list:
    return list(
        ResponsibilityComplaint.objects.filter(
            decision__proposal=proposal, resolution=""
        ).select_related("decision__author")
    )


def decided_state(proposal) -> bool:
    return proposal.state in RESPONSIBILITY_OUTCOMES
