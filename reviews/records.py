"""What the review stage declares to the cross-check registry (ledger/records.py): the
evaluation, the responsibility decision, the abuse cases (referral, explanations, finding), the
recognitions, the organization boards' requests and their decisions, the replication directives
and the adoptions they created, the institutionalisation and the lesson say what their entries
recorded.

Each check compares the facts an entry's payload holds (an older entry without a key is not
compared on it); editing a row, adding one that no entry recorded or deleting one that an entry
recorded is reported at that entry (a row no entry recorded: at the last)."""

from django.utils.translation import pgettext_lazy

from ledger.records import first_of, keyed_mismatch, register, rows_of
from proposals.services import opinion_reference

from .models import (
    CRITERIA,
    AbuseCase,
    AbuseExplanation,
    AbuseReferral,
    Adoption,
    BoardRequest,
    Evaluation,
    EvaluationBallot,
    Institutionalization,
    Lesson,
    Recognition,
    Replication,
    RequestState,
    ResponsibilityComplaint,
    ResponsibilityDecision,
    ResponsibilityExplanation,
)

# What the checks compare, read through ledger.records.rows_of (one proposal, or a chunk at once).
EVALUATION = Evaluation.objects.select_related("opinion", "minutes").order_by("pk")
BALLOTS = EvaluationBallot.objects.only("proposal_id", "voter_id", "choice").order_by("pk")
DECISIONS = ResponsibilityDecision.objects.select_related("author", "supersedes").order_by("pk")
EXPLANATIONS = ResponsibilityExplanation.objects.only("proposal_id", "author_id", "text").order_by(
    "pk"
)
COMPLAINTS = ResponsibilityComplaint.objects.select_related("decision__author").order_by("pk")
ABUSE_CASES = AbuseCase.objects.order_by("pk")
ABUSE_EXPLANATIONS = AbuseExplanation.objects.order_by("pk")
ABUSE_REFERRAL = AbuseReferral.objects.order_by("pk")
RECOGNITIONS = Recognition.objects.select_related("recipient", "unit").order_by("pk")
BOARD_REQUESTS = (
    BoardRequest.objects.select_related("board_unit", "authority_unit", "decided_in")
    .prefetch_related("recipients", "target_units")
    .order_by("pk")
)
REPLICATIONS = (
    Replication.objects.select_related("board_unit")
    .prefetch_related("adoptions__unit", "adoptions__proposal")
    .order_by("created_at", "pk")
)
ADOPTION = Adoption.objects.select_related(
    "replication__source", "replication__board_unit"
).order_by("pk")
INSTITUTIONALIZATION = Institutionalization.objects.select_related("board_unit").order_by("pk")
LESSON = Lesson.objects.only("proposal_id", "lessons", "published_by_id", "published_at").order_by(
    "pk"
)


def _iso(day):
    return day.isoformat() if day is not None else None


def _code(unit):
    return unit.code if unit is not None else None


def _pair(entry, facts: dict) -> tuple[tuple, tuple]:
    """(what the entry recorded, what the row says) on the facts the entry recorded: `actor` is
    the entry's actor, every other fact the payload's key of that name."""
    keys = [key for key in facts if key == "actor" or key in entry.payload]
    recorded = tuple(entry.actor_id if key == "actor" else entry.payload[key] for key in keys)
    return recorded, tuple(facts[key] for key in keys)


def _one(entry, facts: dict | None) -> tuple[dict, dict]:
    """`keyed_mismatch`'s arguments for at most one entry and one row (`facts`: None, no row)."""
    recorded, rows = {}, {}
    if entry is not None:
        expected, now = _pair(entry, facts or {})
        recorded[0] = (entry, expected)
        if facts is not None:
            rows[0] = now
    elif facts is not None:
        rows[0] = facts
    return recorded, rows


def _last_by(entries, event):
    found = [entry for entry in entries if entry.event == event]
    return found[-1] if found else None


# --- evaluation and responsibility -----------------------------------------------------------


