"""Insert many plain rows at once, without building a model instance per row.

The snapshot import writes tens of thousands of authorships, institution links and work topics a
second. For such narrow rows, Django's ``bulk_create`` spends more time building instances and
preparing each value than PostgreSQL spends storing them, so on PostgreSQL the rows go in by
``COPY`` into a temporary table, then ``INSERT ... SELECT`` from it (conflicts skipped, ids
returned). Other databases, and any model with a column the caller does not fill (so
that its default applies), use ``bulk_create``.
"""

import json
import zlib

from django.db import connection, transaction
from django.utils import timezone


def insert_rows(
    model,
    fields: list[str],
    rows: list[tuple],
    *,
    ignore_conflicts: bool = False,
    returning: list[str] | None = None,
) -> list[tuple]:
    """Insert ``rows`` (tuples of database-ready values for ``fields``, attnames such as
    "work_id") in one statement; returns the ``returning`` columns of the inserted rows (of
    every row on PostgreSQL; ignored conflicts return nothing there)."""
    if not rows:
        return []
    opts = model._meta
    columns = [opts.get_field(name) for name in fields]
    covered = {field.attname for field in columns}
    complete = all(f.primary_key or f.attname in covered for f in opts.concrete_fields)
    if connection.vendor != "postgresql" or not complete:
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        if not returning:
            return []
        return [tuple(getattr(obj, name) for name in returning) for obj in objs]

    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    names = ", ".join(quote(f.column) for f in columns)
    # The rows go through COPY into a temporary table of just these columns (no constraint,
    # no index), then into the table in one INSERT .. SELECT, which can skip conflicts and
    # return ids as COPY cannot. COPY formats the values in C, where binding them as arrays
    # (client-side, as Django's cursor does) spends more time than the server takes to
    # store them. Only quoted names from the model's metadata go into the statements.
    load = quote(f"bzpeer_load_{opts.db_table}_{zlib.crc32(names.encode()):08x}")
    sql = f"INSERT INTO {table} ({names}) SELECT {names} FROM {load}"  # noqa: S608
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(quote(opts.get_field(n).column) for n in returning)
    json_columns = [
        i for i, field in enumerate(columns) if field.get_internal_type() == "JSONField"
    ]
    # ON COMMIT DROP: the table lasts until the end of the (outermost) transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {load} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {load}")
        with cursor.cursor.copy(f"COPY {load} ({names}) FROM STDIN") as copy:
            if json_columns:
                for row in rows:
                    values = list(row)
                    for i in json_columns:
                        if values[i] is not None:
                            values[i] = json.dumps(values[i])
                    copy.write_row(values)
            else:
                for row in rows:
                    copy.write_row(row)
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()] if returning else []


def full_rows(model, records: list[dict]) -> tuple[list[str], list[tuple]]:
    """Every column of ``model`` (but the id) for each record (attname -> value): the record's
    value, else the field's default (auto_now and auto_now_add fields: now)."""
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {
        f.attname: now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in fields
    }
    names = [f.attname for f in fields]
    return names, [tuple(record.get(n, defaults[n]) for n in names) for record in records]


def insert_new(model, records: list[dict], key: str = "openalex_id") -> dict:
    """Insert a row per record (attname -> value, defaults for the rest), leaving out those that
    conflict with a stored row (a concurrent import may have inserted it meanwhile); returns
    {key: pk} for every record's key that a row now holds."""
    if not records:
        return {}
    names, rows = full_rows(model, records)
    inserted = insert_rows(model, names, rows, ignore_conflicts=True, returning=[key, "id"])
    pks = {k: pk for k, pk in inserted if pk is not None}
    if len(pks) < len(records):
        # Conflicting rows, or a backend whose bulk insert cannot return ids: read them back.
        missing = [r[key] for r in records if r[key] not in pks]
        pks.update(model.objects.filter(**{f"{key}__in": missing}).values_list(key, "pk"))
    return pks
