"""The protection dossier (hồ sơ bảo vệ): the PDF a cadre keeps to prove what was proposed, decided
and done, and the check of its verification code against the ledger as it stands today.

The code is an HMAC (keyed with SECRET_KEY) of the proposal's code and the ledger's chain head at
issue, so it cannot be made up for another chain; `DossierIssue` remembers the head and the number
of entries it covered. Checking recomputes the chain (`proposal_verify`) and compares:
- valid: the chain is intact and still ends at the recorded head;
- extended: intact, and the recorded head is still the entry it was, with new events after it;
- broken: any entry fails verification, or the entry the dossier ended at is no longer the same.
"""

import base64
import io
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger.models import LedgerEntry
from ledger.selectors import Verification, ledger_entries
from proposals import transitions as registry
from proposals.hashing import version_hash
from proposals.models import PLAN_FIELDS, Opinion, Proposal, ProposalAuthor, State, Vote
from proposals.selectors import proposal_verify

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

VALID, EXTENDED, BROKEN, UNKNOWN = "valid", "extended", "broken", "unknown"


@dataclass
class Check:
    status: str
    code: str
    issue: DossierIssue | None = None
    verification: Verification | None = None
    first_bad_seq: int | None = None

    @property
    def protection_denied(self) -> bool:
        """Referred for abuse: protection is denied from then on (lifecycle.md, refer_abuse),
        whatever the dossier says."""
        return self.issue is not None and self.issue.proposal.state == State.REFERRED

    @property
    def message(self) -> str:
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

    def as_dict(self) -> dict:
        data = {"status": self.status, "message": self.message, "code": self.code}
        if self.issue is not None:
            data.update(
                proposal={
                    "id": self.issue.proposal_id,
                    "code": self.issue.proposal.code,
                    "title": self.issue.proposal.title,
                },
                state=self.issue.proposal.state,
                protection_denied=self.protection_denied,
                issued_at=self.issue.issued_at.isoformat(),
                chain_head_at_issue=self.issue.chain_head,
                entries_at_issue=self.issue.entries,
            )
        if self.verification is not None:
            data.update(
                entries_now=self.verification.entries,
                chain_head_now=self.verification.head,
                first_bad_seq=self.first_bad_seq,
            )
        return data


def dossier_check(code: str) -> Check:
    """Whether the ledger still matches the dossier issued under `code`."""
    code = normalise_code(code) or (code or "").strip().upper()
    issue = (
        DossierIssue.objects.filter(code=code).select_related("proposal").first() if code else None
    )
    if issue is None:
        return Check(UNKNOWN, code)
    proposal = issue.proposal
    verification = proposal_verify(proposal)
    expected = verification_code(proposal.code, issue.chain_head)
    anchor = (
        LedgerEntry.objects.filter(proposal=proposal, seq=issue.entries)
        .values_list("hash", flat=True)
        .first()
    )
    intact = (
        constant_time_compare(expected, issue.code)
        and anchor == issue.chain_head
        and verification.entries >= issue.entries
    )
    if not verification.valid or not intact:
        first_bad = verification.first_bad_seq
        if first_bad is None and anchor != issue.chain_head:
            first_bad = issue.entries
        return Check(BROKEN, code, issue, verification, first_bad)
    if verification.entries == issue.entries:
        return Check(VALID, code, issue, verification)
    return Check(EXTENDED, code, issue, verification)


# --- the PDF ----------------------------------------------------------------------------------

ACTION_LABELS = {
    "vote": gettext_lazy("Vote of the leadership collective"),
    "opinion": gettext_lazy("Opinion of the Party committee"),
    "recognition": gettext_lazy("Recognition"),
    "lesson_publish": gettext_lazy("Published to the lessons library"),
    "lesson_unpublish": gettext_lazy("Removed from the lessons library"),
    "adopt": gettext_lazy("Created by a replication directive"),
}


def event_label(name: str) -> str:
    spec = registry.get(name)
    if spec is not None:
        return str(spec.label)
    return str(ACTION_LABELS.get(name, name.replace("_", " ")))


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


def dossier_context(proposal, issue: DossierIssue, verification: Verification) -> dict:
    proposal = Proposal.objects.select_related("home_unit", "deciding_unit", "origin").get(
        pk=proposal.pk
    )
    versions = list(proposal.versions.select_related("created_by").order_by("number"))
    latest = versions[-1].content if versions else {}
    entries = list(ledger_entries(proposal))
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
        "votes": list(
            Vote.objects.filter(proposal=proposal)
            .select_related("voter")
            .order_by("round", "cast_at", "pk")
        ),
        "opinions": list(
            Opinion.objects.filter(proposal=proposal)
            .select_related("author", "unit")
            .order_by("created_at", "pk")
        ),
        "review": review_record(proposal),
        "pilot": pilot_data.pilot_record(proposal),
        "entries": [
            {
                "entry": e,
                "label": event_label(e.event),
                "payload": json.dumps(e.payload, ensure_ascii=False, sort_keys=True),
            }
            for e in entries
        ],
        "decisions": [
            {"entry": e, "label": event_label(e.event)}
            for e in entries
            if e.from_state != e.to_state or registry.get(e.event) is not None
        ],
        "issue": issue,
        "verification": verification,
        "generated_at": timezone.now(),
        "site_url": getattr(settings, "KL14_SITE_URL", ""),
        "keywords": f"{KEYWORD_PREFIX}{issue.code}",
    }


def dossier_pdf(proposal, issue: DossierIssue, verification: Verification, *, language=None):
    """The dossier as PDF bytes."""
    with translation.override(language or translation.get_language()):
        return render_pdf(
            "reviews/dossier_pdf.html", dossier_context(proposal, issue, verification)
        )