def evaluation_matches(proposal, entries):
    """The evaluation is the last `evaluate` entry: who, the outcome, the causes, the meeting's
    date, the Party committee's opinion it followed, the due date; since the collective evaluation
    (Art. 18) also the collective's tally, the head's override and written reasons, and the
    minutes' file (its SHA-256)."""
    row = first_of(proposal, EVALUATION)
    facts = None
    if row is not None:
        minutes = getattr(row, "minutes", None)
        facts = {
            "actor": row.evaluated_by_id,
            "outcome": row.outcome,
            "causes_objective": row.causes_objective,
            "causes_subjective": row.causes_subjective,
            "meeting_date": _iso(row.meeting_date),
            "opinion": {
                "stance": row.opinion.stance,
                "text": row.opinion.text,
                **opinion_reference(row.opinion),
            },
            "due": _iso(row.due),
            "tally": row.tally,
            "head_bears_responsibility": row.head_override,
            "override_reason": row.override_reason,
            "minutes": (
                {"name": minutes.original_name, "sha256": minutes.sha256} if minutes else None
            ),
        }
    return keyed_mismatch(*_one(_last_by(entries, "evaluate"), facts), entries)


def evaluation_ballots_match(proposal, entries):
    """Each member's ballot on the outcome is the choice of their last `evaluation_vote` entry."""
    recorded = {
        entry.actor_id: (entry, entry.payload.get("choice"))
        for entry in entries
        if entry.event == "evaluation_vote"
    }
    rows = {row.voter_id: row.choice for row in rows_of(proposal, BALLOTS)}
    return keyed_mismatch(recorded, rows, entries)


def _responsibility_facts(row) -> dict:
    return {
        "actor": row.decided_by_id,
        "decision": row.decision,
        "criteria": {name: getattr(row, name) for name in CRITERIA},
        "damage": row.damage,
        "damage_amount": str(row.damage_amount) if row.damage_amount is not None else None,
        "reasons": row.reasons,
        "due": _iso(row.due),
    }


def _concerns(row):
    """Whom a responsibility decision concerns: one author (a per-author decision) or all (None)."""
    author = getattr(row, "author", None)
    return author.get_username() if author is not None else None


# The entries of a founded complaint that carry the revised decision (`decision` in the payload).
REVISIONS = ("revise_responsibility", "responsibility_complaint_resolution")


def _revision_depth(row, by_pk) -> int:
    """How many revisions lie between `row` and the author's first decision (0: the first)."""
    depth = 0
    while row.supersedes_id in by_pk and depth < len(by_pk):
        row = by_pk[row.supersedes_id]
        depth += 1
    return depth


def responsibility_matches(proposal, entries):
    """Each author's first responsibility decision is the last `decide_responsibility` or
    `responsibility_decision` (one author while others wait for theirs) entry for the same author
    (`author` in the payload), or for all authors: who decided, the decision, the four criteria,
    the damage and its amount, the reasons, the due date. Each revision of it (a founded
    complaint) is, in order, the author's next entry carrying a revised decision: the same facts
    and the decision it supersedes."""
    decisions = rows_of(proposal, DECISIONS)
    by_pk = {row.pk: row for row in decisions}
    rows = {}
    for row in decisions:
        facts = _responsibility_facts(row)
        facts["previous_decision"] = row.supersedes.decision if row.supersedes_id else None
        rows[(_concerns(row), _revision_depth(row, by_pk))] = facts
    last, revisions = {}, {}
    for entry in entries:
        author = entry.payload.get("author")
        if entry.event in ("decide_responsibility", "responsibility_decision"):
            last[(author, 0)] = entry
        elif entry.event in REVISIONS and entry.payload.get("decision"):
            revisions[author] = revisions.get(author, 0) + 1
            last[(author, revisions[author])] = entry
    recorded, now = {}, {}
    for key, entry in last.items():
        expected, current = _pair(entry, rows.get(key, {}))
        recorded[key] = (entry, expected)
        if key in rows:
            now[key] = current
    for key, facts in rows.items():
        now.setdefault(key, facts)
    return keyed_mismatch(recorded, now, entries)


