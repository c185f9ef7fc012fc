"""Every write of the review stage. Each function is one atomic step on a locked proposal: check
who acts (403), the state (409) and the inputs (400), write the record, fire the transition or
record the action in the ledger (proposals.services `_fire` / `record_action`), announce it after
commit. A failed call writes nothing."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kl14.errors import Conflict
from ledger.services import ledger_append
from proposals.hashing import dossier_snapshot, version_hash
from proposals.models import (
    DOSSIER_FIELDS,
    Mode,
    Opinion,
    Proposal,
    ProposalAuthor,
    ProposalVersion,
    State,
)
from proposals.permissions import access_proposal, is_deciding_head
from proposals.selectors import current_opinion, proposal_verify
from proposals.services import (
    _announce,
    _fire,
    _lock,
    _raise_if,
    _require,
    _require_state,
    _text,
    record_action,
)
from units.models import Role, Unit
from units.selectors import unit_parent

from . import permissions as perms
from .dossier import verification_code
from .models import (
    AbuseReferral,
    Adoption,
    DossierIssue,
    Evaluation,
    Institutionalization,
    IssuingLevel,
    Lesson,
    Outcome,
    Recognition,
    RecognitionKind,
    Replication,
    ResponsibilityDecision,
)
from .rules import allowed_decisions, evaluation_due, refusal, responsibility_due
from .text import search_text

# --- evaluation -------------------------------------------------------------------------------


def _meeting_date(value, errors, *, not_before=None):
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            value = None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        errors.setdefault("meeting_date", []).append(_("Enter a valid date."))
        return None
    if value > timezone.localdate():
        errors.setdefault("meeting_date", []).append(
            _("The meeting cannot be in the future: record the evaluation after it is held.")
        )
    elif not_before is not None and value < not_before:
        errors.setdefault("meeting_date", []).append(
            _("The meeting cannot be held before the final report was submitted (%(day)s).")
            % {"day": date_format(not_before, "SHORT_DATE_FORMAT")}
        )
    return value


@transaction.atomic
def proposal_evaluate(
    *, proposal, actor, outcome, causes_objective, causes_subjective, meeting_date
) -> Proposal:
    """The leadership collective's evaluation of the results, chaired by the head of the deciding
    unit after the Party committee gave its opinion on them. `achieved` -> succeeded; otherwise
    the proposal goes to the responsibility review."""
    proposal = _lock(proposal, actor)
    _require(perms.may_fire(actor, proposal, "evaluate"))
    _require_state(proposal, "evaluate")
    errors: dict = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose a valid option.")]
    causes_objective = _text(causes_objective, "causes_objective", errors)
    causes_subjective = _text(causes_subjective, "causes_subjective", errors)
    report_day = (
        timezone.localdate(proposal.state_changed_at) if proposal.state_changed_at else None
    )
    meeting_date = _meeting_date(meeting_date, errors, not_before=report_day)
    opinion = current_opinion(proposal, Opinion.Stage.EVALUATION)
    if opinion is None:
        errors["opinion"] = [
            _(
                "The Party committee's opinion on the results must be recorded before the "
                "evaluation."
            )
        ]
    _raise_if(errors)
    due = evaluation_due(proposal.state_changed_at)
    Evaluation.objects.create(
        proposal=proposal,
        outcome=outcome,
        causes_objective=causes_objective,
        causes_subjective=causes_subjective,
        meeting_date=meeting_date,
        opinion=opinion,
        due=due,
        evaluated_by=actor,
    )
    _fire(
        proposal,
        actor,
        "evaluate",
        achieved=outcome == Outcome.ACHIEVED,
        payload={
            "outcome": outcome,
            "causes_objective": causes_objective,
            "causes_subjective": causes_subjective,
            "meeting_date": meeting_date.isoformat(),
            "opinion": {"stance": opinion.stance, "text": opinion.text},
            "due": due.isoformat() if due else None,
        },
    )
    return proposal


proposal_evaluate.alters_data = True


# --- responsibility ---------------------------------------------------------------------------


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
) -> Proposal:
    """Decree 73, Art. 5(2), 11: exactly the decisions `rules.allowed_decisions` admits."""
    proposal = _lock(proposal, actor)
    _require(perms.may_fire(actor, proposal, "decide_responsibility"))
    _require_state(proposal, "decide_responsibility")
    criteria = {
        "followed_approved_plan": followed_approved_plan,
        "pure_motive": pure_motive,
        "common_interest": common_interest,
        "no_personal_gain": no_personal_gain,
    }
    errors: dict = {}
    for name, value in [*criteria.items(), ("damage", damage)]:
        if not isinstance(value, bool):
            errors.setdefault(name, []).append(_("Must be true or false."))
    reasons = _text(reasons, "reasons", errors)
    if decision not in allowed_decisions(criteria_met=False, damage=True) + allowed_decisions(
        criteria_met=True, damage=True
    ):
        errors.setdefault("decision", []).append(_("Choose a valid option."))
    if isinstance(damage, bool):
        damage_amount = _damage_amount(damage_amount, damage, errors)
    if not errors:
        criteria_met = all(criteria.values())
        if decision not in allowed_decisions(criteria_met=criteria_met, damage=damage):
            errors["decision"] = [
                refusal(decision=decision, criteria_met=criteria_met, damage=damage)
            ]
    _raise_if(errors)
    evaluation = Evaluation.objects.filter(proposal=proposal).first()
    due = responsibility_due(proposal.state_changed_at)
    ResponsibilityDecision.objects.create(
        proposal=proposal,
        decision=decision,
        **criteria,
        damage=damage,
        damage_amount=damage_amount,
        reasons=reasons,
        due=due,
        decided_by=actor,
    )
    _fire(
        proposal,
        actor,
        "decide_responsibility",
        decision=decision,
        payload={
            "decision": decision,
            "criteria": criteria,
            "damage": damage,
            "damage_amount": str(damage_amount) if damage_amount is not None else None,
            "reasons": reasons,
            "evaluation_outcome": evaluation.outcome if evaluation else None,
            "due": due.isoformat() if due else None,
        },
    )
    _refresh_lesson(proposal)
    return proposal


proposal_decide_responsibility.alters_data = True


@transaction.atomic
def proposal_refer_abuse(*, proposal, actor, evidence) -> Proposal:
    """Decree 73, Art. 6: the case goes to the competent authority; protection is denied from
    then on (no transition leaves `referred`)."""
    proposal = _lock(proposal, actor)
    _require(perms.may_fire(actor, proposal, "refer_abuse"))
    _require_state(proposal, "refer_abuse")
    errors: dict = {}
    evidence = _text(evidence, "evidence", errors, max_length=20000)
    _raise_if(errors)
    AbuseReferral.objects.create(
        proposal=proposal, evidence=evidence, from_state=proposal.state, referred_by=actor
    )
    _fire(proposal, actor, "refer_abuse", payload={"evidence": evidence})
    _refresh_lesson(proposal)
    return proposal


proposal_refer_abuse.alters_data = True


# --- replication and institutionalisation -----------------------------------------------------


def _target_units(values, errors) -> list[Unit]:
    if isinstance(values, Unit | int | str):
        values = [values]
    ids = []
    for value in values or ():
        pk = value.pk if isinstance(value, Unit) else value
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            errors.setdefault("target_units", []).append(_("Choose units from the list."))
            return []
    if not ids:
        errors.setdefault("target_units", []).append(_("Choose at least one unit."))
        return []
    if len(set(ids)) != len(ids):
        errors.setdefault("target_units", []).append(_("A unit is chosen twice."))
        return []
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    if len(units) != len(ids):
        errors.setdefault("target_units", []).append(_("Choose units from the list."))
        return []
    return [units[pk] for pk in ids]


@transaction.atomic
def proposal_replicate(*, proposal, actor, target_units) -> Proposal:
    """An organization board directs a succeeded model to be replicated in units of its subtree
    (KL14 2.5). The board's unit must be an ancestor-or-self of the source's home unit and of every
    target; each target gets a linked proposal, approved for implementation by this directive."""
    source = _lock(proposal, actor)
    _require(perms.may_fire(actor, source, "replicate"))
    _require_state(source, "replicate")
    errors: dict = {}
    units = _target_units(target_units, errors)
    boards = perms.board_paths_over(actor, source.home_unit)
    board_path = None
    if units:
        outside = [u.name for u in units if not u.path.startswith(boards[0])]
        if outside:
            errors.setdefault("target_units", []).append(
                _("Outside the subtree of your organization board: %(units)s.")
                % {"units": ", ".join(outside)}
            )
        if source.home_unit_id in {u.pk for u in units}:
            errors.setdefault("target_units", []).append(
                _("The model already runs in its own unit: choose other units.")
            )
        adopted = set(
            Adoption.objects.filter(replication__source=source, unit__in=units).values_list(
                "unit__name", flat=True
            )
        )
        if adopted:
            errors.setdefault("target_units", []).append(
                _("Already replicated in: %(units)s.") % {"units": ", ".join(sorted(adopted))}
            )
        # The deepest board that still covers every target directs the replication.
        board_path = max(
            (b for b in boards if all(u.path.startswith(b) for u in units)), key=len, default=None
        )
    _raise_if(errors)
    replication = Replication.objects.create(
        source=source, board_unit=Unit.objects.get(path=board_path), directed_by=actor
    )
    adoptions = [
        adoption_create(replication=replication, unit=unit, actor=actor)
        for unit in sorted(units, key=lambda u: u.path)
    ]
    _fire(
        source,
        actor,
        "replicate",
        payload={
            "board_unit": replication.board_unit.code,
            "targets": [{"unit": a.home_unit.code, "proposal": a.code} for a in adoptions],
        },
    )
    return source


proposal_replicate.alters_data = True


@transaction.atomic
def adoption_create(*, replication, unit, actor) -> Proposal:
    """The proposal a replication directive creates in one target unit: a copy of the source's
    dossier, approved for implementation (the directive is the decision), with its own frozen
    version 1 and its own ledger, whose first entry records the directive. The heads of the
    target unit are its authors: they implement it and report on it. As for any proposal whose
    author heads its unit (Decree 73, Art. 7(4)), the superior unit decides on it — evaluates the
    results and rules on responsibility — so nobody judges their own work."""
    source = replication.source
    now = timezone.now()
    adoption = Proposal.objects.create(
        **{name: getattr(source, name) for name in DOSSIER_FIELDS},
        home_unit=unit,
        deciding_unit=unit_parent(unit) or unit,
        created_by=actor,
        state=State.APPROVED,
        mode=Mode.IMPLEMENTATION,
        origin=source,
        version=1,
        decision_round=1,
        decided_at=now,
        state_changed_at=now,
    )
    adoption.code = f"DX-{adoption.created_at:%Y}-{adoption.pk:06d}"
    adoption.save(update_fields=["code"])
    heads = unit.memberships.filter(role=Role.HEAD).values_list("user_id", flat=True)
    ProposalAuthor.objects.bulk_create(
        ProposalAuthor(proposal=adoption, user_id=user_id, is_creator=False) for user_id in heads
    )
    content = dossier_snapshot(adoption)
    version = ProposalVersion.objects.create(
        proposal=adoption,
        number=1,
        content=content,
        content_hash=version_hash(content),
        created_by=actor,
    )
    Adoption.objects.create(replication=replication, unit=unit, proposal=adoption)
    ledger_append(
        proposal=adoption,
        actor=actor,
        event="adopt",
        from_state="",
        to_state=State.APPROVED,
        payload={
            "origin": source.code,
            "board_unit": replication.board_unit.code,
            "decided_by": "replication_directive",
            "mode": Mode.IMPLEMENTATION,
        },
        dossier_hash=version.content_hash,
    )
    _announce(adoption, "adopt", actor)
    return adoption


adoption_create.alters_data = True


@transaction.atomic
def proposal_institutionalize(*, proposal, actor, title, issuing_level) -> Proposal:
    """The regulation an organization board proposes so the model becomes policy (thể chế hóa)."""
    proposal = _lock(proposal, actor)
    _require(perms.may_fire(actor, proposal, "institutionalize"))
    _require_state(proposal, "institutionalize")
    errors: dict = {}
    title = _text(title, "title", errors, max_length=500)
    if issuing_level not in IssuingLevel.values:
        errors["issuing_level"] = [_("Choose a valid option.")]
    _raise_if(errors)
    board_path = perms.board_paths_over(actor, proposal.home_unit)[-1]
    record = Institutionalization.objects.create(
        proposal=proposal,
        title=title,
        issuing_level=issuing_level,
        board_unit=Unit.objects.get(path=board_path),
        proposed_by=actor,
    )
    _fire(
        proposal,
        actor,
        "institutionalize",
        payload={
            "title": title,
            "issuing_level": issuing_level,
            "board_unit": record.board_unit.code,
        },
    )
    _refresh_lesson(proposal)
    return proposal


proposal_institutionalize.alters_data = True


# --- recognition ------------------------------------------------------------------------------


def _granting_unit(actor, proposal) -> Unit:
    if is_deciding_head(actor, proposal):
        return proposal.deciding_unit
    return Unit.objects.get(path=perms.board_paths_over(actor, proposal.home_unit)[-1])


@transaction.atomic
def recognition_grant(*, proposal, actor, kind, recipients=None, note="") -> list[Recognition]:
    """Decree 73, Art. 10: praise, reward, an excellent rating, priority for appointment or
    planning, or a salary raise 12 months early, for some authors (`recipients`: users or ids) or
    all of them (`recipients` empty). One ledger entry for the whole grant."""
    proposal = _lock(proposal, actor)
    _require(perms.may_recognise(actor, proposal))
    if proposal.state not in perms.RECOGNITION_STATES:
        raise Conflict(
            _("Recognition is recorded for a proposal whose results were achieved."),
            code="wrong_state",
        )
    errors: dict = {}
    if kind not in RecognitionKind.values:
        errors["kind"] = [_("Choose a valid option.")]
    note = _text(note, "note", errors, required=False)
    authors = {a.user_id: a.user for a in proposal.authorships.select_related("user")}
    wanted = []
    for value in recipients or ():
        try:
            wanted.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            wanted.append(None)
    if any(pk not in authors for pk in wanted):
        errors.setdefault("recipients", []).append(
            _("Recognition goes to the authors of the proposal.")
        )
    people = [authors[pk] for pk in dict.fromkeys(wanted) if pk in authors]
    if not wanted:
        people = list(authors.values())
    if not people and not errors:
        errors.setdefault("recipients", []).append(_("The proposal has no authors to recognise."))
    if not errors:
        already = Recognition.objects.filter(
            proposal=proposal, kind=kind, recipient__in=people
        ).select_related("recipient")
        if already:
            errors["recipients"] = [
                _("Already recognised in this way: %(names)s.")
                % {"names": ", ".join(r.recipient.get_full_name() for r in already)}
            ]
    _raise_if(errors)
    unit = _granting_unit(actor, proposal)
    records = Recognition.objects.bulk_create(
        Recognition(
            proposal=proposal, recipient=user, kind=kind, note=note, unit=unit, granted_by=actor
        )
        for user in people
    )
    record_action(
        proposal=proposal,
        actor=actor,
        event="recognition",
        payload={
            "kind": kind,
            "recipients": [u.username for u in people],
            "note": note,
            "unit": unit.code,
        },
    )
    return records


recognition_grant.alters_data = True


# --- lessons library --------------------------------------------------------------------------


def lesson_search_text(proposal, lessons: str) -> str:
    """Everything the library searches, folded (see text.fold)."""
    parts = [proposal.code or "", proposal.title, proposal.summary, proposal.bottleneck, lessons]
    evaluation = Evaluation.objects.filter(proposal=proposal).first()
    if evaluation:
        parts += [evaluation.causes_objective, evaluation.causes_subjective]
    decision = ResponsibilityDecision.objects.filter(proposal=proposal).first()
    if decision:
        parts.append(decision.reasons)
    return search_text(" \n".join(p for p in parts if p))


def _refresh_lesson(proposal):
    lesson = Lesson.objects.filter(proposal=proposal).first()
    if lesson is not None:
        lesson.search_text = lesson_search_text(proposal, lesson.lessons)
        lesson.save(update_fields=["search_text", "updated_at"])


@transaction.atomic
def lesson_publish(*, proposal, actor, lessons) -> Lesson:
    """The head of the deciding unit publishes an evaluated proposal, with the lessons learned, to
    the library every signed-in user reads. Publishing again replaces the text."""
    proposal = _lock(proposal, actor)
    _require(perms.may_publish_lesson(actor, proposal))
    if not Evaluation.objects.filter(proposal=proposal).exists():
        raise Conflict(
            _("Only a proposal whose results were evaluated can become a lesson."),
            code="wrong_state",
        )
    errors: dict = {}
    lessons = _text(lessons, "lessons", errors, max_length=20000)
    _raise_if(errors)
    lesson, _created = Lesson.objects.update_or_create(
        proposal=proposal,
        defaults={
            "lessons": lessons,
            "published_by": actor,
            "search_text": lesson_search_text(proposal, lessons),
        },
    )
    proposal.published_at = timezone.now()
    proposal.save(update_fields=["published_at", "updated_at"])
    record_action(
        proposal=proposal, actor=actor, event="lesson_publish", payload={"lessons": lessons}
    )
    return lesson


lesson_publish.alters_data = True


@transaction.atomic
def lesson_unpublish(*, proposal, actor) -> Proposal:
    proposal = _lock(proposal, actor)
    _require(perms.may_publish_lesson(actor, proposal))
    if proposal.published_at is None:
        raise Conflict(_("This proposal is not in the lessons library."), code="wrong_state")
    proposal.published_at = None
    proposal.save(update_fields=["published_at", "updated_at"])
    record_action(proposal=proposal, actor=actor, event="lesson_unpublish")
    return proposal


lesson_unpublish.alters_data = True


# --- protection dossier -----------------------------------------------------------------------


@transaction.atomic
def dossier_issue(*, proposal, actor):
    """Issues the protection dossier of a proposal the actor can see: records the ledger's head and
    length under the verification code (once per head: issuing again at the same head gives the
    same code). Returns (issue, verification). Not itself a ledger event, so the dossier ends at
    the head it prints."""
    proposal = access_proposal(actor, proposal.pk)
    if not proposal.version:
        raise Conflict(_("A draft has no protection dossier."), code="wrong_state")
    verification = proposal_verify(proposal)
    issue, _created = DossierIssue.objects.get_or_create(
        proposal=proposal,
        chain_head=verification.head,
        defaults={
            "code": verification_code(proposal.code, verification.head),
            "entries": verification.entries,
            "issued_by": actor,
        },
    )
    return issue, verification


dossier_issue.alters_data = True
