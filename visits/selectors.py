"""Reads for visits and payments: the planned schedule, a pay run's inputs, statements and lists per audience."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from brokerage.changes.selectors import ProviderPeriod, care_days, packages_delivered_by, provider_periods
from brokerage.models import CarePackage, Offer
from contracts.models import Agreement
from contracts.selectors import fee_rate_steps
from homecare.accounts.audiences import Audience, is_member
from providers.models import LocalityArea, Provider
from providers.selectors import provider_for_user
from visits import monitoring
from visits.models import (
    ActualVisit,
    MonitoringWeek,
    PayDispute,
    PayLine,
    PayPeriod,
    PayRun,
    VisitImportJob,
    VisitRules,
)

UserLike = AbstractBaseUser | AnonymousUser
UK = ZoneInfo("Europe/London")
INPUTS_VERSION = 2  # 2: rows carry ``period`` (the award whose days they fall in)


def rules_for(agreement: Agreement) -> VisitRules:
    """The agreement's visit rules, or the defaults (unsaved) when it has set none."""
    rules = VisitRules.objects.filter(agreement=agreement).first()
    return rules if rules is not None else VisitRules(agreement=agreement)


def period_end_for(*, rules: VisitRules, period_start: date) -> date:
    return period_start + timedelta(days=6 if rules.pay_period == PayPeriod.WEEKLY else 27)


def planned_visits(
    package: CarePackage, start: date, end: date, *, provider_id: int | None = None
) -> list[dict[str, Any]]:
    """The package's planned visits from ``start`` to ``end``, from its visit pattern with every change applied
    (``brokerage.changes.selectors.care_days``), on the days ``provider_id`` held it when given. A visit's
    planned start is the start of its window, UK time; ``period`` is the award (offer id) whose days it falls
    in, so matching pairs visits within one provider period. Retained days (suspended within the retainer)
    are listed with ``retained`` true: paid, not visited."""
    visits: list[dict[str, Any]] = []
    for care_day in care_days(package, start, end):
        if provider_id is not None and care_day.provider_id != provider_id:
            continue
        for visit in sorted(care_day.pattern.visits, key=lambda v: v.window_start):
            if visit.day_of_week != care_day.day.weekday():
                continue
            starts = datetime.combine(care_day.day, visit.window_start, tzinfo=UK)
            visits.append(
                {
                    "package": package.pk,
                    "period": care_day.offer_id,
                    "day": care_day.day.isoformat(),
                    "start": starts.isoformat(),
                    "minutes": visit.duration_minutes,
                    "carers": visit.carers,
                    "retained": care_day.retained,
                }
            )
    return visits


def packages_paid_to(*, agreement: Agreement, provider: Provider) -> QuerySet[CarePackage]:
    """The packages the provider delivers or delivered under the agreement (any award of it, in any round):
    which of their days are its is ``brokerage.changes.selectors.provider_periods``."""
    return (
        packages_delivered_by(provider=provider)
        .filter(agreement=agreement)
        .prefetch_related("visits", "changes", "offers", "hand_backs")
        .order_by("pk")
    )


def _uk_day(moment: datetime) -> date:
    return moment.astimezone(UK).date()


def actual_visits_between(*, packages: QuerySet[CarePackage], start: date, end: date) -> QuerySet[ActualVisit]:
    """Actual visits of the packages checked in (or, if not made, planned) from ``start`` to ``end`` (UK days)."""
    since = datetime.combine(start, time.min, tzinfo=UK)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UK)
    in_period = Q(check_in__gte=since, check_in__lt=until) | Q(
        check_in__isnull=True, planned_start__gte=since, planned_start__lt=until
    )
    return ActualVisit.objects.filter(in_period, package__in=packages).order_by("package_id", "check_in", "pk")


