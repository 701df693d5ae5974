"""Dynamic markets (Procurement Act 2023): notices, requests to join, their assessment and the decision.

The conditions of membership are the Leeds DPS entry criteria, evaluated by the very code DPS
applications use (``dps.criteria.evaluate`` over ``dps.services.location_facts``); the exclusion grounds and
the debarment list check are added beside them (``commissioning.exclusions``), with their evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning import exclusions
from commissioning.models import (
    ApplicationOutcome,
    DebarmentEntry,
    DynamicMarket,
    MarketApplication,
    MarketApplicationStatus,
    MarketCheck,
    MarketCheckKind,
    MarketNotice,
    NoticeKind,
)
from contracts.models import Agreement, MembershipRole, ProcurementRoute
from contracts.services import membership_appoint
from dps import criteria
from dps.services import DECLARATION_FIELDS, council_nearness, location_facts
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from providers.models import CqcLocation
from providers.selectors import provider_for_user


@transaction.atomic
def dynamic_market_create(
    *, actor: User | None, agreement: Agreement, assessment_days: int = 10, conditions_summary: str = ""
) -> DynamicMarket:
    """Run an agreement as a dynamic market; its procurement route must say so."""
    if agreement.procurement_route != ProcurementRoute.DYNAMIC_MARKET:
        raise ValidationError(
            f"{agreement} is procured as {agreement.get_procurement_route_display()}; "
            "set its procurement route to dynamic market first."
        )
    if assessment_days < 1:
        raise ValidationError("Allow at least one day to assess a request to join.")
    market = DynamicMarket.objects.create(
        agreement=agreement, assessment_days=assessment_days, conditions_summary=conditions_summary
    )
    audit_record(
        actor=actor,
        action=AuditAction.DYNAMIC_MARKET_CREATED,
        target=market,
        summary=f"Created {market}",
        data={"assessment_days": assessment_days},
    )
    return market


@transaction.atomic
def market_notice_publish(
    *, actor: User | None, market: DynamicMarket, kind: str, published_on: date, reference: str, summary: str = ""
) -> MarketNotice:
    """Record a notice: the dynamic market notice first, then any modifications, then its cessation."""
    notice_kind = NoticeKind(kind)
    locked = DynamicMarket.objects.select_for_update().get(pk=market.pk)
    kinds = set(locked.notices.values_list("kind", flat=True))
    if NoticeKind.CESSATION in kinds:
        raise ValidationError("This dynamic market has ceased; no further notices can be recorded.")
    if notice_kind == NoticeKind.DYNAMIC_MARKET and NoticeKind.DYNAMIC_MARKET in kinds:
        raise ValidationError("The dynamic market notice has already been recorded; record a modification instead.")
    if notice_kind != NoticeKind.DYNAMIC_MARKET and NoticeKind.DYNAMIC_MARKET not in kinds:
        raise ValidationError("Record the dynamic market notice first.")
    if not reference.strip():
        raise ValidationError("Give the notice's reference.")
    notice = MarketNotice.objects.create(
        market=locked,
        kind=notice_kind,
        published_on=published_on,
        reference=reference.strip(),
        summary=summary.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.MARKET_NOTICE_PUBLISHED,
        target=locked,
        summary=f"{notice.get_kind_display()} {notice.reference} published {published_on:%d %b %Y}",
    )
    return notice


def market_is_open(market: DynamicMarket) -> bool:
    kinds = set(market.notices.values_list("kind", flat=True))
    return NoticeKind.DYNAMIC_MARKET in kinds and NoticeKind.CESSATION not in kinds


@transaction.atomic
def debarment_entry_record(
    *,
    actor: User | None,
    supplier_name: str,
    ground: str,
    entered_on: date,
    companies_house_number: str = "",
    mandatory: bool = True,
    ends_on: date | None = None,
    source: str = "",
) -> DebarmentEntry:
    if not supplier_name.strip() or not ground.strip():
        raise ValidationError("Give the supplier's name and the ground for debarment.")
    entry = DebarmentEntry.objects.create(
        supplier_name=supplier_name.strip(),
        companies_house_number=companies_house_number.strip(),
        ground=ground.strip(),
        mandatory=mandatory,
        entered_on=entered_on,
        ends_on=ends_on,
        source=source,
    )
    audit_record(
        actor=actor,
        action=AuditAction.DEBARMENT_ENTRY_RECORDED,
        target=entry,
        summary=f"Recorded {entry.supplier_name} on the debarment list ({entry.ground})",
    )
    return entry


def _answers(raw: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    unknown = set(raw) - set(exclusions.GROUND_TITLES)
    if unknown:
        raise ValidationError(f"Unknown exclusion ground(s): {', '.join(sorted(unknown))}.")
    missing = set(exclusions.GROUND_TITLES) - set(raw)
    if missing:
        raise ValidationError(
            "Answer every exclusion ground: " + "; ".join(exclusions.GROUND_TITLES[k] for k in sorted(missing))
        )
    answers = {}
    for key, answer in raw.items():
        applies = bool(answer.get("applies", False))
        explanation = str(answer.get("explanation", "")).strip()
        if applies and not explanation:
            raise ValidationError(f"Explain how {exclusions.GROUND_TITLES[key].lower()} applies.")
        answers[key] = {"applies": applies, "explanation": explanation}
    return answers


@transaction.atomic
def market_application_submit(
    *,
    provider_user: User,
    market: DynamicMarket,
    location_ids: Iterable[int],
    declarations: Mapping[str, bool],
    exclusion_answers: Mapping[str, Mapping[str, Any]],
    nearness: criteria.NearnessTest | None = None,
) -> MarketApplication:
    """A supplier asks to join; it is assessed at once, and must be decided within the market's set time."""
    provider = provider_for_user(user=provider_user)
    locked = DynamicMarket.objects.select_for_update().get(pk=market.pk)
    if not market_is_open(locked):
        raise ValidationError("This dynamic market is not open: it has no dynamic market notice, or it has ceased.")
    wanted = set(location_ids)
    locations = list(CqcLocation.objects.filter(pk__in=wanted, provider=provider))
    if not wanted or len(locations) != len(wanted):
        raise ValidationError("Choose at least one of your own organisation's CQC locations.")
    unknown = set(declarations) - set(DECLARATION_FIELDS.values())
    if unknown:
        raise ValidationError(f"Unknown declaration(s): {', '.join(sorted(unknown))}.")
    if MarketApplication.objects.filter(
        market=locked, provider=provider, status=MarketApplicationStatus.SUBMITTED
    ).exists():
        raise ValidationError("Your organisation already has a request to join awaiting a decision.")
    now = timezone.now()
    application = MarketApplication.objects.create(
        market=locked,
        provider=provider,
        exclusion_answers=_answers(exclusion_answers),
        submitted_by=provider_user,
        submitted_at=now,
        assess_by=timezone.localdate() + timedelta(days=locked.assessment_days),
        **{name: bool(declarations.get(name, False)) for name in DECLARATION_FIELDS.values()},
    )
    application.locations.set(locations)
    audit_record(
        actor=provider_user,
        action=AuditAction.MARKET_APPLICATION_SUBMITTED,
        target=application,
        summary=f"{provider} asked to join {locked}; assess by {application.assess_by:%d %b %Y}",
    )
    market_application_evaluate(application=application, nearness=nearness)
    return application


