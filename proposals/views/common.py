"""What the proposal views share: loading a proposal the user may see, and the status page's
context (also rendered again, with a bound form, when a vote, an opinion or an action fails)."""

from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger.selectors import ledger_latest
from units.models import Role
from units.selectors import members_with_role

from .. import permissions as perms
from .. import transitions
from ..forms import CRITERIA, PLAN, AttachmentForm, OpinionForm, VoteForm
from ..models import (
    CRITERIA_FIELDS,
    DECISION_STATES,
    PLAN_FIELDS,
    Opinion,
    Proposal,
    ProposalAuthor,
    State,
)
from ..selectors import approval_entry, is_overdue, page_reads, regulation_flag
from . import presenters

S = State


def proposal_queryset():
    return Proposal.objects.select_related("home_unit", "deciding_unit").prefetch_related(
        Prefetch(
            "authorships",
            queryset=ProposalAuthor.objects.select_related("user").order_by(
                "-is_creator", "added_at"
            ),
        ),
        "attachments",
    )


def load_proposal(user, pk) -> Proposal:
    """The proposal with its authors and attachments, or 404 when the user may not see it."""
    return perms.access_proposal(user, pk, queryset=proposal_queryset())


def opinion_stage(proposal) -> str:
    return Opinion.Stage.EVALUATION if proposal.state == S.EVALUATING else Opinion.Stage.DECISION


# Whose move it is, by state: the authors, the head of the deciding unit or of the home unit.
AUTHORS_ACT = (S.DRAFT, S.RETURNED, S.ENDED)
DECIDING_HEAD_ACTS = (*DECISION_STATES, S.EVALUATING, S.RESPONSIBILITY_REVIEW)
HOME_HEAD_ACTS = (S.APPROVED, S.IN_PROGRESS, S.SUSPENDED)


def _who_acts(proposal, leaders) -> list:
    """The people whose move it is now."""
    if proposal.state in AUTHORS_ACT:
        return [a.user for a in proposal.authorships.all()]
    if proposal.state in DECIDING_HEAD_ACTS and proposal.deciding_unit_id:
        return [m.user for m in leaders if m.role == Role.HEAD]
    if proposal.state in HOME_HEAD_ACTS:
        return [m.user for m in members_with_role(proposal.home_unit, [Role.HEAD])]
    return []


def _your_tasks(user, proposal, *, tally, opinion, actions, who_acts) -> list[str]:
    tasks = []
    if perms.can_vote(user, proposal) and user.pk not in {v.voter_id for v in tally.votes}:
        tasks.append(_("Cast your vote below."))
    if perms.can_record_opinion(user, proposal, opinion_stage(proposal)) and opinion is None:
        tasks.append(_("Record the Party committee's opinion below."))
    if perms.can_edit(user, proposal):
        tasks.append(_("Complete or revise the dossier, then submit it."))
    if actions and not tasks and user in who_acts:
        tasks.append(_("Choose one of the actions below."))
    return tasks


TIMELINE_PAGE = 20
TIMELINE_STEP = 50


def _timeline_length(request) -> int:
    """How many of the latest ledger entries the page shows (`?ledger=`, "Xem thêm" adds more)."""
    try:
        return min(max(int(request.GET.get("ledger", TIMELINE_PAGE)), 1), 100_000)
    except ValueError:
        return TIMELINE_PAGE


