"""Reads for commissioning: tenders, timetables, dynamic markets, the funding formula and neighbourhood teams."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet, Sum
from django.shortcuts import get_object_or_404

from commissioning import funding_formula
from commissioning.models import (
    AreaAllocation,
    Bid,
    CareModel,
    CareModelMove,
    DynamicMarket,
    FundingModel,
    HoursBank,
    IndependentScore,
    MarketApplication,
    OutcomeStatus,
    Referral,
    ReferralOutcome,
    Tender,
    TenderStatus,
    Timetable,
    TimetableTask,
    WorkforceMeasure,
)
from providers.models import LocalityArea

TWO = Decimal("0.01")


# Tenders ---------------------------------------------------------------------------------------------


def tender_list() -> QuerySet[Tender]:
    return Tender.objects.select_related("agreement").order_by("-created_at")


def tender_get(*, tender_id: int) -> Tender:
    return get_object_or_404(
        Tender.objects.select_related("agreement").prefetch_related(
            "questions", "evaluators__user", Prefetch("lots__bids", queryset=Bid.objects.select_related("provider"))
        ),
        pk=tender_id,
    )


def scores_visible_to(*, tender: Tender, user: User) -> QuerySet[IndependentScore]:
    """Before moderation an evaluator sees only their own scores; from moderation on, the panel sees all."""
    scores = IndependentScore.objects.filter(bid__lot__tender=tender).select_related(
        "bid__provider", "question", "evaluator__user"
    )
    if tender.status in (TenderStatus.SETUP, TenderStatus.SCORING):
        scores = scores.filter(evaluator__user=user)
    return scores.order_by("bid__lot__number", "bid__provider__name", "question__number", "evaluator__user__username")


def _points(value: Decimal | None) -> str:
    return "" if value is None else str(value.quantize(TWO))


REPORT_HEADER: tuple[str, ...] = (
    "Lot",
    "Bidder",
    "Price",
    "Quality points",
    "Social value points",
    "Price points",
    "Total",
    "Rank",
    "Compliant",
    "Recommendation",
    "Why not compliant",
)


def tender_report_rows(*, tender: Tender) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The evaluation report's table: every bid of every lot, ranked first, points to two places."""
    rows: list[tuple[str, ...]] = []
    bids = Bid.objects.filter(lot__tender=tender).select_related("lot", "provider")
    for bid in sorted(bids, key=lambda b: (b.lot.number, b.rank is None, b.rank or 0, b.provider.name)):
        rows.append(
            (
                str(bid.lot),
                bid.provider.name,
                f"{bid.price:.2f}",
                _points(bid.quality_points),
                _points(bid.social_value_points),
                _points(bid.price_points),
                _points(bid.total_points),
                "" if bid.rank is None else str(bid.rank),
                "" if bid.compliant is None else ("Yes" if bid.compliant else "No"),
                bid.get_recommended_role_display() if bid.recommended_role else "",
                "; ".join(bid.failures),
            )
        )
    return REPORT_HEADER, rows


# Timetables ------------------------------------------------------------------------------------------


def timetable_list() -> QuerySet[Timetable]:
    return Timetable.objects.order_by("name")


def timetable_get(*, timetable_id: int) -> Timetable:
    return get_object_or_404(Timetable, pk=timetable_id)


def timetable_tasks(*, timetable: Timetable) -> list[TimetableTask]:
    return list(
        TimetableTask.objects.filter(timetable=timetable)
        .select_related("stage")
        .prefetch_related("dependencies__depends_on")
        .order_by("number")
    )


def tasks_due(*, timetable: Timetable | None = None, today: date, within_days: int = 14) -> QuerySet[TimetableTask]:
    """Reminders: unfinished tasks whose planned span ends within ``within_days`` (or has already ended)."""
    tasks = TimetableTask.objects.exclude(status="done").filter(
        planned_end__isnull=False, planned_end__lte=today + timedelta(days=within_days)
    )
    if timetable is not None:
        tasks = tasks.filter(timetable=timetable)
    return tasks.select_related("timetable", "stage").order_by("planned_end", "number")


@dataclass(frozen=True)
class GanttBar:
    task: TimetableTask
    x: float  # percent of the chart's width
    width: float
    baseline_x: float | None
    baseline_width: float | None
    y: int  # pixels from the top of the chart


