"""Writing many plain rows at once, for the batch jobs that write hundreds of thousands of them
(the reminder sweep: reminders, notifications, outbox e-mails).

`bulk_create` builds a model instance per row and prepares every value in Python, then psycopg
quotes each array literal on the client: at 1M open deadlines that was most of the sweep. Here,
on PostgreSQL, the rows go as one typed array per column in binary
(`INSERT … SELECT … FROM unnest(%s::integer[], …)`), with the columns the caller does not give
filled from their field's default once per statement; elsewhere (SQLite) as a multi-row
`INSERT … VALUES`. Either way the rows are inserted in the caller's transaction, and `RETURNING`
says which rows went in: their keys in the order of the rows, or with `insert_rows_returning` the
columns the caller asks for. With `ignore_conflicts` a row that conflicts with an existing one is
skipped and returns nothing, so the caller learns exactly the rows its statement inserted (the
reminder sweep's exactly-once), without reading them back."""

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
    conflicts with an existing one is skipped and has no key in the result."""
    return [
        row[0]
        for row in insert_rows_returning(
            model, columns, rows, (), ignore_conflicts=ignore_conflicts
        )
    ]


def insert_rows_returning(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    returning: Sequence[str],
    *,
    ignore_conflicts: bool = False,
) -> list[tuple]:
    """`insert_rows`, returning `(pk, *returning)` of each row inserted, in the order of the rows
    (the keys ascending): with `ignore_conflicts`, exactly the rows this call won. The returned
    values are as the database gives them (no model conversion): ask for plain columns."""
    rows = list(rows)
    if not rows:
        return []
    meta = model._meta
    given = [meta.get_field(name) for name in columns]
    for field in given:
        if not isinstance(field, _PLAIN) or field.primary_key:
            raise TypeError(f"insert_rows: {model.__name__}.{field.name} is not a plain column")
    wanted = [meta.pk, *(meta.get_field(name) for name in returning)]
    given_names = {f.attname for f in given}
    defaults = [
        f for f in meta.concrete_fields if not f.primary_key and f.attname not in given_names
    ]
    if any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in defaults):
        raise TypeError(f"insert_rows: {model.__name__} has auto_now fields; give them")
    connection = connections[router.db_for_write(model)]
    insert = _insert_postgresql if connection.vendor == "postgresql" else _insert_values
    inserted = insert(connection, model, given, defaults, wanted, rows, ignore_conflicts)
    # The keys ascend in the order the rows went in (one sequence, one statement at a time);
    # RETURNING itself promises no order.
    return sorted(inserted, key=lambda row: row[0])


def _insert_values(connection, model, given, defaults, wanted, rows, ignore_conflicts):
    """Elsewhere than PostgreSQL: `INSERT … VALUES (…), (…) [ON CONFLICT DO NOTHING] RETURNING`,
    each value prepared by its field, as many rows a statement as the backend takes."""
    meta = model._meta
    fields = [*given, *defaults]
    quote = connection.ops.quote_name
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(BATCH, connection.ops.bulk_batch_size(fields, rows)))
    default_values = [f.get_db_prep_save(f.get_default(), connection) for f in defaults]
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 (the model's own names, quoted)
        quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    tail = "{} RETURNING {}".format(
        " ON CONFLICT DO NOTHING" if ignore_conflicts else "",
        ", ".join(quote(f.column) for f in wanted),
    )
    inserted: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            params = []
            for row in chunk:
                params += [
                    f.get_db_prep_save(v, connection) for f, v in zip(given, row, strict=True)
                ]
                params += default_values
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)
            inserted += [tuple(r) for r in cursor.fetchall()]
    return inserted


def _insert_postgresql(connection, model, given, defaults, wanted, rows, ignore_conflicts):
    from psycopg import Cursor, sql
    from psycopg.adapt import PyFormat

    BINARY = sql.Placeholder(format=PyFormat.BINARY)  # no quoting or escaping of each value

    meta = model._meta
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
        "{conflict} RETURNING {returning}"
    ).format(
        table=sql.Identifier(meta.db_table),
        columns=sql.SQL(", ").join(sql.Identifier(f.column) for f in [*given, *defaults]),
        selected=sql.SQL(", ").join(selected),
        arrays=arrays,
        names=sql.SQL(", ").join(sql.Identifier(f.column) for f in given),
        conflict=sql.SQL(" ON CONFLICT DO NOTHING" if ignore_conflicts else ""),
        returning=sql.SQL(", ").join(sql.Identifier(f.column) for f in wanted),
    )
    default_values = [f.get_db_prep_save(f.get_default(), connection) for f in defaults]
    inserted: list[tuple] = []
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
            inserted += [tuple(row) for row in cursor.fetchall()]
    return inserted
