"""Every write of the implementation stage. Each function is one atomic step: lock the proposal row
(404 when not visible), check who acts (403), the state (409) and the inputs (400), write, and
append the ledger entry in the same transaction — through proposals.services' `fire_transition` for
transitions and `record_action` for the actions inside a state."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from kl14.errors import Conflict, Invalid
from kl14.files import stored_copy
from kl14.text import text_refusal
from proposals.models import State
from proposals.permissions import is_author, is_supervising_head
from proposals.services import (
    fire_transition,
    lock_proposal,
    raise_if_invalid,
    record_action,
    require,
    require_state,
)
from proposals.uploads import inspect_upload
from workdays.calendar import deadline_from

from . import permissions as perms
from .models import (
    MONITOR_PERMISSION,
    Adjustment,
    Assessment,
    FinalReport,
    ImplementationPlan,
    Inspection,
    Kpi,
    KpiValue,
    Milestone,
    PlanVersion,
    ProgressReport,
    ReportAttachment,
)
from .planning import (
    ADJUSTABLE_FIELDS,
    FINAL_REPORT_WORKING_DAYS,
    PLAN_FIELDS,
    as_json,
    clean_kpi_values,
    clean_plan,
    compute_schedule,
    current_json,
    date_error,
    monitor_grants,
    next_unfiled,
    plan_errors,
    plan_hash,
    plan_snapshot,
    to_date,
    to_input_date,
    values_payload,
)

MONITOR_PERM = f"pilots.{MONITOR_PERMISSION}"
MAX_ATTACHMENTS = 10


# --- plumbing ---------------------------------------------------------------------------------


def _require_running(proposal, states=perms.RUNNING_STATES, message=None):
    if proposal.state not in states:
        raise Conflict(
            message
            or _("This action is not possible while the proposal is “%(state)s”.")
            % {"state": proposal.get_state_display()},
            code="wrong_state",
        )


def _plan(proposal) -> ImplementationPlan:
    plan = ImplementationPlan.objects.filter(proposal=proposal).first()
    if plan is None:
        raise Conflict(_("This proposal has no implementation plan yet."), code="no_plan")
    plan.proposal = proposal
    return plan


def _text(value, field, errors, *, required=True, max_length=20000) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors.setdefault(field, []).append(_("This field is required."))
    elif refusal := text_refusal(value):
        errors.setdefault(field, []).append(refusal)
    elif len(value) > max_length:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": max_length})
    return value


def _plan_ref(plan) -> dict:
    return {"plan_version": plan.version, "plan_hash": plan.content_hash}


def _freeze(plan, actor, reason) -> PlanVersion | None:
    """Freezes the plan as a new numbered version when its content changed."""
    content = plan_snapshot(plan)
    digest = plan_hash(content)
    if digest == plan.content_hash:
        return None
    plan.version += 1
    plan.content_hash = digest
    plan.save(update_fields=["version", "content_hash", "updated_at"])
    return PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        content=content,
        content_hash=digest,
        reason=reason,
        created_by=actor,
    )


def _refresh_schedule(plan):
    """Recomputes the reporting periods and the next report due from the plan's dates."""
    plan.schedule = compute_schedule(plan.start_date, plan.end_date, plan.reporting_cadence)
    _refresh_next_report(plan)


def _refresh_next_report(plan):
    filed = set(plan.reports.values_list("period", flat=True))
    upcoming = next_unfiled(plan.schedule, filed)
    plan.next_report_period = upcoming["period"] if upcoming else None
    plan.next_report_due = to_date(upcoming["due"]) if upcoming else None
    plan.save(update_fields=["schedule", "next_report_period", "next_report_due", "updated_at"])


def _apply(plan, clean: dict):
    """Writes cleaned plan fields onto the plan, its milestones, KPIs and monitor grants."""
    scalars = [name for name in clean if name not in ("milestones", "kpis", "monitors")]
    for name in scalars:
        setattr(plan, name, clean[name])
    if scalars:
        plan.save(update_fields=[*scalars, "updated_at"])
    errors: dict = {}
    if "milestones" in clean:
        _sync_milestones(plan, clean["milestones"], errors)
    if "kpis" in clean:
        _sync_kpis(plan, clean["kpis"], errors)
    raise_if_invalid(errors)
    if "monitors" in clean:
        _sync_monitors(plan, clean["monitors"])


