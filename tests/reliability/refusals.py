"""Refusals as the database makes them (a deadlock, a locked SQLite file), made up for tests of
kl14.transient: through a live server, in the API and in a browser."""

import psycopg
from django.db import OperationalError

from proposals import services


def refusal(cause: BaseException) -> OperationalError:
    """What Django raises for the driver's error (django.db.utils.DatabaseErrorWrapper)."""
    try:
        raise cause
    except BaseException as error:
        try:
            raise OperationalError(str(error)) from error
        except OperationalError as wrapped:
            return wrapped


class Refuse:
    """Wraps services.ledger_append (inside every transition's transaction, after the proposal
    is saved): refuses the first `times` calls as the database would, then appends."""

    def __init__(self, times):
        self.times, self.calls = times, 0
        self.append = services.ledger_append

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls <= self.times:
            raise refusal(psycopg.errors.DeadlockDetected("deadlock detected"))
        return self.append(*args, **kwargs)
