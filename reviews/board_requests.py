"""The organization board proposes, the competent authority decides (the Bình Định plan, III.2–3;
lifecycle.md, Amendments 2026-11-29): recognition of a succeeded proposal's authors (Decree 73,
Art. 10) and replication of its model (KL14 2.5).

Every function is one atomic step on the locked proposal and the locked request: check who acts
(403), the state (409) and the inputs (400), write the rows, and append the proposal's ledger
entry in the same transaction. Only an approval writes the recognitions (ledger event
`recognition`) or the replication directive (the `replicate` transition and the adoptions);
proposing, refusing and withdrawing are their own ledger events:

    recognition_propose, recognition_refuse, recognition_withdraw,
    replication_propose, replication_refuse, replication_withdraw

Each entry's payload names the request (`request`: its id) so the official documents and the
dossier can quote it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from kl14.errors import Conflict
from proposals.services import (
    clean_text,
    lock_proposal,
    raise_if_invalid,
    record_action,
    require,
)
from units.models import Membership, Role, Unit

from . import permissions as perms
from . import rollups
from .models import (
    AuthorityRole,
    BoardRequest,
    Recognition,
    RecognitionKind,
    RequestKind,
    RequestState,
)
from .services import (
    recognition_recipients_check,
    replication_direct,
    replication_targets_check,
    target_units_clean,
)

DECISIONS = ("approve", "refuse")


def _board_unit(actor, proposal) -> Unit:
    """The deepest organization board of the actor over the proposal's home unit."""
    return Unit.objects.get(path=perms.board_paths_over(actor, proposal.home_unit)[-1])


def authority_missing(board_unit) -> bool:
    """Nobody could decide a request of this board: no standing committee member in its unit or
    above, and no head of the unit above."""
    paths = board_unit.ancestor_paths()
    standing = Membership.objects.filter(
        role=Role.STANDING_COMMITTEE, unit__path__in=paths
    ).exists()
    if standing:
        return False
    above = perms.authority_unit_for(board_unit)
    return above.pk == board_unit.pk or not above.memberships.filter(role=Role.HEAD).exists()


def _require_authority(board_unit, errors):
    if authority_missing(board_unit):
        errors.setdefault("authority", []).append(
            _(
                "Nobody can decide this request yet: %(unit)s has no standing committee of the "
                "Party committee and the unit above it has no head. Ask the administrator to "
                "assign them."
            )
            % {"unit": board_unit.name}
        )


def _require_recognisable(proposal):
    if proposal.state not in perms.RECOGNITION_STATES:
        raise Conflict(
            _("Recognition is proposed for a proposal whose results were achieved."),
            code="wrong_state",
        )


def _require_replicable(proposal):
    if not can_proceed(proposal.replicate):
        raise Conflict(
            _("Only a proposal whose results were achieved can be replicated."),
            code="wrong_state",
        )


def _pending(proposal, kind, recognition_kind=""):
    return BoardRequest.objects.filter(
        proposal=proposal,
        kind=kind,
        recognition_kind=recognition_kind,
        state=RequestState.PENDING,
    ).exists()


def _lock(board_request, actor):
    """The proposal (as the actor sees it, else 404) and the request, both locked."""
    proposal = lock_proposal(board_request.proposal, actor)
    locked = (
        BoardRequest.objects.select_for_update()
        .filter(pk=board_request.pk, proposal=proposal)
        .first()
    )
    if locked is None:  # pragma: no cover - a request never leaves its proposal
        raise Conflict()
    locked = BoardRequest.objects.select_related(
        "proposal", "board_unit", "authority_unit", "proposed_by"
    ).get(pk=locked.pk)
    locked.proposal = proposal
    return proposal, locked


def _require_pending(board_request):
    if not board_request.pending:
        raise Conflict(
            _("This request is already closed: %(state)s.")
            % {"state": board_request.get_state_display()},
            code="wrong_state",
        )


def _base_payload(board_request) -> dict:
    return {
        "request": board_request.pk,
        "board_unit": board_request.board_unit.code,
        "authority_unit": board_request.authority_unit.code,
    }


# --- proposing ---------------------------------------------------------------------------------