def _same_name(existing: dict, row: dict, kept: set):
    """A row given without its id keeps the identity of the row of the same name (so a client
    that sends the whole plan again does not renumber it)."""
    name = row["name"].casefold()
    return next(
        (obj for pk, obj in existing.items() if pk not in kept and obj.name.casefold() == name),
        None,
    )


def _sync_milestones(plan, rows, errors):
    existing = {m.pk: m for m in plan.milestones.all()}
    kept = set()
    for row in rows:
        milestone = existing.get(row["id"]) if row["id"] else _same_name(existing, row, kept)
        if row["id"] and milestone is None:
            errors.setdefault("milestones", []).append(
                _("Milestone “%(name)s” is not part of this plan.") % {"name": row["name"]}
            )
            continue
        if milestone is None:
            milestone = Milestone(plan=plan)
        milestone.name, milestone.due_date = row["name"], row["due_date"]
        milestone.save()
        kept.add(milestone.pk)
    plan.milestones.exclude(pk__in=kept).delete()


def _sync_kpis(plan, rows, errors):
    existing = {k.pk: k for k in plan.kpis.filter(retired=False)}
    kept = set()
    for position, row in enumerate(rows):
        kpi = existing.get(row["id"]) if row["id"] else _same_name(existing, row, kept)
        if row["id"] and kpi is None:
            errors.setdefault("kpis", []).append(
                _("KPI “%(kpi)s” is not part of this plan.") % {"kpi": row["name"]}
            )
            continue
        if kpi is None:
            kpi = Kpi(plan=plan)
        for name in ("name", "unit", "baseline", "target", "direction"):
            setattr(kpi, name, row[name])
        kpi.position = position
        kpi.save()
        kept.add(kpi.pk)
    removed = plan.kpis.filter(retired=False).exclude(pk__in=kept)
    # A KPI with reported values stays (retired) so that the reports keep their meaning.
    removed.filter(values__isnull=False).update(retired=True)
    removed.filter(values__isnull=True).delete()


def _sync_monitors(plan, users):
    current = {g.user_id: g.user for g in monitor_grants(plan)}
    wanted = {u.pk: u for u in users}
    for pk in wanted.keys() - current.keys():
        assign_perm(MONITOR_PERM, wanted[pk], plan)
    for pk in current.keys() - wanted.keys():
        remove_perm(MONITOR_PERM, current[pk], plan)


# --- the plan, while the proposal is approved -------------------------------------------------


@transaction.atomic
def plan_save(*, proposal, actor, **fields) -> ImplementationPlan:
    """Prepares or revises the whole plan (a full replacement: fields left out are emptied). Only
    the supervising head does it (the head of the home unit, or of the deciding unit when an
    author heads the home unit): the plan commits the unit's budget and people and names who
    inspects the implementers, so the implementers do not write it themselves; they propose
    changes through adjustments once the work runs. A change freezes a new version in the ledger;
    the co-signature then covers the old version only."""
    proposal = lock_proposal(proposal, actor)
    require(is_supervising_head(actor, proposal))
    if proposal.state != State.APPROVED:
        raise Conflict(
            _("The plan can only be prepared while the proposal is approved and not started."),
            code="wrong_state",
        )
    unknown = {name: [_("This field cannot be set.")] for name in fields if name not in PLAN_FIELDS}
    clean, errors = clean_plan(
        {name: fields.get(name) for name in PLAN_FIELDS}, home_unit=proposal.home_unit
    )
    raise_if_invalid({**unknown, **errors})
    plan, created = ImplementationPlan.objects.get_or_create(proposal=proposal)
    plan.proposal = proposal
    _apply(plan, clean)
    _refresh_schedule(plan)
    version = _freeze(plan, actor, "prepared" if created else "revised")
    if version is not None:
        record_action(
            proposal=proposal,
            actor=actor,
            event="plan_version",
            payload={**_plan_ref(plan), "reason": version.reason},
        )
    return plan


plan_save.alters_data = True


