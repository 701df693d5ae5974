# ruff: noqa: S608 - every statement here is put together from the fixed table names and expressions below
"""How the dashboard's daily rollups (``brokerage.dashboard.models``) are kept, rebuilt and read.

Kept: PostgreSQL statement triggers on offers, packages and hand-backs add each statement's change to the
counters (the new rows' facts minus the old rows'), in the writing transaction, so the counters are exact
and current whichever way a row is written: a service's ``save()``, a queryset ``update()``, ``bulk_create``
(``generate_history``) or the demo loader. Triggers rather than calls in each service because the facts
change in many places (every change of an offer's or a package's status, a package's area or hours) and a
counter that one forgotten path skipped would be silently wrong; here there is one place per table.

Rebuilt: ``manage.py dashboard_rollups --rebuild`` (and the migration that adds them) computes every
counter from scratch with the same fact expressions; ``--check`` compares the stored counters with that.

Read: a period runs from a moment (now less N days) to now, not from midnight, so whole UK days inside it
are read from the counters and the two part days at its ends (the first day from the start, today up to
now) from the rows themselves, in the same query; the figures are therefore exactly those of the rows.
SQLite (development) has no triggers here: the dashboard computes from the rows there
(``brokerage.dashboard.metrics``), and the tests run both ways.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from brokerage.dashboard.filters import DashboardFilters
from brokerage.dashboard.models import (
    ALL,
    AwardDay,
    AwardWeek,
    DeclineDay,
    HandBackDay,
    OfferDay,
    OfferWeek,
    PackageDay,
    PackageWait,
    PackageWeek,
    StartDay,
)

ZONE = settings.TIME_ZONE  # UK days: Europe/London
BASE = {"o": "brokerage_offer", "p": "brokerage_carepackage", "h": "brokerage_handback"}
ACCEPTED = "('accepted', 'awarded', 'not_selected')"
PAUSED = "homecare.dashboard_rollups_paused"  # set for one transaction by ``bulk_load``


@dataclass(frozen=True)
class Rollup:
    """One counter table: its facts (one row per offer, package or hand-back) and what is summed."""

    table: str
    aliases: tuple[str, ...]  # the base tables read, by alias (``p`` is always the package)
    source: str  # FROM clause with ``{o}``, ``{p}``, ``{h}`` for the tables
    where: str
    moment: str  # the timestamp whose UK day the fact counts on
    keys: tuple[tuple[str, str], ...]  # column, expression (besides area, agreement, day)
    measures: tuple[tuple[str, str], ...]  # column, expression; the first is the count
    dated: bool = False  # the moment is a date (the day itself), so there are no part days
    weekly: str = ""  # the table of the same counters by week, when they are also kept by week

    def facts(self, swap: Mapping[str, str] | None = None, *, row_by_row: bool = False) -> str:
        """One row per fact: its day, area, agreement, keys, measures and moment; ``swap`` replaces a base
        table by a trigger's transition table. With ``swap`` or ``row_by_row`` (the few facts of a period's
        part days) the other table is joined row by row through its index: a transition table has no
        statistics, and a few thousand offers must not cost a scan of every package, which the planner
        chose as a parallel hash join at a million offers (45 ms for the offers of the part days)."""
        swap = swap or {}
        tables = {alias: swap.get(alias, BASE[alias]) for alias in BASE}
        source = self.source
        if (swap or row_by_row) and len(self.aliases) == 2:
            child = self.aliases[0]
            # OFFSET 0 keeps each subquery apart, so the planner cannot flatten it back into a plain join.
            if child in swap or not swap:
                source = (
                    f"{{{child}}} {child} CROSS JOIN LATERAL "
                    f"(SELECT * FROM {BASE['p']} WHERE id = {child}.package_id OFFSET 0) p"
                )
            else:
                source = (
                    f"{{p}} p CROSS JOIN LATERAL (SELECT * FROM {BASE[child]} WHERE package_id = p.id OFFSET 0) {child}"
                )
        columns = ", ".join(f"{expression} AS {column}" for column, expression in (*self.keys, *self.measures))
        return (
            f"SELECT {self.day}, "
            f"COALESCE(p.locality_area_id, 0) AS area, COALESCE(p.agreement_id, 0) AS agreement, "
            f"{columns}, {self.moment} AS moment FROM {source.format(**tables)} "
            f"WHERE {self.where} AND {self.moment} IS NOT NULL"
        )

    @property
    def day(self) -> str:
        return f"{self.moment} AS day" if self.dated else f"({self.moment} AT TIME ZONE '{ZONE}')::date AS day"

    @property
    def key_columns(self) -> list[str]:
        return ["area", "agreement", "day", *(column for column, _ in self.keys)]

    @property
    def measure_columns(self) -> list[str]:
        return [column for column, _ in self.measures]

    def _named(self, summed: Sequence[str]) -> str:
        """The summed measures, each under its column's name."""
        return ", ".join(f"{total} AS {column}" for total, column in zip(summed, self.measure_columns, strict=True))

    def _levelled(self, facts: str, summed: Sequence[str]) -> str:
        """``facts`` counted at the four levels (own area and agreement, or all of either)."""
        keys = "".join(f", f.{column}" for column, _ in self.keys)
        measures = self._named(summed)
        return (
            f"SELECT lvl.area, lvl.agreement, f.day{keys}, {measures} FROM ({facts}) AS f "
            "CROSS JOIN LATERAL (VALUES (f.area, f.agreement), (-1, f.agreement), (f.area, -1), (-1, -1)) "
            f"AS lvl(area, agreement) GROUP BY lvl.area, lvl.agreement, f.day{keys}"
        )

    def _by_week(self, daily: str) -> str:
        """Daily counters (``daily``, with the key and measure columns) summed by week, under the Monday."""
        keys = "".join(f", {column}" for column, _ in self.keys)
        summed = [f"SUM({column})" for column in self.measure_columns]
        measures = self._named(summed)
        return (
            f"SELECT area, agreement, {WEEK} AS day{keys}, {measures} FROM ({daily}) AS d "
            f"GROUP BY {self._positions} HAVING {' OR '.join(f'{total} <> {ZERO}' for total in summed)}"
        )

    @property
    def _positions(self) -> str:
        """The key columns by position (a name in GROUP BY would be the input's ``day``, not the week)."""
        return ", ".join(str(n + 1) for n in range(len(self.key_columns)))

    def scratch(self, *, weekly: bool = False) -> str:
        """Every counter computed from the rows (what the triggers keep), by day or by week."""
        daily = self._levelled(self.facts(), [f"SUM(f.{column})" for column in self.measure_columns])
        return self._by_week(daily) if weekly else daily

    def counters(self) -> list[tuple[str, str]]:
        """Each table of these counters and its computation from scratch."""
        tables = [(self.table, self.scratch())]
        if self.weekly:
            tables.append((self.weekly, self.scratch(weekly=True)))
        return tables

    def _upsert(self, table: str, rows: str) -> str:
        columns = ", ".join(self.key_columns + self.measure_columns)
        update = ", ".join(f"{column} = {table}.{column} + EXCLUDED.{column}" for column in self.measure_columns)
        # In key order, so concurrent writers lock the counters in the same order.
        return (
            f"INSERT INTO {table} ({columns}) {rows} ORDER BY {self._positions} "
            f"ON CONFLICT ({', '.join(self.key_columns)}) DO UPDATE SET {update}"
        )

    def delta(self, *, new: str | None, old: str | None, alias: str) -> str:
        """The trigger's statement: add the new rows' facts and take away the old rows' (the daily changes
        worked out once, and added to the weekly counters in the same statement)."""
        parts = []
        for sign, table in ((1, new), (-1, old)):
            if table is not None:
                parts.append(f"SELECT {sign} AS sign, * FROM ({self.facts({alias: table})}) AS s")
        summed = [f"SUM(f.sign * f.{column})" for column in self.measure_columns]
        changed = " OR ".join(f"{total} <> {ZERO}" for total in summed)
        levelled = f"{self._levelled(' UNION ALL '.join(parts), summed)} HAVING {changed}"
        if not self.weekly:
            return self._upsert(self.table, levelled)
        weekly = self._upsert(self.weekly, self._by_week("SELECT * FROM delta"))
        return f"WITH delta AS ({levelled}), weekly AS ({weekly}) {self._upsert(self.table, 'SELECT * FROM delta')}"


