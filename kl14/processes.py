"""Commands that share their work among forked processes (verify_ledger --workers,
sweep_reminders --parts): each process must talk to the database on a connection of its own."""

import contextlib
import multiprocessing

from django.db import connections

# Database connections a worker inherited from its parent, kept (never used, never closed) so
# that the worker's exit cannot end them for the parent's process: see `fresh_connections`.
inherited = []


def fresh_connections() -> None:
    """In a freshly forked worker: set aside every database connection the process inherited
    (any alias, whatever opened it), without a word on its socket, so the worker's first query
    opens a connection of its own. Two processes talking on one socket read each other's
    results."""
    for wrapper in connections.all(initialized_only=True):
        if wrapper.connection is not None:
            inherited.append(wrapper.connection)
            wrapper.connection = None


@contextlib.contextmanager
def forked_pool(workers: int):
    """A pool of `workers` forked processes, each on fresh connections; the parent's own are
    closed first (they reopen on its next query)."""
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers, fresh_connections) as pool:
        yield pool
