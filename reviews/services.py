"""Every write of the review stage. Each function is one atomic step on a locked proposal: check
who acts (403), the state (409) and the inputs (400), write the record, and fire the transition or
record the action in the ledger (proposals.services' `fire_transition` / `record_action`). A failed
call writes nothing."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kl14.dates import in_range, out_of_range_message
from kl14.errors import Conflict
from kl14.search import search_text
from ledger.checkpoints import checkpoint_create
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
from proposals.permissions import access_proposal, is_author
from proposals.selectors import current_opinion, opinion_disagrees, proposal_verify
from proposals.services import (
    clean_text,
    fire_transition,
    lock_proposal,
    opinion_reference,
    raise_if_invalid,
    record_action,
    require,
    require_state,
)
from signing.services import DOSSIER, PERIOD_REPORT, document_issue
from units.models import Role, Unit
from units.selectors import unit_parent

from . import permissions as perms
from . import rollups
from .dossier import dossier_pdf, verification_code
from .evaluation import check_minutes, evaluation_tally, minutes_store
from .models import (
    AbuseCase,
    AbuseExplanation,
    AbuseReferral,
    Adoption,
    DossierIssue,
    Evaluation,
    Institutionalization,
    IssuingLevel,
    Lesson,
    Outcome,
    Recognition,
    Replication,
)
from .rules import abuse_explanation_due, evaluation_due

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
    if not in_range(value):
        errors.setdefault("meeting_date", []).append(out_of_range_message())
    elif value > timezone.localdate():
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
    *,
    proposal,
    actor,
    outcome,
    causes_objective,
    causes_subjective,
    meeting_date,
    minutes=None,
    override_reason="",
) -> Proposal:
    """The leadership collective's evaluation of the results (Decree 73, Art. 18), recorded by
    the head of the deciding unit after the Party committee gave its opinion on them: the outcome
    the collective's vote carried (reviews.evaluation), or another with the head's written
    reasons, for which the head bears responsibility (as at the decision); the meeting's date and
    minutes. `achieved` -> succeeded; otherwise the proposal goes to the responsibility review."""
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "evaluate"))
    require_state(proposal, "evaluate")
    errors: dict = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose a valid option.")]
    causes_objective = clean_text(causes_objective, "causes_objective", errors)
    causes_subjective = clean_text(causes_subjective, "causes_subjective", errors)
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
    minutes_info = check_minutes(minutes, errors)
    tally = evaluation_tally(proposal, outcome) if outcome in Outcome.values else None
    override = tally is not None and not tally.passed
    against_opinion = opinion_disagrees(proposal, Opinion.Stage.EVALUATION)
    override_reason = clean_text(override_reason, "override_reason", errors, required=False)
    if not override_reason and "override_reason" not in errors:
        if override:
            errors["override_reason"] = [
                _(
                    "The collective's vote has not carried this outcome: recording it anyway "
                    "needs your written reasons, and you bear personal responsibility for it."
                )
            ]
        elif against_opinion:
            errors["override_reason"] = [
                _(
                    "The Party committee disagreed with the results: recording the evaluation "
                    "needs your written reasons, recorded with it."
                )
            ]
    raise_if_invalid(errors)
    reasons_needed = override or against_opinion
    due = evaluation_due(proposal.state_changed_at)
    evaluation = Evaluation.objects.create(
        proposal=proposal,
        outcome=outcome,
        causes_objective=causes_objective,
        causes_subjective=causes_subjective,
        meeting_date=meeting_date,
        opinion=opinion,
        due=due,
        evaluated_by=actor,
        tally=tally.as_dict(),
        head_override=override,
        override_reason=override_reason if reasons_needed else "",
    )
    stored = minutes_store(evaluation=evaluation, uploaded=minutes, info=minutes_info, actor=actor)
    rollups.count_records(proposal, [(f"outcome:{outcome}", evaluation.created_at)])
    payload = {
        "outcome": outcome,
        "causes_objective": causes_objective,
        "causes_subjective": causes_subjective,
        "meeting_date": meeting_date.isoformat(),
        "opinion": {"stance": opinion.stance, "text": opinion.text, **opinion_reference(opinion)},
        "due": due.isoformat() if due else None,
        "tally": tally.as_dict(),
        "head_bears_responsibility": override,
        "minutes": {"name": stored.original_name, "sha256": stored.sha256},
    }
    if against_opinion:
        payload["against_opinion"] = True
    if reasons_needed:
        payload["override_reason"] = override_reason
    fire_transition(
        proposal, actor, "evaluate", achieved=outcome == Outcome.ACHIEVED, payload=payload
    )
    return proposal


proposal_evaluate.alters_data = True


def open_abuse_case(proposal) -> AbuseCase | None:
    return AbuseCase.objects.filter(proposal=proposal, finding="").order_by("-pk").first()


@transaction.atomic
def proposal_refer_abuse(*, proposal, actor, evidence, grounds="") -> Proposal:
    """Decree 73, Art. 6: opens an abuse case (who referred, grounds, evidence) from any state after
    `approved`; protection is suspended while the case is heard. The authors may explain within
    KL14_ABUSE_EXPLANATION_DAYS working days; then the inspection of the superior unit records its
    finding (`proposal_conclude_abuse`)."""
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "refer_abuse"))
    require_state(proposal, "refer_abuse")
    errors: dict = {}
    grounds = clean_text(grounds, "grounds", errors, max_length=5000)
    evidence = clean_text(evidence, "evidence", errors, max_length=20000)
    raise_if_invalid(errors)
    due = abuse_explanation_due(timezone.now())
    case = AbuseCase.objects.create(
        proposal=proposal,
        grounds=grounds,
        evidence=evidence,
        from_state=proposal.state,
        referred_by=actor,
        explanation_due=due,
    )
    fire_transition(
        proposal,
        actor,
        "refer_abuse",
        payload={
            "case": case.pk,
            "grounds": grounds,
            "evidence": evidence,
            "explanation_due": due.isoformat(),
        },
    )
    _refresh_lesson(proposal)
    return proposal


proposal_refer_abuse.alters_data = True


@transaction.atomic
def abuse_explain(*, proposal, actor, text) -> AbuseExplanation:
    """An author's explanation (giải trình) in the open abuse case, once, before the deadline."""
    proposal = lock_proposal(proposal, actor)
    require(is_author(actor, proposal))
    case = open_abuse_case(proposal)
    if proposal.state != State.ABUSE_REVIEW or case is None:
        raise Conflict(_("There is no abuse case to explain in."), code="wrong_state")
    if timezone.localdate() > case.explanation_due:
        raise Conflict(
            _("The time to explain ended on %(day)s.")
            % {"day": date_format(case.explanation_due, "SHORT_DATE_FORMAT")},
            code="explanation_closed",
        )
    if case.explanations.filter(author=actor).exists():
        raise Conflict(_("You have already explained in this case."), code="explained")
    errors: dict = {}
    text = clean_text(text, "text", errors, max_length=20000)
    raise_if_invalid(errors)
    explanation = AbuseExplanation.objects.create(case=case, author=actor, text=text)
    record_action(
        proposal=proposal,
        actor=actor,
        event="abuse_explanation",
        payload={"case": case.pk, "text": text},
    )
    return explanation