# The Monday of a UK day's week (ISO weeks, as ``TruncWeek``), and a zero that compares with any measure.
WEEK = "(day - EXTRACT(ISODOW FROM day)::int + 1)"
ZERO = "'0'"
_OFFER_SOURCE = "{o} o JOIN {p} p ON p.id = o.package_id"
OFFERS = Rollup(
    table=OfferDay._meta.db_table,
    weekly=OfferWeek._meta.db_table,
    aliases=("o", "p"),
    source=_OFFER_SOURCE,
    where="TRUE",
    moment="o.sent_at",
    keys=(("provider_id", "o.provider_id"),),
    measures=(
        ("offers", "1"),
        ("answered", "(o.responded_at IS NOT NULL)::int"),
        ("answer_time", "COALESCE(o.responded_at - o.sent_at, interval '0')"),
        ("accepted", f"(o.status IN {ACCEPTED})::int"),
        ("declined", "(o.status = 'declined')::int"),
        ("expired", "(o.status = 'expired')::int"),
        ("pending", "(o.status = 'pending')::int"),
        ("withdrawn", "(o.status = 'withdrawn')::int"),
    ),
)
DECLINES = Rollup(
    table=DeclineDay._meta.db_table,
    aliases=("o", "p"),
    source=_OFFER_SOURCE,
    where="o.status = 'declined'",
    moment="o.sent_at",
    keys=(("decline_reason", "o.decline_reason"),),
    measures=(("offers", "1"),),
)
AWARDS = Rollup(
    table=AwardDay._meta.db_table,
    weekly=AwardWeek._meta.db_table,
    aliases=("o", "p"),
    source=_OFFER_SOURCE,
    where="o.status = 'awarded'",
    moment="o.closed_at",
    keys=(("provider_id", "o.provider_id"),),
    measures=(("awards", "1"), ("hours", "p.hours_per_week")),
)
PACKAGES = Rollup(
    table=PackageDay._meta.db_table,
    weekly=PackageWeek._meta.db_table,
    aliases=("p",),
    source="{p} p",
    where="TRUE",
    moment="p.submitted_at",
    keys=(("urgency", "p.urgency"), ("status", "p.status")),
    measures=(("packages", "1"), ("hours", "p.hours_per_week")),
)
HAND_BACKS = Rollup(
    table=HandBackDay._meta.db_table,
    aliases=("h", "p"),
    source="{h} h JOIN {p} p ON p.id = h.package_id",
    where="TRUE",
    moment="h.notice_given_at",
    keys=(("reason", "h.reason"),),
    measures=(("hand_backs", "1"),),
)
STARTS = Rollup(
    table=StartDay._meta.db_table,
    aliases=("p",),
    source="{p} p",
    where="TRUE",
    moment="p.care_started_on",
    keys=(),
    measures=(("packages", "1"),),
    dated=True,
)
ROLLUPS = (OFFERS, DECLINES, AWARDS, PACKAGES, HAND_BACKS, STARTS)

