"""Labels of the ledger events of the review stage, and how their payloads read
(ledger/events.py). Imported from ReviewsConfig.ready()."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger.events import (
    Choice,
    Custom,
    Day,
    EventSpec,
    Hidden,
    Money,
    Number,
    Text,
    UnitRef,
    UserRef,
    YesNo,
    choice_label,
    register,
)
from proposals.events import QuotedOpinion, tally_text
from proposals.models import Mode

from .models import (
    CRITERIA,
    AbuseCase,
    AuthorityRole,
    BallotChoice,
    Decision,
    IssuingLevel,
    Outcome,
    RecognitionKind,
    ResponsibilityComplaint,
)

CRITERIA_LABELS = {
    "followed_approved_plan": gettext_lazy("Followed the approved plan"),
    "pure_motive": gettext_lazy("Acted with a pure motive"),
    "common_interest": gettext_lazy("For the common interest"),
    "no_personal_gain": gettext_lazy("No personal gain"),
}


def criteria_text(criteria, names=None) -> str:
    """The four criteria of Decree 73, one per line: "label: Yes/No"."""
    if not isinstance(criteria, dict):
        return "—"
    return "\n".join(
        f"{CRITERIA_LABELS[name]}: {_('Yes') if criteria.get(name) else _('No')}"
        for name in CRITERIA
        if name in criteria
    )


def minutes_text(minutes, names) -> str:
    """The minutes' file name and its SHA-256, which the stored file must still match."""
    if not isinstance(minutes, dict):
        return "—"
    return f"{minutes.get('name', '')} (SHA-256 {minutes.get('sha256', '')})"


def targets_text(targets, names) -> str:
    """The units that adopt the model, with the code of the proposal created in each."""
    if not isinstance(targets, list) or not targets:
        return "—"
    return "\n".join(
        f"{names.units.get(t.get('unit'), t.get('unit', ''))} ({t.get('proposal', '')})"
        for t in targets
        if isinstance(t, dict)
    )


def target_units(targets):
    return [("unit", t.get("unit")) for t in targets or [] if isinstance(t, dict)]


DIRECTIVE = {"replication_directive": gettext_lazy("The replication directive")}

# The board's request to the competent authority, and the authority's decision on it
# (board_requests.py): keys shared by every event of a request.
REQUEST_FIELDS = {
    "request": Number(gettext_lazy("Request number")),
    "board_unit": UnitRef(gettext_lazy("Proposed by the organization board of")),
    "authority_unit": UnitRef(gettext_lazy("Addressed to the head of")),
}
DECIDED_FIELDS = {
    "decided_as": Choice(gettext_lazy("Decided as"), choices=AuthorityRole),
    "decided_in": UnitRef(gettext_lazy("Competent authority of")),
}

register(
    EventSpec(
        "evaluate",
        gettext_lazy("Results evaluated"),
        {
            "outcome": Choice(gettext_lazy("Outcome"), choices=Outcome),
            "meeting_date": Day(gettext_lazy("Date of the evaluation meeting")),
            "causes_objective": Text(gettext_lazy("Objective causes")),
            "causes_subjective": Text(gettext_lazy("Subjective causes")),
            "opinion": QuotedOpinion,
            "due": Day(gettext_lazy("Evaluation due")),
            "tally": Custom(
                gettext_lazy("Vote of the leadership collective on this outcome"), fn=tally_text
            ),
            "minutes": Custom(gettext_lazy("Minutes of the evaluation meeting"), fn=minutes_text),
            "against_opinion": YesNo(
                gettext_lazy("Evaluated although the Party committee disagreed")
            ),
            # One mechanism for both: the vote did not carry the outcome, or the Party committee
            # disagreed.
            "override_reason": Text(gettext_lazy("The head's written reasons for the evaluation")),
            # Shown as the warning "the head bears personal responsibility".
            "head_bears_responsibility": Hidden(),
        },
    )
)


def outcomes_text(outcomes, names) -> str:
    """Each author's decision, one per line: "name: decision"."""
    if not isinstance(outcomes, dict) or not outcomes:
        return "—"
    return "\n".join(
        f"{names.users.get(user, user)}: {choice_label(Decision, decision)}"
        for user, decision in outcomes.items()
    )