@transaction.atomic
def recognition_propose(*, proposal, actor, kind, grounds, recipients=None) -> BoardRequest:
    """An organization board over the home unit proposes a form of recognition (Decree 73,
    Art. 10) for some authors (`recipients`: users or ids) or all of them (empty), once the
    proposal succeeded. One request per form of recognition awaits a decision at a time."""
    proposal = lock_proposal(proposal, actor)
    require(perms.may_propose(actor, proposal))
    _require_recognisable(proposal)
    errors: dict = {}
    if kind not in RecognitionKind.values:
        errors["kind"] = [_("Choose a valid option.")]
    grounds = clean_text(grounds, "grounds", errors, max_length=10000)
    people = recognition_recipients_check(proposal, kind, recipients, errors)
    board_unit = _board_unit(actor, proposal)
    _require_authority(board_unit, errors)
    raise_if_invalid(errors)
    if _pending(proposal, RequestKind.RECOGNITION, kind):
        raise Conflict(
            _("A request for this form of recognition already awaits the decision."),
            code="pending",
        )
    board_request = BoardRequest.objects.create(
        proposal=proposal,
        kind=RequestKind.RECOGNITION,
        board_unit=board_unit,
        authority_unit=perms.authority_unit_for(board_unit),
        proposed_by=actor,
        grounds=grounds,
        recognition_kind=kind,
    )
    board_request.recipients.set(people)
    record_action(
        proposal=proposal,
        actor=actor,
        event="recognition_propose",
        payload={
            **_base_payload(board_request),
            "kind": kind,
            "recipients": [u.username for u in people],
            "grounds": grounds,
        },
    )
    return board_request


recognition_propose.alters_data = True


@transaction.atomic
def replication_propose(*, proposal, actor, target_units, grounds) -> BoardRequest:
    """An organization board over the source's home unit and every target proposes to replicate
    a succeeded model in those units (KL14 2.5); nothing is created until the decision."""
    proposal = lock_proposal(proposal, actor)
    require(perms.may_propose(actor, proposal))
    _require_replicable(proposal)
    errors: dict = {}
    grounds = clean_text(grounds, "grounds", errors, max_length=10000)
    units = target_units_clean(target_units, errors)
    boards = perms.board_paths_over(actor, proposal.home_unit)
    board_path = replication_targets_check(proposal, units, boards, errors)
    board_unit = None
    if board_path is not None:
        board_unit = Unit.objects.get(path=board_path)
        _require_authority(board_unit, errors)
    raise_if_invalid(errors)
    if _pending(proposal, RequestKind.REPLICATION):
        raise Conflict(
            _("A request to replicate this model already awaits the decision."), code="pending"
        )
    board_request = BoardRequest.objects.create(
        proposal=proposal,
        kind=RequestKind.REPLICATION,
        board_unit=board_unit,
        authority_unit=perms.authority_unit_for(board_unit),
        proposed_by=actor,
        grounds=grounds,
    )
    board_request.target_units.set(units)
    record_action(
        proposal=proposal,
        actor=actor,
        event="replication_propose",
        payload={
            **_base_payload(board_request),
            "targets": [u.code for u in sorted(units, key=lambda u: u.path)],
            "grounds": grounds,
        },
    )
    return board_request


replication_propose.alters_data = True


# --- deciding ----------------------------------------------------------------------------------


def _deciding_unit(actor, board_request, capacity) -> Unit:
    if capacity == AuthorityRole.HEAD:
        return board_request.authority_unit
    return Unit.objects.get(path=perms.standing_committee_path(actor, board_request.board_unit))