# The waits of every submitted package, a row per package (``PackageWait``), with the expressions the
# dashboard's percentiles have always used (``date_part`` in double precision).
WAITS_TABLE = PackageWait._meta.db_table
WAITS = (
    "SELECT p.id, p.locality_area_id, p.agreement_id, p.urgency, p.submitted_at, "
    "date_part('epoch', p.first_response_at - p.submitted_at) / 3600.0, "
    "date_part('epoch', p.awarded_at - p.submitted_at) / 3600.0, "
    f"(p.care_started_on - (p.submitted_at AT TIME ZONE '{ZONE}')::date)::double precision "
    "FROM {p} p WHERE p.submitted_at IS NOT NULL"
)
WAITS_COLUMNS = "package_id, locality_area_id, agreement_id, urgency, submitted_at, responded, awarded, started"


def _waits_sql(event: str) -> list[str]:
    statements = []
    if event in ("UPDATE", "DELETE"):
        statements.append(f"DELETE FROM {WAITS_TABLE} w USING old_rows o WHERE w.package_id = o.id;")
    if event in ("INSERT", "UPDATE"):
        statements.append(f"INSERT INTO {WAITS_TABLE} ({WAITS_COLUMNS}) {WAITS.format(p='new_rows')};")
    return statements


# Keeping them -------------------------------------------------------------------------------------------


