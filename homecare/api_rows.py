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
- Where a field is DRF's own date, time, date-time, text, whole-number or yes/no field in ISO 8601, its
  ``to_representation`` is done directly (:func:`_direct`): the same strings, without DRF's per-value checks
  of the format setting and, for date-times, the current time zone looked up once a page, not once a value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any, cast

from django.conf import settings as django_settings
from django.db.models import Model, QuerySet
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.relations import RelatedField

Row = dict[str, Any]
Convert = Callable[[Any], Any]
DATETIME = object()  # a plan's marker: a DRF DateTimeField, converted in the page's current time zone


def _own(field: serializers.Field[Any, Any, Any, Any], drf_class: type[serializers.Field[Any, Any, Any, Any]]) -> bool:
    """Whether ``field`` writes its values exactly as ``drf_class`` does (a subclass may override that)."""
    return isinstance(field, drf_class) and type(field).to_representation is drf_class.to_representation


def _iso(field: serializers.Field[Any, Any, Any, Any], default: str | None) -> bool:
    output_format = getattr(field, "format", default)
    return isinstance(output_format, str) and output_format.lower() == ISO_8601


def _direct(field: serializers.Field[Any, Any, Any, Any]) -> Convert | object:
    """``field.to_representation`` for a value that is not ``None``, done directly where the output is the same
    (see the module), else DRF's own."""
    from rest_framework.settings import api_settings

    if _own(field, serializers.DateTimeField) and _iso(field, api_settings.DATETIME_FORMAT):
        return field.to_representation if hasattr(field, "timezone") else DATETIME
    if _own(field, serializers.DateField) and _iso(field, api_settings.DATE_FORMAT):
        return date.isoformat
    if _own(field, serializers.TimeField) and _iso(field, api_settings.TIME_FORMAT):
        return time.isoformat
    for drf_class, convert in (
        (serializers.CharField, str),
        (serializers.IntegerField, int),
        (serializers.BooleanField, bool),
    ):
        if _own(field, drf_class):
            return convert
    return field.to_representation


def _datetime_in(zone: tzinfo | None, field: serializers.DateTimeField) -> Convert:
    """DRF's ISO 8601 ``DateTimeField.to_representation`` for the time zone ``zone``, current for this page."""

    def convert(value: Any) -> Any:
        if zone is None or not isinstance(value, datetime) or value.tzinfo is None:
            return field.to_representation(value)  # naive, or no time zone: DRF's rules, rarely taken
        try:
            written = value.astimezone(zone).isoformat()
        except OverflowError:
            return field.to_representation(value)  # DRF's own error
        return written[:-6] + "Z" if written.endswith("+00:00") else written

    return convert


@dataclass(frozen=True)
class FlatChildren:
    """The children of a nested ``many=True`` field: ``queryset`` filtered by ``parent`` (a foreign key's column,
    e.g. ``package_id``) in the related manager's order, serialised by ``output``."""

    output: FlatOutput
    queryset: Callable[[], QuerySet[Any]]
    parent: str

    def by_parent(self, keys: Iterable[int]) -> dict[int, list[Row]]:
        """Read as tuples, not dicts: a page's children are most of its rows (400 visits to 50 offers)."""
        if self.output.nested:
            raise ValueError("children with children of their own are not supported")
        grouped: dict[int, list[Row]] = defaultdict(list)
        columns = [self.parent, *self.output.columns]
        at = {column: index for index, column in enumerate(columns)}
        order = {name: index for index, name in enumerate(self.output.names)}
        plan = sorted(self.output.converters(), key=lambda step: order[step[0]])  # the serializer's field order
        steps = [(name, at[column], convert) for name, column, convert in plan]
        for row in self.queryset().filter(**{f"{self.parent}__in": list(keys)}).values_list(*columns):
            grouped[row[0]].append(
                {
                    name: value if (value := row[index]) is None or convert is None else convert(value)
                    for name, index, convert in steps
                }
            )
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
                self.plan.append((name, "__".join(field.source_attrs), _direct(field)))  # type: ignore[arg-type]
            columns[self.plan[-1][1]] = None
        self.columns = list(columns)
        self.names = list(fields)
        self._datetime_fields: dict[str, serializers.DateTimeField] = {
            name: cast(serializers.DateTimeField, fields[name])
            for name, _column, convert in self.plan
            if convert is DATETIME
        }
        # Nested fields last, as both serializers here have them: then a row needs no reordering.
        self._reorder = self.names != [name for name, _column, _convert in self.plan] + list(self.nested)

    def converters(self) -> list[tuple[str, str, Convert | None]]:
        """The plan with date-times bound to the current time zone: once a page, not once a value."""
        if not self._datetime_fields:
            return self.plan
        zone = timezone.get_current_timezone() if django_settings.USE_TZ else None
        return [
            (name, column, _datetime_in(zone, self._datetime_fields[name]) if convert is DATETIME else convert)
            for name, column, convert in self.plan
        ]

    def one(self, row: Row, plan: list[tuple[str, str, Convert | None]] | None = None) -> Row:
        out: Row = {}
        for name, column, convert in plan or self.converters():
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
        plan = self.converters()
        page = []
        for row in rows:
            out = self.one(row, plan)
            for name, (column, grouped) in children.items():
                out[name] = grouped.get(row[column], [])
            page.append({name: out[name] for name in self.names} if self._reorder else out)
        return page

    def values(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """``queryset`` as the rows :meth:`page` reads (filters and ordering kept; ``id`` and ``updated_at`` too,
        which cursor paging reads)."""
        model: type[Model] = queryset.model
        extra = [name for name in ("id", "updated_at") if any(f.name == name for f in model._meta.concrete_fields)]
        return queryset.values(*dict.fromkeys([*extra, *self.columns]))