def detail_context(request, proposal, **overrides) -> dict:
    user = request.user
    shown = _timeline_length(request)
    hidden = perms.hidden_events(user, proposal)  # votes are secret outside the collective
    entries, earlier = ledger_latest(proposal, shown, hidden_events=hidden)
    stage = opinion_stage(proposal)
    leaders = (
        list(
            members_with_role(proposal.deciding_unit, [Role.HEAD, Role.DEPUTY]).order_by(
                "role", "user__full_name"
            )
        )
        if proposal.deciding_unit_id
        else []
    )
    opinions = list(proposal.opinions.select_related("author", "unit").order_by("-created_at"))
    # Read once here; the buttons' prerequisites below ask for the same tally and opinion.
    reads = page_reads(proposal, leaders=leaders, opinions=opinions)
    tally = reads.tally
    sees_votes = perms.sees_votes(user, proposal)
    votes_by_voter = {v.voter_id: v for v in tally.votes}
    opinion = reads.opinions[stage] if proposal.decision_round else None
    actions = transitions.available(user, proposal)
    can_vote = perms.can_vote(user, proposal)
    can_opine = perms.can_record_opinion(user, proposal, stage)
    my_vote = votes_by_voter.get(user.pk)
    versions = list(proposal.versions.select_related("created_by").order_by("-number"))
    who_acts = _who_acts(proposal, leaders)
    context = {
        "proposal": proposal,
        "today": timezone.localdate(),
        "overdue": is_overdue(proposal),
        "next_step": presenters.next_step(proposal),
        "who_acts": [person.get_full_name() for person in who_acts],
        "your_tasks": _your_tasks(
            user, proposal, tally=tally, opinion=opinion, actions=actions, who_acts=who_acts
        ),
        "actions": actions,
        # The buttons: every action of this user now, disabled with its reasons when it waits.
        "offers": transitions.offers(user, proposal),
        "can_edit": perms.can_edit(user, proposal),
        "can_delete": perms.can_delete(user, proposal),
        "is_author": perms.is_author(user, proposal),
        "in_decision": proposal.state in DECISION_STATES,
        # Votes are secret while open: others than the collective see that voting is under way,
        # then the tally, never names.
        "tally": tally if perms.sees_tally(user, proposal) else None,
        "voters": [
            {
                "user": m.user,
                "role": m.get_role_display(),
                "vote": votes_by_voter.get(m.user_id),
                "eligible": m.user_id in tally.voter_ids,
            }
            for m in leaders
        ]
        if sees_votes
        else [],
        "opinion": opinion,
        "approval": _approval(proposal),
        "regulation_flag": regulation_flag(proposal),
        "opinions": opinions,
        "can_vote": can_vote,
        "vote_form": VoteForm(initial={"choice": my_vote.choice} if my_vote else None)
        if can_vote
        else None,
        "my_vote": my_vote,
        "can_opine": can_opine,
        "opinion_form": OpinionForm() if can_opine else None,
        "sections": _sections(proposal),
        "criteria": [
            {"label": CRITERIA[name][0], "value": getattr(proposal, name)}
            for name in CRITERIA_FIELDS
        ],
        "attachment_form": AttachmentForm() if perms.can_edit(user, proposal) else None,
        "versions": versions,
        "diff": _default_diff(versions),
        "timeline": presenters.timeline_html(entries),
        "timeline_earlier": earlier,
        "timeline_more": shown + TIMELINE_STEP,
        # An adoption links to its model's replication page only for whoever may see the model
        # (reviews/_proposal_panel.html): a commune's head is not shown a link answering 404.
        "origin_visible": bool(proposal.origin_id) and perms.can_see(user, proposal.origin),
    }
    context.update(overrides)
    return context


def _approval(proposal) -> dict | None:
    """The approval's overrides as its ledger entry records them: whether the vote had not passed
    or the Party committee disagreed, and the head's written reasons (one mechanism for both)."""
    if not (proposal.mode and proposal.decided_at):
        return None
    entry = approval_entry(proposal)
    if entry is None:
        return None
    payload = entry.payload or {}
    if not (payload.get("head_bears_responsibility") or payload.get("against_opinion")):
        return None
    return {
        "vote_failed": bool(payload.get("head_bears_responsibility")),
        "against_opinion": bool(payload.get("against_opinion")),
        "reason": payload.get("override_reason") or "",
    }


def _sections(proposal) -> list[dict]:
    """The Art. 7(2) plan in order, as (label, readable value)."""
    sections = []
    for name in PLAN_FIELDS:
        value = getattr(proposal, name)
        if name == "regulation_status":
            value = proposal.get_regulation_status_display() if value else ""
        sections.append({"label": PLAN[name][0], "value": value})
    return sections


def _default_diff(versions):
    """A resubmitted proposal shows what changed since the previous version straight away."""
    if len(versions) < 2:
        return None
    new, old = versions[0], versions[1]
    return {"old": old, "new": new, "changes": presenters.version_diff(old.content, new.content)}


def render_detail(request, proposal, *, status=200, **overrides):
    return render(
        request,
        "proposals/detail.html",
        detail_context(request, proposal, **overrides),
        status=status,
    )