def pay_run_inputs(*, agreement: Agreement, provider: Provider, start: date, end: date) -> dict[str, Any]:
    """Everything a pay run reads, as plain JSON: stored on the run, so ``visits.pay.pay_lines`` can redo it.

    Only the provider's own days count (``provider_periods``): its planned visits on the days it held each
    package, and the actual visits it reported on those days. Another provider's days are that provider's run.
    """
    rules = rules_for(agreement)
    packages = packages_paid_to(agreement=agreement, provider=provider)
    planned: list[dict[str, Any]] = []
    housing_with_care: dict[str, bool] = {}
    periods: dict[int, list[ProviderPeriod]] = {}
    for package in packages:
        periods[package.pk] = [p for p in provider_periods(package) if p.provider_id == provider.pk]
        planned.extend(planned_visits(package, start, end, provider_id=provider.pk))
        housing_with_care[str(package.pk)] = package.housing_with_care
    actuals = []
    for visit in actual_visits_between(packages=packages, start=start, end=end).filter(provider=provider):
        day = _uk_day(visit.check_in or visit.planned_start or datetime.combine(start, time.min, tzinfo=UK))
        period = next((p for p in periods[visit.package_id] if p.covers(day)), None)
        if period is None:
            continue  # a day the package was another provider's (or nobody's): not paid to this one
        actuals.append(
            {
                "id": visit.pk,
                "visit_id": visit.provider_visit_id,
                "package": visit.package_id,
                "period": period.offer_id,
                "day": day.isoformat(),
                "planned_start": visit.planned_start.isoformat() if visit.planned_start else None,
                "check_in": visit.check_in.isoformat() if visit.check_in else None,
                "check_out": visit.check_out.isoformat() if visit.check_out else None,
                "minutes": visit.minutes or 0,
                "carers": visit.carers,
                "exception_code": visit.exception_code,
                "carer_pseudonyms": visit.carer_pseudonyms,
            }
        )
    rates = {
        service: [[step.effective_from.isoformat(), str(step.hourly_rate)] for step in steps]
        for service, steps in fee_rate_steps(agreement=agreement).items()
    }
    return {
        "version": INPUTS_VERSION,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "rules": {
            "pay_basis": rules.pay_basis,
            "match_window_minutes": rules.match_window_minutes,
            "late_after_minutes": rules.late_after_minutes,
            "short_below_percent": rules.short_below_percent,
            "tolerance_minutes": rules.tolerance_minutes,
            "exception_codes": rules.exception_codes,
        },
        "rates": rates,
        "housing_with_care": housing_with_care,
        "planned": planned,
        "actuals": actuals,
    }


# --- Lists and pages ----------------------------------------------------------------------------------


def _require_officer(user: UserLike) -> None:
    if not (is_member(user, Audience.OFFICER) or is_member(user, Audience.CCC)):
        raise PermissionDenied("Only commissioning officers and CCC staff can see this.")


def pay_runs_for_officer(*, user: UserLike) -> QuerySet[PayRun]:
    _require_officer(user)
    return PayRun.objects.select_related("agreement", "provider").order_by("-period_start", "provider__name")


def pay_run_get_for_officer(*, user: UserLike, pay_run_id: int) -> PayRun:
    _require_officer(user)
    run = PayRun.objects.select_related("agreement", "provider").filter(pk=pay_run_id).first()
    if run is None:
        raise Http404("No such pay run.")
    return run


def pay_runs_for_provider(*, provider_user: UserLike) -> QuerySet[PayRun]:
    """The provider's own approved pay runs (its statements); drafts are the council's working."""
    provider = provider_for_user(user=provider_user)
    return PayRun.objects.filter(provider=provider, status=PayRun.Status.APPROVED).select_related("agreement")


def pay_run_get_for_provider(*, provider_user: UserLike, pay_run_id: int) -> PayRun:
    run = pay_runs_for_provider(provider_user=provider_user).filter(pk=pay_run_id).first()
    if run is None:
        raise Http404("No such statement.")
    return run


def pay_lines_of(run: PayRun) -> QuerySet[PayLine]:
    return run.lines.select_related("package", "actual_visit").prefetch_related("disputes")


def pay_line_get_for_provider(*, provider_user: UserLike, line_id: int) -> PayLine:
    provider = provider_for_user(user=provider_user)
    line = (
        PayLine.objects.select_related("pay_run", "package")
        .filter(pk=line_id, pay_run__provider=provider, pay_run__status=PayRun.Status.APPROVED)
        .first()
    )
    if line is None:
        raise Http404("No such line.")
    return line


