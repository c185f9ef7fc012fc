"""Labels of the ledger events the proposals app writes, and how their payloads read
(ledger/events.py). Imported from ProposalsConfig.ready()."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger.events import (
    Choice,
    Custom,
    Day,
    EventSpec,
    Hidden,
    Text,
    UnitRef,
    YesNo,
    register,
)

from .models import Mode, Opinion, Proposal, Vote


def tally_text(tally, names=None) -> str:
    if not isinstance(tally, dict):
        return "—"
    text = _("%(for)s for, %(against)s against, %(abstain)s abstaining, of %(eligible)s") % {
        "for": tally.get("for", 0),
        "against": tally.get("against", 0),
        "abstain": tally.get("abstain", 0),
        "eligible": tally.get("eligible", 0),
    }
    passed = _("passed") if tally.get("passed") else _("not passed")
    return f"{text} — {passed}"


def opinion_text(opinion, names=None) -> str:
    """A Party committee opinion quoted in a decision: its stance, then its text."""
    if not isinstance(opinion, dict):
        return "—"
    stance = ""
    if opinion.get("stance"):
        try:
            stance = str(Opinion.Stance(opinion["stance"]).label)
        except ValueError:
            stance = str(opinion["stance"])
    parts = [stance, opinion.get("text") or "", reference_text(opinion)]
    return "\n".join(part for part in parts if part) or "—"


def reference_text(opinion: dict) -> str:
    """“Document 12-KL/ĐU of 3 March 2026, signed by Nguyễn Văn A, Secretary”, or ""."""
    parts = []
    if opinion.get("document_number"):
        document = _("Document %(number)s") % {"number": opinion["document_number"]}
        if opinion.get("document_date"):
            document = _("Document %(number)s of %(date)s") % {
                "number": opinion["document_number"],
                "date": Day().render(opinion["document_date"], None),
            }
        parts.append(document)
    if opinion.get("signer_name"):
        parts.append(
            _("signed by %(name)s, %(title)s")
            % {"name": opinion["signer_name"], "title": opinion.get("signer_title") or "—"}
        )
    return ", ".join(parts)


def conditions_text(conditions, names=None) -> str:
    """The collective's assessment of each Art. 5(1) condition, one per line."""
    if not isinstance(conditions, dict):
        return "—"
    lines = []
    for name, value in conditions.items():
        try:
            label = str(Proposal._meta.get_field(name).verbose_name).capitalize()
        except Exception:
            label = name
        verdict = _("met") if value == "met" else _("not met")
        lines.append(f"{label}: {verdict}")
    return "\n".join(lines) or "—"


Tally = Custom(gettext_lazy("Vote of the leadership collective"), fn=tally_text)
QuotedOpinion = Custom(gettext_lazy("Opinion of the Party committee"), fn=opinion_text)

register(
    EventSpec(
        "submit",
        gettext_lazy("Submitted to the head of the unit"),
        {
            "version": Text(gettext_lazy("Version")),
            "deciding_unit": UnitRef(gettext_lazy("Deciding unit")),
            "decision_due": Day(gettext_lazy("Decision due")),
        },
    )
)
register(
    EventSpec(
        "withdraw",
        gettext_lazy("Withdrawn by the authors"),
        {"reason": Text(gettext_lazy("Reason"))},
    )
)
register(EventSpec("open_review", gettext_lazy("Review opened")))
register(
    EventSpec(
        "return_for_revision",
        gettext_lazy("Returned for revision"),
        {"comment": Text(gettext_lazy("What should be revised"))},
    )
)
register(
    EventSpec(
        "escalate",
        gettext_lazy("Sent to the superior unit"),
        {
            "reason": Text(gettext_lazy("Reason")),
            "from_unit": UnitRef(gettext_lazy("From unit")),
            "to_unit": UnitRef(gettext_lazy("To unit")),
            "decision_due": Day(gettext_lazy("Decision due")),
        },
    )
)
register(
    EventSpec(
        "approve",
        gettext_lazy("Approved"),
        {
            "mode": Choice(gettext_lazy("Approved for"), choices=Mode),
            "tally": Tally,
            "opinion": QuotedOpinion,
            "conditions": Custom(
                gettext_lazy("Assessment of the four conditions (Art. 5(1))"), fn=conditions_text
            ),
            "against_opinion": YesNo(
                gettext_lazy("Approved although the Party committee disagreed")
            ),
            # One mechanism for both: the vote did not pass, or the Party committee disagreed.
            "override_reason": Text(gettext_lazy("The head's written reasons for approving")),
            # Shown as the warning "the head bears personal responsibility".
            "head_bears_responsibility": Hidden(),
        },
    )
)
register(
    EventSpec(
        "reject",
        gettext_lazy("Not approved"),
        {"reasons": Text(gettext_lazy("Reasons")), "tally": Tally},
    )
)
register(
    EventSpec(
        "vote",
        gettext_lazy("Vote cast"),
        {
            "choice": Choice(gettext_lazy("Vote"), choices=Vote.Choice),
            "changed": Hidden(),
            "round": Hidden(),
        },
        label_for=lambda payload: gettext_lazy("Vote changed") if payload.get("changed") else None,
    )
)
register(
    EventSpec(
        "opinion",
        gettext_lazy("Party committee opinion recorded"),
        {
            "stage": Choice(gettext_lazy("Stage"), choices=Opinion.Stage),
            "stance": Choice(gettext_lazy("Stance"), choices=Opinion.Stance),
            "text": Text(gettext_lazy("Text of the opinion")),
            "document_number": Text(gettext_lazy("Party committee document number")),
            "document_date": Day(gettext_lazy("Date of the document")),
            "signer_name": Text(gettext_lazy("Signed by")),
            "signer_title": Text(gettext_lazy("Title of the signer")),
        },
    )
)
