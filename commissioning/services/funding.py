"""The funding formula over the council's locality areas: set up the model, then calculate and store shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning import funding_formula
from commissioning.models import AreaAllocation, AreaCurrentFunding, FundingIndicator, FundingModel, IndicatorValue
from commissioning.selectors import formula_inputs
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from providers.models import LocalityArea


@dataclass(frozen=True)
class IndicatorInput:
    key: str
    name: str
    weight: Decimal
    source: str
    values: Mapping[str, Decimal]  # locality area code -> value


@transaction.atomic
def funding_model_create(
    *,
    actor: User | None,
    name: str,
    budget: Decimal,
    budget_year: str,
    floor_percent: Decimal,
    indicators: Sequence[IndicatorInput],
    current_funding: Mapping[str, Decimal],
) -> FundingModel:
    """Create (or replace the inputs of) a funding model keyed on its name, over the existing locality areas."""
    areas = {area.code: area for area in LocalityArea.objects.all()}
    unknown = {code for i in indicators for code in i.values} | set(current_funding)
    unknown -= set(areas)
    if unknown:
        raise ValidationError(f"Unknown locality area(s): {', '.join(sorted(unknown))}.")
    model, _ = FundingModel.objects.update_or_create(
        name=name,
        defaults={
            "budget": budget,
            "budget_year": budget_year,
            "floor_percent": floor_percent,
            "created_by": actor,
            "calculated_at": None,
        },
    )
    model.indicators.all().delete()
    model.current_funding.all().delete()
    model.allocations.all().delete()
    for spec in indicators:
        indicator = FundingIndicator.objects.create(
            model=model, key=spec.key, name=spec.name, weight=spec.weight, source=spec.source
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(indicator=indicator, area=areas[code], value=value) for code, value in spec.values.items()
        )
    AreaCurrentFunding.objects.bulk_create(
        AreaCurrentFunding(model=model, area=areas[code], amount=amount) for code, amount in current_funding.items()
    )
    audit_record(
        actor=actor,
        action=AuditAction.FUNDING_MODEL_CREATED,
        target=model,
        summary=f"Set up the funding model {model}",
        data={"indicators": [i.key for i in indicators]},
    )
    return model


@transaction.atomic
def funding_model_calculate(*, actor: User | None, model: FundingModel) -> list[AreaAllocation]:
    """Calculate every area's share now and store it; the audit event keeps each calculation's result."""
    locked = FundingModel.objects.select_for_update().get(pk=model.pk)
    inputs = formula_inputs(locked)
    try:
        shares = funding_formula.allocate(
            budget=locked.budget,
            areas=[area.code for area in inputs.areas],
            indicators=inputs.indicators,
            current=inputs.current,
            floor_percent=locked.floor_percent,
        )
    except funding_formula.FundingFormulaError as error:
        raise ValidationError(str(error)) from None
    by_code = {area.code: area for area in inputs.areas}
    AreaAllocation.objects.filter(model=locked).delete()
    rows = AreaAllocation.objects.bulk_create(
        AreaAllocation(
            model=locked,
            area=by_code[share.area],
            formula_share=share.formula_share.quantize(Decimal("1e-12")),
            amount=share.amount,
            current=share.current,
            floor=share.floor,
            held_at_floor=share.held_at_floor,
        )
        for share in shares
    )
    locked.calculated_at = timezone.now()
    locked.save(update_fields=["calculated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.FUNDING_MODEL_CALCULATED,
        target=locked,
        summary=f"Calculated {locked}: £{locked.budget:,.2f} over {len(rows)} areas, "
        f"{sum(1 for s in shares if s.held_at_floor)} held at the floor",
        data={"amounts": {share.area: share.amount for share in shares}},
    )
    return rows