@transaction.atomic
def plan_cosign(*, proposal, actor) -> ImplementationPlan:
    """The approving head co-signs the risk declaration of the plan's current version: the first
    before the work starts, and every later version (an approved adjustment) while it runs."""
    proposal = lock_proposal(proposal, actor)
    require(perms.is_approving_head(actor, proposal))
    if proposal.state not in perms.COSIGN_STATES:
        raise Conflict(
            _("The plan can only be co-signed before the work starts or while it runs."),
            code="wrong_state",
        )
    plan = ImplementationPlan.objects.filter(proposal=proposal).first()
    raise_if_invalid(plan_errors(plan, for_start=False))
    if plan.is_cosigned:
        raise Conflict(_("This version of the plan is already co-signed."), code="cosigned")
    plan.cosigned_by = actor
    plan.cosigned_at = timezone.now()
    plan.cosigned_version = plan.version
    plan.cosigned_hash = plan.content_hash
    plan.save(
        update_fields=[
            "cosigned_by",
            "cosigned_at",
            "cosigned_version",
            "cosigned_hash",
            "updated_at",
        ]
    )
    record_action(
        proposal=proposal,
        actor=actor,
        event="plan_cosign",
        payload={**_plan_ref(plan), "risk_declaration": plan.risk_declaration},
    )
    return plan


plan_cosign.alters_data = True


# --- transitions ------------------------------------------------------------------------------


@transaction.atomic
def pilot_start(*, proposal, actor):
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "start"))
    require_state(proposal, "start")
    plan = ImplementationPlan.objects.filter(proposal=proposal).first()
    raise_if_invalid(plan_errors(plan, for_start=True))
    plan.started_at = timezone.now()
    plan.save(update_fields=["started_at", "updated_at"])
    _refresh_next_report(plan)
    fire_transition(
        proposal,
        actor,
        "start",
        payload={
            **_plan_ref(plan),
            "start_date": plan.start_date.isoformat(),
            "end_date": plan.end_date.isoformat(),
            "cosigned_by": plan.cosigned_by.username,
        },
    )
    return proposal


pilot_start.alters_data = True


@transaction.atomic
def pilot_suspend(*, proposal, actor, reason):
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "suspend"))
    require_state(proposal, "suspend")
    errors: dict = {}
    reason = _text(reason, "reason", errors, max_length=5000)
    raise_if_invalid(errors)
    plan = _plan(proposal)
    fire_transition(proposal, actor, "suspend", payload={"reason": reason, **_plan_ref(plan)})
    return proposal


pilot_suspend.alters_data = True


@transaction.atomic
def pilot_resume(*, proposal, actor):
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "resume"))
    require_state(proposal, "resume")
    plan = _plan(proposal)
    fire_transition(proposal, actor, "resume", payload=_plan_ref(plan))
    return proposal


pilot_resume.alters_data = True


def _end(proposal, actor, name, *, early, payload):
    plan = _plan(proposal)
    now = timezone.now()
    plan.ended_at = now
    plan.ended_early = early
    plan.final_report_due = deadline_from(now, FINAL_REPORT_WORKING_DAYS)
    plan.save(update_fields=["ended_at", "ended_early", "final_report_due", "updated_at"])
    fire_transition(
        proposal,
        actor,
        name,
        payload={
            **payload,
            **_plan_ref(plan),
            "final_report_due": plan.final_report_due.isoformat(),
        },
    )
    return proposal


@transaction.atomic
def pilot_terminate(*, proposal, actor, reason):
    """Ends the work early (from in_progress or suspended)."""
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "terminate"))
    require_state(proposal, "terminate")
    errors: dict = {}
    reason = _text(reason, "reason", errors, max_length=5000)
    raise_if_invalid(errors)
    return _end(proposal, actor, "terminate", early=True, payload={"reason": reason})


pilot_terminate.alters_data = True


@transaction.atomic
def pilot_complete(*, proposal, actor):
    """The implementers declare the work done; the final report is due in 5 working days."""
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "complete"))
    require_state(proposal, "complete")
    return _end(proposal, actor, "complete", early=False, payload={})


pilot_complete.alters_data = True


