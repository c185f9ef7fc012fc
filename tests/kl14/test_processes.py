"""kl14.processes: forked workers talk to the database on connections of their own."""

import pytest

from kl14 import processes


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_worker_sets_aside_what_it_inherited_without_closing_it(postgres):
    """What a worker inherits is set aside, not closed: closing would end the session for the
    process it was forked from too (psycopg says goodbye on the socket)."""
    from django.db import connections

    for alias in ("default", "replica"):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    held = [connections[alias].connection for alias in ("default", "replica")]
    try:
        processes.fresh_connections()
        assert connections["default"].connection is None
        assert connections["replica"].connection is None
        assert all(raw in processes.inherited and not raw.closed for raw in held)
    finally:
        processes.inherited.clear()
        for raw in held:
            raw.close()


@pytest.mark.django_db(transaction=True)
def test_a_forked_pool_queries_on_its_own_connections(postgres):
    """Each worker of the pool reads the database on a backend of its own, and the parent, whose
    connection was closed before the fork, reconnects on its next query."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [parent] = cursor.fetchone()
    with processes.forked_pool(2) as pool:
        pids = pool.map(_backend_pid, range(4))
    assert parent not in pids
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def _backend_pid(_n):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]
