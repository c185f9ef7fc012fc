"""What the decision stage declares to the cross-check registry (ledger/records.py): votes,
opinions, authors, the approval's mode and head override, and the deciding unit, each compared
with the entries that recorded them."""

from django.utils.translation import pgettext_lazy

from ledger.records import register, register_label, rows_of
from ledger.selectors import VERSIONS

from .models import EDITABLE_STATES, Opinion, ProposalAuthor, ProposalVersion, Vote

REFERENCE_KEYS = ("document_number", "document_date", "signer_name", "signer_title")

# What the checks compare, read through ledger.records.rows_of (one proposal, or a chunk at once).
VOTES = Vote.objects.only("proposal_id", "round", "voter_id", "choice").order_by()
OPINIONS = Opinion.objects.order_by("created_at", "pk")
AUTHORS = ProposalAuthor.objects.select_related("user").only(
    "proposal_id", "post", "user__username"
)
# Every frozen version of the dossier (proposals.selectors.proposal_verify hashes them all).
FROZEN_VERSIONS = ProposalVersion.objects.only(
    "proposal_id", "number", "content", "content_hash"
).order_by("number")


def opinion_reference(opinion) -> dict:
    from .services import opinion_reference as reference

    return reference(opinion)


def _last_seq(entries):
    return entries[-1].seq if entries else 1


def votes_match(proposal, entries):
    """Each voter's vote of each round is the choice of their last `vote` entry of that round,
    and every vote row has such an entry."""
    recorded = {}
    for entry in entries:
        if entry.event == "vote":
            recorded[(entry.payload.get("round"), entry.actor_id)] = entry
    rows = {(row.round, row.voter_id): row.choice for row in rows_of(proposal, VOTES)}
    bad = [
        entry.seq for key, entry in recorded.items() if rows.get(key) != entry.payload.get("choice")
    ]
    if set(rows) - set(recorded):
        bad.append(_last_seq(entries))
    return min(bad) if bad else None


def opinions_match(proposal, entries):
    """The opinions, in order, are the `opinion` entries: same author, stage, stance and text."""
    recorded = [entry for entry in entries if entry.event == "opinion"]
    rows = rows_of(proposal, OPINIONS)
    for entry, row in zip(recorded, rows, strict=False):
        payload = entry.payload
        if (row.author_id, row.stage, row.stance, row.text) != (
            entry.actor_id,
            payload.get("stage"),
            payload.get("stance"),
            payload.get("text"),
        ):
            return entry.seq
        # The committee's document and signer (amendment 2026-11-29); absent from older entries.
        reference = opinion_reference(row)
        if reference != {key: payload[key] for key in REFERENCE_KEYS if payload.get(key)}:
            return entry.seq
    if len(rows) > len(recorded):
        return _last_seq(entries)
    if len(rows) < len(recorded):
        return recorded[len(rows)].seq
    return None


def authors_match(proposal, entries):
    """Outside editing, the authors are those of the last frozen version, whose hash the ledger
    holds."""
    if proposal.state in EDITABLE_STATES or not proposal.version:
        return None
    frozen_versions = rows_of(proposal, FROZEN_VERSIONS)
    version = next((v for v in frozen_versions if v.number == proposal.version), None)
    if version is None:
        return _last_seq(entries)
    authors = version.content.get("authors", []) if isinstance(version.content, dict) else None
    if not isinstance(authors, list) or not all(isinstance(a, dict) for a in authors):
        frozen, with_posts = None, False  # not what a freeze writes: reported, never a crash
    else:
        # Versions frozen since authors' posts are recorded (issue 11, point 7) freeze them too.
        with_posts = any("post" in a for a in authors)
        frozen = sorted((a.get("username"), a.get("post") if with_posts else "") for a in authors)
    now = sorted(
        (author.user.username, author.post if with_posts else "")
        for author in rows_of(proposal, AUTHORS)
    )
    if frozen == now:
        return None
    for entry in entries:
        if entry.dossier_hash == version.content_hash:
            return entry.seq
    return _last_seq(entries)


def approval_matches(proposal, entries):
    """The mode and the head's override are those of the last `approve` entry."""
    approvals = [entry for entry in entries if entry.event == "approve"]
    if not approvals:
        return None
    entry = approvals[-1]
    override = bool(entry.payload.get("head_bears_responsibility"))
    if (proposal.mode, bool(proposal.head_override)) != (entry.payload.get("mode"), override):
        return entry.seq
    return None


def deciding_unit_matches(proposal, entries):
    """The deciding unit is the one the last `submit` or `escalate` entry named."""
    keys = {"submit": "deciding_unit", "escalate": "to_unit"}
    named = [e for e in entries if e.payload.get(keys.get(e.event, ""), None)]
    if not named:
        return None
    code = named[-1].payload[keys[named[-1].event]]
    current = proposal.deciding_unit.code if proposal.deciding_unit_id else None
    return None if current == code else named[-1].seq


register(
    "votes", votes_match, label=pgettext_lazy("record kind", "Vote of the leadership collective")
)
register(
    "opinions", opinions_match, label=pgettext_lazy("record kind", "Opinion of the Party committee")
)
register("authors", authors_match, label=pgettext_lazy("record kind", "Authors and their posts"))
register(
    "mode_and_head_override",
    approval_matches,
    label=pgettext_lazy("record kind", "Approval: its form and the head's personal responsibility"),
)
register(
    "deciding_unit",
    deciding_unit_matches,
    label=pgettext_lazy("record kind", "Competent authority that decides"),
)
register_label(VERSIONS, pgettext_lazy("record kind", "Frozen version of the dossier"))
register_label("state", pgettext_lazy("record kind", "State of the proposal"))