def responsibility_explanations_match(proposal, entries):
    """Each author's explanation before the decision on them is their `responsibility_explanation`
    entry's text."""
    recorded = {
        entry.actor_id: (entry, entry.payload.get("text"))
        for entry in entries
        if entry.event == "responsibility_explanation"
    }
    rows = {row.author_id: row.text for row in rows_of(proposal, EXPLANATIONS)}
    return keyed_mismatch(recorded, rows, entries)


def responsibility_complaints_match(proposal, entries):
    """Each author's complaint against the decision on them is their `responsibility_complaint`
    entry's text, and once resolved the `responsibility_complaint_resolution` entry naming them:
    the resolution, its reasons, who resolved it (`revise_responsibility` when it revised the
    decision once every author was decided); a complex case's extension of the time to resolve
    it is the `responsibility_complaint_extension` entry naming them (its reasons, by whom)."""
    recorded = {}
    for entry in entries:
        p = entry.payload
        if entry.event == "responsibility_complaint":
            recorded[(entry.actor_id, "filed")] = (entry, p.get("text"))
        elif entry.event == "responsibility_complaint_extension":
            recorded[(p.get("author"), "extended")] = (entry, (p.get("reason"), entry.actor_id))
        elif entry.event in REVISIONS:
            recorded[(p.get("author"), "resolved")] = (
                entry,
                (p.get("resolution"), p.get("text"), entry.actor_id),
            )
    rows = {}
    for row in rows_of(proposal, COMPLAINTS, "decision__proposal_id"):
        author = row.decision.author
        rows[(author.pk if author else None, "filed")] = row.text
        if row.extended_at or row.extended_by_id or row.extension_reason:
            rows[(author.get_username() if author else None, "extended")] = (
                row.extension_reason,
                row.extended_by_id,
            )
        if row.resolution:
            rows[(author.get_username() if author else None, "resolved")] = (
                row.resolution,
                row.resolution_text,
                row.resolved_by_id,
            )
    return keyed_mismatch(recorded, rows, entries)


# --- abuse ------------------------------------------------------------------------------------


def abuse_cases_match(proposal, entries):
    """Each abuse case is its `refer_abuse` entry (who referred it, from which state, the grounds,
    the evidence, the explanations' due date), each author's explanation its `abuse_explanation`
    entry, its finding the `conclude_abuse` entry; a founded finding's referral (the protection
    revoked) is the case's."""
    recorded = {}
    referred = {}
    for entry in entries:
        p = entry.payload
        case = p.get("case")
        if entry.event == "refer_abuse":
            referred[case] = entry
            recorded[(case, "referred")] = (
                entry,
                (
                    entry.actor_id,
                    entry.from_state,
                    p.get("grounds", ""),
                    p.get("evidence"),
                    p.get("explanation_due"),
                ),
            )
        elif entry.event == "abuse_explanation":
            recorded[(case, "explained", entry.actor_id)] = (entry, p.get("text"))
        elif entry.event == "conclude_abuse":
            recorded[(case, "concluded")] = (
                entry,
                (entry.actor_id, p.get("finding"), p.get("conclusion")),
            )
            if p.get("finding") == AbuseCase.Finding.FOUNDED:
                referral = referred.get(case)
                recorded["referral"] = (
                    entry,
                    (
                        case,
                        referral.payload.get("evidence") if referral else None,
                        referral.from_state if referral else None,
                        referral.actor_id if referral else None,
                    ),
                )
    rows = {}
    for case in rows_of(proposal, ABUSE_CASES):
        rows[(case.pk, "referred")] = (
            case.referred_by_id,
            case.from_state,
            case.grounds,
            case.evidence,
            _iso(case.explanation_due),
        )
        if case.finding:
            rows[(case.pk, "concluded")] = (case.concluded_by_id, case.finding, case.conclusion)
    for explanation in rows_of(proposal, ABUSE_EXPLANATIONS, "case__proposal_id"):
        rows[(explanation.case_id, "explained", explanation.author_id)] = explanation.text
    referral = first_of(proposal, ABUSE_REFERRAL)
    if referral is not None:
        rows["referral"] = (
            referral.case_id,
            referral.evidence,
            referral.from_state,
            referral.referred_by_id,
        )
    return keyed_mismatch(recorded, rows, entries)


