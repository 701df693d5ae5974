"""Demo step: four weeks of actual visits for the awarded packages, a completed pay run and a disputed line.

Run by ``manage.py load_demo`` after the brokerage history (``demo.steps``). Idempotent: visit ids are made from
the package and the planned start, so a second run sends the same visits (and changes nothing); approved pay runs
are left alone; the dispute is raised once.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.management.base import OutputWrapper
from django.utils import timezone

from brokerage.models import CarePackage
from contracts import costing
from contracts.selectors import fee_rate_steps
from homecare.accounts.audiences import Audience
from providers.models import ProviderStaff
from visits.ecm_format import EcmRow, read_values
from visits.models import ActualVisitSource, PayDispute, PayRun
from visits.pseudonyms import pseudonymiser
from visits.selectors import planned_visits
from visits.services.actuals import actual_visits_save
from visits.services.monitoring_weeks import monitoring_weeks_record
from visits.services.pay_runs import PayRunError, pay_dispute_raise, pay_run_approve, pay_run_compute

WEEKS = 4


def _period() -> tuple[date, date]:
    """The last four whole weeks, Monday to Sunday, before this week."""
    this_monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    start = this_monday - timedelta(weeks=WEEKS)
    return start, this_monday - timedelta(days=1)


def _actual_rows(package: CarePackage, start: date, end: date, rng: random.Random) -> list[EcmRow]:
    base = pseudonymiser()
    team = [f"DEMO-C{package.pk:05d}-{n}" for n in range(rng.randint(2, 4))]
    rows = []
    for index, visit in enumerate(planned_visits(package, start, end)):
        if visit["retained"]:
            continue
        roll = rng.random()
        if roll < 0.03:
            continue  # missed, and not reported
        planned = visit["start"]
        values = {
            "visit_id": f"DEMO-{package.pk}-{planned[:16].replace(':', '')}",
            "package_reference": package.reference,
            "planned_start": planned,
            "carers": str(visit["carers"]),
            "method": rng.choice(("app", "app", "app", "nfc", "phone")),
            "carer_ids": ";".join(rng.sample(team, min(visit["carers"], len(team)))),
        }
        if roll < 0.04:
            values.update(carers="1", exception_code="NR")  # not made: no response at the door
        else:
            from datetime import datetime as _dt

            when = _dt.fromisoformat(planned)
            late = rng.randint(35, 70) if roll < 0.09 else rng.randint(-5, 12)
            length = visit["minutes"] * rng.uniform(0.4, 0.7) if roll > 0.96 else visit["minutes"] + rng.randint(-4, 3)
            check_in = when + timedelta(minutes=late)
            values["check_in"] = check_in.isoformat()
            values["check_out"] = (check_in + timedelta(minutes=max(5, int(length)))).isoformat()
        row, problems = read_values(values, line=index + 2, base=base)
        if row is not None and not problems:
            rows.append(row)
    return rows


def load_demo_visits(*, stdout: OutputWrapper) -> None:
    start, end = _period()
    rng = random.Random(20260302)  # noqa: S311 - fictional demo data, not security
    packages = (
        CarePackage.objects.filter(status=CarePackage.Status.CARE_STARTED, awarded_provider__isnull=False)
        .select_related("awarded_provider", "agreement")
        .prefetch_related("visits", "changes")
        .order_by("pk")
    )
    by_provider: dict[int, list[EcmRow]] = defaultdict(list)
    pairs: set[tuple[int, int]] = set()
    providers = {}
    agreements = {}
    for package in packages:
        if package.awarded_provider is None:
            continue
        by_provider[package.awarded_provider.pk].extend(_actual_rows(package, start, end, rng))
        providers[package.awarded_provider.pk] = package.awarded_provider
        agreements[package.agreement_id] = package.agreement
        pairs.add((package.agreement_id, package.awarded_provider.pk))
    received = 0
    for provider_id, rows in by_provider.items():
        if rows:
            received += actual_visits_save(
                provider=providers[provider_id],
                rows=rows,
                source=ActualVisitSource.ECM_FILE,
                received_by=None,
                file_name="demo-ecm-export.csv",
                column_set="homecare",
            ).created
    officer = User.objects.filter(groups__name=Audience.OFFICER.group_name).order_by("pk").first()
    runs: list[PayRun] = []
    for agreement_id, provider_id in sorted(pairs):
        try:
            runs.append(
                pay_run_compute(
                    agreement=agreements[agreement_id],
                    provider=providers[provider_id],
                    period_start=start,
                    computed_by=officer,
                )
            )
        except (PayRunError, costing.NoRateInForce):
            continue  # approved already (a second load), or an agreement without rates
    disputed = _complete_one(runs, officer)
    # The CCC dashboard's trends, as the nightly task would have left them.
    monitoring_weeks_record(today=timezone.localdate(), weeks=4)
    total = sum((run.total for run in runs), start=Decimal(0))
    stdout.write(
        f"Visits: {received} new actual visits from {start:%d %b} to {end:%d %b %Y}; {len(runs)} pay runs "
        f"(£{total:,.2f}); {'a disputed line' if disputed else 'no new dispute'}."
    )


def _planned_cost(run: PayRun, day: date, carer_minutes: int) -> Decimal:
    steps = fee_rate_steps(agreement=run.agreement).get(costing.STANDARD, [])
    return costing.cost_of_days({day: Decimal(carer_minutes) / 60}, steps) if steps else Decimal("0.00")


def _complete_one(runs: list[PayRun], officer: User | None) -> bool:
    """Approve the first run whose provider has portal staff, and have them dispute one missed visit."""
    if officer is None or PayDispute.objects.exists():
        return False
    for run in runs:
        staff = ProviderStaff.objects.filter(provider=run.provider).select_related("user").first()
        missed = run.lines.filter(flags__contains="missed").first()
        if staff is None or missed is None:
            continue
        pay_run_approve(pay_run_id=run.pk, approved_by=officer)
        pay_dispute_raise(
            line_id=missed.pk,
            provider_user=staff.user,
            reason="Demo: our carer visited; the phone app had no signal. Care notes attached.",
            amount_claimed=_planned_cost(run, missed.day, missed.planned_minutes * missed.planned_carers),
        )
        return True
    return False