def _trigger_sql(alias: str, event: str) -> tuple[str, str]:
    """The trigger function and trigger for one base table and event, or empty strings if none is needed."""
    table = BASE[alias]
    new = "new_rows" if event in ("INSERT", "UPDATE") else None
    old = "old_rows" if event in ("UPDATE", "DELETE") else None
    statements = []
    for rollup in ROLLUPS:
        if alias not in rollup.aliases:
            continue
        if alias == "p" and rollup.aliases[0] != "p":
            # A package is inserted before its offers and hand-backs and deleted after them (Django deletes
            # the dependants first; the foreign keys forbid otherwise), so only an update moves their
            # counters, and only one that changes the package's area, agreement or hours.
            if event != "UPDATE":
                continue
            changed = (
                "(SELECT {side}.* FROM new_rows n JOIN old_rows o USING (id) WHERE (n.locality_area_id, "
                "n.agreement_id, n.hours_per_week) IS DISTINCT FROM (o.locality_area_id, o.agreement_id, "
                "o.hours_per_week))"
            )
            statements.append(
                rollup.delta(new=changed.format(side="n"), old=changed.format(side="o"), alias=alias) + ";"
            )
            continue
        statements.append(rollup.delta(new=new, old=old, alias=alias) + ";")
    if alias == "p":
        statements += _waits_sql(event)
    if not statements:
        return "", ""
    name = f"{table}_rollup_{event.lower()}"
    function = (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "
        f"IF current_setting('{PAUSED}', true) = 'on' THEN RETURN NULL; END IF; "
        f"{' '.join(statements)} RETURN NULL; END $body$;"
    )
    referencing = " ".join(part for part in (new and f"NEW TABLE AS {new}", old and f"OLD TABLE AS {old}") if part)
    trigger = (
        f"DROP TRIGGER IF EXISTS {name} ON {table}; CREATE TRIGGER {name} AFTER {event} ON {table} "
        f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}();"
    )
    return function, trigger


def install_sql() -> str:
    """The triggers that keep every rollup (safe to run again: it replaces them)."""
    parts = []
    for alias in BASE:
        for event in ("INSERT", "UPDATE", "DELETE"):
            function, trigger = _trigger_sql(alias, event)
            parts += [function, trigger]
    return "\n".join(part for part in parts if part)


def uninstall_sql() -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();"
        for table, name in _trigger_names()
    )


def migrate(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """For the latest migration that changes a rollup: the triggers of this code installed and every counter
    rebuilt from the rows (PostgreSQL only). Earlier such migrations leave it to the latest, because these
    triggers write tables an earlier migration has not made yet."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(install_sql())
        rebuild()


def unmigrate(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Going back: the triggers dropped (the code migrated back to installs its own again)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(uninstall_sql())


def rebuild() -> None:
    """Every counter computed again from the rows (PostgreSQL), in one transaction with a lock on the rows'
    tables against writers, so no change is counted twice or missed."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {', '.join(BASE.values())} IN SHARE MODE")
        for rollup in ROLLUPS:
            columns = ", ".join(rollup.key_columns + rollup.measure_columns)
            for table, scratch in rollup.counters():
                cursor.execute(f"DELETE FROM {table}")
                cursor.execute(f"INSERT INTO {table} ({columns}) {scratch}")
        cursor.execute(f"DELETE FROM {WAITS_TABLE}")
        cursor.execute(f"INSERT INTO {WAITS_TABLE} ({WAITS_COLUMNS}) {WAITS.format(p=BASE['p'])}")