# --- recognition, requests, replication, institutionalisation ---------------------------------


def recognitions_match(proposal, entries):
    """Each recognised author is named by a `recognition` entry: the form of recognition, the
    note, the granting unit, who granted it, and the board's request it was granted on."""
    recorded = {}
    for entry in entries:
        if entry.event == "recognition":
            p = entry.payload
            for username in p.get("recipients") or ():
                recorded[(username, p.get("kind"))] = (
                    entry,
                    (p.get("note", ""), p.get("unit"), entry.actor_id, p.get("request")),
                )
    rows = {
        (row.recipient.get_username(), row.kind): (
            row.note,
            row.unit.code,
            row.granted_by_id,
            row.request_id,
        )
        for row in rows_of(proposal, RECOGNITIONS)
    }
    return keyed_mismatch(recorded, rows, entries)


CLOSING = {
    "recognition_refuse": RequestState.REFUSED,
    "replication_refuse": RequestState.REFUSED,
    "recognition_withdraw": RequestState.WITHDRAWN,
    "replication_withdraw": RequestState.WITHDRAWN,
    # An approval is the grant itself (or the directive), naming the request.
    "recognition": RequestState.APPROVED,
    "replicate": RequestState.APPROVED,
}


def board_requests_match(proposal, entries):
    """Each request of an organization board is its `…_propose` entry (the kind, the board, the
    authority it is addressed to, who proposed it, the grounds, the form of recognition and the
    cadres, or the units), and once closed the entry that closed it (refused, withdrawn, or
    approved by the grant or the directive): the state, who decided, in what capacity and unit,
    the reason."""
    recorded = {}
    for entry in entries:
        p = entry.payload
        request = p.get("request")
        if entry.event in ("recognition_propose", "replication_propose"):
            recorded[(request, "proposed")] = (
                entry,
                (
                    entry.event.removesuffix("_propose"),
                    p.get("board_unit"),
                    p.get("authority_unit"),
                    entry.actor_id,
                    p.get("grounds"),
                    p.get("kind", ""),
                    sorted(p.get("recipients") or ()),
                    sorted(p.get("targets") or ()),
                ),
            )
        elif entry.event in CLOSING and request is not None:
            state = CLOSING[entry.event]
            decided = state != RequestState.WITHDRAWN
            recorded[(request, "closed")] = (
                entry,
                (
                    state,
                    entry.actor_id if decided else None,
                    p.get("decided_as", ""),
                    p.get("decided_in"),
                    p.get("reason", ""),
                ),
            )
    rows = {}
    for row in rows_of(proposal, BOARD_REQUESTS):
        rows[(row.pk, "proposed")] = (
            row.kind,
            _code(row.board_unit),
            _code(row.authority_unit),
            row.proposed_by_id,
            row.grounds,
            row.recognition_kind,
            sorted(user.get_username() for user in row.recipients.all()),
            sorted(unit.code for unit in row.target_units.all()),
        )
        if row.state != RequestState.PENDING:
            rows[(row.pk, "closed")] = (
                row.state,
                row.decided_by_id,
                row.decided_as,
                _code(row.decided_in),
                row.reason,
            )
    return keyed_mismatch(recorded, rows, entries)


def replications_match(proposal, entries):
    """The replication directives of a model, in order, are its `replicate` entries: who directed,
    the organization board, and each target unit with the proposal adopted there."""
    recorded = {
        number: (
            entry,
            (
                entry.actor_id,
                entry.payload.get("board_unit"),
                sorted(
                    (t.get("unit"), t.get("proposal")) for t in entry.payload.get("targets", ())
                ),
            ),
        )
        for number, entry in enumerate(e for e in entries if e.event == "replicate")
    }
    directives = rows_of(proposal, REPLICATIONS, "source_id")
    rows = {
        number: (
            row.directed_by_id,
            row.board_unit.code,
            sorted((a.unit.code, a.proposal.code) for a in row.adoptions.all()),
        )
        for number, row in enumerate(directives)
    }
    return keyed_mismatch(recorded, rows, entries)