def supplier_facts(application: MarketApplication) -> exclusions.SupplierFacts:
    return exclusions.SupplierFacts(
        name=application.provider.name,
        companies_house_number=application.provider.companies_house_number,
        declarations={
            key: (bool(answer["applies"]), str(answer.get("explanation", "")))
            for key, answer in application.exclusion_answers.items()
        },
    )


def _debarment_facts() -> list[exclusions.DebarmentFact]:
    return [
        exclusions.DebarmentFact(
            e.supplier_name, e.companies_house_number, e.ground, e.mandatory, e.entered_on, e.ends_on
        )
        for e in DebarmentEntry.objects.all()
    ]


@transaction.atomic
def market_application_evaluate(
    *, application: MarketApplication, actor: User | None = None, nearness: criteria.NearnessTest | None = None
) -> list[MarketCheck]:
    """Evaluate the conditions of membership and the exclusion checks now, replacing earlier results."""
    locked = MarketApplication.objects.select_for_update().select_related("provider").get(pk=application.pk)
    if locked.status != MarketApplicationStatus.SUBMITTED:
        raise ValidationError("Only a request awaiting a decision can be assessed.")
    facts = criteria.ApplicationFacts(
        locations=tuple(
            location_facts(loc) for loc in locked.locations.select_related("current_rating").order_by("location_id")
        ),
        declarations={crit: bool(getattr(locked, name)) for crit, name in DECLARATION_FIELDS.items()},
    )
    conditions = criteria.evaluate(facts, nearness or council_nearness())
    exclusion_checks = exclusions.evaluate(supplier_facts(locked), _debarment_facts(), on=timezone.localdate())
    kinds = {ground.key: MarketCheckKind(ground.kind.value) for ground in exclusions.EXCLUSION_GROUNDS}
    rows: list[tuple[str, str, str, bool, str, dict[str, Any]]] = [
        (MarketCheckKind.CONDITION, check.criterion.value, check.title, check.passed, check.reason, check.evidence)
        for check in conditions
    ]
    for check in exclusion_checks:
        kind = (
            MarketCheckKind.DEBARMENT if check.criterion == exclusions.DEBARMENT_CRITERION else kinds[check.criterion]
        )
        rows.append((kind, check.criterion, check.title, check.passed, check.reason, check.evidence))
    now = timezone.now()
    MarketCheck.objects.filter(application=locked).delete()
    results = MarketCheck.objects.bulk_create(
        MarketCheck(
            application=locked,
            kind=kind,
            criterion=key,
            position=position,
            title=title,
            passed=passed,
            reason=reason,
            evidence=evidence,
            evaluated_at=now,
        )
        for position, (kind, key, title, passed, reason, evidence) in enumerate(rows, start=1)
    )
    locked.evaluated_at = now
    locked.save(update_fields=["evaluated_at"])
    failed = [title for _, _, title, passed, _, _ in rows if not passed]
    audit_record(
        actor=actor,
        action=AuditAction.MARKET_APPLICATION_EVALUATED,
        target=locked,
        summary=f"Assessed {locked}: "
        + ("every condition and check passed" if not failed else f"failed {', '.join(failed)}"),
        data={"results": {key: passed for _, key, _, passed, _, _ in rows}},
    )
    return results