GANTT_HEADER_PX = 18
GANTT_ROW_PX = 14


@dataclass(frozen=True)
class Gantt:
    first: date
    last: date
    bars: list[GanttBar]
    months: list[tuple[float, str]]  # (x percent, label)

    @property
    def height(self) -> int:
        return GANTT_HEADER_PX + GANTT_ROW_PX * len(self.bars) + 4


def gantt(tasks: Sequence[TimetableTask]) -> Gantt | None:
    """Bars for the chart, as percentages of the span from the earliest to the latest date planned."""
    days = [d for t in tasks for d in (t.planned_start, t.planned_end, t.baseline_start, t.baseline_end) if d]
    if not days:
        return None
    first, last = min(days), max(days)
    span = max((last - first).days + 1, 1)

    def where(start: date | None, end: date | None) -> tuple[float | None, float | None]:
        if start is None or end is None:
            return None, None
        return round((start - first).days / span * 100, 3), round(((end - start).days + 1) / span * 100, 3)

    bars = []
    for row, task in enumerate(tasks):
        x, width = where(task.planned_start, task.planned_end)
        bx, bwidth = where(task.baseline_start, task.baseline_end)
        bars.append(
            GanttBar(task, x if x is not None else -1, width or 0, bx, bwidth, GANTT_HEADER_PX + row * GANTT_ROW_PX)
        )
    months: list[tuple[float, str]] = []
    cursor = date(first.year, first.month, 1)
    while cursor <= last:
        if cursor >= first:
            label = f"{cursor:%b}" if cursor.month != 1 and months else f"{cursor:%b %Y}"
            months.append((round((cursor - first).days / span * 100, 3), label))
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    return Gantt(first, last, bars, months)


TIMETABLE_HEADER: tuple[str, ...] = (
    "Stage",
    "Task",
    "Name",
    "Responsible",
    "Milestone",
    "Status",
    "Planned (as written)",
    "Planned from",
    "Planned to",
    "Baseline (as written)",
    "Slippage (days)",
    "Depends on",
)


def timetable_rows(*, timetable: Timetable) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    rows: list[tuple[str, ...]] = []
    for task in timetable_tasks(timetable=timetable):
        rows.append(
            (
                str(task.stage),
                str(task.number),
                task.name,
                task.responsible,
                "Yes" if task.is_milestone else "",
                task.get_status_display(),
                task.planned_wording,
                task.planned_start.isoformat() if task.planned_start else "",
                task.planned_end.isoformat() if task.planned_end else "",
                task.baseline_wording,
                "" if task.slippage_days is None else str(task.slippage_days),
                ", ".join(str(dep.depends_on.number) for dep in task.dependencies.all()),
            )
        )
    return TIMETABLE_HEADER, rows


# Dynamic markets -------------------------------------------------------------------------------------


def market_list() -> QuerySet[DynamicMarket]:
    return DynamicMarket.objects.select_related("agreement").order_by("agreement__name")


def market_get(*, market_id: int) -> DynamicMarket:
    return get_object_or_404(
        DynamicMarket.objects.select_related("agreement").prefetch_related("notices"), pk=market_id
    )


def market_applications(*, market: DynamicMarket) -> QuerySet[MarketApplication]:
    return (
        MarketApplication.objects.filter(market=market)
        .select_related("provider", "membership")
        .prefetch_related("checks")
        .order_by("-submitted_at")
    )


def market_application_get(*, application_id: int) -> MarketApplication:
    return get_object_or_404(
        MarketApplication.objects.select_related("market__agreement", "provider", "decided_by").prefetch_related(
            "checks", "locations"
        ),
        pk=application_id,
    )


# Funding formula -------------------------------------------------------------------------------------


def locality_areas() -> list[LocalityArea]:
    return list(LocalityArea.objects.order_by("display_order", "name"))


def funding_model_list() -> QuerySet[FundingModel]:
    return FundingModel.objects.order_by("name")


def funding_model_get(*, model_id: int) -> FundingModel:
    return get_object_or_404(FundingModel.objects.prefetch_related("indicators__values__area"), pk=model_id)


