"""Write many new rows to PostgreSQL with COPY, ids chosen first: the fast path of a bulk import.

``bulk_create`` builds a model instance per row and an ``INSERT`` with a parameter per field, which costs
more than PostgreSQL's own work on the rows. Here rows are plain field values, their ids are taken from
the table's sequence up front (so rows of several tables can point at each other without a second
pass: Django's foreign keys are deferred to the commit), and each table gets one ``COPY``.
PostgreSQL only; callers keep ``bulk_create`` for SQLite.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models

_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    return value.translate(_ESCAPES) if _SPECIAL.search(value) else value


def _json(value: Any) -> str:
    return _text(json.dumps(value))


class _Formats(dict[type, Callable[[Any], str]]):
    """COPY's text format, by Python type; a subclass (an enum's str, say) is formatted as its base."""

    def __missing__(self, kind: type) -> Callable[[Any], str]:
        for base in (bool, int, float, str, datetime, date, list, dict):  # bool before int, datetime before date
            if issubclass(kind, base):
                self[kind] = self[base]
                return self[base]
        raise TypeError(f"COPY cannot write a {kind.__name__}.")


# A float's repr reads back as exactly the same float.
_FORMATS = _Formats(
    {
        str: _text,
        bool: lambda value: "t" if value else "f",
        int: str,
        float: repr,
        date: date.isoformat,
        datetime: datetime.isoformat,
        list: _json,
        dict: _json,
        type(None): lambda value: "\\N",
    }
)


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys from the model's sequence (one query; never given out again)."""
    if count == 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model: type[models.Model], rows: Sequence[dict[str, Any]], *, table: str = "") -> None:
    """COPY rows (field ``attname`` -> value, the primary key included) into the model's table.

    A field a row leaves out gets the field's default, as ``bulk_create`` would give it; JSON fields
    take lists and dicts. Values are written in PostgreSQL's text format and read by its own parser, so a
    value the column cannot hold fails the COPY, and the transaction, as an ``INSERT`` would. ``table``
    names another table with the same columns (a benchmark's unindexed copy).
    """
    if not rows:
        return
    fields = model._meta.concrete_fields
    defaults = {f.attname: f.get_default() for f in fields}
    names = [f.attname for f in fields]
    formats = _FORMATS
    lines = [
        "\t".join([formats[type(value := row.get(name, defaults[name]))](value) for name in names]) for row in rows
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    buffer = io.StringIO("\n".join(lines) + "\n")
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(table or model._meta.db_table)} ({columns}) FROM STDIN", buffer
        )
