"""Every write to a proposal. Each function is one atomic step: lock the row, check who acts (403),
the state (409) and the inputs (400), fire the transition, save, append the ledger entry, and
announce it after commit."""

import unicodedata

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from kl14.errors import Conflict, Forbidden, Invalid
from ledger.services import ledger_append
from units.models import Role, Unit
from units.roles import user_roles
from units.selectors import unit_parent
from workdays.calendar import deadline_from

from . import permissions as perms
from .hashing import dossier_snapshot, version_hash
from .models import (
    CRITERIA_FIELDS,
    DOSSIER_FIELDS,
    PLAN_FIELDS,
    Attachment,
    Field,
    Mode,
    Opinion,
    Proposal,
    ProposalAuthor,
    ProposalVersion,
    RegulationStatus,
    State,
    Vote,
)
from .selectors import current_opinion, proposal_tally
from .uploads import inspect_upload

DECISION_WORKING_DAYS = 7  # Decree 73, Art. 8(1)

# Sent after commit whenever the ledger records an event: (sender=Proposal, proposal, event, actor).
proposal_event = Signal()


# --- plumbing ---


def _lock(proposal, actor) -> Proposal:
    """Re-reads the proposal under a row lock, as the actor may see it (404 otherwise)."""
    return perms.access_proposal(
        actor,
        proposal.pk,
        queryset=Proposal.objects.select_for_update(of=("self",)).select_related(
            "home_unit", "deciding_unit"
        ),
    )


def _require(allowed: bool):
    if not allowed:
        raise Forbidden()


def _require_state(proposal, transition_name: str):
    if not can_proceed(getattr(proposal, transition_name)):
        raise Conflict(
            _("This action is not possible while the proposal is “%(state)s”.")
            % {"state": proposal.get_state_display()},
            code="wrong_state",
        )