def funding_allocations(*, model: FundingModel) -> QuerySet[AreaAllocation]:
    return (
        AreaAllocation.objects.filter(model=model).select_related("area").order_by("area__display_order", "area__name")
    )


# Neighbourhood model ---------------------------------------------------------------------------------


def hours_banks() -> QuerySet[HoursBank]:
    return HoursBank.objects.select_related("area", "provider", "neighbourhood__agreement").order_by(
        "-is_pilot", "area__display_order"
    )


def hours_bank_get(*, bank_id: int) -> HoursBank:
    return get_object_or_404(
        HoursBank.objects.select_related("area", "provider", "neighbourhood__agreement"), pk=bank_id
    )


def referrals_for(*, bank: HoursBank) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(bank=bank)
        .prefetch_related("outcomes__reviews", "team_records")
        .order_by("-referred_on")
    )


def care_model_history(*, person_reference: str) -> QuerySet[CareModelMove]:
    return CareModelMove.objects.filter(person_reference=person_reference).order_by("moved_on", "pk")


@dataclass(frozen=True)
class AreaFigures:
    """One area's objective measures, for the pilot-against-time-and-task comparison."""

    area: str
    care_model: str
    bank: HoursBank | None
    weekly_hours: Decimal | None
    hours_used_last_4_weeks: Decimal | None
    hours_available_last_4_weeks: Decimal | None
    outcomes_agreed: int | None
    outcomes_achieved: int | None
    median_days_to_start: float | None
    started: int
    median_hourly_pay: Decimal | None
    real_living_wage: Decimal | None
    staff_turnover_percent: Decimal | None
    carers_survey_score: Decimal | None
    carers_survey_responses: int | None
    workforce_source: str

    @property
    def outcomes_achieved_percent(self) -> Decimal | None:
        if not self.outcomes_agreed or self.outcomes_achieved is None:
            return None
        return (Decimal(self.outcomes_achieved) / self.outcomes_agreed * 100).quantize(Decimal("0.1"))

    @property
    def hours_use_percent(self) -> Decimal | None:
        if not self.hours_available_last_4_weeks or self.hours_used_last_4_weeks is None:
            return None
        return (self.hours_used_last_4_weeks / self.hours_available_last_4_weeks * 100).quantize(Decimal("0.1"))

    @property
    def pay_against_living_wage(self) -> Decimal | None:
        if self.median_hourly_pay is None or self.real_living_wage is None:
            return None
        return self.median_hourly_pay - self.real_living_wage


def _workforce(area_id: int, care_model: str) -> WorkforceMeasure | None:
    return WorkforceMeasure.objects.filter(area_id=area_id, care_model=care_model).order_by("-period_end").first()


def neighbourhood_comparison(*, today: date) -> list[AreaFigures]:
    """Each hours-bank area beside each time-and-task area that has brokerage packages or workforce figures.

    Time and task buys visits, not outcomes, so its outcome figures are None ("not recorded"), never zero.
    Its time to start is measured from brokerage: package submitted to care started.
    """
    from brokerage.models import CarePackage  # brokerage is read here only, for time-and-task time to start

    figures = []
    banks = list(hours_banks())
    four_weeks_ago = today - timedelta(days=28)
    for bank in banks:
        weeks = bank.weeks.filter(week_starting__gt=four_weeks_ago, week_starting__lte=today)
        totals = weeks.aggregate(used=Sum("hours_used"), available=Sum("hours_available"))
        outcomes = ReferralOutcome.objects.filter(referral__bank=bank)
        starts = [
            (r.started_on - r.referred_on).days
            for r in Referral.objects.filter(bank=bank, started_on__isnull=False).only("referred_on", "started_on")
            if r.started_on
        ]
        measure = _workforce(bank.area_id, CareModel.NEIGHBOURHOOD)
        figures.append(
            _figures(
                bank.area.name,
                CareModel.NEIGHBOURHOOD,
                bank,
                totals,
                outcomes.count(),
                outcomes.filter(status=OutcomeStatus.ACHIEVED).count(),
                starts,
                measure,
            )
        )
    bank_areas = {bank.area_id for bank in banks}
    measured = set(
        WorkforceMeasure.objects.filter(care_model=CareModel.TIME_AND_TASK).values_list("area_id", flat=True)
    )
    for area in LocalityArea.objects.filter(pk__in=measured - bank_areas).order_by("display_order", "name"):
        starts = [
            (started - submitted.date()).days
            for submitted, started in CarePackage.objects.filter(
                locality_area=area, submitted_at__isnull=False, care_started_on__isnull=False
            ).values_list("submitted_at", "care_started_on")
            if submitted is not None and started is not None
        ]
        measure = _workforce(area.pk, CareModel.TIME_AND_TASK)
        figures.append(_figures(area.name, CareModel.TIME_AND_TASK, None, None, None, None, starts, measure))
    return figures


