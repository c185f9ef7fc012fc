"""Writing many plain rows at once, for the batch jobs that write hundreds of thousands of them
(the reminder sweep: reminders, notifications, outbox e-mails).

`bulk_create` builds a model instance per row and prepares every value in Python, then psycopg
quotes each array literal on the client: at 1M open deadlines that was most of the sweep. Here,
on PostgreSQL, the rows go as one typed array per column in binary
(`INSERT … SELECT … FROM unnest(%s::integer[], …)`), with the columns the caller does not give
filled from their field's default once per statement; elsewhere (SQLite) this is `bulk_create`.
Either way the rows are inserted in the caller's transaction and the primary keys come back in
the order of the rows."""

from collections.abc import Iterable, Sequence

from django.db import connections, models, router

BATCH = 5000  # rows per statement

# Values psycopg sends as they are: no field may need its own preparation (JSON, files, etc.).
_PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DateTimeField,
    models.ForeignKey,
    models.IntegerField,
    models.PositiveBigIntegerField,
    models.PositiveIntegerField,
    models.TextField,
    models.UUIDField,
)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    ignore_conflicts: bool = False,
) -> list[int]:
    """Inserts `rows` (tuples of values in the order of `columns`, field names or attnames such
    as `recipient_id`) into `model`'s table, every other concrete field at its default. Returns
    the primary keys of the rows inserted, in their order; with `ignore_conflicts`, a row that
    conflicts with an existing one is skipped and has no key in the result (callers that need to
    know which rows were inserted mark them, as the reminder sweep does with its token)."""
    rows = list(rows)
    if not rows:
        return []
    meta = model._meta
    given = [meta.get_field(name) for name in columns]
    for field in given:
        if not isinstance(field, _PLAIN) or field.primary_key:
            raise TypeError(f"insert_rows: {model.__name__}.{field.name} is not a plain column")
    using = router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":
        objects = [model(**{f.attname: v for f, v in zip(given, row, strict=True)}) for row in rows]
        created = model._default_manager.using(using).bulk_create(
            objects, ignore_conflicts=ignore_conflicts, batch_size=BATCH
        )
        return [] if ignore_conflicts else [obj.pk for obj in created]
    return _insert_postgresql(connection, model, given, rows, ignore_conflicts)


def _insert_postgresql(connection, model, given, rows, ignore_conflicts) -> list[int]:
    from psycopg import Cursor, sql
    from psycopg.adapt import PyFormat

    BINARY = sql.Placeholder(format=PyFormat.BINARY)  # no quoting or escaping of each value

    meta = model._meta
    given_names = {f.attname for f in given}
    defaults = [
        f for f in meta.concrete_fields if not f.primary_key and f.attname not in given_names
    ]
    if any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in defaults):
        raise TypeError(f"insert_rows: {model.__name__} has auto_now fields; give them")
    # One array per given column, of the column's type (a foreign key's is its target's).
    arrays = sql.SQL(", ").join(
        sql.SQL("{}::{}[]").format(BINARY, sql.SQL(f.db_type(connection))) for f in given
    )
    selected = [sql.Identifier("u", f.column) for f in given] + [
        sql.SQL("{}::{}").format(sql.Placeholder(), sql.SQL(f.db_type(connection)))
        for f in defaults
    ]
    statement = sql.SQL(
        "INSERT INTO {table} ({columns}) SELECT {selected} FROM unnest({arrays}) AS u({names})"
        "{conflict} RETURNING {pk}"
    ).format(
        table=sql.Identifier(meta.db_table),
        columns=sql.SQL(", ").join(sql.Identifier(f.column) for f in [*given, *defaults]),
        selected=sql.SQL(", ").join(selected),
        arrays=arrays,
        names=sql.SQL(", ").join(sql.Identifier(f.column) for f in given),
        conflict=sql.SQL(" ON CONFLICT DO NOTHING" if ignore_conflicts else ""),
        pk=sql.Identifier(meta.pk.column),
    )
    default_values = [f.get_db_prep_save(f.get_default(), connection) for f in defaults]
    keys: list[int] = []
    connection.ensure_connection()
    # A cursor of its own with server-side binding, on Django's connection and so in the
    # caller's transaction: the arrays travel in binary, not as quoted literals. Wrapped as
    # Django wraps its own, so that its statements are logged, counted and their errors Django's.
    raw = Cursor(connection.connection)
    cursor = (
        connection.make_debug_cursor(raw)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )
    with cursor:
        text = statement.as_string(raw)
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            # The defaults' placeholders come first in the statement (SELECT …), then the arrays.
            params = default_values + [list(column) for column in zip(*chunk, strict=True)]
            cursor.execute(text, params)
            keys += [row[0] for row in cursor.fetchall()]
    return keys