def disputes_open(*, user: UserLike) -> QuerySet[PayDispute]:
    _require_officer(user)
    return PayDispute.objects.filter(status=PayDispute.Status.OPEN).select_related(
        "line__pay_run__provider", "line__package"
    )


def dispute_get_for_officer(*, user: UserLike, dispute_id: int) -> PayDispute:
    _require_officer(user)
    dispute = (
        PayDispute.objects.select_related("line__pay_run__provider", "line__package").filter(pk=dispute_id).first()
    )
    if dispute is None:
        raise Http404("No such dispute.")
    return dispute


# --- Contract monitoring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitoringRow:
    provider: Provider
    area: str
    figures: monitoring.Figures


def _figures_by_package(
    *, start: date, end: date, provider: Provider | None = None
) -> dict[tuple[int, int], monitoring.Figures]:
    """Figures per (package, provider): each provider's own days of each package (``provider_periods``), from
    the same inputs its pay run reads, so a package that changed provider counts once for each, on its days."""
    awards = Offer.objects.filter(status=Offer.Status.AWARDED).exclude(
        package__status__in=(CarePackage.Status.DRAFT, CarePackage.Status.CANCELLED)
    )
    if provider is not None:
        awards = awards.filter(provider=provider)
    pairs = set(awards.values_list("package__agreement_id", "provider_id").distinct())
    agreements = {a.pk: a for a in Agreement.objects.filter(pk__in={a for a, _ in pairs})}
    providers = {p.pk: p for p in Provider.objects.filter(pk__in={p for _, p in pairs})}
    figures: dict[tuple[int, int], monitoring.Figures] = {}
    for agreement_id, provider_id in sorted(pairs):
        inputs = pay_run_inputs(
            agreement=agreements[agreement_id], provider=providers[provider_id], start=start, end=end
        )
        for package_id, package_figures in monitoring.package_figures(inputs).items():
            figures[(package_id, provider_id)] = package_figures
    return figures


def contract_monitoring(*, user: UserLike, start: date, end: date) -> list[MonitoringRow]:
    """Per provider and area: shares of visits on time, late, missed and short, continuity, hours delivered."""
    _require_officer(user)
    by_package = _figures_by_package(start=start, end=end)
    packages = CarePackage.objects.in_bulk({package_id for package_id, _ in by_package})
    areas: dict[int | None, str] = dict(
        LocalityArea.objects.filter(pk__in={p.locality_area_id for p in packages.values()}).values_list("pk", "name")
    )
    providers = Provider.objects.in_bulk({provider_id for _, provider_id in by_package})
    groups: dict[tuple[int, str], list[monitoring.Figures]] = {}
    for (package_id, provider_id), figures in by_package.items():
        area = areas.get(packages[package_id].locality_area_id, "No area")
        groups.setdefault((provider_id, area), []).append(figures)
    return [
        MonitoringRow(providers[provider_id], area, monitoring.total(figures))
        for (provider_id, area), figures in sorted(groups.items(), key=lambda g: (providers[g[0][0]].name, g[0][1]))
    ]


def provider_monitoring(
    *, user: UserLike, provider_id: int, start: date, end: date
) -> tuple[Provider, list[tuple[CarePackage, monitoring.Figures]], list[tuple[date, monitoring.Figures]]]:
    """Drill-down: one provider's packages over the period (its own days of each), and its figures week by
    week (the trend)."""
    _require_officer(user)
    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        raise Http404("No such provider.")
    by_package = {
        package_id: f for (package_id, _), f in _figures_by_package(start=start, end=end, provider=provider).items()
    }
    packages = CarePackage.objects.filter(pk__in=by_package).select_related("locality_area").order_by("pk")
    weeks = []
    week = start
    while week <= end:
        week_end = min(week + timedelta(days=6), end)
        weeks.append(
            (week, monitoring.total(_figures_by_package(start=week, end=week_end, provider=provider).values()))
        )
        week += timedelta(days=7)
    return provider, [(package, by_package[package.pk]) for package in packages], weeks