RESPONSIBILITY_ITEMS = {
    "author": UserRef(gettext_lazy("Author concerned")),
    "decision": Choice(gettext_lazy("Decision"), choices=Decision),
    "criteria": Custom(gettext_lazy("Criteria (Decree 73, Art. 5(2))"), fn=criteria_text),
    "damage": YesNo(gettext_lazy("Caused damage")),
    "damage_amount": Money(gettext_lazy("Damage")),
    "reasons": Text(gettext_lazy("Reasons")),
    "evaluation_outcome": Choice(gettext_lazy("Outcome of the evaluation"), choices=Outcome),
    "due": Day(gettext_lazy("Responsibility decision due")),
}
register(
    EventSpec(
        "evaluation_vote",
        gettext_lazy("Ballot cast on the outcome of the evaluation"),
        {
            "choice": Choice(gettext_lazy("Ballot"), choices=BallotChoice),
            "changed": Hidden(),
        },
        label_for=lambda payload: (
            gettext_lazy("Ballot on the outcome changed") if payload.get("changed") else None
        ),
    )
)
register(
    EventSpec(
        "decide_responsibility",
        gettext_lazy("Responsibility decided"),
        {
            **RESPONSIBILITY_ITEMS,
            "outcomes": Custom(
                gettext_lazy("Decision on each author"),
                fn=outcomes_text,
                refs=lambda value: [("user", u) for u in value] if isinstance(value, dict) else [],
            ),
        },
    )
)
register(
    EventSpec(
        "responsibility_decision",
        gettext_lazy("Responsibility decided for one author"),
        RESPONSIBILITY_ITEMS,
    )
)
register(
    EventSpec(
        "responsibility_explanation",
        gettext_lazy("An author explained before the responsibility decision"),
        {"text": Text(gettext_lazy("Explanation"))},
    )
)
register(
    EventSpec(
        "responsibility_complaint",
        gettext_lazy("An author complained against the decision on their responsibility"),
        {
            "decision": Choice(gettext_lazy("Decision complained of"), choices=Decision),
            "text": Text(gettext_lazy("Complaint")),
        },
    )
)
# A complaint founded or partly founded carries the revised decision on the author; once every
# author is decided that is the `revise_responsibility` transition (Law on Complaints, Art. 31).
RESOLUTION_ITEMS = {
    "author": UserRef(gettext_lazy("Author concerned")),
    "resolution": Choice(gettext_lazy("Resolution"), choices=ResponsibilityComplaint.Resolution),
    "text": Text(gettext_lazy("Reasons of the resolution")),
    "previous_decision": Choice(gettext_lazy("Decision complained of"), choices=Decision),
    "decision": Choice(gettext_lazy("Revised decision"), choices=Decision),
    "criteria": Custom(gettext_lazy("Criteria (Decree 73, Art. 5(2))"), fn=criteria_text),
    "damage": YesNo(gettext_lazy("Caused damage")),
    "damage_amount": Money(gettext_lazy("Damage")),
    "reasons": Text(gettext_lazy("Reasons of the revised decision")),
}
# A complex case: 45 days from the filing instead of 30 (Law on Complaints, Art. 28).
register(
    EventSpec(
        "responsibility_complaint_extension",
        gettext_lazy("Time to resolve a complaint extended (complex case)"),
        {
            "author": UserRef(gettext_lazy("Author concerned")),
            "reason": Text(gettext_lazy("Why the case is complex")),
            "resolution_due": Day(gettext_lazy("To be resolved by")),
        },
    )
)
register(
    EventSpec(
        "responsibility_complaint_resolution",
        gettext_lazy("Complaint resolved"),
        RESOLUTION_ITEMS,
    )
)
register(
    EventSpec(
        "revise_responsibility",
        gettext_lazy("Complaint founded: the decision on responsibility revised"),
        {
            **RESOLUTION_ITEMS,
            "outcomes": Custom(
                gettext_lazy("Decision on each author"),
                fn=outcomes_text,
                refs=lambda value: [("user", u) for u in value] if isinstance(value, dict) else [],
            ),
        },
    )
)
register(
    EventSpec(
        "refer_abuse",
        gettext_lazy("Abuse case opened: referred for suspected abuse of the policy"),
        {
            "case": Hidden(gettext_lazy("Abuse case")),
            "grounds": Text(gettext_lazy("Grounds")),
            "evidence": Text(gettext_lazy("Evidence of abuse")),
            "explanation_due": Day(gettext_lazy("Authors may explain until")),
        },
    )
)
register(
    EventSpec(
        "abuse_explanation",
        gettext_lazy("An author explained in the abuse case"),
        {
            "case": Hidden(gettext_lazy("Abuse case")),
            "text": Text(gettext_lazy("Explanation")),
        },
    )
)
register(
    EventSpec(
        "conclude_abuse",
        gettext_lazy("Finding on the abuse case"),
        {
            "case": Hidden(gettext_lazy("Abuse case")),
            "finding": Choice(gettext_lazy("Finding"), choices=AbuseCase.Finding),
            "conclusion": Text(gettext_lazy("Conclusion")),
        },
        label_for=lambda payload: {
            "founded": gettext_lazy("Abuse found: protection revoked"),
            "unfounded": gettext_lazy("No abuse found: protection stands"),
        }.get(payload.get("finding")),
    )
)
register(
    EventSpec(
        "replicate",
        gettext_lazy("Replicated in other units"),
        {
            "targets": Custom(
                gettext_lazy("Units that adopt the model"), fn=targets_text, refs=target_units
            ),
            **REQUEST_FIELDS,
            **DECIDED_FIELDS,
            "reason": Text(gettext_lazy("Note of the competent authority")),
        },
    )
)
register(
    EventSpec(
        "adopt",
        gettext_lazy("Created by a replication directive"),
        {
            "origin": Text(gettext_lazy("Replicated from")),
            "board_unit": UnitRef(gettext_lazy("Proposed by the organization board of")),
            "decided_by": Choice(gettext_lazy("Decided by"), choices=DIRECTIVE),
            "mode": Choice(gettext_lazy("Approved for"), choices=Mode),
        },
    )
)
register(
    EventSpec(
        "institutionalize",
        gettext_lazy("Proposed for institutionalisation"),
        {
            "title": Text(gettext_lazy("Regulation proposed")),
            "issuing_level": Choice(gettext_lazy("Issuing level"), choices=IssuingLevel),
            "board_unit": UnitRef(gettext_lazy("Proposed by the organization board of")),
        },
    )
)
register(
    EventSpec(
        "recognition",
        gettext_lazy("Recognition"),
        {
            "kind": Choice(gettext_lazy("Form of recognition"), choices=RecognitionKind),
            "recipients": UserRef(gettext_lazy("Recognised")),
            "note": Text(gettext_lazy("Note")),
            "unit": UnitRef(gettext_lazy("Granted by")),
            **REQUEST_FIELDS,
            **DECIDED_FIELDS,
            "reason": Text(gettext_lazy("Note of the competent authority")),
        },
    )
)
register(
    EventSpec(
        "recognition_propose",
        gettext_lazy("Recognition proposed to the competent authority"),
        {
            **REQUEST_FIELDS,
            "kind": Choice(gettext_lazy("Form of recognition"), choices=RecognitionKind),
            "recipients": UserRef(gettext_lazy("Cadres proposed")),
            "grounds": Text(gettext_lazy("Grounds")),
        },
    )
)
register(
    EventSpec(
        "recognition_refuse",
        gettext_lazy("Recognition refused by the competent authority"),
        {**REQUEST_FIELDS, **DECIDED_FIELDS, "reason": Text(gettext_lazy("Reasons"))},
    )
)
register(
    EventSpec(
        "recognition_withdraw",
        gettext_lazy("Recognition request withdrawn"),
        {**REQUEST_FIELDS, "reason": Text(gettext_lazy("Reason"))},
    )
)
register(
    EventSpec(
        "replication_propose",
        gettext_lazy("Replication proposed to the competent authority"),
        {
            **REQUEST_FIELDS,
            "targets": UnitRef(gettext_lazy("Units proposed")),
            "grounds": Text(gettext_lazy("Grounds")),
        },
    )
)
register(
    EventSpec(
        "replication_refuse",
        gettext_lazy("Replication refused by the competent authority"),
        {**REQUEST_FIELDS, **DECIDED_FIELDS, "reason": Text(gettext_lazy("Reasons"))},
    )
)
register(
    EventSpec(
        "replication_withdraw",
        gettext_lazy("Replication request withdrawn"),
        {**REQUEST_FIELDS, "reason": Text(gettext_lazy("Reason"))},
    )
)
register(
    EventSpec(
        "lesson_publish",
        gettext_lazy("Published to the lessons library"),
        {"lessons": Text(gettext_lazy("Lessons learned"))},
    )
)
register(EventSpec("lesson_unpublish", gettext_lazy("Removed from the lessons library")))
