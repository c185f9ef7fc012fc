"""The authors table's indexes (PostgreSQL): a cadre's proposals are found and counted from the
(user, proposal) index alone, and no index on the user alone is kept beside it."""

import re

import pytest
from django.test.utils import CaptureQueriesContext

from proposals.models import Proposal, ProposalAuthor
from proposals.permissions import visible_q
from proposals.selectors import authored_count, authored_ids
from tests.factories.proposals import ProposalFactory

pytestmark = pytest.mark.django_db


def _plan(connection, sql, params) -> str:
    """The plan PostgreSQL would choose were the table large (no sequential scan)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")


def test_the_user_is_indexed_with_the_proposal_only(postgres):
    with postgres.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [ProposalAuthor._meta.db_table],
        )
        indexes = dict(cursor.fetchall())
    assert "(user_id, proposal_id)" in indexes["proposal_author_by_user"]
    assert [name for name, d in indexes.items() if "(user_id)" in d] == []


def test_a_cadre_s_proposals_are_read_and_counted_from_the_index(postgres, org):
    mine = [ProposalFactory(home_unit=org.agency, created_by=org.cadre) for _ in range(3)]
    ProposalFactory(home_unit=org.agency, created_by=org.cadre2)
    assert authored_count(org.cadre) == 3
    assert sorted(authored_ids(org.cadre)) == sorted(p.pk for p in mine)
    with CaptureQueriesContext(postgres) as queries:
        authored_count(org.cadre)
    (count_sql,) = [q["sql"] for q in queries]
    assert "proposals_proposal" not in count_sql.replace("proposals_proposalauthor", "")
    plans = {
        "count": _plan(postgres, count_sql, ()),
        "list": _plan(postgres, *authored_ids(org.cadre).query.sql_with_params()),
        "visibility": _plan(postgres, *_visible_sql(org.cadre)),
    }
    # "Index Only Scan using proposal_author_by_user" once the table's pages are all visible
    # (VACUUM, which a test's transaction cannot run); a bitmap scan of it before.
    for name, plan in plans.items():
        assert re.search(r"Scan (?:using|on) proposal_author_by_user\b", plan), (name, plan)


def _visible_sql(user):
    """The visibility rule of a cadre without a role: their own proposals."""
    return Proposal.objects.filter(visible_q(user)).values("pk").query.sql_with_params()


def test_a_unit_s_proposals_are_read_in_order_from_one_index(postgres, tree):
    """An oversight role below the root reads its subtree unit by unit: each unit's submitted
    proposals in the default order, from proposal_home_created_keyset alone (no sort, no table),
    which also serves the home unit's foreign key: no index on the home unit alone is kept."""
    for unit in (tree["agency"], tree["office"], tree["commune"]):
        ProposalFactory.create_batch(2, home_unit=unit)
    with postgres.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [Proposal._meta.db_table],
        )
        indexes = dict(cursor.fetchall())
    assert indexes["proposal_home_created_keyset"].endswith(
        "(home_unit_id, created_at, id) INCLUDE (version)"
    )
    assert [name for name, d in indexes.items() if d.endswith("(home_unit_id)")] == []
    rows = (
        Proposal.objects.filter(home_unit=tree["agency"], version__gt=0)
        .order_by("-created_at", "-pk")
        .values_list("created_at", "pk")[:21]
    )
    # A table of a few rows would rather sort them than walk an index: with its statistics
    # (as in a whole run of the suite), ask for the plan without sorting, which only an index in
    # this order can give.
    sql, params = rows.query.sql_with_params()
    switches = ("enable_seqscan", "enable_bitmapscan", "enable_sort")
    with postgres.cursor() as cursor:
        cursor.execute(f"ANALYZE {Proposal._meta.db_table}")
        for switch in switches:
            cursor.execute(f"SET LOCAL {switch} = off")
        try:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            for switch in switches:
                cursor.execute(f"RESET {switch}")
    assert re.search(
        r"Index (?:Only )?Scan (?:Backward )?using proposal_home_created_keyset\b", plan
    ), plan
    assert "Sort" not in plan, plan