abuse_explain.alters_data = True


def abuse_hearing_open(case) -> list:
    """Authors who may still explain: the finding waits for them until the deadline."""
    if case is None or timezone.localdate() > case.explanation_due:
        return []
    explained = set(case.explanations.values_list("author_id", flat=True))
    return [
        a.user
        for a in ProposalAuthor.objects.filter(proposal_id=case.proposal_id).select_related("user")
        if a.user_id not in explained
    ]


@transaction.atomic
def proposal_conclude_abuse(*, proposal, actor, finding, conclusion) -> Proposal:
    """The inspection of the superior unit records its finding once every author has explained or
    the time to explain is over: founded -> `referred`, protection revoked (an AbuseReferral);
    unfounded -> back to the state the proposal came from, protection intact."""
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "conclude_abuse"))
    require_state(proposal, "conclude_abuse")
    case = open_abuse_case(proposal)
    waiting = abuse_hearing_open(case)
    if waiting:
        raise Conflict(
            _("The authors may explain until %(day)s: %(names)s have not yet explained.")
            % {
                "day": date_format(case.explanation_due, "SHORT_DATE_FORMAT"),
                "names": ", ".join(u.get_full_name() for u in waiting),
            },
            code="hearing_open",
        )
    errors: dict = {}
    if finding not in AbuseCase.Finding.values:
        errors["finding"] = [_("Choose a valid option.")]
    conclusion = clean_text(conclusion, "conclusion", errors, max_length=20000)
    raise_if_invalid(errors)
    founded = finding == AbuseCase.Finding.FOUNDED
    case.finding = finding
    case.conclusion = conclusion
    case.concluded_by = actor
    case.concluded_at = timezone.now()
    case.save(update_fields=["finding", "conclusion", "concluded_by", "concluded_at"])
    if founded:
        referral = AbuseReferral.objects.create(
            proposal=proposal,
            evidence=case.evidence,
            from_state=case.from_state,
            referred_by=case.referred_by,
            case=case,
        )
        rollups.count_records(proposal, [("referred", referral.created_at)])
    fire_transition(
        proposal,
        actor,
        "conclude_abuse",
        founded=founded,
        back_to=case.from_state,
        payload={"case": case.pk, "finding": finding, "conclusion": conclusion},
    )
    _refresh_lesson(proposal)
    return proposal


