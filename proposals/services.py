"""Every write to a proposal. Each function is one atomic step: lock the row, check who acts (403),
the state (409) and the inputs (400), fire the transition, save, and append the ledger entry (whose
`ledger.signals.entry_appended` lets other apps write their rows in the same transaction).

The plumbing below (`lock_proposal`, `as_seen`, `require`, `require_state`, `raise_if_invalid`,
`clean_text`, `fire_transition`, `record_action`) is public: the pilots and reviews apps build their
steps on it."""

import datetime
import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from kl14.dates import in_range, out_of_range_message
from kl14.errors import Conflict, Forbidden, Invalid
from kl14.files import stored_copy
from kl14.text import text_refusal
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
    AuthorPost,
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


# --- plumbing ---


def lock_proposal(proposal, actor) -> Proposal:
    """Re-reads the proposal under a row lock, as the actor may see it (404 otherwise).

    The lock is taken on the proposal's row alone, then the proposal and its units are read
    afresh: a join locked FOR UPDATE and re-checked after waiting for another transaction
    (PostgreSQL's EvalPlanQual) keeps the old joined row, so a proposal escalated meanwhile came
    back with its new deciding unit's id but no deciding unit.

    A proposal marked by `as_seen` (a request's view of it) that another step moved on while this
    one waited for the lock — its state or decision round changed — is a conflict (409)."""
    list(Proposal.objects.select_for_update().filter(pk=proposal.pk).values_list("pk", flat=True))
    locked = perms.access_proposal(
        actor, proposal.pk, queryset=Proposal.objects.select_related("home_unit", "deciding_unit")
    )
    seen = proposal.__dict__.pop("_seen", None)
    if seen is not None and seen != (locked.state, locked.decision_round):
        raise Conflict(
            _("Someone acted on this proposal meanwhile: reload it and check before acting."),
            code="changed",
        )
    return locked


def moved_on(proposal) -> Conflict:
    """The answer to a head whose unit decided the proposal before it was escalated past it."""
    return Conflict(
        _("This proposal has been escalated to %(unit)s, which now decides it.")
        % {"unit": proposal.deciding_unit.name},
        code="changed",
    )


def as_seen(proposal) -> Proposal:
    """Marks the proposal as a request read it: the step it asks for then answers 409 instead of
    acting on what has changed since (twenty heads pressing "escalate" at once: one escalates,
    the others are told someone acted first), even when the new state would admit it."""
    proposal._seen = (proposal.state, proposal.decision_round)
    return proposal


def require(allowed: bool):
    if not allowed:
        raise Forbidden()


def require_state(proposal, transition_name: str):
    if not can_proceed(getattr(proposal, transition_name)):
        raise Conflict(
            _("This action is not possible while the proposal is “%(state)s”.")
            % {"state": proposal.get_state_display()},
            code="wrong_state",
        )


