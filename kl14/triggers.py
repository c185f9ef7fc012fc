"""Database triggers shared by the apps (django-pgtrigger; PostgreSQL only, other databases keep
only the application's guards)."""

import pgtrigger


def append_only(name: str):
    """Refuses UPDATE and DELETE on a table: its rows are only ever inserted, whoever connects
    (the application, an administrator's SQL console, a script). Only a superuser can still get
    past it (by disabling triggers), and verification catches what they change."""
    return pgtrigger.Protect(name=name, operation=pgtrigger.Update | pgtrigger.Delete)
