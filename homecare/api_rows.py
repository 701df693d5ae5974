"""List pages serialised from ``.values()`` rows, with exactly the output of their ModelSerializer.

A list page of 50 offers as model instances through a nested ModelSerializer builds hundreds of objects and
walks DRF's per-field machinery for each: about half of the request's CPU. :class:`FlatOutput` reads the
serializer's own fields once and keeps, for each, the ``.values()`` column it reads and the DRF field's own
``to_representation``; a page is then one pass over plain dicts. The serializer stays the single description
of the output (and of the OpenAPI schema); ``tests/api/test_rows.py`` checks that both give the same
JSON.

- A plain field reads the column named by its ``source`` (``package.locality_area.name`` is
  ``package__locality_area__name``); ``None`` stays ``None``, as DRF leaves it.
- A primary-key related field reads the key's column and writes it as it is.
- A field that is not a column (a property, a method field) is given in ``computed``: the column it reads
  and a function of that column's value.
- A nested ``many=True`` serializer is given in ``nested``: the column holding the parent's key and a
  :class:`FlatChildren` that reads every parent's children of a page in one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import serializers
from rest_framework.relations import RelatedField

Row = dict[str, Any]
Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class FlatChildren:
    """The children of a nested ``many=True`` field: ``queryset`` filtered by ``parent`` (a foreign key's column,
    e.g. ``package_id``) in the related manager's order, serialised by ``output``."""

    output: FlatOutput
    queryset: Callable[[], QuerySet[Any]]
    parent: str

    def by_parent(self, keys: Iterable[int]) -> dict[int, list[Row]]:
        grouped: dict[int, list[Row]] = defaultdict(list)
        rows = self.queryset().filter(**{f"{self.parent}__in": list(keys)}).values(self.parent, *self.output.columns)
        for row in rows:
            grouped[row[self.parent]].append(self.output.one(row))
        return grouped


class FlatOutput:
    """A serializer's output built from ``.values()`` rows (see the module)."""

    def __init__(
        self,
        serializer_class: type[serializers.Serializer[Any]],
        *,
        computed: Mapping[str, tuple[str, Convert]] | None = None,
        nested: Mapping[str, tuple[str, FlatChildren]] | None = None,
    ) -> None:
        computed = computed or {}
        self.nested = nested or {}
        self.plan: list[tuple[str, str, Convert | None]] = []  # (output name, column, conversion or None)
        columns: dict[str, None] = {}
        fields = serializer_class().fields
        for name, field in fields.items():
            if name in self.nested:
                columns[self.nested[name][0]] = None
                continue
            if name in computed:
                column, convert = computed[name]
                self.plan.append((name, column, convert))
            elif isinstance(field, serializers.SerializerMethodField | serializers.BaseSerializer):
                raise ValueError(f"{serializer_class.__name__}.{name}: give it in computed or nested")
            elif isinstance(field, RelatedField):
                self.plan.append((name, "__".join(field.source_attrs), None))
            else:
                self.plan.append((name, "__".join(field.source_attrs), field.to_representation))
            columns[self.plan[-1][1]] = None
        self.columns = list(columns)
        self.names = list(fields)

    def one(self, row: Row) -> Row:
        out: Row = {}
        for name, column, convert in self.plan:
            value = row[column]
            out[name] = value if value is None or convert is None else convert(value)
        return out

    def page(self, rows: Iterable[Row]) -> list[Row]:
        """The serialised rows, children included, in the serializer's field order."""
        rows = list(rows)
        children = {
            name: (column, flat.by_parent({row[column] for row in rows}))
            for name, (column, flat) in self.nested.items()
        }
        page = []
        for row in rows:
            out = self.one(row)
            for name, (column, grouped) in children.items():
                out[name] = grouped.get(row[column], [])
            page.append({name: out[name] for name in self.names})
        return page

    def values(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """``queryset`` as the rows :meth:`page` reads (filters and ordering kept; ``id`` and ``updated_at`` too,
        which cursor paging reads)."""
        model: type[Model] = queryset.model
        extra = [name for name in ("id", "updated_at") if any(f.name == name for f in model._meta.concrete_fields)]
        return queryset.values(*dict.fromkeys([*extra, *self.columns]))
