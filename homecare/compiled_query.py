"""A hot query of a fixed shape, compiled to SQL once per thread and then run with a new value each time.

Django builds and compiles a queryset's SQL on every execution. For a query with joins and subqueries that is
most of its cost: the API token lookup (token, user, audience groups, provider staff's organisation, see
``homecare.accounts.audiences.with_audiences``) took about 1.8 ms of CPU through the ORM, 0.1 ms as SQL. A
:class:`CompiledQuery` builds the queryset once with a placeholder for its one varying value, keeps the SQL,
and on each run executes it with the value and turns the rows into model instances the way Django's own
``ModelIterable`` does (the database's converters, ``select_related`` objects and annotations). The rows are
read afresh each time: only the SQL text is reused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)

PLACEHOLDER = "\x00compiled-query-value\x00"


class CompiledQuery(Generic[M]):
    """``build(value)`` is the queryset for ``value`` (a string compared for equality, e.g. a token's key)."""

    def __init__(self, build: Callable[[str], QuerySet[M]]) -> None:
        self._build = build
        self._local = threading.local()  # a compiler belongs to its thread's connection

    def _compiled(self, using: str) -> tuple[Any, str, list[Any], int]:
        compiled: dict[str, tuple[Any, str, list[Any], int]] = self._local.__dict__.setdefault("by_alias", {})
        if using not in compiled:
            compiler = self._build(PLACEHOLDER).query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            positions = [index for index, param in enumerate(params) if param == PLACEHOLDER]
            if len(positions) != 1:
                raise ValueError(f"the query must compare its value exactly once, not {len(positions)} times")
            compiled[using] = (compiler, sql, list(params), positions[0])
        return compiled[using]

    def run(self, value: str, *, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        compiler, sql, params, position = self._compiled(using)
        params = [*params[:position], value, *params[position + 1 :]]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        # Django's ModelIterable, for a query without deferred or known related objects.
        select, klass_info, annotations = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model: type[M] = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, using)
        found = []
        for row in compiler.results_iter([rows]):
            instance = model.from_db(using, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, column in (annotations or {}).items():
                setattr(instance, name, row[column])
            found.append(instance)
        return found