def differences() -> dict[str, list[tuple[str, tuple[Any, ...]]]]:
    """For each counter table and the packages' waits: the rows stored but not computed from scratch
    ("stored") and the other way round ("scratch"); cells whose counts are all zero are no cell at all."""
    checks = [(WAITS_TABLE, f"SELECT {WAITS_COLUMNS} FROM {WAITS_TABLE}", WAITS.format(p=BASE["p"]))]
    for rollup in ROLLUPS:
        columns = ", ".join(rollup.key_columns + rollup.measure_columns)
        first = rollup.measure_columns[0]
        checks += [
            (table, f"SELECT {columns} FROM {table} WHERE {first} <> 0", f"SELECT * FROM ({computed}) AS s")
            for table, computed in rollup.counters()
        ]
    found: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}
    with connection.cursor() as cursor:
        for table, stored, scratch in checks:
            cursor.execute(f"({stored} EXCEPT ALL {scratch})")
            found[table] = [("stored", tuple(row)) for row in cursor.fetchall()]
            cursor.execute(f"({scratch} EXCEPT ALL {stored})")
            found[table] += [("scratch", tuple(row)) for row in cursor.fetchall()]
    return found


# Reading them -------------------------------------------------------------------------------------------


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(ZONE))


def read(
    rollup: Rollup, filters: DashboardFilters, group_by: Sequence[str], *, by_area: bool = False, where: str = ""
) -> list[tuple[Any, ...]]:
    """The rollup's measures summed over the filters' period and scope, grouped by ``group_by`` (columns of
    the rollup: ``day``, ``area`` or its keys), with ``where`` (on those columns) applied to the facts.

    Whole UK weeks (Monday to Sunday) come from the weekly counters when the rollup has them, the other
    whole UK days from the daily counters, and the part day at the start of the period and today up to
    now from the facts, so the sums are exactly those of the rows. A whole week's row has its Monday as
    ``day``, so grouping by ``day`` is only good for figures by week. ``by_area`` reads one row per area
    (not the all-areas level) for figures shown area by area."""
    now = filters.now
    today = now.astimezone(ZoneInfo(ZONE)).date()
    if rollup.dated:
        return _read_dated(rollup, filters, group_by, by_area=by_area, where=where)
    edges: list[tuple[datetime, datetime]] = []
    if filters.start is None:
        first_whole: date | None = None
        edges.append((_midnight(today), now))
    else:
        start_day = filters.start.astimezone(ZoneInfo(ZONE)).date()
        if start_day >= today:
            edges.append((filters.start, now))
        else:
            edges += [(filters.start, _midnight(start_day + timedelta(days=1))), (_midnight(today), now)]
        first_whole = start_day
    area = filters.area_id if filters.area_id is not None else ALL
    agreement = filters.agreement_id if filters.agreement_id is not None else ALL
    extra = f" AND ({where})" if where else ""
    columns = ", ".join(["day", *(column for column, _ in rollup.keys), *rollup.measure_columns])

    scope_params: list[Any]
    if by_area and filters.area_id is None:
        scope, scope_params = f" AND area <> {ALL} AND agreement = %s", [agreement]
    else:
        scope, scope_params = " AND area = %s AND agreement = %s", [area, agreement]
    # Whole days: after the first (part) day and before today. Whole weeks among them: from the first Monday
    # after the first day (week_from) to before this week's Monday (week_to).
    week_from = None if first_whole is None else first_whole + timedelta(days=7 - first_whole.weekday())
    week_to = today - timedelta(days=today.weekday())
    in_weeks, days = "day < %s", "day < %s"
    week_params: list[Any] = [week_to]
    params: list[Any] = [today]
    if week_from is not None:
        in_weeks += " AND day >= %s"
        week_params.append(week_from)
    if first_whole is not None:
        days += " AND day > %s"
        params.append(first_whole)
    stored = ""
    if rollup.weekly and (week_from is None or week_from < week_to):
        stored = (
            f"SELECT area, {columns} FROM {rollup.weekly} WHERE {rollup.measure_columns[0]} <> 0 AND {in_weeks}"
            f"{scope}{extra} UNION ALL "
        )
        params = [*week_params, *scope_params, *params, *week_params]
        days += f" AND NOT ({in_weeks})"
    stored += f"SELECT area, {columns} FROM {rollup.table} WHERE {rollup.measure_columns[0]} <> 0 AND {days}{scope}"
    params += scope_params

    live = f"SELECT area, {columns} FROM ({rollup.facts(row_by_row=True)}) AS f WHERE ("
    live += " OR ".join("(moment >= %s AND moment {} %s)".format("<=" if end == now else "<") for _, end in edges)
    live += ")"
    for start, end in edges:
        params += [start, end]
    if filters.area_id is not None:
        live += " AND area = %s"
        params.append(filters.area_id)
    if filters.agreement_id is not None:
        live += " AND agreement = %s"
        params.append(filters.agreement_id)

    grouped = ", ".join(group_by)
    summed = ", ".join(f"SUM({column})" for column in rollup.measure_columns)
    sql = f"SELECT {grouped}, {summed} FROM ({stored}{extra} UNION ALL {live}{extra}) AS r GROUP BY {grouped}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


