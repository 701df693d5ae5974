"""Reads for visits and payments: the planned schedule, a pay run's inputs, statements and lists per audience."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from brokerage.changes.selectors import care_days
from brokerage.models import CarePackage
from contracts.models import Agreement
from contracts.selectors import fee_rate_steps
from homecare.accounts.audiences import Audience, is_member
from providers.models import Provider
from providers.selectors import provider_for_user
from visits.models import ActualVisit, PayDispute, PayLine, PayPeriod, PayRun, VisitRules

UserLike = AbstractBaseUser | AnonymousUser
UK = ZoneInfo("Europe/London")
INPUTS_VERSION = 1


def rules_for(agreement: Agreement) -> VisitRules:
    """The agreement's visit rules, or the defaults (unsaved) when it has set none."""
    rules = VisitRules.objects.filter(agreement=agreement).first()
    return rules if rules is not None else VisitRules(agreement=agreement)


def period_end_for(*, rules: VisitRules, period_start: date) -> date:
    return period_start + timedelta(days=6 if rules.pay_period == PayPeriod.WEEKLY else 27)


def planned_visits(package: CarePackage, start: date, end: date) -> list[dict[str, Any]]:
    """The package's planned visits from ``start`` to ``end``, from its visit pattern with every change applied
    (``brokerage.changes.selectors.care_days``). A visit's planned start is the start of its window, UK time.
    Retained days (suspended within the retainer) are listed with ``retained`` true: paid, not visited."""
    visits: list[dict[str, Any]] = []
    for care_day in care_days(package, start, end):
        for visit in sorted(care_day.pattern.visits, key=lambda v: v.window_start):
            if visit.day_of_week != care_day.day.weekday():
                continue
            starts = datetime.combine(care_day.day, visit.window_start, tzinfo=UK)
            visits.append(
                {
                    "package": package.pk,
                    "day": care_day.day.isoformat(),
                    "start": starts.isoformat(),
                    "minutes": visit.duration_minutes,
                    "carers": visit.carers,
                    "retained": care_day.retained,
                }
            )
    return visits


def packages_paid_to(*, agreement: Agreement, provider: Provider) -> QuerySet[CarePackage]:
    """The packages the provider delivers under the agreement (awarded to it, live or ended)."""
    return CarePackage.objects.filter(
        agreement=agreement,
        awarded_provider=provider,
        status__in=(*CarePackage.LIVE_STATUSES, CarePackage.Status.ENDED),
    ).order_by("pk")


def actual_visits_between(*, packages: QuerySet[CarePackage], start: date, end: date) -> QuerySet[ActualVisit]:
    """Actual visits of the packages checked in (or, if not made, planned) from ``start`` to ``end`` (UK days)."""
    since = datetime.combine(start, time.min, tzinfo=UK)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UK)
    in_period = Q(check_in__gte=since, check_in__lt=until) | Q(
        check_in__isnull=True, planned_start__gte=since, planned_start__lt=until
    )
    return ActualVisit.objects.filter(in_period, package__in=packages).order_by("package_id", "check_in", "pk")


def pay_run_inputs(*, agreement: Agreement, provider: Provider, start: date, end: date) -> dict[str, Any]:
    """Everything a pay run reads, as plain JSON: stored on the run, so ``visits.pay.pay_lines`` can redo it."""
    rules = rules_for(agreement)
    packages = packages_paid_to(agreement=agreement, provider=provider).prefetch_related("visits", "changes")
    planned: list[dict[str, Any]] = []
    housing_with_care: dict[str, bool] = {}
    for package in packages:
        planned.extend(planned_visits(package, start, end))
        housing_with_care[str(package.pk)] = package.housing_with_care
    actuals = [
        {
            "id": visit.pk,
            "visit_id": visit.provider_visit_id,
            "package": visit.package_id,
            "day": (visit.check_in or visit.planned_start or datetime.combine(start, time.min, tzinfo=UK))
            .astimezone(UK)
            .date()
            .isoformat(),
            "planned_start": visit.planned_start.isoformat() if visit.planned_start else None,
            "check_in": visit.check_in.isoformat() if visit.check_in else None,
            "check_out": visit.check_out.isoformat() if visit.check_out else None,
            "minutes": visit.minutes or 0,
            "carers": visit.carers,
            "exception_code": visit.exception_code,
        }
        for visit in actual_visits_between(packages=packages, start=start, end=end)
    ]
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