proposal_conclude_abuse.alters_data = True


# --- replication and institutionalisation -----------------------------------------------------


def target_units_clean(values, errors) -> list[Unit]:
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


def replication_targets_check(source, units, boards, errors) -> str | None:
    """Checks the target units of a replication of `source` against the organization boards
    (`boards`: paths of the boards over the source's home unit, shallowest first); returns the
    path of the deepest board that covers every target, which directs (or requests) it."""
    if not units:
        return None
    outside = [u.name for u in units if not boards or not u.path.startswith(boards[0])]
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
    return max(
        (b for b in boards if all(u.path.startswith(b) for u in units)), key=len, default=None
    )


def replication_direct(*, source, actor, units, board_unit, payload=None) -> Replication:
    """Writes a replication directive for a locked, replicable source, once the competent
    authority (`actor`) approved the organization board's request (board_requests.py, the only
    caller): the directive, one adopted proposal per target, and the `replicate` transition of
    the source (its entry carries `payload` beside the board and the targets)."""
    replication = Replication.objects.create(
        source=source, board_unit=board_unit, directed_by=actor
    )
    adoptions = [
        adoption_create(replication=replication, unit=unit, actor=actor)
        for unit in sorted(units, key=lambda u: u.path)
    ]
    fire_transition(
        source,
        actor,
        "replicate",
        payload={
            "board_unit": board_unit.code,
            "targets": [{"unit": a.home_unit.code, "proposal": a.code} for a in adoptions],
            **(payload or {}),
        },
    )
    return replication


replication_direct.alters_data = True


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
    return adoption


adoption_create.alters_data = True


