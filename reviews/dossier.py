"""The protection dossier (hồ sơ bảo vệ): the PDF a cadre keeps to prove what was proposed, decided
and done, and its verification.

Issued, the PDF is signed (PAdES) and recorded with the chain head it prints
(services.dossier_issue_pdf, signing.IssuedDocument). `DossierIssue` keeps, once per chain head, a
verification code (an HMAC of the proposal's code and that head): a code typed by hand checks the
record only. An uploaded file is checked itself (`dossier_file_check`): its signature, its bytes
against what KL14 issued, then the ledger today against the chain head it was issued at:
- valid: the chain is intact and still ends at that head;
- extended: intact, that head is still the entry it was, and new events follow it;
- broken: any entry fails verification, or the entry the document ended at is no longer the same;
and, for a file that is not genuine, signature_broken, unknown_signer or not_issued.
"""

import base64
import io
import json
import re
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from documents.selectors import events_after_decision
from ledger import events as ledger_events
from ledger.hashing import GENESIS
from ledger.models import LedgerEntry
from ledger.selectors import Verification, ledger_entries, one_snapshot
from proposals import transitions as registry
from proposals.hashing import version_hash
from proposals.models import PLAN_FIELDS, Opinion, Proposal, ProposalAuthor, State, Vote
from proposals.permissions import SECRET_EVENTS
from proposals.selectors import proposal_verify
from signing import services as signing
from signing.services import DocumentCheck, document_check

from . import pilot_data
from .models import DossierIssue
from .pdf import render_pdf
from .selectors import review_record

CODE_PATTERN = re.compile(
    r"(?<![A-Z2-7])([A-Z2-7]{4})[-\s]?([A-Z2-7]{4})[-\s]?([A-Z2-7]{4})[-\s]?([A-Z2-7]{4})(?![A-Z2-7])"
)
KEYWORD_PREFIX = "kl14-verification:"
MAX_UPLOAD = 20 * 1024 * 1024


def verification_code(proposal_code: str, chain_head: str) -> str:
    """16 base-32 characters in groups of four, e.g. "K7QD-2MXA-P4ZT-9WUE"."""
    digest = salted_hmac(
        "reviews.dossier", f"{proposal_code}|{chain_head}", algorithm="sha256"
    ).digest()
    raw = base64.b32encode(digest[:10]).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_code(text: str) -> str | None:
    """The code in what someone typed or pasted (any case, spaces or dashes), or None."""
    match = CODE_PATTERN.search((text or "").upper().strip())
    return "-".join(match.groups()) if match else None


