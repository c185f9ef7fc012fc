"""The filters of `GET /api/v1/proposals/` (api.md). Each one narrows the proposals the user may
already see; none of them adds a query per row."""

import django_filters
from django.db.models import F, Q

from .models import State
from .selectors import overdue_q, proposals_awaiting, search_proposals

ID_MAX = 2**63 - 1  # the largest primary key a 64-bit column holds


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Orders with empty values (e.g. no decision due) last in both directions, on SQLite and
    PostgreSQL alike, and breaks ties by id so pages never overlap."""

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        field = F(value.lstrip("-"))
        return field.desc(nulls_last=True) if value.startswith("-") else field.asc(nulls_last=True)

    def filter(self, qs, value):
        # "title," and ",title" name one field: the empty names are left out (they were a 500).
        params = [param for param in value or () if param]
        if not params:
            return qs
        return qs.order_by(*(self.get_ordering_value(param) for param in params), "-pk")


class ProposalFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(
        choices=State.choices, help_text="One or more states (repeat the parameter)."
    )
    # An id beyond what a database column holds is a 400, not an overflow in the driver (a 500).
    home_unit = django_filters.NumberFilter(
        field_name="home_unit_id", help_text="A unit id.", min_value=1, max_value=ID_MAX
    )
    deciding_unit = django_filters.NumberFilter(
        field_name="deciding_unit_id", help_text="A unit id.", min_value=1, max_value=ID_MAX
    )
    mine = django_filters.BooleanFilter(
        method="filter_mine", help_text="true: only proposals you (co-)authored."
    )
    awaiting_me = django_filters.BooleanFilter(
        method="filter_awaiting_me",
        help_text=(
            "true: only proposals where you must act now (decide, vote, give the Party "
            "committee's opinion, revise a returned proposal)."
        ),
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="true: only overdue decisions; false: the others."
    )
    q = django_filters.CharFilter(
        method="filter_text",
        help_text=(
            "Words that must all appear in the code, title, summary or bottleneck, ignoring case "
            'and Vietnamese diacritics; "quoted words" must stand together; the last word may '
            "be cut short."
        ),
    )
    ordering = NullsLastOrderingFilter(
        fields=(
            "decision_due",
            "updated_at",
            "created_at",
            "submitted_at",
            "code",
            "title",
            "state",
        ),
        help_text="A field, or -field for descending; several separated by commas.",
    )

    def filter_mine(self, qs, name, value):
        if value is None:
            return qs
        mine = Q(authorships__user=self.request.user)
        return qs.filter(mine) if value else qs.exclude(mine)

    def filter_awaiting_me(self, qs, name, value):
        if value is None:
            return qs
        awaiting = Q(pk__in=proposals_awaiting(self.request.user).values("pk"))
        return qs.filter(awaiting) if value else qs.exclude(awaiting)

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(overdue_q()) if value else qs.exclude(overdue_q())

    def filter_text(self, qs, name, value):
        return search_proposals(qs, value)
