"""The votes of the leadership collective that a head or deputy may owe, one per state in which
the collective votes: the decision vote (Decree 73, Art. 8), held by this app, and those other
apps hold (the evaluation's ballot on the outcome, Art. 18: reviews.evaluation registers it). The
"Awaiting my vote" page, its badge and the API's `awaiting_me` read them all from here, so each
app says once how its ballot is found, and none of them imports another app's models."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from .models import State, Vote


@dataclass(frozen=True)
class CollectiveVote:
    state: str  # the proposal's state while the collective votes
    subject: str  # what the collective votes on, as the lists name it
    # (user) -> the user's ballot on the proposal OuterRef("pk"), a queryset with a `choice`
    ballot_of: Callable[[object], QuerySet]
    choice_label: Callable[[str], str]
    url: Callable[[object], str]  # (proposal) -> where the ballot is cast
    # (proposal) -> the day the collective's ballots are due (None: no due date shown)
    due: Callable[[object], date | None] | None = None


_registry: dict[str, CollectiveVote] = {}


def register(vote: CollectiveVote) -> None:
    _registry[vote.state] = vote


def collective_vote(state) -> CollectiveVote | None:
    return _registry.get(state)


def voting_states() -> list[str]:
    return list(_registry)


def my_choice(user):
    """The user's ballot on each proposal in the vote its state holds; None while not cast."""
    return Case(
        *(
            When(state=vote.state, then=Subquery(vote.ballot_of(user).values("choice")[:1]))
            for vote in _registry.values()
        ),
        default=Value(None),
        output_field=CharField(),
    )


def ballot_owed_q(user) -> Q:
    """Proposals whose collective vote, in their state, still lacks this user's ballot (whether
    the user belongs to the collective is the caller's filter)."""
    owed = Q(pk__in=[])
    for vote in _registry.values():
        owed |= Q(state=vote.state) & ~Exists(vote.ballot_of(user))
    return owed


register(
    CollectiveVote(
        state=State.UNDER_REVIEW,
        subject=_("The decision on the proposal"),
        ballot_of=lambda user: Vote.objects.filter(
            proposal=OuterRef("pk"), round=OuterRef("decision_round"), voter=user
        ),
        choice_label=lambda choice: Vote.Choice(choice).label,
        url=lambda proposal: f"{proposal.get_absolute_url()}#votes",
        due=lambda proposal: proposal.decision_due,
    )
)
