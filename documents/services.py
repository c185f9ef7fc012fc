"""Writes of the documents app: reserving a number and creating the pending document inside the
decision's transaction, then issuing it (render, sign, store, record) from a worker.

Issuing is safe to run from any number of workers at once: a worker first claims the document
(a conditional UPDATE that only one wins, with a lease), renders and signs outside any
transaction, then records the result in a transaction that locks the document and checks that
its claim still stands — so a document is issued, and its ledger entry written, exactly once.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from proposals.models import Proposal
from proposals.services import record_action
from signing.services import OFFICIAL_DOCUMENT, document_register

from . import kinds, render
from .models import OfficialDocument, Register
from .selectors import ISSUE_EVENT
from .wording import is_party_unit

log = logging.getLogger(__name__)


def _retry_base() -> int:
    return getattr(settings, "KL14_DOCUMENT_RETRY_BASE", 60)


def _retry_max() -> int:
    return getattr(settings, "KL14_DOCUMENT_RETRY_MAX", 3600)


def _lease() -> int:
    return getattr(settings, "KL14_DOCUMENT_LEASE", 600)


# --- inside the decision's transaction -------------------------------------------------------


def number_reserve(*, unit, year) -> int:
    """The next number of the unit's register for the year. Call inside the transaction that
    issues the document: the register's row stays locked until it commits, so two decisions of
    one unit never get the same number, and a rollback gives the number back."""
    register, _created = Register.objects.select_for_update().get_or_create(unit=unit, year=year)
    register.last_number = F("last_number") + 1
    register.save(update_fields=["last_number"])
    register.refresh_from_db(fields=["last_number"])
    return register.last_number


number_reserve.alters_data = True


def symbol_for(unit) -> str:
    """The issuing body's abbreviation in the number's symbol: the last part of the unit's code
    ("GL-SNV" → "SNV", "GL-TU" → "TU")."""
    return (unit.code or "").rsplit("-", 1)[-1].upper()


def documents_create_for_entry(*, entry, proposal) -> list[OfficialDocument]:
    """The pending documents that the ledger entry's decision issues (none for most entries),
    numbered and with their content frozen; their issue is enqueued on commit."""
    created = []
    for kind in kinds.for_event(entry.event):
        # Money and dates inside the text read the Vietnamese way whoever decided.
        with translation.override("vi"):
            drafts = kind.build(entry, proposal) or ()
        for draft in drafts:
            created.append(_create(kind, draft, entry=entry, proposal=proposal))
    if created:
        ids = [document.pk for document in created]
        transaction.on_commit(lambda: enqueue(ids), robust=True)
    return created


def _create(kind, draft, *, entry, proposal) -> OfficialDocument:
    issued_on = timezone.localdate(entry.at)
    party = draft.party_format if draft.party_format is not None else is_party_unit(draft.unit)
    doc_type = draft.doc_type or kind.doc_type
    number = number_reserve(unit=draft.unit, year=issued_on.year)
    return OfficialDocument.objects.create(
        proposal=proposal,
        decision_entry=entry,
        kind=kind.name,
        doc_type=doc_type,
        party_format=party,
        unit=draft.unit,
        year=issued_on.year,
        number=number,
        symbol=symbol_for(draft.unit),
        issued_on=issued_on,
        content=draft.content,
        concerns=draft.concerns,
        signer=draft.signer,
        next_attempt_at=timezone.now(),
    )


def enqueue(ids) -> None:
    """Hands the documents to a worker. A broker that refuses is logged: the periodic task
    issues whatever is still pending, so an outage only delays the files."""
    from .tasks import issue

    for pk in ids:
        try:
            issue.delay(pk)
        except Exception:
            log.warning("official document %s not enqueued; the periodic task will issue it", pk)


# --- issuing (a worker) ---------------------------------------------------------------------


def document_claim(pk) -> str | None:
    """Claims a pending, due document for this worker: answers the claim's token, or None when
    it is issued, not yet due, or claimed by another worker whose lease has not run out."""
    now = timezone.now()
    token = uuid.uuid4().hex
    won = (
        OfficialDocument.objects.filter(pk=pk, status=OfficialDocument.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            claim=token,
            claimed_until=now + timedelta(seconds=_lease()),
            attempts=F("attempts") + 1,
        )
    )
    return token if won else None


document_claim.alters_data = True


def document_issue(*, pk) -> OfficialDocument | None:
    """Renders, signs, stores and records one document. Answers it when this call issued it,
    None when there was nothing to do (issued, not due, another worker has it). A failure is
    recorded on the document with an exponential back-off and never raised: the decision stands
    and the periodic task tries again."""
    token = document_claim(pk)
    if token is None:
        return None
    document = OfficialDocument.objects.select_related("unit", "proposal", "decision_entry").get(
        pk=pk
    )
    try:
        pdf = render.signed_pdf(document)
        docx = render.docx(document)
        return _record(document, token=token, pdf=pdf, docx=docx)
    except Exception as error:
        log.exception("official document %s could not be issued", pk)
        _fail(document, token=token, error=error)
        return None


document_issue.alters_data = True


def _record(document, *, token, pdf: bytes, docx: bytes | None) -> OfficialDocument | None:
    with transaction.atomic():
        # The proposal's row first, as every step on a proposal does (its ledger chain has no
        # forks), then the document's, to check the claim is still ours.
        proposal = Proposal.objects.select_for_update().get(pk=document.proposal_id)
        current = OfficialDocument.objects.select_for_update().get(pk=document.pk)
        if current.status != OfficialDocument.Status.PENDING or current.claim != token:
            return None
        name = document.filename("pdf")
        current.pdf.save(name, ContentFile(pdf), save=False)
        current.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        if docx is not None:
            current.docx.save(document.filename("docx"), ContentFile(docx), save=False)
            current.docx_sha256 = hashlib.sha256(docx).hexdigest()
        payload = {
            "reference": current.reference,
            "kind": current.kind,
            "doc_type": current.doc_type,
            "issued_on": current.issued_on.isoformat(),
            "unit": current.unit.code,
            "decision_seq": current.decision_entry.seq,
            "pdf_sha256": current.pdf_sha256,
        }
        if current.docx_sha256:
            payload["docx_sha256"] = current.docx_sha256
        if current.concerns_id:
            payload["concerns"] = current.concerns.get_username()
        # The public registry of issued PDFs: the verify page recognises this file, and compares
        # the ledger with the decision's entry it was issued for.
        decision = current.decision_entry
        document_register(
            pdf=pdf,
            kind=OFFICIAL_DOCUMENT,
            proposal=proposal,
            reference=current.reference,
            title=(current.content or {}).get("subject", ""),
            chain_seq=decision.seq,
            chain_head=decision.hash,
        )
        entry = record_action(proposal=proposal, actor=None, event=ISSUE_EVENT, payload=payload)
        current.issue_entry = entry
        current.status = OfficialDocument.Status.ISSUED
        current.issued_at = timezone.now()
        current.claim = ""
        current.claimed_until = None
        current.next_attempt_at = None
        current.last_error = ""
        current.save()
    return current


def _fail(document, *, token, error) -> None:
    with transaction.atomic():
        current = OfficialDocument.objects.select_for_update().get(pk=document.pk)
        if current.claim != token:
            return
        delay = min(_retry_base() * 2 ** max(current.attempts - 1, 0), _retry_max())
        current.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        current.last_error = f"{type(error).__name__}: {error}"[:2000]
        current.claim = ""
        current.claimed_until = None
        current.save(update_fields=["next_attempt_at", "last_error", "claim", "claimed_until"])


def documents_issue_due(*, limit: int = 50) -> int:
    """Issues pending documents that are due (the periodic task): answers how many it issued."""
    now = timezone.now()
    ids = list(
        OfficialDocument.objects.filter(status=OfficialDocument.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if document_issue(pk=pk) is not None)


documents_issue_due.alters_data = True
