"""Signed checkpoints of the ledger: a chain that cannot be recomputed unnoticed.

A checkpoint states every proposal's chain head — (proposal code, seq, hash) of its last entry —
at one moment, as canonical JSON with a Merkle root over those heads (RFC 6962 shape: leaves
and nodes hashed with distinct prefixes) and the hash of the previous checkpoint. The JSON is
signed with the installation's key (signing.cms: PKCS#12 file or PKCS#11 token, never in the
database; an RFC 3161 timestamp where KL14_TSA_URL is set), stored (`Checkpoint`), written to
KL14_CHECKPOINT_DIR (a directory the database administrator cannot rewrite: another host, WORM
storage, a backup) and e-mailed through the outbox to the organization boards of the root units.

A checkpoint is made daily (Celery beat, `ledger.checkpoint`) and whenever a dossier is issued,
unless the heads did not change since the last one. Verification (`ledger_verify`) compares each
chain with the latest checkpoint whose signature holds — from the database or the exported files,
whichever is newer — so a chain deleted, truncated or recomputed since is reported with the
proposal and the entry, and so is an entry dated before the checkpoint that it did not cover.

Anyone can check an exported checkpoint without KL14:
    openssl cms -verify -binary -inform DER -in X.p7s -content X.json -CAfile ca.pem -purpose any
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from .hashing import GENESIS, canonical_json, format_time, sha256
from .models import Checkpoint, LedgerEntry

log = logging.getLogger(__name__)

FORMAT = "kl14-ledger-checkpoint/1"


# --- the Merkle tree ------------------------------------------------------------------------------


def leaf_hash(code: str, seq: int, head: str) -> bytes:
    return hashlib.sha256(b"\x00" + canonical_json([code, seq, head])).digest()


def merkle_root(heads) -> str:
    """The Merkle root (hex) over (code, seq, hash) leaves in the order given."""
    level = [leaf_hash(*head) for head in heads]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        paired = []
        for i in range(0, len(level) - 1, 2):
            paired.append(hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest())
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()


# --- making one -----------------------------------------------------------------------------------


def chain_heads() -> list[tuple[str, int, str]]:
    """(proposal code, seq, hash) of every chain's last entry, by proposal code: one query."""
    last_seq = (
        LedgerEntry.objects.filter(proposal=OuterRef("proposal")).order_by("-seq").values("seq")[:1]
    )
    rows = (
        LedgerEntry.objects.annotate(last=Subquery(last_seq))
        .filter(seq=F("last"))
        .values_list("proposal__code", "seq", "hash")
        .order_by("proposal__code")
    )
    return [tuple(row) for row in rows]


def _content(*, created_at, previous: str, heads) -> bytes:
    return canonical_json(
        {
            "format": FORMAT,
            "created_at": format_time(created_at),
            "previous": previous,
            "root": merkle_root(heads),
            "chains": len(heads),
            "heads": [list(head) for head in heads],
        }
    )


def checkpoint_create(*, reason: str, force: bool = False) -> Checkpoint:
    """Signs the chain heads of now, unless they are the ones the latest checkpoint already
    signed (then returns that one, unless `force`). Exports it and e-mails it on commit."""
    from signing.cms import sign_data, verify_data

    created_at = timezone.now()
    heads = chain_heads()
    root = merkle_root(heads)
    latest = Checkpoint.objects.order_by("-created_at", "-pk").first()
    if latest is not None and latest.root == root and not force:
        return latest
    previous = sha256(latest.content.encode()) if latest is not None else GENESIS
    content = _content(created_at=created_at, previous=previous, heads=heads)
    signature = sign_data(content)
    check = verify_data(content, signature)
    with transaction.atomic():
        checkpoint = Checkpoint.objects.create(
            created_at=created_at,
            reason=reason,
            root=root,
            proposals=len(heads),
            entries=sum(seq for _code, seq, _head in heads),
            content=content.decode(),
            signature=signature,
            signer=check.signer[:300],
            timestamped=check.timestamped,
        )
        transaction.on_commit(lambda: _publish(checkpoint.pk))
    return checkpoint


checkpoint_create.alters_data = True


def _publish(pk: int):
    checkpoint = Checkpoint.objects.get(pk=pk)
    try:
        export(checkpoint)
    except OSError as error:
        log.error("ledger checkpoint %s could not be exported: %s", pk, error)
    _email(checkpoint)


def file_stem(checkpoint: Checkpoint) -> str:
    return f"{checkpoint.created_at:%Y%m%dT%H%M%S%fZ}-{checkpoint.root[:16]}"


def export(checkpoint: Checkpoint) -> Path | None:
    """Writes `<stem>.json` (the signed content) and `<stem>.p7s` (the CMS signature) to
    KL14_CHECKPOINT_DIR; nothing when it is not set."""
    directory = getattr(settings, "KL14_CHECKPOINT_DIR", "")
    if not directory:
        return None
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stem = directory / file_stem(checkpoint)
    stem.with_suffix(".json").write_bytes(checkpoint.content.encode())
    stem.with_suffix(".p7s").write_bytes(bytes(checkpoint.signature))
    return stem.with_suffix(".json")