@transaction.atomic
def pilot_submit_final_report(*, proposal, actor, report, kpi_values):
    """The truthful final report with the final value of every KPI (Decree 73)."""
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "submit_final_report"))
    require_state(proposal, "submit_final_report")
    plan = _plan(proposal)
    errors: dict = {}
    report = _text(report, "report", errors)
    kpis = list(plan.kpis.filter(retired=False))
    values = clean_kpi_values(kpis, kpi_values, errors, require_all=True)
    raise_if_invalid(errors)
    today = timezone.localdate()
    late = plan.final_report_due is not None and today > plan.final_report_due
    final = FinalReport.objects.create(
        plan=plan, report=report, due_date=plan.final_report_due or today, late=late, filed_by=actor
    )
    KpiValue.objects.bulk_create(
        KpiValue(kpi=kpi, final_report=final, value=value) for kpi, value in values.items()
    )
    fire_transition(
        proposal,
        actor,
        "submit_final_report",
        payload={
            "report": report,
            "kpi_values": values_payload(values),
            "due": final.due_date.isoformat(),
            "late": late,
            **_plan_ref(plan),
        },
    )
    return proposal


pilot_submit_final_report.alters_data = True


# --- actions inside in_progress ---------------------------------------------------------------


def _check_attachments(files, errors) -> list[tuple]:
    """Each upload with what inspect_upload found (real type, size, SHA-256), or field errors."""
    if len(files) > MAX_ATTACHMENTS:
        errors.setdefault("attachments", []).append(
            _("At most %(n)d files.") % {"n": MAX_ATTACHMENTS}
        )
        return []
    checked = []
    for uploaded in files:
        try:
            checked.append((uploaded, inspect_upload(uploaded)))
        except Invalid as error:
            for message in error.errors.get("file", [error.message]):
                errors.setdefault("attachments", []).append(f"{uploaded.name}: {message}")
    return checked


def _store_attachments(report, actor, checked) -> list[ReportAttachment]:
    stored = []
    try:
        for uploaded, info in checked:
            attachment = ReportAttachment(
                report=report,
                extension=f".{info['extension']}",
                original_name=info["name"],
                content_type=info["content_type"],
                size=info["size"],
                sha256=info["sha256"],
                uploaded_by=actor,
            )
            attachment.file.save(info["name"], stored_copy(uploaded), save=False)
            stored.append(attachment)
            attachment.save()
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)  # nothing is half-written
        raise
    return stored


@transaction.atomic
def report_file(*, proposal, actor, narrative, kpi_values=(), period=None, attachments=()):
    """An author files the progress report of one period (by default the earliest one not yet
    filed) with a narrative, KPI values and attachments. A report filed after its due date is
    flagged late."""
    proposal = lock_proposal(proposal, actor)
    require(is_author(actor, proposal))
    _require_running(
        proposal,
        (State.IN_PROGRESS,),
        _("Progress reports are filed while the work is in progress."),
    )
    plan = _plan(proposal)
    errors: dict = {}
    narrative = _text(narrative, "narrative", errors)
    filed = set(plan.reports.values_list("period", flat=True))
    today = timezone.localdate()
    if period in (None, ""):
        chosen = next_unfiled(plan.schedule, filed)
        if chosen is None:
            errors.setdefault("period", []).append(_("Every period already has its report."))
    else:
        chosen = next((p for p in plan.schedule if str(p["period"]) == str(period)), None)
        if chosen is None:
            errors.setdefault("period", []).append(_("This period is not in the plan's schedule."))
        elif chosen["period"] in filed:
            errors.setdefault("period", []).append(
                _("The report of this period has already been filed.")
            )
            chosen = None
    if chosen is not None and to_date(chosen["start"]) > today:
        errors.setdefault("period", []).append(_("This period has not begun yet."))
    values = clean_kpi_values(
        list(plan.kpis.filter(retired=False)), kpi_values, errors, require_all=False
    )
    checked = _check_attachments(list(attachments or ()), errors)
    raise_if_invalid(errors)
    due = to_date(chosen["due"])
    report = ProgressReport.objects.create(
        plan=plan,
        period=chosen["period"],
        period_start=to_date(chosen["start"]),
        period_end=to_date(chosen["end"]),
        due_date=due,
        narrative=narrative,
        late=today > due,
        filed_by=actor,
    )
    KpiValue.objects.bulk_create(
        KpiValue(kpi=kpi, report=report, value=value) for kpi, value in values.items()
    )
    _refresh_next_report(plan)
    record_action(
        proposal=proposal,
        actor=actor,
        event="progress_report",
        payload={
            "period": report.period,
            "period_start": chosen["start"],
            "period_end": chosen["end"],
            "due": chosen["due"],
            "late": report.late,
            "narrative": narrative,
            "kpi_values": values_payload(values),
            "attachments": [
                {"name": info["name"], "sha256": info["sha256"]} for _f, info in checked
            ],
            **_plan_ref(plan),
        },
    )
    # Files last: a failure before this point leaves nothing in the storage.
    _store_attachments(report, actor, checked)
    return report


