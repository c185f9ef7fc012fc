"""Reads that may lag a little (dashboards, period reports, exports) go to a PostgreSQL read
replica when DATABASE_REPLICA_URL is set; everything else, and every write, to the primary.

A view opts in with `@replica_reads` (or `with replica_reads():` around a block): the router
then answers "replica" for reads made inside it. Without a replica configured it changes
nothing (KL14_REPLICA_READS is False). Writes inside such a block still go to the primary.
Tests keep a "replica" alias that mirrors the default database (TEST MIRROR) and turn the
routing on where they check it."""

from contextlib import ContextDecorator
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("kl14_replica_reads", default=False)


class replica_reads(ContextDecorator):
    def _recreate_cm(self):
        return type(self)()  # one token per call: requests run concurrently in threads

    def __enter__(self):
        self._token = _reading_from_replica.set(True)
        return self

    def __exit__(self, *exc):
        _reading_from_replica.reset(self._token)
        return False


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_from_replica.get() and settings.KL14_REPLICA_READS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
