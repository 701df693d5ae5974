"""Officer reports: budget against commitments (hand-costed) and DPS statistics, with exports read back."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from brokerage.models import CarePackage, Visit
from brokerage.reporting.budget import budget_report
from brokerage.reporting.commitments import Commitment, cost_between, financial_year
from brokerage.reporting.dps_statistics import dps_statistics
from contracts.costing import RateStep
from contracts.models import Agreement, MembershipStatus, ServiceType, Urgency
from dps.models import ApplicationStatus, CriterionResult, DpsRound, ProviderApplication, RoundStatus
from providers.models import LocalityArea
from tests.contracts.factories import AgreementFactory, FeeRateFactory, MembershipFactory
from tests.factories import ProviderFactory
from tests.spreadsheets import HOSTILE_NAMES, read_back_inert

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)  # a Monday; the financial year ends on Tuesday 31 March (30 days from today)


def test_a_mid_week_rate_change_is_costed_day_by_day() -> None:
    # One hour every day; £20 an hour until Thursday 5 March, £30 from then.
    steps = [RateStep(date(2025, 4, 1), Decimal(20)), RateStep(date(2026, 3, 5), Decimal(30))]
    daily = Commitment(ServiceType.STANDARD, dict.fromkeys(range(7), Decimal(1)), date(2026, 3, 1), date(2026, 3, 31))
    week = cost_between([daily], start=TODAY, end=date(2026, 3, 8), rates={ServiceType.STANDARD: steps})
    # Mon-Wed at £20, Thu-Sun at £30.
    assert week == Decimal(3 * 20 + 4 * 30)


def test_the_financial_year_runs_from_april_to_march() -> None:
    assert financial_year(date(2026, 3, 2)) == (date(2025, 4, 1), date(2026, 3, 31))
    assert financial_year(date(2026, 4, 1)) == (date(2026, 4, 1), date(2027, 3, 31))


def make_package(
    agreement: Agreement,
    area: LocalityArea,
    *,
    status: str,
    started: date | None,
    ended: date | None = None,
    carers: int = 1,
) -> CarePackage:
    package = CarePackage.objects.create(
        agreement=agreement,
        locality_area=area,
        postcode_district="LS6",
        hours_per_week=Decimal(7),
        requested_start_on=started or TODAY,
        urgency=Urgency.ROUTINE,
        status=status,
        created_at=datetime.now(UTC),
        care_started_on=started,
        ended_on=ended,
    )
    # One one-hour visit every day of the week.
    Visit.objects.bulk_create(
        Visit(
            package=package,
            day_of_week=day,
            window_start=time(9),
            window_end=time(10),
            duration_minutes=60,
            carers=carers,
        )
        for day in range(7)
    )
    return package


@pytest.fixture
def agreement() -> Agreement:
    agreement = AgreementFactory(indicative_annual_budget=Decimal(10000))
    FeeRateFactory(
        agreement=agreement, service_type=ServiceType.STANDARD, hourly_rate=Decimal(20), effective_from=date(2024, 4, 1)
    )
    FeeRateFactory(
        agreement=agreement,
        service_type=ServiceType.DOUBLE_HANDED,
        hourly_rate=Decimal(25),
        effective_from=date(2024, 4, 1),
    )
    return agreement


def test_budget_report_costs_spent_and_committed_care_against_the_budget(agreement: Agreement) -> None:
    area = LocalityArea.objects.create(name="North", code="north")
    make_package(agreement, area, status=CarePackage.Status.CARE_STARTED, started=date(2026, 2, 1))
    make_package(agreement, area, status=CarePackage.Status.CARE_STARTED, started=date(2026, 2, 20), carers=2)
    make_package(agreement, area, status=CarePackage.Status.ENDED, started=date(2025, 12, 1), ended=date(2026, 1, 1))
    make_package(agreement, area, status=CarePackage.Status.CANCELLED, started=None)

    report = budget_report(agreement=agreement, as_of=TODAY)

    # Spent to 1 March: A 29 days x £20; B 10 days x 1 hour of double-handed visit x £25 (the double-handed
    # rate pays both carers for each hour of the visit); C 31 days of December x £20.
    assert report.spent == Decimal(29 * 20 + 10 * 25 + 31 * 20)
    # Committed 2-31 March (30 days): A £20 a day, B £25 a day.
    assert report.committed == Decimal(30 * 45)
    assert report.weekly_cost == Decimal(7 * 45)
    # Care delivered still counts each carer: A 7 hours, B 7 hours x 2 carers.
    assert report.weekly_hours == Decimal(21)
    assert report.active_packages == 2
    assert report.projected == Decimal(1450 + 1350)
    assert report.headroom == Decimal(10000 - 2800)


def make_dps(agreement: Agreement, officer: User) -> None:
    dps_round = DpsRound.objects.create(
        agreement=agreement,
        number=1,
        label="First round",
        opens_at=datetime(2025, 4, 1, tzinfo=UTC),
        closes_at=datetime(2025, 4, 30, tzinfo=UTC),
        status=RoundStatus.CLOSED,
    )
    outcomes = [ApplicationStatus.APPOINTED] * 2 + [ApplicationStatus.REJECTED] * 2 + [ApplicationStatus.DRAFT]
    for i, status in enumerate(outcomes):
        application = ProviderApplication.objects.create(
            dps_round=dps_round,
            provider=ProviderFactory(),
            status=status,
            created_by=officer,
            submitted_at=None if status == ApplicationStatus.DRAFT else datetime(2025, 4, 2, tzinfo=UTC),
        )
        if status == ApplicationStatus.REJECTED:
            CriterionResult.objects.create(
                application=application,
                criterion="rating",
                position=1,
                title="Rated Requires Improvement or above",
                passed=i != 2,
                reason="",
                evaluated_at=datetime(2025, 4, 3, tzinfo=UTC),
            )
    MembershipFactory(agreement=agreement)
    MembershipFactory(
        agreement=agreement, status=MembershipStatus.SUSPENDED, suspended_on=date(2025, 6, 1), suspension_reason="CQC"
    )


def test_dps_statistics_count_applications_rejections_and_members(agreement: Agreement, officer: User) -> None:
    make_dps(agreement, officer)
    stats = dps_statistics(agreement=agreement)

    first = [cell.value for cell in stats.rounds.rows[0]]
    assert first[0] == "First round" and first[3:] == [4, 0, 2, 2, 1]
    reasons = [[cell.value for cell in row] for row in stats.rejections.rows]
    assert ["First round", "Rated Requires Improvement or above", 1] in reasons
    assert ["First round", "Officer's decision (every criterion passed)", 1] in reasons
    member_row = [cell.value for cell in stats.members.rows[0]]
    assert member_row == ["DPS member", 1, 1, 0, 2]


def test_officers_read_the_report_and_download_every_table(
    agreement: Agreement, officer: User, officer_client: Client
) -> None:
    make_dps(agreement, officer)
    area = LocalityArea.objects.create(name="North", code="north")
    make_package(agreement, area, status=CarePackage.Status.CARE_STARTED, started=date(2026, 2, 1))
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False):
        page = officer_client.get(reverse("commissioning:reports:agreement", args=[agreement.pk]))
        assert page.status_code == 200
        assert "Projected spend for the year" in page.content.decode()
        slugs = ["budget", "budget-by-area", "dps-rounds", "dps-rejections", "dps-members"]
        for slug in slugs:
            url = reverse("commissioning:reports:export", args=[agreement.pk, slug, "csv"])
            rows = list(csv.reader(io.StringIO(officer_client.get(url).content.decode("utf-8-sig"))))
            xlsx = officer_client.get(reverse("commissioning:reports:export", args=[agreement.pk, slug, "xlsx"]))
            sheet = load_workbook(io.BytesIO(xlsx.content)).active
            assert sheet is not None
            assert [list(map(str, r)) for r in sheet.iter_rows(max_row=1, values_only=True)] == [rows[0]]
            assert len(rows) == sheet.max_row
        budget_csv = officer_client.get(reverse("commissioning:reports:export", args=[agreement.pk, "budget", "csv"]))
    budget = {r[0]: r[1] for r in csv.reader(io.StringIO(budget_csv.content.decode("utf-8-sig")))}
    assert budget["Committed from today to 31 March"] == "600.0"


def test_ccc_staff_cannot_read_officer_reports(ccc_client: Client, agreement: Agreement) -> None:
    assert ccc_client.get(reverse("commissioning:reports:index")).status_code == 403


def test_no_report_export_lets_a_round_area_or_criterion_name_run_as_a_formula(
    agreement: Agreement, officer: User, officer_client: Client
) -> None:
    make_dps(agreement, officer)
    DpsRound.objects.filter(agreement=agreement).update(label=HOSTILE_NAMES[0])
    CriterionResult.objects.update(title=HOSTILE_NAMES[1])
    area = LocalityArea.objects.create(name=HOSTILE_NAMES[2], code="north")
    make_package(agreement, area, status=CarePackage.Status.CARE_STARTED, started=date(2026, 2, 1))
    # A budget far below the commitments, so the year-end figure is negative.
    Agreement.objects.filter(pk=agreement.pk).update(indicative_annual_budget=Decimal(100))
    shown = {}
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False):
        for slug in ["budget", "budget-by-area", "dps-rounds", "dps-rejections", "dps-members"]:
            as_csv = officer_client.get(reverse("commissioning:reports:export", args=[agreement.pk, slug, "csv"]))
            as_xlsx = officer_client.get(reverse("commissioning:reports:export", args=[agreement.pk, slug, "xlsx"]))
            shown[slug] = read_back_inert(csv_content=as_csv.content, xlsx_content=as_xlsx.content)
    assert shown["dps-rounds"].shows_inert(HOSTILE_NAMES[0])
    assert shown["dps-rejections"].shows_inert(HOSTILE_NAMES[0])
    assert shown["dps-rejections"].shows_inert(HOSTILE_NAMES[1])
    assert shown["budget-by-area"].shows_inert(HOSTILE_NAMES[2])
    # Negative figures stay numbers: unquoted in the CSV, numeric in the XLSX.
    over_csv = {row[0]: row[1] for row in shown["budget"].csv_rows}["Over budget at year end"]
    over_xlsx = {row[0]: row[1] for row in shown["budget"].xlsx_rows}["Over budget at year end"]
    assert over_csv.startswith("-") and float(over_csv) == over_xlsx
    assert isinstance(over_xlsx, int | float) and over_xlsx == -1080
