"""The canonical serialisation that every ledger hash is computed over."""

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64


def canonical_json(data) -> bytes:
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    proposal_code,
    seq,
    at,
    actor_id,
    event,
    from_state,
    to_state,
    payload,
    dossier_hash,
    prev_hash,
) -> str:
    return sha256(
        canonical_json(
            {
                "proposal": proposal_code,
                "seq": seq,
                "at": format_time(at),
                "actor": actor_id,
                "event": event,
                "from_state": from_state,
                "to_state": to_state,
                "payload": payload,
                "dossier_hash": dossier_hash,
                "prev_hash": prev_hash,
            }
        )
    )


def hash_of_entry(entry, proposal_code: str) -> str:
    return entry_hash(
        proposal_code=proposal_code,
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        event=entry.event,
        from_state=entry.from_state,
        to_state=entry.to_state,
        payload=entry.payload,
        dossier_hash=entry.dossier_hash,
        prev_hash=entry.prev_hash,
    )
