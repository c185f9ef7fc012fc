"""kl14.keyset: the branches of a list are made disjoint and merged as they come (UNION ALL on
PostgreSQL). A row matching several branches is listed and counted once; a row that a later
branch alone matches is kept even where an earlier branch's column is empty (NULL), which a
plain NOT would drop."""

import pytest
from django.db.models import Q

from kl14 import keyset
from proposals.models import Proposal
from tests.factories.proposals import ProposalFactory

pytestmark = pytest.mark.django_db


def test_rows_of_several_branches_come_once_and_empty_columns_do_not_drop_rows(org):
    both = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
    Proposal.objects.filter(pk=both.pk).update(deciding_unit=org.agency)
    undecided = ProposalFactory(home_unit=org.agency, created_by=org.cadre)  # deciding unit NULL
    elsewhere = ProposalFactory(home_unit=org.commune, created_by=org.commune_cadre)
    Proposal.objects.filter(pk=elsewhere.pk).update(deciding_unit=org.agency)
    ProposalFactory(home_unit=org.commune, created_by=org.commune_cadre)  # no branch
    branches = [Q(deciding_unit_id__in=[org.agency.pk]), Q(home_unit_id=org.agency.pk)]
    queryset = Proposal.objects.order_by("-created_at", "-pk")
    keys = keyset.keys_of(queryset)

    rows = keyset._merged(queryset, branches, keys, None, 10)
    expected = list(
        Proposal.objects.filter(branches[0] | branches[1])
        .order_by("-created_at", "-pk")
        .values_list("created_at", "pk")
    )
    assert [row[-1] for row in rows] == [pk for _at, pk in expected]
    assert sorted(pk for _at, pk in expected) == sorted([both.pk, undecided.pk, elsewhere.pk])
    assert keyset.capped_count(queryset, branches) == (3, False)
    # every page and offset, one row at a time
    for offset in range(4):
        page = keyset._merged(queryset, branches, keys, None, 1, offset)
        assert [row[-1] for row in page] == [pk for _at, pk in expected][offset : offset + 1]


def test_a_later_branch_keeps_only_what_the_earlier_ones_miss():
    first, second, third = Q(pk=1), Q(pk=2), Q(pk=3)
    a, b, c = keyset.disjoint([first, second, third])
    assert a == first
    assert b == second & ~first
    assert c == third & ~(first | second)