report_file.alters_data = True


@transaction.atomic
def milestone_set_done(*, milestone, actor, done=True) -> Milestone:
    proposal = lock_proposal(milestone.plan.proposal, actor)
    require(is_author(actor, proposal) or is_supervising_head(actor, proposal))
    _require_running(
        proposal,
        (State.IN_PROGRESS,),
        _("Milestones are marked while the work is in progress."),
    )
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done == bool(done):
        return milestone
    milestone.done = bool(done)
    milestone.done_at = timezone.now() if done else None
    milestone.save(update_fields=["done", "done_at"])
    record_action(
        proposal=proposal,
        actor=actor,
        event="milestone_done" if done else "milestone_reopened",
        payload={
            "milestone": milestone.name,
            "due_date": milestone.due_date.isoformat(),
            # Which milestone (names change with adjustments) and when it was marked done:
            # verification compares them with the row (pilots/records.py).
            "milestone_id": milestone.pk,
            **({"done_at": milestone.done_at.isoformat()} if done else {}),
        },
    )
    return milestone


milestone_set_done.alters_data = True


@transaction.atomic
def inspection_record(
    *, proposal, actor, date, findings, assessment, recommendations=""
) -> Inspection:
    """A monitor records an inspection: its date, findings, recommendations and assessment."""
    proposal = lock_proposal(proposal, actor)
    plan = perms.plan_of(proposal)
    require(perms.is_monitor(actor, plan, proposal))
    _require_running(
        proposal, message=_("Inspections are recorded while the work runs or is suspended.")
    )
    errors: dict = {}
    day = None
    try:
        day = to_input_date(date)
    except ValueError as error:
        errors.setdefault("date", []).append(date_error(error))
    else:
        if day is None:
            errors.setdefault("date", []).append(_("Enter a valid date."))
    if day and day > timezone.localdate():
        errors.setdefault("date", []).append(_("The inspection cannot be in the future."))
    findings = _text(findings, "findings", errors)
    recommendations = _text(recommendations, "recommendations", errors, required=False)
    if assessment not in Assessment.values:
        errors.setdefault("assessment", []).append(_("Choose a valid option."))
    raise_if_invalid(errors)
    inspection = Inspection.objects.create(
        plan=plan,
        inspector=actor,
        date=day,
        findings=findings,
        recommendations=recommendations,
        assessment=assessment,
    )
    record_action(
        proposal=proposal,
        actor=actor,
        event="inspection",
        payload={
            "date": day.isoformat(),
            "findings": findings,
            "recommendations": recommendations,
            "assessment": assessment,
        },
    )
    return inspection


inspection_record.alters_data = True


def _proposed_changes(plan, proposal, changes, errors) -> dict:
    """The parts of `changes` that differ from the plan, in the JSON form of its content."""
    if not isinstance(changes, dict):
        errors.setdefault("changes", []).append(_("Give the changes as an object."))
        return {}
    clean, field_errors = clean_plan(
        changes, home_unit=proposal.home_unit, only=ADJUSTABLE_FIELDS, plan=plan
    )
    for name in ("start_date", "end_date"):
        if name in clean and clean[name] is None:
            field_errors.setdefault(name, []).append(_("This field is required."))
    for name, messages in field_errors.items():
        errors.setdefault(name, []).extend(messages)
    if field_errors:
        return {}
    current = plan_snapshot(plan)
    proposed = {
        name: value
        for name, value in as_json(clean).items()
        if value != current_json(current, name)
    }
    start = proposed.get("start_date", current["start_date"])
    end = proposed.get("end_date", current["end_date"])
    if start and end and end <= start:
        errors.setdefault("end_date", []).append(_("The end date must be after the start date."))
    if not proposed:
        errors.setdefault("changes", []).append(
            _("Nothing changes: propose new dates, KPIs or resources.")
        )
    return proposed