def _text(value, field, errors, *, required=True, max_length=5000):
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.setdefault(field, []).append(_("Must be text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.setdefault(field, []).append(_("This field is required."))
    elif len(value) > max_length:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": max_length})
    return value


def _raise_if(errors):
    if errors:
        raise Invalid(errors=errors)


def _announce(proposal, event, actor):
    transaction.on_commit(
        lambda: proposal_event.send(sender=Proposal, proposal=proposal, event=event, actor=actor)
    )


def _fire(proposal, actor, name, *, payload=None, dossier_hash="", **kwargs):
    """Runs transition `name`, saves only what it changed, and records it in the ledger."""
    before = {f.attname: getattr(proposal, f.attname) for f in Proposal._meta.concrete_fields}
    from_state = proposal.state
    getattr(proposal, name)(**kwargs)
    now = timezone.now()
    proposal.state_changed_at = now
    changed = [f for f, value in before.items() if getattr(proposal, f) != value]
    try:
        proposal.save(update_fields=[*changed, "updated_at"])
    except ConcurrentTransition:
        raise Conflict() from None
    entry = ledger_append(
        proposal=proposal,
        actor=actor,
        event=name,
        from_state=from_state,
        to_state=proposal.state,
        payload=payload or {},
        dossier_hash=dossier_hash or _current_hash(proposal),
    )
    _announce(proposal, name, actor)
    return entry


def _current_hash(proposal) -> str:
    if not proposal.version:
        return ""
    return (
        ProposalVersion.objects.filter(proposal=proposal, number=proposal.version)
        .values_list("content_hash", flat=True)
        .first()
        or ""
    )


def record_action(*, proposal, actor, event, payload=None):
    """Appends an in-state action (a vote, an opinion, a report…) to the ledger; no state change."""
    entry = ledger_append(
        proposal=proposal,
        actor=actor,
        event=event,
        from_state=proposal.state,
        to_state=proposal.state,
        payload=payload or {},
        dossier_hash=_current_hash(proposal),
    )
    _announce(proposal, event, actor)
    return entry


record_action.alters_data = True


# --- the dossier ---


def _clean_dossier(fields: dict, *, partial: bool) -> dict:
    """Validates dossier fields (only their form: completeness is checked at submission)."""
    errors: dict = {}
    clean = {}
    for name, value in fields.items():
        if name not in DOSSIER_FIELDS:
            errors.setdefault(name, []).append(_("This field cannot be set."))
            continue
        if name in CRITERIA_FIELDS or name == "declaration_no_personal_interest":
            if not isinstance(value, bool):
                errors.setdefault(name, []).append(_("Must be true or false."))
            clean[name] = bool(value)
        elif name == "regulation_status":
            if value and value not in RegulationStatus.values:
                errors.setdefault(name, []).append(_("Choose a valid option."))
            clean[name] = value or ""
        elif name == "field":
            if value not in Field.values:
                errors.setdefault(name, []).append(_("Choose a valid option."))
            clean[name] = value
        else:
            clean[name] = _text(
                value,
                name,
                errors,
                required=(name == "title"),
                max_length=300 if name == "title" else 20000,
            )
            if name == "title" and any(unicodedata.category(ch)[0] == "C" for ch in clean[name]):
                errors.setdefault(name, []).append(_("The title must be one line of text."))
    if not partial and "title" not in fields:
        errors.setdefault("title", []).append(_("This field is required."))
    _raise_if(errors)
    return clean


@transaction.atomic
def proposal_create(*, actor, home_unit: Unit, co_authors=(), **fields) -> Proposal:
    """A new draft in a unit where the actor is a member. Drafts are private to their authors and
    leave no ledger entry until they are submitted."""
    if home_unit.pk not in user_roles(actor).unit_ids():
        raise Invalid(errors={"home_unit": [_("You can only write proposals in your own units.")]})
    clean = _clean_dossier(fields, partial=False)
    proposal = Proposal.objects.create(home_unit=home_unit, created_by=actor, **clean)
    proposal.code = f"DX-{proposal.created_at:%Y}-{proposal.pk:06d}"
    proposal.save(update_fields=["code"])
    ProposalAuthor.objects.create(proposal=proposal, user=actor, is_creator=True)
    _set_co_authors(proposal, co_authors)
    return proposal


proposal_create.alters_data = True


@transaction.atomic
def proposal_update(*, proposal, actor, co_authors=None, **fields) -> Proposal:
    proposal = _lock(proposal, actor)
    _require(perms.is_author(actor, proposal))
    if proposal.state not in (State.DRAFT, State.RETURNED):
        raise Conflict(_("Only a draft or a returned proposal can be edited."), code="wrong_state")
    clean = _clean_dossier(fields, partial=True)
    for name, value in clean.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=[*clean, "updated_at"])
    if co_authors is not None:
        _set_co_authors(proposal, co_authors)
    return proposal


proposal_update.alters_data = True


def _set_co_authors(proposal, co_authors):
    """Co-authors are members of the home unit (any role): a proposal is written inside its unit,
    and nobody is made an author of a unit they do not belong to."""
    wanted = {user.pk for user in co_authors} | {proposal.created_by_id}
    members = set(
        proposal.home_unit.memberships.filter(user_id__in=wanted, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    if wanted - members - {proposal.created_by_id}:
        raise Invalid(
            errors={"co_authors": [_("Co-authors must be members of the proposal's unit.")]}
        )
    ProposalAuthor.objects.filter(proposal=proposal).exclude(user_id__in=wanted).delete()
    existing = set(proposal.authorships.values_list("user_id", flat=True))
    ProposalAuthor.objects.bulk_create(
        ProposalAuthor(proposal=proposal, user_id=pk) for pk in wanted - existing
    )
    proposal._author_ids = wanted


@transaction.atomic
def proposal_delete(*, proposal, actor) -> None:
    """Only a draft that was never submitted can be deleted; anything submitted is kept."""
    proposal = _lock(proposal, actor)
    _require(perms.is_author(actor, proposal))
    if not perms.can_delete(actor, proposal):
        raise Conflict(
            _("Only a draft that was never submitted can be deleted."), code="wrong_state"
        )
    for attachment in proposal.attachments.all():
        attachment.file.delete(save=False)
    proposal.delete()


proposal_delete.alters_data = True


@transaction.atomic
def attachment_add(*, proposal, actor, uploaded) -> Attachment:
    proposal = _lock(proposal, actor)
    _require(perms.is_author(actor, proposal))
    if proposal.state not in (State.DRAFT, State.RETURNED):
        raise Conflict(
            _("Attachments can only change while the proposal is a draft or returned."),
            code="wrong_state",
        )
    info = inspect_upload(uploaded)
    attachment = Attachment(
        proposal=proposal,
        extension=f".{info['extension']}",
        original_name=info["name"],
        content_type=info["content_type"],
        size=info["size"],
        sha256=info["sha256"],
        uploaded_by=actor,
    )
    attachment.file.save(info["name"], uploaded, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)  # nothing is half-written
        raise
    return attachment


attachment_add.alters_data = True


@transaction.atomic
def attachment_remove(*, attachment, actor) -> None:
    proposal = _lock(attachment.proposal, actor)
    _require(perms.is_author(actor, proposal))
    if proposal.state not in (State.DRAFT, State.RETURNED):
        raise Conflict(
            _("Attachments can only change while the proposal is a draft or returned."),
            code="wrong_state",
        )
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


attachment_remove.alters_data = True


# --- transitions of the decision stage ---


def submission_errors(proposal) -> dict:
    """What is still missing before the proposal can be submitted (Decree 73, Art. 5(1), 7(2))."""
    errors: dict = {}
    for name in ("title", "summary", *PLAN_FIELDS):
        if not str(getattr(proposal, name) or "").strip():
            errors.setdefault(name, []).append(
                _("This section must be filled in before submitting.")
            )
    for name in CRITERIA_FIELDS:
        if not getattr(proposal, name):
            errors.setdefault(name, []).append(_("Every criterion of Art. 5(1) must be affirmed."))
    if not proposal.declaration_no_personal_interest:
        errors.setdefault("declaration_no_personal_interest", []).append(
            _("Sign the declaration that you have no personal interest in this proposal.")
        )
    return errors


def deciding_unit_for(proposal) -> Unit:
    """The home unit, or its parent when an author heads the home unit (Decree 73, Art. 7(3–4))."""
    author_ids = set(proposal.authorships.values_list("user_id", flat=True))
    heads = set(
        proposal.home_unit.memberships.filter(role=Role.HEAD).values_list("user_id", flat=True)
    )
    if author_ids & heads:
        parent = unit_parent(proposal.home_unit)
        if parent is None:
            raise Invalid(
                errors={
                    "home_unit": [
                        _("The head of a top-level unit has no superior unit to submit to.")
                    ]
                }
            )
        return parent
    return proposal.home_unit


@transaction.atomic
def proposal_submit(*, proposal, actor) -> Proposal:
    proposal = _lock(proposal, actor)
    _require(perms.may_fire(actor, proposal, "submit"))
    _require_state(proposal, "submit")
    _raise_if(submission_errors(proposal))
    deciding_unit = deciding_unit_for(proposal)
    now = timezone.now()
    number = proposal.version + 1
    content = dossier_snapshot(proposal)
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=number,
        content=content,
        content_hash=version_hash(content),
        created_by=actor,
    )
    due = deadline_from(now, DECISION_WORKING_DAYS)
    _fire(
        proposal,
        actor,
        "submit",
        deciding_unit=deciding_unit,
        version=number,
        decision_due=due,
        at=now,
        payload={
            "version": number,
            "deciding_unit": deciding_unit.code,
            "decision_due": due.isoformat(),
        },
        dossier_hash=version.content_hash,
    )
    return proposal


proposal_submit.alters_data = True


@transaction.atomic
def proposal_withdraw(*, proposal, actor, reason) -> Proposal:
    proposal = _lock(proposal, actor)
    _require(perms.may_fire(actor, proposal, "withdraw"))
    _require_state(proposal, "withdraw")
    errors: dict = {}
    reason = _text(reason, "reason", errors)
    _raise_if(errors)
    _fire(proposal, actor, "withdraw", payload={"reason": reason})
    return proposal


proposal_withdraw.alters_data = True


@transaction.atomic
def proposal_open_review(*, proposal, actor) -> Proposal:
    proposal = _lock(proposal, actor)
    _require(perms.may_fire(actor, proposal, "open_review"))
    _require_state(proposal, "open_review")
    _fire(proposal, actor, "open_review")
    return proposal


proposal_open_review.alters_data = True


@transaction.atomic
def proposal_return_for_revision(*, proposal, actor, comment) -> Proposal:
    proposal = _lock(proposal, actor)
    _require(perms.may_fire(actor, proposal, "return_for_revision"))
    _require_state(proposal, "return_for_revision")
    errors: dict = {}
    comment = _text(comment, "comment", errors)
    _raise_if(errors)
    _fire(proposal, actor, "return_for_revision", payload={"comment": comment})
    return proposal


proposal_return_for_revision.alters_data = True


@transaction.atomic
def proposal_escalate(*, proposal, actor, reason) -> Proposal:
    proposal = _lock(proposal, actor)
    _require(perms.may_fire(actor, proposal, "escalate"))
    _require_state(proposal, "escalate")
    errors: dict = {}
    reason = _text(reason, "reason", errors)
    parent = unit_parent(proposal.deciding_unit)
    if parent is None:
        errors.setdefault("reason", []).append(_("This unit has no superior unit."))
    _raise_if(errors)
    now = timezone.now()
    due = deadline_from(now, DECISION_WORKING_DAYS)
    _fire(
        proposal,
        actor,
        "escalate",
        deciding_unit=parent,
        decision_due=due,
        at=now,
        payload={
            "reason": reason,
            "from_unit": proposal.deciding_unit.code,
            "to_unit": parent.code,
            "decision_due": due.isoformat(),
        },
    )
    return proposal


proposal_escalate.alters_data = True


@transaction.atomic
def proposal_approve(*, proposal, actor, mode, override_reason="") -> Proposal:
    proposal = _lock(proposal, actor)
    _require(perms.may_fire(actor, proposal, "approve"))
    _require_state(proposal, "approve")
    errors: dict = {}
    if mode not in Mode.values:
        errors["mode"] = [_("Choose pilot or implementation.")]
    opinion = current_opinion(proposal)
    if opinion is None:
        errors["opinion"] = [
            _("The Party committee's opinion must be recorded before the decision.")
        ]
    tally = proposal_tally(proposal)
    override_reason = (override_reason or "").strip()
    if not tally.passed and not override_reason:
        errors["override_reason"] = [
            _(
                "The vote has not passed: approving anyway needs your written reasons, and you "
                "bear "
                "personal responsibility for it."
            )
        ]
    _raise_if(errors)
    override = not tally.passed
    payload = {
        "mode": mode,
        "tally": tally.as_dict(),
        "opinion": {"stance": opinion.stance, "text": opinion.text},
        "head_bears_responsibility": override,
    }
    if override:
        payload["override_reason"] = override_reason
    _fire(
        proposal,
        actor,
        "approve",
        mode=mode,
        head_override=override,
        at=timezone.now(),
        payload=payload,
    )
    return proposal


proposal_approve.alters_data = True


@transaction.atomic
def proposal_reject(*, proposal, actor, reasons) -> Proposal:
    proposal = _lock(proposal, actor)
    _require(perms.may_fire(actor, proposal, "reject"))
    _require_state(proposal, "reject")
    errors: dict = {}
    reasons = _text(reasons, "reasons", errors)
    tally = proposal_tally(proposal)
    if tally.passed:
        errors.setdefault("reasons", []).append(
            _("The leadership collective voted in favour: the proposal cannot be rejected.")
        )
    _raise_if(errors)
    _fire(
        proposal,
        actor,
        "reject",
        at=timezone.now(),
        payload={"reasons": reasons, "tally": tally.as_dict()},
    )
    return proposal


proposal_reject.alters_data = True


# --- actions inside under_review -----------------------------------------------------------------


@transaction.atomic
def vote_cast(*, proposal, actor, choice) -> Vote:
    proposal = _lock(proposal, actor)
    _require(perms.is_eligible_voter(actor, proposal))
    if proposal.state != State.UNDER_REVIEW:
        raise Conflict(
            _("Votes are cast only while the proposal is under review."), code="wrong_state"
        )
    if choice not in Vote.Choice.values:
        raise Invalid(errors={"choice": [_("Choose for, against or abstain.")]})
    vote, created = Vote.objects.update_or_create(
        proposal=proposal,
        round=proposal.decision_round,
        voter=actor,
        defaults={"choice": choice},
    )
    record_action(
        proposal=proposal,
        actor=actor,
        event="vote",
        payload={"choice": choice, "round": proposal.decision_round, "changed": not created},
    )
    return vote


vote_cast.alters_data = True


@transaction.atomic
def opinion_record(*, proposal, actor, stage, stance, text) -> Opinion:
    proposal = _lock(proposal, actor)
    if stage not in Opinion.Stage.values:
        raise Invalid(errors={"stage": [_("Choose a valid option.")]})
    _require(perms.is_party_committee(actor, proposal))
    if not perms.can_record_opinion(actor, proposal, stage):
        raise Conflict(
            _("The Party committee's opinion cannot be recorded at this stage."), code="wrong_state"
        )
    errors: dict = {}
    if stance not in Opinion.Stance.values:
        errors["stance"] = [_("Choose a valid option.")]
    text = _text(text, "text", errors)
    _raise_if(errors)
    opinion = Opinion.objects.create(
        proposal=proposal,
        stage=stage,
        round=proposal.decision_round,
        stance=stance,
        text=text,
        author=actor,
        unit=proposal.deciding_unit,
    )
    record_action(
        proposal=proposal,
        actor=actor,
        event="opinion",
        payload={"stage": stage, "stance": stance, "text": text},
    )
    return opinion


opinion_record.alters_data = True