@transaction.atomic
def board_request_decide(*, board_request, actor, decision, reason="") -> BoardRequest:
    """The competent authority approves (`decision="approve"`) or refuses (`"refuse"`, with a
    reason) a pending request. Approving a recognition grants it to the cadres named; approving a
    replication issues the directive (the source's `replicate` transition, a proposal adopted in
    each target). Something that changed meanwhile (a cadre recognised, a unit adopted, the
    proposal referred) is a conflict: refuse the request and let the board propose again."""
    proposal, board_request = _lock(board_request, actor)
    capacity = perms.deciding_capacity(actor, board_request)
    require(capacity is not None)
    _require_pending(board_request)
    errors: dict = {}
    if decision not in DECISIONS:
        errors["decision"] = [_("Choose a valid option.")]
    reason = clean_text(reason, "reason", errors, required=decision == "refuse", max_length=10000)
    raise_if_invalid(errors)
    unit = _deciding_unit(actor, board_request, capacity)
    board_request.decided_by = actor
    board_request.decided_as = capacity
    board_request.decided_in = unit
    board_request.reason = reason
    board_request.closed_at = timezone.now()
    decided = {"decided_as": capacity, "decided_in": unit.code}
    if decision == "refuse":
        board_request.state = RequestState.REFUSED
        board_request.save()
        event = f"{board_request.kind}_refuse"
        record_action(
            proposal=proposal,
            actor=actor,
            event=event,
            payload={**_base_payload(board_request), **decided, "reason": reason},
        )
        return board_request
    board_request.state = RequestState.APPROVED
    if board_request.kind == RequestKind.RECOGNITION:
        _approve_recognition(proposal, actor, board_request, unit, decided)
    else:
        _approve_replication(proposal, actor, board_request, decided)
    board_request.save()
    return board_request


board_request_decide.alters_data = True


def _changed(errors):
    message = " ".join(str(m) for messages in errors.values() for m in messages)
    return Conflict(
        _(
            "The situation changed since the board proposed this: %(why)s Refuse the request "
            "and let the board propose again."
        )
        % {"why": message},
        code="changed",
    )


def _approve_recognition(proposal, actor, board_request, unit, decided):
    _require_recognisable(proposal)
    kind = board_request.recognition_kind
    people = list(board_request.recipients.order_by("pk"))
    errors: dict = {}
    people = recognition_recipients_check(proposal, kind, people, errors)
    if errors:
        raise _changed(errors)
    granted = Recognition.objects.bulk_create(
        Recognition(
            proposal=proposal,
            recipient=user,
            kind=kind,
            note=board_request.grounds,
            unit=unit,
            granted_by=actor,
            request=board_request,
        )
        for user in people
    )
    rollups.count_records(proposal, [(f"recognition:{r.kind}", r.created_at) for r in granted])
    record_action(
        proposal=proposal,
        actor=actor,
        event="recognition",
        payload={
            "kind": kind,
            "recipients": [u.username for u in people],
            "note": board_request.grounds,
            "unit": unit.code,
            **_base_payload(board_request),
            **decided,
            "reason": board_request.reason,
        },
    )


def _approve_replication(proposal, actor, board_request, decided):
    _require_replicable(proposal)
    units = list(board_request.target_units.all())
    errors: dict = {}
    adopted = replication_targets_check(proposal, units, [board_request.board_unit.path], errors)
    if errors or adopted is None:
        raise _changed(errors or {"target_units": [_("Choose at least one unit.")]})
    board_request.replication = replication_direct(
        source=proposal,
        actor=actor,
        units=units,
        board_unit=board_request.board_unit,
        payload={
            "request": board_request.pk,
            "authority_unit": board_request.authority_unit.code,
            **decided,
            "reason": board_request.reason,
        },
    )


# --- withdrawing -------------------------------------------------------------------------------


@transaction.atomic
def board_request_withdraw(*, board_request, actor, reason="") -> BoardRequest:
    """A member of the proposing organization board withdraws a pending request."""
    proposal, board_request = _lock(board_request, actor)
    require(perms.may_withdraw(actor, board_request))
    _require_pending(board_request)
    errors: dict = {}
    reason = clean_text(reason, "reason", errors, required=False, max_length=10000)
    raise_if_invalid(errors)
    board_request.state = RequestState.WITHDRAWN
    board_request.reason = reason
    board_request.closed_at = timezone.now()
    board_request.save()
    record_action(
        proposal=proposal,
        actor=actor,
        event=f"{board_request.kind}_withdraw",
        payload={**_base_payload(board_request), "reason": reason},
    )
    return board_request


board_request_withdraw.alters_data = True


def decidable(user, board_request) -> bool:
    """Pending and the user may decide it (for pages and the API)."""
    return board_request.pending and perms.may_decide(user, board_request)


def withdrawable(user, board_request) -> bool:
    return board_request.pending and perms.may_withdraw(user, board_request)
