"""The lists: my proposals, the head's inbox, the voting queue (the decision and the evaluation of
the results) and the Party committee's queue.
Each runs a fixed number of queries whatever the number of rows: relations are selected or
prefetched by the selectors and the per-row facts are annotations."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kl14.paging import Paginator
from workdays.calendar import snapshot as calendar_snapshot

from ..ballots import collective_vote
from ..models import Opinion, State
from ..selectors import (
    authored_count,
    authored_ids,
    proposals_awaiting_decision,
    proposals_awaiting_opinion,
    proposals_awaiting_vote,
    proposals_in_order,
    proposals_owing_my_ballot,
)
from .presenters import table_rows_html

PAGE_SIZE = 25


def opinion_this_round():
    """The Party committee's opinion for the current round, at the stage the state asks for."""
    return Opinion.objects.filter(proposal=OuterRef("pk"), round=OuterRef("decision_round")).filter(
        Q(stage=Opinion.Stage.DECISION, proposal__state=State.UNDER_REVIEW)
        | Q(stage=Opinion.Stage.EVALUATION, proposal__state=State.EVALUATING)
    )


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _render(request, template, page, kind):
    """The list's page, its rows' HTML (proposals/_table.html) built once per content."""
    today = timezone.localdate()
    rows = table_rows_html(page.object_list, kind, today)
    context = {"page": page, "proposals": page.object_list, "rows": rows, "today": today}
    return render(request, template, context)


@login_required
@require_GET
def my_proposals(request):
    paginator = Paginator(authored_ids(request.user), PAGE_SIZE)
    paginator.count = authored_count(request.user)  # not a count of the joined keys
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = proposals_in_order(page.object_list)
    return _render(request, "proposals/my_proposals.html", page, "mine")


@login_required
@require_GET
def inbox(request):
    """The head's inbox: proposals awaiting the head's decision, the earliest due first."""
    queryset = proposals_awaiting_decision(request.user).annotate(
        votes_cast=Count("votes", filter=Q(votes__round=F("decision_round"))),
        has_opinion=Exists(
            Opinion.objects.filter(
                proposal=OuterRef("pk"),
                round=OuterRef("decision_round"),
                stage=Opinion.Stage.DECISION,
            )
        ),
    )
    return _render(request, "proposals/inbox.html", _page(request, queryset), "inbox")


@login_required
@require_GET
def vote_queue(request):
    """Every vote of the user's leadership collectives: the decision on a proposal under review,
    the evaluation of the results (proposals.ballots), each linking to where the ballot is cast."""
    page = _page(request, proposals_awaiting_vote(request.user))
    # The due dates from one reading of the working-day calendar, whatever the number of rows.
    with calendar_snapshot():
        for proposal in page.object_list:
            vote = collective_vote(proposal.state)
            proposal.vote_subject = vote.subject
            proposal.ballot_url = vote.url(proposal)
            proposal.vote_due = vote.due(proposal) if vote.due else None
            proposal.my_choice_label = proposal.my_choice and vote.choice_label(proposal.my_choice)
    return _render(request, "proposals/vote_queue.html", page, "votes")


@login_required
@require_GET
def opinion_queue(request):
    queryset = proposals_awaiting_opinion(request.user).annotate(
        opinion_stance=Subquery(opinion_this_round().order_by("-created_at").values("stance")[:1])
    )
    return _render(request, "proposals/opinion_queue.html", _page(request, queryset), "opinions")


# --- navigation badges: the rows each counts (kl14.navigation counts a page's badges together) ---


def inbox_rows(user):
    return proposals_awaiting_decision(user)


def vote_rows(user):
    """Collective votes (decision, evaluation) where the user has not cast their ballot yet."""
    return proposals_owing_my_ballot(user)


def opinion_rows(user):
    """Proposals awaiting the Party committee's opinion that has not been recorded yet."""
    return proposals_awaiting_opinion(user).filter(~Exists(opinion_this_round()))
