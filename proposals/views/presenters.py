"""How proposals read on the page: state badges, what happens next, ledger events in words, and
the word-level difference between two frozen versions. Pure functions; no writes."""

import json
import re
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.models import Unit

from .. import transitions
from ..models import Field, Mode, Opinion, RegulationStatus, State, Vote
from ..selectors import version_changes, version_field_label

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
    S.REFERRED: "danger",
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
    S.HELD_RESPONSIBLE: gettext_lazy("The authors are held responsible."),
    S.REFERRED: gettext_lazy(
        "Referred for abuse of the policy: protection no longer applies to this proposal."
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

EVENT_LABELS = {
    "submit": gettext_lazy("Submitted to the head of the unit"),
    "withdraw": gettext_lazy("Withdrawn by the authors"),
    "open_review": gettext_lazy("Review opened"),
    "return_for_revision": gettext_lazy("Returned for revision"),
    "escalate": gettext_lazy("Sent to the superior unit"),
    "approve": gettext_lazy("Approved"),
    "reject": gettext_lazy("Not approved"),
    "vote": gettext_lazy("Vote cast"),
    "opinion": gettext_lazy("Party committee opinion recorded"),
    "start": gettext_lazy("Implementation started"),
    "suspend": gettext_lazy("Suspended"),
    "resume": gettext_lazy("Resumed"),
    "terminate": gettext_lazy("Terminated early"),
    "complete": gettext_lazy("Work completed"),
    "submit_final_report": gettext_lazy("Final report submitted"),
    "evaluate": gettext_lazy("Results evaluated"),
    "decide_responsibility": gettext_lazy("Responsibility decided"),
    "refer_abuse": gettext_lazy("Referred for abuse of the policy"),
    "replicate": gettext_lazy("Replicated"),
    "institutionalize": gettext_lazy("Proposed for institutionalisation"),
}

PAYLOAD_LABELS = {
    "reason": gettext_lazy("Reason"),
    "reasons": gettext_lazy("Reasons"),
    "comment": gettext_lazy("What should be revised"),
    "mode": gettext_lazy("Approved for"),
    "override_reason": gettext_lazy("Reasons for approving although the vote did not pass"),
    "choice": gettext_lazy("Vote"),
    "stance": gettext_lazy("Stance"),
    "text": gettext_lazy("Text of the opinion"),
    "stage": gettext_lazy("Stage"),
    "version": gettext_lazy("Version"),
    "deciding_unit": gettext_lazy("Deciding unit"),
    "from_unit": gettext_lazy("From unit"),
    "to_unit": gettext_lazy("To unit"),
    "decision_due": gettext_lazy("Decision due"),
    "tally": gettext_lazy("Vote tally"),
    "opinion": gettext_lazy("Party committee opinion"),
}
# Shown elsewhere (in the label or as a warning), not as a line of their own.
HIDDEN_PAYLOAD_KEYS = {"changed", "head_bears_responsibility", "round"}
UNIT_KEYS = ("deciding_unit", "from_unit", "to_unit")
CHOICE_LABELS = {
    "mode": Mode,
    "choice": Vote.Choice,
    "stance": Opinion.Stance,
    "stage": Opinion.Stage,
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def event_label(entry) -> str:
    if entry.event == "vote" and entry.payload.get("changed"):
        return _("Vote changed")
    label = EVENT_LABELS.get(entry.event)
    if label is None:
        spec = transitions.get(entry.event)
        label = spec.label if spec else entry.event.replace("_", " ").capitalize()
    return str(label)


def tally_text(tally: dict) -> str:
    text = _("%(for)s for, %(against)s against, %(abstain)s abstaining, of %(eligible)s") % {
        "for": tally.get("for", 0),
        "against": tally.get("against", 0),
        "abstain": tally.get("abstain", 0),
        "eligible": tally.get("eligible", 0),
    }
    passed = _("passed") if tally.get("passed") else _("not passed")
    return f"{text} — {passed}"


def payload_value(key: str, value, unit_names=None) -> str:
    if key in UNIT_KEYS and unit_names and value in unit_names:
        return unit_names[value]
    if key in CHOICE_LABELS and isinstance(value, str):
        try:
            return str(CHOICE_LABELS[key](value).label)
        except ValueError:
            return value
    if key == "tally" and isinstance(value, dict):
        return tally_text(value)
    if key == "opinion" and isinstance(value, dict):
        stance = payload_value("stance", value.get("stance", ""))
        return f"{stance}: {value.get('text', '')}"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return date_format(date.fromisoformat(value), "d/m/Y")
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def payload_items(payload: dict, unit_names=None) -> list[tuple[str, str]]:
    """(label, value) lines of an entry's payload, known keys first, in a stable order."""
    known = [k for k in PAYLOAD_LABELS if k in payload]
    others = sorted(k for k in payload if k not in PAYLOAD_LABELS and k not in HIDDEN_PAYLOAD_KEYS)
    return [
        (
            str(PAYLOAD_LABELS.get(key, key.replace("_", " ").capitalize())),
            payload_value(key, payload[key], unit_names),
        )
        for key in [*known, *others]
    ]


@dataclass(frozen=True)
class TimelineItem:
    entry: object
    label: str
    details: list
    from_label: str
    to_label: str
    head_bears_responsibility: bool


def _unit_names(entries) -> dict:
    """Names of the units the payloads mention by code: one query for the whole timeline."""
    codes = {
        value
        for entry in entries
        for key, value in (entry.payload or {}).items()
        if key in UNIT_KEYS and isinstance(value, str)
    }
    if not codes:
        return {}
    return dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))


def timeline(entries) -> list[TimelineItem]:
    entries = list(entries)
    unit_names = _unit_names(entries)
    return [
        TimelineItem(
            entry=entry,
            label=event_label(entry),
            details=payload_items(entry.payload or {}, unit_names),
            from_label=state_label(entry.from_state),
            to_label=state_label(entry.to_state),
            head_bears_responsibility=bool((entry.payload or {}).get("head_bears_responsibility")),
        )
        for entry in entries
    ]


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
            f"{a.get('name') or a.get('username')} ({a.get('username')})" for a in value
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
