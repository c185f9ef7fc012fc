"""How proposals read on the page: state badges, what happens next, ledger events in words, and
the word-level difference between two frozen versions. Pure functions; no writes."""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kl14.fragments import render_each, shown
from ledger import events as ledger_events

from ..models import AuthorPost, Field, RegulationStatus, State
from ..selectors import is_overdue, version_changes, version_field_label

S = State

# Bootstrap colour of each state's badge (text-bg-*: the pairs keep a 4.5:1 contrast).
STATE_STYLES = {
    S.DRAFT: "secondary",
    S.SUBMITTED: "info",
    S.UNDER_REVIEW: "primary",
    S.RETURNED: "warning",
    S.WITHDRAWN: "secondary",
    S.REJECTED: "danger",
    S.APPROVED: "success",
    S.IN_PROGRESS: "primary",
    S.SUSPENDED: "warning",
    S.ENDED: "secondary",
    S.EVALUATING: "info",
    S.SUCCEEDED: "success",
    S.RESPONSIBILITY_REVIEW: "warning",
    S.LIABILITY_EXCLUDED: "success",
    S.EXEMPTED: "success",
    S.REDUCED: "warning",
    S.HELD_RESPONSIBLE: "danger",
    S.RESPONSIBILITY_DECIDED: "info",
    S.REFERRED: "danger",
    S.ABUSE_REVIEW: "danger",
    S.REPLICATED: "success",
    S.INSTITUTIONALIZED: "success",
}


def state_label(state: str) -> str:
    try:
        return str(State(state).label)
    except ValueError:
        return state or ""


# --- what happens next --------------------------------------------------------------------------

# What each state means and who acts next, in plain words. `%(home)s` and `%(deciding)s` are unit
# names.
NEXT_STEPS = {
    S.DRAFT: gettext_lazy(
        "A draft: only its authors can see it. Fill in every section of the plan, affirm the four "
        "criteria and sign the declaration, then submit it to the head of %(home)s."
    ),
    S.SUBMITTED: gettext_lazy(
        "Submitted. The head of %(deciding)s opens the review, returns it for revision or sends "
        "it to the superior unit."
    ),
    S.UNDER_REVIEW: gettext_lazy(
        "Under review. The leadership collective of %(deciding)s votes, the Party committee gives "
        "its opinion, then the head decides: approve it (as a pilot or for implementation), "
        "return it for revision or not approve it."
    ),
    S.RETURNED: gettext_lazy(
        "Returned for revision. The authors revise the dossier following the head's comment and "
        "submit it again; the new version is compared with the previous one."
    ),
    S.WITHDRAWN: gettext_lazy("Withdrawn by its authors. Nothing more happens."),
    S.REJECTED: gettext_lazy(
        "Not approved by the head of %(deciding)s. The reasons are on the timeline below."
    ),
    S.APPROVED: gettext_lazy(
        "Approved. The head of %(home)s now sets up the implementation plan and starts the work."
    ),
    S.IN_PROGRESS: gettext_lazy(
        "Being implemented. The authors report progress; inspectors may check the work; the "
        "head of %(home)s may suspend or end it."
    ),
    S.SUSPENDED: gettext_lazy(
        "Suspended. The head of %(home)s decides whether to resume or terminate it."
    ),
    S.ENDED: gettext_lazy(
        "The work has ended. The authors submit a truthful final report within 5 working days."
    ),
    S.EVALUATING: gettext_lazy(
        "The results are being evaluated. The Party committee gives its opinion; the head of "
        "%(deciding)s chairs the collective meeting that evaluates them."
    ),
    S.SUCCEEDED: gettext_lazy(
        "Completed successfully. It may be recognised, replicated in other units and proposed "
        "for institutionalisation."
    ),
    S.RESPONSIBILITY_REVIEW: gettext_lazy(
        "The results fell short. The head of %(deciding)s considers whether the authors followed "
        "the approved plan with pure motives for the common good, and decides on their "
        "responsibility."
    ),
    S.LIABILITY_EXCLUDED: gettext_lazy(
        "Liability excluded: the authors followed the approved plan for the common good."
    ),
    S.EXEMPTED: gettext_lazy("Responsibility exempted."),
    S.REDUCED: gettext_lazy("Responsibility reduced."),
    S.HELD_RESPONSIBLE: gettext_lazy(
        "The authors are not eligible for protection; their responsibility is considered under "
        "the applicable rules."
    ),
    S.RESPONSIBILITY_DECIDED: gettext_lazy(
        "Responsibility was decided for each author, with different outcomes: each author's "
        "decision is on the review page and in their own protection dossier."
    ),
    S.REFERRED: gettext_lazy("Abuse of the policy found: protection is revoked for this proposal."),
    S.ABUSE_REVIEW: gettext_lazy(
        "Referred for suspected abuse of the policy: protection is withheld while the case is "
        "heard; the authors may explain, then the inspection of the superior unit records its "
        "finding."
    ),
    S.REPLICATED: gettext_lazy("Replicated in other units."),
    S.INSTITUTIONALIZED: gettext_lazy("Proposed to become a regulation."),
}


def next_step(proposal) -> str:
    text = NEXT_STEPS.get(proposal.state)
    if text is None:
        return ""
    deciding = proposal.deciding_unit.name if proposal.deciding_unit_id else ""
    return str(text) % {"home": proposal.home_unit.name, "deciding": deciding}


# --- the ledger in words ------------------------------------------------------------------------
# Labels and payload renderings come from the one registry of ledger events (ledger/events.py).


@dataclass(frozen=True)
class TimelineItem:
    entry: object
    label: str
    details: list
    from_label: str
    to_label: str
    head_bears_responsibility: bool