def clean_text(value, field, errors, *, required=True, max_length=5000):
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.setdefault(field, []).append(_("Must be text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.setdefault(field, []).append(_("This field is required."))
    elif refusal := text_refusal(value):
        errors.setdefault(field, []).append(refusal)
    elif len(value) > max_length:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": max_length})
    return value


def raise_if_invalid(errors):
    if errors:
        raise Invalid(errors=errors)


def fire_transition(proposal, actor, name, *, payload=None, dossier_hash="", **kwargs):
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
            clean[name] = clean_text(
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
    raise_if_invalid(errors)
    return clean


@transaction.atomic
def proposal_create(
    *, actor, home_unit: Unit, co_authors=(), author_posts=None, **fields
) -> Proposal:
    """A new draft in a unit where the actor is a member. Drafts are private to their authors and
    leave no ledger entry until they are submitted. `author_posts` ({user id: post}) records each
    author's post (Decree 73, Art. 2); unsaid, a head or deputy of the home unit holds a
    leadership post and the others are recorded as not holding one."""
    if home_unit.pk not in user_roles(actor).unit_ids():
        raise Invalid(errors={"home_unit": [_("You can only write proposals in your own units.")]})
    clean = _clean_dossier(fields, partial=False)
    proposal = Proposal.objects.create(home_unit=home_unit, created_by=actor, **clean)
    proposal.code = f"DX-{proposal.created_at:%Y}-{proposal.pk:06d}"
    proposal.save(update_fields=["code"])
    ProposalAuthor.objects.create(
        proposal=proposal, user=actor, is_creator=True, post=_default_post(proposal, actor.pk)
    )
    _set_co_authors(proposal, co_authors)
    _set_posts(proposal, author_posts)
    return proposal


proposal_create.alters_data = True


@transaction.atomic
def proposal_update(*, proposal, actor, co_authors=None, author_posts=None, **fields) -> Proposal:
    proposal = lock_proposal(proposal, actor)
    require(perms.is_author(actor, proposal))
    if proposal.state not in (State.DRAFT, State.RETURNED):
        raise Conflict(_("Only a draft or a returned proposal can be edited."), code="wrong_state")
    clean = _clean_dossier(fields, partial=True)
    for name, value in clean.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=[*clean, "updated_at"])
    if co_authors is not None:
        _set_co_authors(proposal, co_authors)
    _set_posts(proposal, author_posts)
    return proposal


proposal_update.alters_data = True


def _default_post(proposal, user_id) -> str:
    """A head or deputy of the home unit holds a leadership post; anyone else is recorded as not
    holding one until the authors say otherwise (never more protection than declared)."""
    leads = proposal.home_unit.memberships.filter(
        user_id=user_id, role__in=[Role.HEAD, Role.DEPUTY]
    ).exists()
    return AuthorPost.LEADERSHIP if leads else AuthorPost.STAFF


def _set_posts(proposal, author_posts):
    """Records the post of the authors named in `author_posts` ({user id: post}); 400 for anyone
    who is not an author or a post that is not one of AuthorPost."""
    if not author_posts:
        return
    if not isinstance(author_posts, dict):
        raise Invalid(errors={"author_posts": [_("Give each author's post.")]})
    authorships = {a.user_id: a for a in ProposalAuthor.objects.filter(proposal=proposal)}
    errors = []
    for user_id, post in author_posts.items():
        user_id = getattr(user_id, "pk", user_id)
        if user_id not in authorships:
            errors.append(_("Only an author's post can be recorded."))
        elif post not in AuthorPost.values:
            errors.append(_("Choose a valid option."))
        elif authorships[user_id].post != post:
            authorships[user_id].post = post
            authorships[user_id].save(update_fields=["post"])
    if errors:
        raise Invalid(errors={"author_posts": sorted(set(errors), key=errors.index)})


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
        ProposalAuthor(proposal=proposal, user_id=pk, post=_default_post(proposal, pk))
        for pk in wanted - existing
    )
    proposal._author_ids = wanted


@transaction.atomic
def proposal_delete(*, proposal, actor) -> None:
    """Only a draft that was never submitted can be deleted; anything submitted is kept."""
    proposal = lock_proposal(proposal, actor)
    require(perms.is_author(actor, proposal))
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
    proposal = lock_proposal(proposal, actor)
    require(perms.is_author(actor, proposal))
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
    attachment.file.save(info["name"], stored_copy(uploaded), save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)  # nothing is half-written
        raise
    return attachment


attachment_add.alters_data = True


@transaction.atomic
def attachment_remove(*, attachment, actor) -> None:
    proposal = lock_proposal(attachment.proposal, actor)
    require(perms.is_author(actor, proposal))
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
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "submit"))
    require_state(proposal, "submit")
    raise_if_invalid(submission_errors(proposal))
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
    fire_transition(
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
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "withdraw"))
    require_state(proposal, "withdraw")
    errors: dict = {}
    reason = clean_text(reason, "reason", errors)
    raise_if_invalid(errors)
    fire_transition(proposal, actor, "withdraw", payload={"reason": reason})
    return proposal


proposal_withdraw.alters_data = True


@transaction.atomic
def proposal_open_review(*, proposal, actor) -> Proposal:
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "open_review"))
    require_state(proposal, "open_review")
    fire_transition(proposal, actor, "open_review")
    return proposal


proposal_open_review.alters_data = True


@transaction.atomic
def proposal_return_for_revision(*, proposal, actor, comment) -> Proposal:
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "return_for_revision"))
    require_state(proposal, "return_for_revision")
    errors: dict = {}
    comment = clean_text(comment, "comment", errors)
    raise_if_invalid(errors)
    fire_transition(proposal, actor, "return_for_revision", payload={"comment": comment})
    return proposal


proposal_return_for_revision.alters_data = True