_FROM_ROWS: ContextVar[bool] = ContextVar("dashboard_from_rows", default=False)


def _read_dated(
    rollup: Rollup, filters: DashboardFilters, group_by: Sequence[str], *, by_area: bool, where: str
) -> list[tuple[Any, ...]]:
    """A rollup by date (care starting): a date is in the period when its UK day is, as Django compares a
    date field with a moment, so the counters alone give it."""
    zone = ZoneInfo(ZONE)
    sql = f"SELECT {', '.join(group_by)}, {', '.join(f'SUM({c})' for c in rollup.measure_columns)} FROM {rollup.table}"
    sql += f" WHERE {rollup.measure_columns[0]} <> 0 AND day <= %s"
    params: list[Any] = [filters.now.astimezone(zone).date()]
    if filters.start is not None:
        sql += " AND day >= %s"
        params.append(filters.start.astimezone(zone).date())
    if by_area and filters.area_id is None:
        sql += f" AND area <> {ALL}"
    else:
        sql += " AND area = %s"
        params.append(filters.area_id if filters.area_id is not None else ALL)
    sql += " AND agreement = %s"
    params.append(filters.agreement_id if filters.agreement_id is not None else ALL)
    if where:
        sql += f" AND ({where})"
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} GROUP BY {', '.join(group_by)}", params)
        return [tuple(row) for row in cursor.fetchall()]


def in_use() -> bool:
    """Whether the dashboard reads the rollups (PostgreSQL, where the triggers keep them)."""
    return connection.vendor == "postgresql" and not _FROM_ROWS.get()


@contextmanager
def from_rows() -> Iterator[None]:
    """Within it, the dashboard computes every figure from the rows: the reference the rollups must equal
    (the tests and ``bench/dashboard.py`` compare the two)."""
    token = _FROM_ROWS.set(True)
    try:
        yield
    finally:
        _FROM_ROWS.reset(token)


def _trigger_names() -> list[tuple[str, str]]:
    return [
        (table, f"{table}_rollup_{event.lower()}")
        for alias, table in BASE.items()
        for event in ("INSERT", "UPDATE", "DELETE")
        if _trigger_sql(alias, event)[0]
    ]


@contextmanager
def bulk_load() -> Iterator[None]:
    """For a bulk load in one transaction (``generate_history``): the triggers off while it writes, then every
    counter rebuilt from scratch, far quicker than counting row by row. Only this transaction's writes go
    uncounted (the setting is local to it), and the rebuild locks out other writers while it counts."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {PAUSED} = 'on'")
        yield
        cursor.execute(f"SET LOCAL {PAUSED} = 'off'")
        rebuild()
        # The planner's statistics would be those of before the load until autovacuum reached the tables:
        # at 200,000 generated packages the waiting list's offer counts then read every offer (185 ms, 22 ms
        # once analysed) and the dashboard page took 1,093 ms for all time (608 ms once analysed).
        cursor.execute(f"ANALYZE {', '.join(loaded_tables())}")


def loaded_tables() -> list[str]:
    """The tables a bulk load writes: the base tables and every counter rebuilt from them."""
    return [*BASE.values(), *(table for rollup in ROLLUPS for table, _ in rollup.counters()), WAITS_TABLE]