def timeline(entries) -> list[TimelineItem]:
    entries = list(entries)
    names = ledger_events.names_for(entries)
    return [
        TimelineItem(
            entry=entry,
            label=ledger_events.event_title(entry.event, entry.payload),
            details=ledger_events.details(entry.event, entry.payload or {}, names),
            from_label=state_label(entry.from_state),
            to_label=state_label(entry.to_state),
            head_bears_responsibility=bool((entry.payload or {}).get("head_bears_responsibility")),
        )
        for entry in entries
    ]


def timeline_key(item: TimelineItem) -> tuple:
    """Everything proposals/_timeline_entry.html reads from an item: equal keys, equal HTML. The
    entry's own fields, not only its hash, so a row changed behind the ledger's back shows as it
    is now (the integrity check then names it), and the actor's name as it is today."""
    entry = item.entry
    actor = entry.actor.get_full_name() if entry.actor else None
    return (
        shown(item.label),
        shown(item.details),
        item.head_bears_responsibility,
        entry.at.isoformat(),
        shown(actor),
        shown(entry.event),
        shown(entry.from_state),
        shown(entry.to_state),
        entry.seq,
        shown(entry.hash),
        shown(entry.prev_hash),
        shown(entry.dossier_hash),
    )


def timeline_html(entries) -> list[str]:
    """The timeline's entries as HTML, each rendered once per content (kl14/fragments.py): an
    entry never changes, and twenty of them cost the page several milliseconds to render."""
    return render_each("proposals/_timeline_entry.html", timeline(entries), key=timeline_key)


# --- the rows of the lists (my proposals, the inbox, the voting and opinion queues) ---------------


@dataclass(frozen=True)
class TableRow:
    """A row of proposals/_table.html: the proposal, the list it is in (`kind`: mine, inbox,
    votes, opinions) and the day its due dates are judged by."""

    p: object
    kind: str
    today: object


def _day(value):
    return value.isoformat() if value else None


def table_row_key(row: TableRow) -> tuple:
    """Everything proposals/_table_row.html reads from a row: equal keys, equal HTML. The names
    (of the deciding unit, the authors and their unit) as they are now; the annotations a list
    adds (votes cast, the opinion, the person's ballot) read where present."""
    p, kind, today = row.p, row.kind, row.today
    vote_due = getattr(p, "vote_due", None)
    key = (
        kind,
        p.pk,
        shown(p.code),
        shown(p.title),
        shown(p.state),
        p.regulation_status == RegulationStatus.REGULATED_AND_FIT,
        _day(p.decision_due),
        is_overdue(p, today),
        _day(vote_due),
        bool(vote_due and vote_due < today),
        shown(getattr(p, "vote_subject", None)),
        shown(getattr(p, "ballot_url", None)),
        shown(getattr(p, "my_choice", None)),
        shown(getattr(p, "my_choice_label", None)),
        getattr(p, "votes_cast", None),
        getattr(p, "has_opinion", None),
        shown(getattr(p, "opinion_stance", None)),
    )
    if kind == "mine":
        return (*key, shown(p.deciding_unit.name if p.deciding_unit_id else None))
    authors = tuple(shown(a.user.get_full_name()) for a in p.authorships.all())
    return (*key, authors, shown(p.home_unit.name))


def table_rows_html(proposals, kind: str, today) -> list[str]:
    """The rows of a list as HTML, each rendered once per content (kl14/fragments.py): a page of
    25 rows cost the list ~5 ms to render (issue 12)."""
    rows = [TableRow(p, kind, today) for p in proposals]
    return render_each("proposals/_table_row.html", rows, key=table_row_key)


# --- the difference between two versions --------------------------------------------------------

TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> tuple[list, list]:
    """The two texts as (text, changed) segments, word by word."""
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    old_segments, new_segments = [], []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            same = "".join(a[i1:i2])
            old_segments.append((same, False))
            new_segments.append((same, False))
            continue
        if i2 > i1:
            old_segments.append(("".join(a[i1:i2]), True))
        if j2 > j1:
            new_segments.append(("".join(b[j1:j2]), True))
    return old_segments, new_segments


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: list
    new: list


def _post_label(post) -> str:
    try:
        return str(AuthorPost(post).label)
    except ValueError:
        return str(post)


FIELD_CHOICES = {"field": Field, "regulation_status": RegulationStatus}


def _readable(name: str, value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name in FIELD_CHOICES:
        if not value:
            return ""
        try:
            return str(FIELD_CHOICES[name](value).label)
        except ValueError:
            return str(value)
    if name == "authors":
        return "\n".join(
            f"{a.get('name') or a.get('username')} ({a.get('username')})"
            + (f" — {_post_label(a['post'])}" if a.get("post") else "")
            for a in value
        )
    if name == "attachments":
        return "\n".join(
            f"{a.get('name')} (SHA-256 {str(a.get('sha256', ''))[:12]}…)" for a in value
        )
    return "" if value is None else str(value)


def version_diff(old: dict, new: dict) -> list[FieldChange]:
    """Every field that differs between two frozen contents, with word-level highlights."""
    changes = []
    for name, before, after in version_changes(old, new):
        a, b = _readable(name, before), _readable(name, after)
        if isinstance(before, str) and isinstance(after, str) and name not in FIELD_CHOICES:
            old_segments, new_segments = word_diff(a, b)
        else:
            old_segments, new_segments = [(a, True)] if a else [], [(b, True)] if b else []
        changes.append(FieldChange(name, version_field_label(name), old_segments, new_segments))
    return changes