def provider_week_figures(*, start: date, end: date) -> dict[int, monitoring.Figures]:
    """Every provider's figures for the period (summed over its days of its packages), by provider id."""
    grouped: dict[int, list[monitoring.Figures]] = {}
    for (_package_id, provider_id), figures in _figures_by_package(start=start, end=end).items():
        grouped.setdefault(provider_id, []).append(figures)
    return {provider_id: monitoring.total(figures) for provider_id, figures in grouped.items()}


@dataclass(frozen=True)
class TrendWeek:
    week_start: date
    planned: int
    on_time: int
    late: int
    missed: int
    short: int

    def share(self, count: int) -> float:
        return 100.0 * count / self.planned if self.planned else 0.0

    @property
    def on_time_share(self) -> float:
        return self.share(self.on_time)

    @property
    def late_share(self) -> float:
        return self.share(self.late)

    @property
    def missed_share(self) -> float:
        return self.share(self.missed)

    @property
    def short_share(self) -> float:
        return self.share(self.short)


@dataclass(frozen=True)
class ProviderTrend:
    provider: Provider
    week: TrendWeek


def monitoring_trend(*, weeks: int = 8, worst: int = 5) -> tuple[list[TrendWeek], list[ProviderTrend]]:
    """The CCC's trends, from the nightly ``MonitoringWeek`` rows: two queries at any size.

    Every provider together, week by week (oldest first, the last ``weeks`` recorded); and, for the latest week,
    the ``worst`` providers by missed share (then late share), each linking to its drill-down."""
    totals = list(
        MonitoringWeek.objects.values("week_start")
        .annotate(
            planned_sum=Sum("planned"), on_time_sum=Sum("on_time"), late_sum=Sum("late"),
            missed_sum=Sum("missed"), short_sum=Sum("short"),
        )
        .order_by("-week_start")[:weeks]
    )  # fmt: skip
    trend = [
        TrendWeek(
            row["week_start"], row["planned_sum"], row["on_time_sum"], row["late_sum"], row["missed_sum"],
            row["short_sum"],
        )
        for row in reversed(totals)
    ]  # fmt: skip
    if not trend:
        return [], []
    latest = MonitoringWeek.objects.filter(week_start=trend[-1].week_start, planned__gt=0).select_related("provider")
    by_provider = [
        ProviderTrend(
            row.provider, TrendWeek(row.week_start, row.planned, row.on_time, row.late, row.missed, row.short)
        )
        for row in latest
    ]
    by_provider.sort(key=lambda p: (-p.week.missed_share, -p.week.late_share, p.provider.name))
    return trend, by_provider[:worst]


MISSED_IN_A_WEEK = 2  # missed visits for one person within seven days that make a pattern worth an alert


def missed_visit_patterns(*, today: date) -> list[tuple[int, date, int]]:
    """Packages with ``MISSED_IN_A_WEEK`` or more missed visits in the seven days to yesterday:
    (package id, first missed day, how many)."""
    start, end = today - timedelta(days=7), today - timedelta(days=1)
    missed_days: dict[int, list[date]] = {}
    for (package_id, _provider_id), figures in _figures_by_package(start=start, end=end).items():
        missed_days.setdefault(package_id, []).extend(figures.missed_days)  # the person's, whoever delivered
    return sorted(
        (package_id, min(days), len(days)) for package_id, days in missed_days.items() if len(days) >= MISSED_IN_A_WEEK
    )


def visit_import_jobs_recent(
    *, provider_user: AbstractBaseUser | AnonymousUser, limit: int = 10
) -> list[VisitImportJob]:
    """The provider's latest background imports, newest first, without their text or report."""
    provider = provider_for_user(user=provider_user)
    return list(VisitImportJob.objects.filter(provider=provider).defer("text", "report")[:limit])


def visit_import_job_get(*, provider_user: AbstractBaseUser | AnonymousUser, job_id: int) -> VisitImportJob:
    """One of the provider's own background imports; another provider's is a 404."""
    provider = provider_for_user(user=provider_user)
    job = VisitImportJob.objects.defer("text").filter(pk=job_id, provider=provider).first()
    if job is None:
        raise Http404("No such import.")
    return job