def code_from_pdf(data: bytes) -> str | None:
    """The verification code printed in a dossier PDF: from its metadata, else from its text."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        keywords = (reader.metadata or {}).get("/Keywords") or ""
        if KEYWORD_PREFIX in keywords:
            found = normalise_code(keywords.split(KEYWORD_PREFIX, 1)[1])
            if found:
                return found
        for page in reader.pages[:3]:
            text = page.extract_text() or ""
            marker = text.find(_("Verification code"))
            found = normalise_code(text[marker:] if marker >= 0 else text)
            if found:
                return found
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        return None
    return None


# --- checking ---------------------------------------------------------------------------------

# A code typed by hand checks the record: valid, extended, broken, or unknown.
# An uploaded file checks the document itself first (signing.services.document_check): a genuine
# file is then valid, extended or broken like a code; otherwise signature_broken, unknown_signer
# or not_issued.
VALID, EXTENDED, BROKEN, UNKNOWN = "valid", "extended", "broken", "unknown"
SIGNATURE_BROKEN, UNKNOWN_SIGNER, NOT_ISSUED = (
    signing.SIGNATURE_BROKEN,
    signing.UNKNOWN_SIGNER,
    signing.NOT_ISSUED,
)
RECORD, DOCUMENT = "record", "document"
GENUINE_STATES = (VALID, EXTENDED)


@dataclass
class Check:
    status: str
    code: str
    issue: DossierIssue | None = None
    verification: Verification | None = None
    first_bad_seq: int | None = None
    checked: str = RECORD
    file: DocumentCheck | None = None
    record_proposal: Proposal | None = None

    @property
    def document(self):
        return self.file.document if self.file is not None else None

    @property
    def proposal(self) -> Proposal | None:
        """The proposal whose record is shown beside the answer: the one the genuine file was
        issued for, else the one under the code (typed, or printed in a file that is not
        genuine)."""
        if self.document is not None and self.document.proposal_id:
            return self.document.proposal
        if self.issue is not None:
            return self.issue.proposal
        return self.record_proposal

    @cached_property
    def facts(self) -> dict | None:
        return record_facts(self.proposal) if self.proposal is not None else None

    @property
    def at_issue_head(self) -> str:
        if self.document is not None and self.document.chain_head:
            return self.document.chain_head
        return self.issue.chain_head if self.issue is not None else ""

    @property
    def at_issue_entries(self) -> int | None:
        if self.document is not None and self.document.chain_head:
            return self.document.chain_seq
        return self.issue.entries if self.issue is not None else None

    @property
    def genuine(self) -> bool:
        return self.checked == DOCUMENT and self.status in GENUINE_STATES

    @property
    def protection_denied(self) -> bool:
        """Abuse found (an abuse case's founded finding): protection is revoked from then on,
        whatever the dossier says."""
        return self.proposal is not None and self.proposal.state == State.REFERRED

    @property
    def under_abuse_review(self) -> bool:
        """An abuse case is being heard: protection is withheld until its finding."""
        return self.proposal is not None and self.proposal.state == State.ABUSE_REVIEW

    @property
    def revocation(self):
        """The founded finding that revoked the protection (an AbuseCase), or None."""
        if not self.protection_denied:
            return None
        from .models import AbuseCase

        return (
            AbuseCase.objects.filter(proposal_id=self.proposal.pk, finding="founded")
            .select_related("concluded_by")
            .order_by("-pk")
            .first()
        )

    @property
    def message(self) -> str:
        if self.checked == DOCUMENT:
            return self._file_message()
        return {
            VALID: _("The ledger still matches the dossier exactly."),
            EXTENDED: _(
                "The part of the ledger the dossier covers is intact; new events were recorded "
                "after it was issued."
            ),
            BROKEN: _(
                "The ledger no longer matches the dossier: its records were altered after the "
                "dossier was issued."
            ),
            UNKNOWN: _("No protection dossier was issued with this code."),
        }[self.status]

    def _file_message(self) -> str:
        if self.status == SIGNATURE_BROKEN:
            if self.file.appended:
                return _(
                    "The signature of this file is intact, but bytes were added to the file "
                    "after it was signed: it is not the document KL14 issued."
                )
            return _(
                "The digital signature of this file is broken: its content was changed after "
                "signing. It is not the document KL14 issued."
            )
        if self.status == UNKNOWN_SIGNER:
            return _(
                "This file is signed, but not with a certificate KL14 trusts (signer: "
                "%(signer)s). It is not a document KL14 issued."
            ) % {"signer": self.file.signature.signer or "—"}
        if self.status == NOT_ISSUED:
            if self.file.unsigned:
                return _(
                    "This file carries no digital signature: it is not a document KL14 issued, "
                    "whatever it says."
                )
            return _(
                "This file is signed with a trusted certificate, but KL14 has no record of "
                "issuing these exact bytes."
            )
        return {
            VALID: _(
                "Genuine: this is the very file KL14 issued, its signature is intact and the "
                "ledger still ends where the file says."
            ),
            EXTENDED: _(
                "Genuine: this is the very file KL14 issued and the part of the ledger it "
                "covers is intact; new events were recorded after it was issued."
            ),
            BROKEN: _(
                "The file is the one KL14 issued, but the ledger no longer matches it: the "
                "records it covers were altered after it was issued."
            ),
        }[self.status]

    def as_dict(self) -> dict:
        data = {
            "status": self.status,
            "message": self.message,
            "code": self.code,
            "checked": self.checked,
            "genuine": self.genuine,
        }
        proposal = self.proposal
        if proposal is not None:
            data.update(
                proposal={"id": proposal.pk, "code": proposal.code, "title": proposal.title},
                state=proposal.state,
                protection_denied=self.protection_denied,
                protection="revoked"
                if self.protection_denied
                else "withheld"
                if self.under_abuse_review
                else "",
                finding=(
                    {
                        "conclusion": revocation.conclusion,
                        "at": revocation.concluded_at.isoformat(),
                    }
                    if (revocation := self.revocation)
                    else None
                ),
            )
        if self.issue is not None:
            data.update(
                issued_at=self.issue.issued_at.isoformat(),
                chain_head_at_issue=self.issue.chain_head,
                entries_at_issue=self.issue.entries,
            )
        if self.verification is not None:
            data.update(
                entries_now=self.verification.entries,
                chain_head_now=self.verification.head,
                first_bad_seq=self.first_bad_seq,
                record_kind=self.verification.record_kind,
                record_label=self.verification.record_label,
                problem=self.verification.problem,
            )
        if self.file is not None:
            signature = self.file.signature
            data["file"] = {
                "sha256": self.file.sha256,
                "signature": signature.status,
                "signer": signature.signer,
                "signed_at": signature.signed_at.isoformat() if signature.signed_at else None,
                "timestamped": signature.timestamped,
            }
            document = self.document
            if document is not None:
                data["file"].update(
                    kind=document.kind,
                    issued_at=document.issued_at.isoformat(),
                    chain_seq=document.chain_seq,
                    chain_head=document.chain_head,
                )
                if document.chain_head:
                    data.update(
                        chain_head_at_issue=document.chain_head,
                        entries_at_issue=document.chain_seq,
                    )
        if proposal is not None:
            facts = self.facts
            data["facts"] = {
                **facts,
                "submitted_at": facts["submitted_at"].isoformat()
                if facts["submitted_at"]
                else None,
                "decisions": [{**d, "at": d["at"].isoformat()} for d in facts["decisions"]],
            }
        return data


def ledger_against(proposal, seq: int, head: str) -> tuple[str, Verification, int | None]:
    """(valid | extended | broken, verification, first bad seq) of the proposal's ledger today
    against the chain head (`seq`, `head`) a document or code was issued at, read as of one
    moment (ledger.selectors.one_snapshot)."""
    with one_snapshot():
        verification = proposal_verify(proposal)
        if seq:
            anchor = (
                LedgerEntry.objects.filter(proposal=proposal, seq=seq)
                .values_list("hash", flat=True)
                .first()
            )
        else:
            anchor = GENESIS
    if not verification.valid or anchor != head or verification.entries < seq:
        first_bad = verification.first_bad_seq
        if first_bad is None:
            first_bad = min(seq, verification.entries + 1) or 1
        return BROKEN, verification, first_bad
    if verification.entries == seq:
        return VALID, verification, None
    return EXTENDED, verification, None


def _issue_with(code):
    return (
        DossierIssue.objects.filter(code=code).select_related("proposal").first() if code else None
    )


def dossier_check(code: str) -> Check:
    """Whether the ledger still matches the dossier issued under `code` (the record only: no
    document is checked)."""
    code = normalise_code(code) or (code or "").strip().upper()
    issue = _issue_with(code)
    if issue is None:
        return Check(UNKNOWN, code)
    proposal = issue.proposal
    status, verification, first_bad = ledger_against(proposal, issue.entries, issue.chain_head)
    if not constant_time_compare(verification_code(proposal.code, issue.chain_head), issue.code):
        status, first_bad = BROKEN, first_bad or issue.entries
    return Check(status, code, issue, verification, first_bad)


def dossier_file_check(data: bytes) -> Check:
    """Checks an uploaded file itself: its signature, its bytes against what KL14 issued, then
    the ledger against the chain head it was issued at. A file that is not genuine still names
    the record under the code it prints, so the genuine facts can be shown beside the answer."""
    file = document_check(data)
    printed = code_from_pdf(data)
    if file.status != signing.ISSUED:
        issue = _issue_with(printed)
        return Check(
            file.status,
            printed or "",
            checked=DOCUMENT,
            file=file,
            record_proposal=issue.proposal if issue is not None else None,
        )
    document = file.document
    issue = None
    if document.kind == signing.DOSSIER:
        issue = _issue_with(document.reference)
    if document.proposal_id is None:
        return Check(VALID, document.reference, checked=DOCUMENT, file=file)
    status, verification, first_bad = ledger_against(
        document.proposal, document.chain_seq or 0, document.chain_head
    )
    if (
        status == EXTENDED
        and document.kind == signing.OFFICIAL_DOCUMENT
        and not events_after_decision(document.proposal, document.chain_seq)
    ):
        status = VALID  # only the issue of the decision's own documents follows it
    return Check(
        status,
        document.reference,
        issue,
        verification,
        first_bad,
        checked=DOCUMENT,
        file=file,
    )


# Decisions taken inside a state: the decision on one author while the others wait for theirs,
# the resolution of an author's complaint (amendment of 2026-11-29) and the revision of a
# decision it carries, which may leave the state as it was.
DECISION_ACTIONS = frozenset(
    {"responsibility_decision", "responsibility_complaint_resolution", "revise_responsibility"}
)


def is_decision(entry) -> bool:
    """A ledger entry the dossier lists among the decisions."""
    return (
        entry.from_state != entry.to_state
        or registry.get(entry.event) is not None
        or entry.event in DECISION_ACTIONS
    )


def record_facts(proposal) -> dict:
    """What KL14's record says about a proposal, for a reader to compare with the paper in hand:
    units, authors, state, and every decision with who took it and when."""

    def state_label(state):
        return str(State(state).label) if state in State.values else state

    proposal = Proposal.objects.select_related("home_unit", "deciding_unit").get(pk=proposal.pk)
    decisions = [
        {
            "seq": entry.seq,
            "at": entry.at,
            "label": event_label(entry.event, entry.payload),
            "by": entry.actor.get_full_name() if entry.actor_id else "",
            "state": state_label(entry.to_state) if entry.to_state else "",
        }
        for entry in ledger_entries(proposal)
        if is_decision(entry)
    ]
    return {
        "code": proposal.code,
        "title": proposal.title,
        "home_unit": proposal.home_unit.name,
        "deciding_unit": proposal.deciding_unit.name if proposal.deciding_unit_id else "",
        "authors": [
            a.user.get_full_name()
            for a in ProposalAuthor.objects.filter(proposal=proposal)
            .select_related("user")
            .order_by("-is_creator", "added_at")
        ],
        "state": state_label(proposal.state),
        "submitted_at": proposal.submitted_at,
        "decisions": decisions,
    }


# --- the PDF ----------------------------------------------------------------------------------


def event_label(name: str, payload=None) -> str:
    return ledger_events.event_title(name, payload)


def _plan_sections(content: dict) -> list[tuple[str, str]]:
    fields = content.get("fields", {})
    sections = []
    for name in ("summary", *PLAN_FIELDS):
        value = fields.get(name)
        if name == "regulation_status" and value:
            value = dict(Proposal._meta.get_field(name).choices).get(value, value)
        if value:
            sections.append((str(Proposal._meta.get_field(name).verbose_name), str(value)))
    return sections


def _holder_first(persons, holder) -> list:
    """The authors' responsibility rows, the dossier's holder's own first (amendment: each author's
    own outcome is printed in their own dossier)."""
    holder_pk = getattr(holder, "pk", None)
    return sorted(persons, key=lambda row: row["author"].pk != holder_pk)


def dossier_context(
    proposal, issue: DossierIssue, verification: Verification, *, signed_at=None, holder=None
) -> dict:
    proposal = Proposal.objects.select_related("home_unit", "deciding_unit", "origin").get(
        pk=proposal.pk
    )
    versions = list(proposal.versions.select_related("created_by").order_by("number"))
    latest = versions[-1].content if versions else {}
    entries = list(ledger_entries(proposal))
    names = ledger_events.names_for(entries)
    return {
        "proposal": proposal,
        "authors": [
            a.user
            for a in ProposalAuthor.objects.filter(proposal=proposal)
            .select_related("user")
            .order_by("-is_creator", "added_at")
        ],
        "versions": [
            {"version": v, "intact": version_hash(v.content) == v.content_hash} for v in versions
        ],
        "sections": _plan_sections(latest),
        # Votes are secret (amendment): the dossier, which its authors carry, gives each round's
        # tally, never who voted what.
        "tallies": list(
            Vote.objects.filter(proposal=proposal)
            .values("round")
            .annotate(
                votes_for=Count("pk", filter=Q(choice=Vote.Choice.FOR)),
                against=Count("pk", filter=Q(choice=Vote.Choice.AGAINST)),
                abstain=Count("pk", filter=Q(choice=Vote.Choice.ABSTAIN)),
            )
            .order_by("round")
        ),
        "opinions": list(
            Opinion.objects.filter(proposal=proposal)
            .select_related("author", "unit")
            .order_by("created_at", "pk")
        ),
        "review": (review := review_record(proposal)),
        "persons": _holder_first(review.persons, holder),
        "holder": holder,
        "pilot": pilot_data.pilot_record(proposal),
        "entries": [
            {
                "entry": e,
                "label": event_label(e.event, None if e.event in SECRET_EVENTS else e.payload),
                "secret": e.event in SECRET_EVENTS,
                "details": []
                if e.event in SECRET_EVENTS
                else ledger_events.details(e.event, e.payload, names),
                "payload": ""
                if e.event in SECRET_EVENTS
                else json.dumps(e.payload, ensure_ascii=False, sort_keys=True),
            }
            for e in entries
        ],
        "decisions": [
            {
                "entry": e,
                "label": event_label(e.event, e.payload),
                "details": ledger_events.details(e.event, e.payload, names),
            }
            for e in entries
            if is_decision(e)
        ],
        "issue": issue,
        "verification": verification,
        "generated_at": signed_at or timezone.now(),
        "site_url": getattr(settings, "KL14_SITE_URL", ""),
        "keywords": f"{KEYWORD_PREFIX}{issue.code} kl14-chain:{issue.entries}:{issue.chain_head}",
    }


def dossier_pdf(
    proposal,
    issue: DossierIssue,
    verification: Verification,
    *,
    language=None,
    signed_at=None,
    holder=None,
):
    """The dossier as PDF bytes, not yet signed (services.dossier_issue_pdf signs and records
    it)."""
    with translation.override(language or translation.get_language()):
        return render_pdf(
            "reviews/dossier_pdf.html",
            dossier_context(proposal, issue, verification, signed_at=signed_at, holder=holder),
        )