def mandatory_exclusion(application: MarketApplication) -> list[MarketCheck]:
    """Failed checks that exclude by law: a mandatory ground that applies, or a mandatory debarment."""
    found = []
    for check in application.checks.all():
        if check.passed:
            continue
        if check.kind == MarketCheckKind.MANDATORY and check.evidence.get("applies"):
            found.append(check)
        if check.kind == MarketCheckKind.DEBARMENT and any(
            m.get("mandatory") for m in check.evidence.get("matches", [])
        ):
            found.append(check)
    return found


@transaction.atomic
def market_application_decide(
    *,
    officer: User,
    application: MarketApplication,
    outcome: str,
    reasons: str,
    override_justification: str = "",
    appointed_on: date | None = None,
) -> MarketApplication:
    """Admit or refuse. Admitting against the assessment is an override needing a justification; a mandatory
    exclusion cannot be overridden at all."""
    decided = ApplicationOutcome(outcome)
    if not reasons.strip():
        raise ValidationError("Give the reasons for the decision.")
    locked = (
        MarketApplication.objects.select_for_update(of=("self",))
        .select_related("market__agreement", "provider")
        .get(pk=application.pk)
    )
    if locked.status != MarketApplicationStatus.SUBMITTED:
        raise ValidationError(f"This request is {locked.get_status_display().lower()}, not awaiting a decision.")
    automatic = locked.automatic_result_passed
    if automatic is None:
        raise ValidationError("The request has not been assessed yet.")
    if decided == ApplicationOutcome.ADMIT and mandatory_exclusion(locked):
        raise ValidationError("A mandatory exclusion applies: this supplier must be excluded.")
    is_override = (decided == ApplicationOutcome.ADMIT) != automatic
    if is_override and not override_justification.strip():
        raise ValidationError("This decision goes against the assessment: write the justification for the override.")
    if decided == ApplicationOutcome.ADMIT:
        locked.membership = membership_appoint(
            actor=officer,
            agreement=locked.market.agreement,
            provider=locked.provider,
            role=MembershipRole.DPS_MEMBER,
            appointed_on=appointed_on or timezone.localdate(),
            reason=f"Admitted to {locked.market}",
        )
    locked.status = (
        MarketApplicationStatus.ADMITTED if decided == ApplicationOutcome.ADMIT else MarketApplicationStatus.REFUSED
    )
    locked.outcome, locked.reasons, locked.is_override = decided, reasons.strip(), is_override
    locked.override_justification = override_justification.strip() if is_override else ""
    locked.decided_by, locked.decided_at = officer, timezone.now()
    locked.save()
    audit_record(
        actor=officer,
        action=AuditAction.MARKET_APPLICATION_DECIDED,
        target=locked,
        summary=f"{decided.label}: {locked.provider} ({'override' if is_override else 'as assessed'})"
        + (
            ""
            if timezone.localdate() <= locked.assess_by
            else f"; decided after the set time ({locked.assess_by:%d %b %Y})"
        ),
        reason=locked.reasons,
        data={
            "outcome": decided.value,
            "automatic_passed": automatic,
            "is_override": is_override,
            "membership": locked.membership_id,
            "within_set_time": timezone.localdate() <= locked.assess_by,
        },
    )
    return locked
