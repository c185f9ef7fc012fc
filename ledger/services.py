import json

from django.db import transaction
from django.utils import timezone

from . import events
from .hashing import GENESIS, canonical_json, entry_hash
from .models import LedgerEntry
from .signals import entry_appended


def ledger_append(
    *, proposal, actor, event, from_state="", to_state="", payload=None, dossier_hash=""
) -> LedgerEntry:
    """Appends one entry to the proposal's chain. Must run inside the transaction that changed the
    proposal, with the proposal row locked, so the chain has no forks. Sends `entry_appended` in
    that same transaction (see ledger/signals.py)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_append must run inside the transaction that made the change")
    payload = payload or {}
    if events.strict():
        events.check(event, payload)
    # Round-trip through JSON so what is hashed is exactly what the database will give back.
    payload = json.loads(canonical_json(payload))
    last = (
        LedgerEntry.objects.filter(proposal=proposal).order_by("-seq").values("seq", "hash").first()
    )
    seq = last["seq"] + 1 if last else 1
    prev_hash = last["hash"] if last else GENESIS
    at = timezone.now()
    actor_id = actor.pk if actor is not None else None
    digest = entry_hash(
        proposal_code=proposal.code,
        seq=seq,
        at=at,
        actor_id=actor_id,
        event=event,
        from_state=from_state,
        to_state=to_state,
        payload=payload,
        dossier_hash=dossier_hash,
        prev_hash=prev_hash,
    )
    entry = LedgerEntry.objects.create(
        proposal=proposal,
        seq=seq,
        at=at,
        actor_id=actor_id,
        event=event,
        from_state=from_state,
        to_state=to_state,
        payload=payload,
        dossier_hash=dossier_hash,
        prev_hash=prev_hash,
        hash=digest,
    )
    entry_appended.send(sender=LedgerEntry, entry=entry, proposal=proposal)
    return entry


ledger_append.alters_data = True