@transaction.atomic
def proposal_escalate(*, proposal, actor, reason) -> Proposal:
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "escalate"))
    require_state(proposal, "escalate")
    errors: dict = {}
    reason = clean_text(reason, "reason", errors)
    parent = unit_parent(proposal.deciding_unit)
    if parent is None:
        errors.setdefault("reason", []).append(_("This unit has no superior unit."))
    raise_if_invalid(errors)
    now = timezone.now()
    due = deadline_from(now, DECISION_WORKING_DAYS)
    fire_transition(
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


# The collective's assessment of each Art. 5(1) condition at the decision, by input name.
ASSESSMENT_INPUTS = {
    f"assessment_{name.removeprefix('criterion_')}": name for name in CRITERIA_FIELDS
}
ASSESSMENT_VALUES = ("met", "not_met")


def _clean_assessment(assessment: dict, errors: dict) -> dict:
    """{criterion field: "met"} for the collective's assessment of each Art. 5(1) condition, all
    four required (issue 11, point 7). Decree 73, Art. 5(1): a proposal qualifies only if it meets
    all four, so one found not met refuses the approval."""
    conditions = {}
    for key, value in assessment.items():
        if value in (None, ""):
            errors.setdefault(key, []).append(
                _("Record the collective's assessment of this condition (Decree 73, Art. 5(1)).")
            )
        elif value not in ASSESSMENT_VALUES:
            errors.setdefault(key, []).append(_("Choose a valid option."))
        elif value == "not_met":
            errors.setdefault(key, []).append(
                _(
                    "The collective found this condition of Art. 5(1) not met: the proposal "
                    "cannot be approved. Return it for revision or do not approve it."
                )
            )
        conditions[ASSESSMENT_INPUTS[key]] = value
    return conditions


@transaction.atomic
def proposal_approve(
    *,
    proposal,
    actor,
    mode,
    override_reason="",
    assessment_bottleneck="",
    assessment_common_good="",
    assessment_urgent_need="",
    assessment_reform="",
) -> Proposal:
    """Approves the proposal. The head's written reasons (`override_reason`, one mechanism) are
    needed when the vote did not pass (Art. 8: the head bears personal responsibility) and when the
    Party committee's opinion is `disagree` (amendment of 2026-11-29); both are marked in the
    ledger entry. `assessment_*` are the collective's assessment of each Art. 5(1) condition
    ("met" or "not_met"), every one required and recorded in the ledger entry."""
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "approve"))
    require_state(proposal, "approve")
    errors: dict = {}
    if mode not in Mode.values:
        errors["mode"] = [_("Choose pilot or implementation.")]
    conditions = _clean_assessment(
        {
            "assessment_bottleneck": assessment_bottleneck,
            "assessment_common_good": assessment_common_good,
            "assessment_urgent_need": assessment_urgent_need,
            "assessment_reform": assessment_reform,
        },
        errors,
    )
    opinion = current_opinion(proposal)
    if opinion is None:
        errors["opinion"] = [
            _("The Party committee's opinion must be recorded before the decision.")
        ]
    tally = proposal_tally(proposal)
    against_opinion = opinion is not None and opinion.stance == Opinion.Stance.DISAGREE
    override_reason = clean_text(override_reason, "override_reason", errors, required=False)
    if not override_reason and "override_reason" not in errors:
        if not tally.passed:
            errors["override_reason"] = [
                _(
                    "The vote has not passed: approving anyway needs your written reasons, and "
                    "you bear personal responsibility for it."
                )
            ]
        elif against_opinion:
            errors["override_reason"] = [
                _(
                    "The Party committee disagreed: approving anyway needs your written "
                    "reasons, recorded with the decision."
                )
            ]
    raise_if_invalid(errors)
    override = not tally.passed
    payload = {
        "mode": mode,
        "tally": tally.as_dict(),
        "opinion": {"stance": opinion.stance, "text": opinion.text, **opinion_reference(opinion)},
        "head_bears_responsibility": override,
    }
    if against_opinion:
        payload["against_opinion"] = True
    if override or against_opinion:
        payload["override_reason"] = override_reason
    payload["conditions"] = conditions
    fire_transition(
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
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "reject"))
    require_state(proposal, "reject")
    errors: dict = {}
    reasons = clean_text(reasons, "reasons", errors)
    tally = proposal_tally(proposal)
    if tally.passed:
        errors.setdefault("reasons", []).append(
            _("The collective voted in favour: the proposal can only be approved or returned.")
        )
    raise_if_invalid(errors)
    fire_transition(
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
    proposal = lock_proposal(proposal, actor)
    require(perms.is_eligible_voter(actor, proposal))
    if proposal.state != State.UNDER_REVIEW:
        raise Conflict(
            _("Votes are cast only while the proposal is under review."), code="wrong_state"
        )
    if choice not in Vote.Choice.values:
        raise Invalid(errors={"choice": [_("Choose for, against or abstain.")]})
    same = Vote.objects.filter(
        proposal=proposal, round=proposal.decision_round, voter=actor, choice=choice
    ).first()
    if same is not None:
        return same  # the same vote again: nothing changes, so nothing is recorded
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


def _clean_opinion_reference(errors, *, document_number, document_date, signer_name, signer_title):
    """The committee's conclusion as issued (amendment of 2026-11-29), all four required: its
    document (number and date) and who signed it (name and title). The date is a real day, not in
    the future."""
    document_number = clean_text(
        document_number, "document_number", errors, required=False, max_length=100
    )
    signer_name = clean_text(signer_name, "signer_name", errors, required=False, max_length=200)
    signer_title = clean_text(signer_title, "signer_title", errors, required=False, max_length=200)
    if isinstance(document_date, str) and document_date.strip():
        try:
            document_date = datetime.date.fromisoformat(document_date.strip())
        except ValueError:
            errors.setdefault("document_date", []).append(_("Enter a valid date."))
            document_date = None
    elif not isinstance(document_date, datetime.date):
        if document_date not in (None, ""):
            errors.setdefault("document_date", []).append(_("Enter a valid date."))
        document_date = None
    if document_date is not None and document_date > timezone.localdate():
        errors.setdefault("document_date", []).append(_("The date cannot be in the future."))
    elif document_date is not None and not in_range(document_date):
        # 01/01/0001 was recorded as the date of a Party committee's document.
        errors.setdefault("document_date", []).append(out_of_range_message())
    missing = {
        "document_number": (
            document_number,
            _("Give the number and symbol of the Party committee's document."),
        ),
        "document_date": (document_date, _("Give the date of the Party committee's document.")),
        "signer_name": (signer_name, _("Give the name of the person who signed.")),
        "signer_title": (signer_title, _("Give the title of the person who signed.")),
    }
    for field, (value, message) in missing.items():
        if not value and field not in errors:
            errors[field] = [message]
    return {
        "document_number": document_number,
        "document_date": document_date,
        "signer_name": signer_name,
        "signer_title": signer_title,
    }


def opinion_reference(opinion) -> dict:
    """The document and signer of an opinion as the ledger quotes them (only what was given)."""
    reference = {
        "document_number": opinion.document_number,
        "document_date": opinion.document_date.isoformat() if opinion.document_date else "",
        "signer_name": opinion.signer_name,
        "signer_title": opinion.signer_title,
    }
    return {key: value for key, value in reference.items() if value}


@transaction.atomic
def opinion_record(
    *,
    proposal,
    actor,
    stage,
    stance,
    text,
    document_number="",
    document_date=None,
    signer_name="",
    signer_title="",
) -> Opinion:
    """The Party committee's opinion (Decree 73, Art. 4), with the reference of its conclusion,
    all required: the number and date of the committee's document and who signed it (name and
    title). Anything missing answers 400 with a message per field, and nothing is written."""
    proposal = lock_proposal(proposal, actor)
    if stage not in Opinion.Stage.values:
        raise Invalid(errors={"stage": [_("Choose a valid option.")]})
    require(perms.is_party_committee(actor, proposal))
    if not perms.can_record_opinion(actor, proposal, stage):
        raise Conflict(
            _("The Party committee's opinion cannot be recorded at this stage."), code="wrong_state"
        )
    errors: dict = {}
    if stance not in Opinion.Stance.values:
        errors["stance"] = [_("Choose a valid option.")]
    text = clean_text(text, "text", errors)
    reference = _clean_opinion_reference(
        errors,
        document_number=document_number,
        document_date=document_date,
        signer_name=signer_name,
        signer_title=signer_title,
    )
    raise_if_invalid(errors)
    opinion = Opinion.objects.create(
        proposal=proposal,
        stage=stage,
        round=proposal.decision_round,
        stance=stance,
        text=text,
        author=actor,
        unit=proposal.deciding_unit,
        **reference,
    )
    record_action(
        proposal=proposal,
        actor=actor,
        event="opinion",
        payload={"stage": stage, "stance": stance, "text": text, **opinion_reference(opinion)},
    )
    return opinion


opinion_record.alters_data = True