def adoption_matches(proposal, entries):
    """A proposal adopted by a replication directive is its `adopt` entry: the model it copies
    (also its `origin`), the organization board and who directed it."""
    recorded = {}
    entry = _last_by(entries, "adopt")
    if entry is not None:
        origin = entry.payload.get("origin")
        recorded["adoption"] = (
            entry,
            (origin, origin, entry.payload.get("board_unit"), entry.actor_id),
        )
    rows = {}
    row = first_of(proposal, ADOPTION)
    if row is not None:
        origin = proposal.origin.code if proposal.origin_id else None
        rows["adoption"] = (
            row.replication.source.code,
            origin,
            row.replication.board_unit.code,
            row.replication.directed_by_id,
        )
    return keyed_mismatch(recorded, rows, entries)


def institutionalization_matches(proposal, entries):
    """The regulation proposed is the last `institutionalize` entry: who, the title, the issuing
    level, the organization board."""
    row = first_of(proposal, INSTITUTIONALIZATION)
    facts = None
    if row is not None:
        facts = {
            "actor": row.proposed_by_id,
            "title": row.title,
            "issuing_level": row.issuing_level,
            "board_unit": row.board_unit.code,
        }
    return keyed_mismatch(*_one(_last_by(entries, "institutionalize"), facts), entries)


def lesson_matches(proposal, entries):
    """The lesson's text is the last `lesson_publish` entry's, published by its actor, and the
    proposal is in the library exactly when the last `lesson_publish` or `lesson_unpublish` entry
    says so, with the lesson's copy of the publication date equal to the proposal's."""
    recorded, rows = {}, {}
    published = _last_by(entries, "lesson_publish")
    if published is not None:
        recorded["lesson"] = (published, (published.payload.get("lessons"), published.actor_id))
    toggles = [e for e in entries if e.event in ("lesson_publish", "lesson_unpublish")]
    if toggles:
        recorded["published"] = (toggles[-1], toggles[-1].event == "lesson_publish")
    row = first_of(proposal, LESSON)
    if row is not None:
        rows["lesson"] = (row.lessons, row.published_by_id)
    if toggles or proposal.published_at is not None:
        rows["published"] = proposal.published_at is not None
    if row is not None and row.published_at != proposal.published_at:
        # The library's copy of the date (what it finds and orders by) moved on its own.
        rows["published"] = _COPY_DIFFERS
    return keyed_mismatch(recorded, rows, entries)


_COPY_DIFFERS = object()


register(
    "evaluation",
    evaluation_matches,
    label=pgettext_lazy("record kind", "Evaluation of the results"),
)
register(
    "evaluation_ballots",
    evaluation_ballots_match,
    label=pgettext_lazy("record kind", "Vote on the evaluation"),
)
register(
    "responsibility_decisions",
    responsibility_matches,
    label=pgettext_lazy("record kind", "Decision on responsibility"),
)
register(
    "responsibility_explanations",
    responsibility_explanations_match,
    label=pgettext_lazy("record kind", "Explanation before the decision on responsibility"),
)
register(
    "responsibility_complaints",
    responsibility_complaints_match,
    label=pgettext_lazy("record kind", "Complaint against a decision on responsibility"),
)
register(
    "abuse_cases",
    abuse_cases_match,
    label=pgettext_lazy("record kind", "Case of suspected abuse of the policy"),
)
register("recognitions", recognitions_match, label=pgettext_lazy("record kind", "Recognition"))
register(
    "board_requests",
    board_requests_match,
    label=pgettext_lazy("record kind", "Request of the organization board"),
)
register(
    "replications", replications_match, label=pgettext_lazy("record kind", "Replication directive")
)
register(
    "adoption",
    adoption_matches,
    label=pgettext_lazy("record kind", "Adoption by a replication directive"),
)
register(
    "institutionalisation",
    institutionalization_matches,
    label=pgettext_lazy("record kind", "Proposal to institutionalise the model"),
)
register("lesson", lesson_matches, label=pgettext_lazy("record kind", "Published lesson"))