@transaction.atomic
def proposal_institutionalize(*, proposal, actor, title, issuing_level) -> Proposal:
    """The regulation an organization board proposes so the model becomes policy (thể chế hóa)."""
    proposal = lock_proposal(proposal, actor)
    require(perms.may_fire(actor, proposal, "institutionalize"))
    require_state(proposal, "institutionalize")
    errors: dict = {}
    title = clean_text(title, "title", errors, max_length=500)
    if issuing_level not in IssuingLevel.values:
        errors["issuing_level"] = [_("Choose a valid option.")]
    raise_if_invalid(errors)
    board_path = perms.board_paths_over(actor, proposal.home_unit)[-1]
    record = Institutionalization.objects.create(
        proposal=proposal,
        title=title,
        issuing_level=issuing_level,
        board_unit=Unit.objects.get(path=board_path),
        proposed_by=actor,
    )
    rollups.count_records(proposal, [("institutionalized", record.created_at)])
    fire_transition(
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


def recognition_recipients_check(proposal, kind, recipients, errors) -> list:
    """The authors to recognise (`recipients`: users or ids; empty: every author), none of them
    already recognised in this way; problems go to errors["recipients"]."""
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
    return people


# --- lessons library --------------------------------------------------------------------------


def lesson_search_text(proposal, lessons: str) -> str:
    """Everything the library searches, folded (see text.fold): what every reader of the lesson
    sees, never the responsibility decision (a search must not reveal what the page hides)."""
    parts = [
        proposal.code or "",
        proposal.title,
        proposal.summary,
        proposal.bottleneck,
        proposal.content,
        lessons,
    ]
    evaluation = Evaluation.objects.filter(proposal=proposal).first()
    if evaluation:
        parts += [evaluation.causes_objective, evaluation.causes_subjective]
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
    proposal = lock_proposal(proposal, actor)
    require(perms.may_publish_lesson(actor, proposal))
    if not Evaluation.objects.filter(proposal=proposal).exists():
        raise Conflict(
            _("Only a proposal whose results were evaluated can become a lesson."),
            code="wrong_state",
        )
    errors: dict = {}
    lessons = clean_text(lessons, "lessons", errors, max_length=20000)
    raise_if_invalid(errors)
    published_at = timezone.now()
    lesson, _created = Lesson.objects.update_or_create(
        proposal=proposal,
        defaults={
            "lessons": lessons,
            "published_by": actor,
            "search_text": lesson_search_text(proposal, lessons),
            "published_at": published_at,  # the library's copy (Lesson.published_at)
        },
    )
    proposal.published_at = published_at
    proposal.save(update_fields=["published_at", "updated_at"])
    record_action(
        proposal=proposal, actor=actor, event="lesson_publish", payload={"lessons": lessons}
    )
    return lesson


lesson_publish.alters_data = True


@transaction.atomic
def lesson_unpublish(*, proposal, actor) -> Proposal:
    proposal = lock_proposal(proposal, actor)
    require(perms.may_publish_lesson(actor, proposal))
    if proposal.published_at is None:
        raise Conflict(_("This proposal is not in the lessons library."), code="wrong_state")
    proposal.published_at = None
    proposal.save(update_fields=["published_at", "updated_at"])
    Lesson.objects.filter(proposal=proposal).update(published_at=None)
    record_action(proposal=proposal, actor=actor, event="lesson_unpublish")
    return proposal


lesson_unpublish.alters_data = True


# --- protection dossier -----------------------------------------------------------------------


def dossier_issue(*, proposal, actor):
    """Issues the protection dossier of a proposal the actor can see: records the ledger's head and
    length under the verification code (once per head: issuing again at the same head gives the
    same code). Returns (issue, verification). Not itself a ledger event, so the dossier ends at
    the head it prints. Not one transaction: the verification reads in a snapshot of its own
    (proposal_verify), which a transaction already open would replace by its own reads; the one
    write, get_or_create, is atomic by itself."""
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


def dossier_issue_pdf(*, proposal, actor, language=None, progress=None):
    """The protection dossier as a signed PDF (PAdES), recorded as issued with the chain head it
    prints (signing.IssuedDocument), followed by a signed ledger checkpoint (when the heads changed
    since the last one). Returns (issue, pdf bytes, issued document). `progress(percent)`, when
    given, hears how far it got (an export job's progress bar)."""
    progress = progress or (lambda percent: None)
    issue, verification = dossier_issue(proposal=proposal, actor=actor)
    progress(20)
    signed_at = timezone.now()
    pdf = dossier_pdf(
        issue.proposal,
        issue,
        verification,
        language=language,
        signed_at=signed_at,
        holder=actor,
    )
    progress(70)
    signed, document = document_issue(
        pdf=pdf,
        kind=DOSSIER,
        reason=f"Hồ sơ bảo vệ {issue.proposal.code}",
        proposal=issue.proposal,
        actor=actor,
        reference=issue.code,
        title=issue.proposal.title,
        chain_seq=issue.entries,
        chain_head=issue.chain_head,
        issued_at=signed_at,
    )
    progress(90)
    checkpoint_create(reason="dossier")
    return issue, signed, document


dossier_issue_pdf.alters_data = True


def period_report_issue_pdf(*, report, actor, language=None) -> bytes:
    """The period report (sơ kết / tổng kết) as a signed PDF, recorded as issued."""
    from .reports import period_report_pdf, report_filename

    name = report_filename(report, "pdf").removesuffix(".pdf")
    signed, _document = document_issue(
        pdf=period_report_pdf(report, language=language),
        kind=PERIOD_REPORT,
        reason=f"Báo cáo {name}",
        actor=actor,
        reference=name,
        title=report.unit.name,
        issued_at=report.generated_at,
    )
    return signed


period_report_issue_pdf.alters_data = True


# Responsibility per person lives in responsibility.py; its transition's service, by its old name.
from .responsibility import proposal_decide_responsibility  # noqa: E402, F401