def board_addresses() -> list[str]:
    """The organization boards of the root units: they keep the e-mailed checkpoints."""
    from units.models import Membership, Role

    return sorted(
        set(
            Membership.objects.filter(
                role=Role.ORGANIZATION_BOARD, unit__depth=1, user__is_active=True
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _email(checkpoint: Checkpoint):
    from django.core.mail import EmailMessage

    from notifications.outbox import messages_write

    recipients = board_addresses()
    if not recipients:
        return
    stem = file_stem(checkpoint)
    body = (
        "Điểm kiểm soát sổ cái KL14 (ký số). Xin lưu giữ thư này cùng hai tệp đính kèm: chúng "
        "cho phép phát hiện mọi việc xóa, cắt bớt hay tính lại sổ cái sau thời điểm này, kể cả "
        "khi do người quản trị cơ sở dữ liệu thực hiện.\n\n"
        f"Thời điểm: {format_time(checkpoint.created_at)}\n"
        f"Số chuỗi (đề xuất): {checkpoint.proposals}\n"
        f"Số bút toán: {checkpoint.entries}\n"
        f"Gốc Merkle: {checkpoint.root}\n\n"
        "Kiểm tra độc lập: openssl cms -verify -binary -inform DER "
        f"-in {stem}.p7s -content {stem}.json -CAfile ca.pem -purpose any\n"
    )
    message = EmailMessage(
        subject=f"KL14 — điểm kiểm soát sổ cái {checkpoint.created_at:%d/%m/%Y %H:%M}",
        body=body,
        to=recipients,
    )
    message.attach(f"{stem}.json", checkpoint.content.encode(), "application/json")
    message.attach(f"{stem}.p7s", bytes(checkpoint.signature), "application/pkcs7-signature")
    messages_write([message])


# --- reading the latest signed one ----------------------------------------------------------------


@dataclass
class SignedHeads:
    """A checkpoint whose signature holds: what it says, and where it was read."""

    created_at: datetime
    heads: dict  # proposal code -> (seq, hash)
    root: str
    source: str

    def head_of(self, code: str):
        return self.heads.get(code)


@dataclass
class CheckpointProblem:
    source: str
    reason: str


def read_signed(content: bytes, signature: bytes, source: str):
    """SignedHeads when the signature is ours and intact and the content is consistent, else a
    CheckpointProblem."""
    from signing.cms import verify_data

    check = verify_data(content, signature)
    if not check.valid:
        return CheckpointProblem(source, "signature")
    try:
        data = json.loads(content)
        heads = [(code, int(seq), head) for code, seq, head in data["heads"]]
        created_at = datetime.fromisoformat(data["created_at"].replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError):
        return CheckpointProblem(source, "content")
    if data.get("format") != FORMAT or merkle_root(heads) != data.get("root"):
        return CheckpointProblem(source, "root")
    return SignedHeads(
        created_at, {code: (seq, head) for code, seq, head in heads}, data["root"], source
    )


def _exported_latest():
    directory = getattr(settings, "KL14_CHECKPOINT_DIR", "")
    if not directory or not Path(directory).is_dir():
        return None
    for path in sorted(Path(directory).glob("*.json"), reverse=True):
        signature = path.with_suffix(".p7s")
        if signature.is_file():
            return read_signed(path.read_bytes(), signature.read_bytes(), f"file:{path.name}")
    return None


@dataclass
class Anchor:
    """The latest checkpoint verification compares with, and what was wrong on the way to it
    (a checkpoint row whose signature fails, exported checkpoints missing from the database)."""

    signed: SignedHeads | None
    problems: list


def latest_anchor() -> Anchor:
    problems = []
    database = None
    for row in Checkpoint.objects.order_by("-created_at", "-pk")[:20]:
        found = read_signed(row.content.encode(), bytes(row.signature), f"checkpoint #{row.pk}")
        if isinstance(found, SignedHeads):
            database = found
            break
        problems.append(found)
    exported = _exported_latest()
    if isinstance(exported, CheckpointProblem):
        problems.append(exported)
        exported = None
    signed = database
    if exported is not None and (database is None or exported.created_at > database.created_at):
        if database is None or exported.root != database.root:
            problems.append(CheckpointProblem(exported.source, "missing_in_database"))
        signed = exported
    return Anchor(signed, problems)


GRACE = timedelta(minutes=10)


def chain_against(anchor: Anchor | None, code: str, entries) -> tuple[int, str] | None:
    """(first bad seq, reason) where a chain (its entries in order) disagrees with the signed
    checkpoint, else None. Reasons: truncated (the checkpoint saw more entries; for a chain
    deleted whole, seq 1), rewritten (the entry the checkpoint signed has another hash now: the
    chain up to it was recomputed), backdated (an entry the checkpoint did not cover, dated before
    it)."""
    if anchor is None or anchor.signed is None:
        return None
    signed = anchor.signed
    head = signed.head_of(code)
    covered = 0
    if head is not None:
        seq, digest = head
        if len(entries) < seq:
            return len(entries) + 1, "truncated"
        if entries[seq - 1].hash != digest:
            return seq, "rewritten"
        covered = seq
    for entry in entries[covered:]:
        if entry.at < signed.created_at - GRACE:
            return entry.seq, "backdated"
    return None