@transaction.atomic
def adjustment_request(*, proposal, actor, reasons, changes) -> Adjustment:
    """An author asks to change the plan's dates, milestones, KPIs or resources, with reasons."""
    proposal = lock_proposal(proposal, actor)
    require(is_author(actor, proposal))
    _require_running(proposal)
    plan = _plan(proposal)
    if plan.adjustments.filter(status=Adjustment.Status.PENDING).exists():
        raise Conflict(
            _("An adjustment is already awaiting the head's decision."), code="pending_adjustment"
        )
    errors: dict = {}
    reasons = _text(reasons, "reasons", errors, max_length=5000)
    proposed = _proposed_changes(plan, proposal, changes, errors)
    raise_if_invalid(errors)
    adjustment = Adjustment.objects.create(
        plan=plan,
        requested_by=actor,
        reasons=reasons,
        changes=proposed,
        based_on_version=plan.version,
    )
    record_action(
        proposal=proposal,
        actor=actor,
        event="adjustment_request",
        payload={
            "adjustment": adjustment.pk,
            "reasons": reasons,
            "changes": proposed,
            **_plan_ref(plan),
        },
    )
    return adjustment


adjustment_request.alters_data = True


def _lock_adjustment(adjustment, actor):
    proposal = lock_proposal(adjustment.plan.proposal, actor)
    require(is_supervising_head(actor, proposal))
    adjustment = Adjustment.objects.select_for_update().select_related("plan").get(pk=adjustment.pk)
    if adjustment.status != Adjustment.Status.PENDING:
        raise Conflict(_("This adjustment has already been decided."), code="decided")
    _require_running(proposal)
    adjustment.plan.proposal = proposal
    return proposal, adjustment


@transaction.atomic
def adjustment_approve(*, adjustment, actor, reasons="") -> Adjustment:
    """The supervising head approves: the changes apply and freeze a new plan version, which the
    approving head then co-signs."""
    proposal, adjustment = _lock_adjustment(adjustment, actor)
    plan = adjustment.plan
    errors: dict = {}
    reasons = _text(reasons, "reasons", errors, required=False, max_length=5000)
    clean, field_errors = clean_plan(
        adjustment.changes, home_unit=proposal.home_unit, only=ADJUSTABLE_FIELDS, plan=plan
    )
    for name, messages in field_errors.items():
        errors.setdefault(name, []).extend(messages)
    raise_if_invalid(errors)
    _apply(plan, clean)
    _refresh_schedule(plan)
    _freeze(plan, actor, "adjustment")
    adjustment.status = Adjustment.Status.APPROVED
    adjustment.decided_by = actor
    adjustment.decided_at = timezone.now()
    adjustment.decision_reasons = reasons
    adjustment.resulting_version = plan.version
    adjustment.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_reasons",
            "resulting_version",
        ]
    )
    record_action(
        proposal=proposal,
        actor=actor,
        event="adjustment_approve",
        payload={
            "adjustment": adjustment.pk,
            "reasons": reasons,
            "changes": adjustment.changes,
            **_plan_ref(plan),
        },
    )
    return adjustment


adjustment_approve.alters_data = True


@transaction.atomic
def adjustment_reject(*, adjustment, actor, reasons) -> Adjustment:
    proposal, adjustment = _lock_adjustment(adjustment, actor)
    errors: dict = {}
    reasons = _text(reasons, "reasons", errors, max_length=5000)
    raise_if_invalid(errors)
    adjustment.status = Adjustment.Status.REJECTED
    adjustment.decided_by = actor
    adjustment.decided_at = timezone.now()
    adjustment.decision_reasons = reasons
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_reasons"])
    record_action(
        proposal=proposal,
        actor=actor,
        event="adjustment_reject",
        payload={"adjustment": adjustment.pk, "reasons": reasons},
    )
    return adjustment


adjustment_reject.alters_data = True