def _figures(
    area: str,
    care_model: str,
    bank: HoursBank | None,
    totals: dict[str, Decimal | None] | None,
    agreed: int | None,
    achieved: int | None,
    starts: list[int],
    measure: WorkforceMeasure | None,
) -> AreaFigures:
    return AreaFigures(
        area=area,
        care_model=care_model,
        bank=bank,
        weekly_hours=bank.weekly_hours if bank else None,
        hours_used_last_4_weeks=(totals or {}).get("used"),
        hours_available_last_4_weeks=(totals or {}).get("available"),
        outcomes_agreed=agreed,
        outcomes_achieved=achieved,
        median_days_to_start=float(median(starts)) if starts else None,
        started=len(starts),
        median_hourly_pay=measure.median_hourly_pay if measure else None,
        real_living_wage=measure.real_living_wage if measure else None,
        staff_turnover_percent=measure.staff_turnover_percent if measure else None,
        carers_survey_score=measure.carers_survey_score if measure else None,
        carers_survey_responses=measure.carers_survey_responses if measure else None,
        workforce_source=measure.source if measure else "",
    )


# Funding formula inputs and sensitivity ---------------------------------------------------------


@dataclass(frozen=True)
class FormulaInputs:
    areas: list[LocalityArea]
    indicators: list[funding_formula.Indicator]
    current: dict[str, Decimal]


def formula_inputs(model: FundingModel) -> FormulaInputs:
    """Every locality area that has a figure in the model, in display order, keyed by area code."""
    indicators = list(model.indicators.prefetch_related("values__area"))
    codes = {value.area.code for indicator in indicators for value in indicator.values.all()}
    current = {row.area.code: row.amount for row in model.current_funding.select_related("area")}
    codes |= set(current)
    areas = list(LocalityArea.objects.filter(code__in=codes).order_by("display_order", "name"))
    return FormulaInputs(
        areas=areas,
        indicators=[
            funding_formula.Indicator(
                key=indicator.key,
                weight=indicator.weight,
                values={value.area.code: value.value for value in indicator.values.all()},
            )
            for indicator in indicators
        ],
        current=current,
    )


def funding_sensitivity(
    *, model: FundingModel, step_percent: Decimal = Decimal(10)
) -> list[funding_formula.Sensitivity]:
    """How each area's amount moves when each weight alone rises by ``step_percent`` (a read: nothing is stored)."""
    inputs = formula_inputs(model)
    try:
        return funding_formula.sensitivity(
            budget=model.budget,
            areas=[area.code for area in inputs.areas],
            indicators=inputs.indicators,
            current=inputs.current,
            floor_percent=model.floor_percent,
            step_percent=step_percent,
        )
    except funding_formula.FundingFormulaError as error:
        raise ValidationError(str(error)) from None


def funding_scenario(
    *, model: FundingModel, weight_changes: Mapping[str, Decimal]
) -> list[funding_formula.ScenarioRow]:
    """Each area's allocation as it is and with the officer's chosen weight changes (a read: nothing is stored)."""
    inputs = formula_inputs(model)
    try:
        return funding_formula.scenario(
            budget=model.budget,
            areas=[area.code for area in inputs.areas],
            indicators=inputs.indicators,
            current=inputs.current,
            floor_percent=model.floor_percent,
            weight_changes=weight_changes,
        )
    except funding_formula.FundingFormulaError as error:
        raise ValidationError(str(error)) from None


def referral_outcome_get(*, outcome_id: int) -> ReferralOutcome:
    return get_object_or_404(ReferralOutcome.objects.select_related("referral__bank"), pk=outcome_id)
