"""`manage.py verify_ledger` reads each kind of row once per chunk of proposals
(ledger.records.batch): its queries do not grow with the proposals, and in a chunk each proposal
is still compared with its own rows, not a neighbour's."""

import contextlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.records import batch, rows_of
from proposals.models import Opinion, Proposal, ProposalAuthor, Vote
from tests.factories.pilots import approved
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.reviews import decided
from tests.ledger.tamper import sql
from tests.ledger.test_tamper_matrix import STAGES

pytestmark = pytest.mark.django_db


def a_proposal(org):
    """Like the reviews' `proposal`: of the agency, by two co-authors."""
    p = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
    ProposalAuthor.objects.create(proposal=p, user=org.cadre2)
    return p


def verify_counting_queries(capsys) -> tuple[int, str]:
    # The command exits 1 when something is broken.
    with CaptureQueriesContext(connection) as queries, contextlib.suppress(SystemExit):
        call_command("verify_ledger")
    return len(queries), capsys.readouterr().out


# Stages that can be reached twice with the same cast (the success stage names a standing
# committee and a replication of its own).
REPEATABLE = [s for s in STAGES if s.__name__ not in ("success_stage", "document_stage")]


def test_its_queries_do_not_grow_with_the_proposals(org, capsys):
    # Every stage once: every kind of row (and of related row) is there to be read.
    first = [stage(org, a_proposal(org)) for stage in STAGES]
    before, out = verify_counting_queries(capsys)
    assert out.rstrip().endswith(f"{Proposal.objects.count()} checked, 0 broken.")

    more = [stage(org, a_proposal(org)) for stage in REPEATABLE for _ in range(2)]
    after, out = verify_counting_queries(capsys)

    assert out.rstrip().endswith(f"{Proposal.objects.count()} checked, 0 broken.")
    assert all(f"OK      {p.code}" in out for p in [*first, *more])
    assert len(more) > len(first)
    assert after == before


def two_decided(org):
    return [fresh(decided(a_proposal(org), head=org.head, party=org.party)) for _ in range(2)]


def test_in_a_chunk_each_proposal_is_compared_with_its_own_rows(org, capsys):
    one, other = two_decided(org)
    sql(
        "UPDATE reviews_evaluation SET causes_subjective = %s WHERE proposal_id = %s",
        ["Không có.", other.pk],
    )

    _count, out = verify_counting_queries(capsys)

    assert f"OK      {one.code}" in out
    assert f"BROKEN  {other.code}" in out
    assert "(evaluation)" in out.split(f"BROKEN  {other.code}")[1].splitlines()[0]


def two_approved(org):
    return [
        fresh(approved(a_proposal(org), author=org.cadre, head=org.head, party=org.party, voters=v))
        for v in ([org.deputy], [org.deputy])
    ]


def test_rows_moved_to_a_neighbour_in_the_chunk_break_both(org, capsys):
    one, other = two_approved(org)
    assert Opinion.objects.filter(proposal=other).exists()
    sql("UPDATE proposals_opinion SET proposal_id = %s WHERE proposal_id = %s", [one.pk, other.pk])

    _count, out = verify_counting_queries(capsys)

    for p in (one, other):  # one has an opinion too many, the other one too few
        line = out.split(f"BROKEN  {p.code}")[1].splitlines()[0]
        assert "(opinions)" in line


def test_a_batch_reads_a_queryset_once_and_serves_each_proposal_its_rows(org):
    one, other = two_approved(org)
    votes = Vote.objects.order_by("pk")
    with CaptureQueriesContext(connection) as queries, batch([one, other]):
        mine, theirs = rows_of(one, votes), rows_of(other, votes)
        again = rows_of(one, votes)
    assert len(queries) == 1
    assert mine == again == list(Vote.objects.filter(proposal=one).order_by("pk"))
    assert theirs == list(Vote.objects.filter(proposal=other).order_by("pk"))
    assert mine and theirs

    # Outside a batch, and for a proposal the batch does not hold, it asks the database.
    stranger = a_proposal(org)
    with CaptureQueriesContext(connection) as queries:
        assert rows_of(one, votes) == mine
        with batch([one]):
            assert rows_of(stranger, votes) == []
    assert len(queries) == 2
