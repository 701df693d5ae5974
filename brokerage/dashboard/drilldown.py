"""The packages behind each figure: every number on the dashboard links here with its ``figure`` and ``key``.

Each figure is defined once as a filter on packages (with the dashboard's period, area and agreement), and the
aggregations in ``brokerage.dashboard.metrics`` count the same things, so a drill-down always lists exactly the
packages the figure counted. Keys: an urgency value, ``area:<id>`` (``area:none`` for packages without one),
a decline or hand-back reason code, a provider id, or a week's first day (ISO date).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from brokerage.dashboard.filters import DashboardFilters
from brokerage.models import CarePackage, HandBack, Offer
from contracts.models import Urgency

PLACED_STATUSES = (CarePackage.Status.AWARDED, CarePackage.Status.CARE_STARTED, CarePackage.Status.ENDED)
# A provider has said yes: still waiting for the window to close, won, or lost to a better-ranked responder.
ACCEPTED_OFFER_STATUSES = (Offer.Status.ACCEPTED, Offer.Status.AWARDED, Offer.Status.NOT_SELECTED)


class UnknownFigure(ValueError):
    """The drill-down link names a figure or key the dashboard does not have."""


@dataclass(frozen=True)
class Figure:
    title: str
    packages: Callable[[DashboardFilters, str], Q]


def _group(key: str) -> Q:
    """``area:<id>`` or an urgency value narrows a timing figure; an empty key is every package."""
    if not key:
        return Q()
    if key == "area:none":
        return Q(locality_area__isnull=True)
    if key.startswith("area:"):
        try:
            return Q(locality_area_id=int(key.removeprefix("area:")))
        except ValueError as error:
            raise UnknownFigure(f"Unknown area {key!r}.") from error
    if key in Urgency.values:
        return Q(urgency=key)
    raise UnknownFigure(f"Unknown group {key!r}.")


def _submitted(filters: DashboardFilters) -> Q:
    return filters.within("submitted_at")


def _offers(filters: DashboardFilters, offer_q: Q) -> Q:
    """Packages with at least one offer sent in the period that matches ``offer_q``."""
    return Q(
        Exists(Offer.objects.filter(Q(package=OuterRef("pk")) & filters.within("sent_at") & offer_q)),
    )


def _decline(filters: DashboardFilters, key: str) -> Q:
    q = Q(status=Offer.Status.DECLINED)
    if key:
        q &= Q(decline_reason=key)
    return _offers(filters, q)


def _provider(key: str) -> int:
    try:
        return int(key)
    except ValueError as error:
        raise UnknownFigure(f"Unknown provider {key!r}.") from error


def _hand_backs(filters: DashboardFilters, key: str) -> Q:
    q = Q(package=OuterRef("pk")) & filters.within("notice_given_at")
    if key:
        q &= Q(reason=key)
    return Q(Exists(HandBack.objects.filter(q)))


def week_bounds(key: str) -> tuple[datetime, datetime]:
    """The local Monday-to-Monday span of the week starting ``key`` (an ISO date)."""
    try:
        first = date.fromisoformat(key)
    except ValueError as error:
        raise UnknownFigure(f"Unknown week {key!r}.") from error
    start = timezone.make_aware(datetime.combine(first, time.min))
    return start, timezone.make_aware(datetime.combine(first + timedelta(days=7), time.min))


def _week(field: str, key: str) -> Q:
    start, end = week_bounds(key)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _week_awarded(key: str) -> Q:
    start, end = week_bounds(key)
    return Q(
        Exists(
            Offer.objects.filter(
                package=OuterRef("pk"), status=Offer.Status.AWARDED, closed_at__gte=start, closed_at__lt=end
            )
        )
    )


def _week_started(key: str) -> Q:
    first = week_bounds(key)[0].date()
    return Q(care_started_on__gte=first, care_started_on__lt=first + timedelta(days=7))


FIGURES: dict[str, Figure] = {
    "waiting": Figure("Waiting to be placed", lambda f, key: Q(status__in=CarePackage.OPEN_STATUSES) & _group(key)),
    "breached": Figure(
        "Waiting past their placement deadline",
        lambda f, key: Q(status__in=CarePackage.OPEN_STATUSES, deadline_at__lt=f.now) & _group(key),
    ),
    "submitted": Figure("Submitted in the period", lambda f, key: _submitted(f) & _group(key)),
    "responded": Figure(
        "Submitted in the period and answered by a provider",
        lambda f, key: _submitted(f) & Q(first_response_at__isnull=False) & _group(key),
    ),
    "awarded": Figure(
        "Submitted in the period and awarded",
        lambda f, key: _submitted(f) & Q(awarded_at__isnull=False) & _group(key),
    ),
    "started": Figure(
        "Submitted in the period with care started",
        lambda f, key: _submitted(f) & Q(care_started_on__isnull=False) & _group(key),
    ),
    "offers_made": Figure("Offered to providers in the period", lambda f, key: _offers(f, Q())),
    "offers_accepted": Figure(
        "Accepted by a provider in the period", lambda f, key: _offers(f, Q(status__in=ACCEPTED_OFFER_STATUSES))
    ),
    "offers_declined": Figure("Declined by a provider in the period", _decline),
    "offers_expired": Figure(
        "With an offer that expired without a response", lambda f, key: _offers(f, Q(status=Offer.Status.EXPIRED))
    ),
    "hand_backs": Figure("Handed back by a provider in the period", _hand_backs),
    "requested": Figure(
        "Requested in the period (not cancelled)",
        lambda f, key: _submitted(f) & ~Q(status=CarePackage.Status.CANCELLED) & _group(key),
    ),
    "placed": Figure(
        "Requested in the period and placed",
        lambda f, key: _submitted(f) & Q(status__in=PLACED_STATUSES) & _group(key),
    ),
    "unmet": Figure(
        "Requested in the period and not placed",
        lambda f, key: _submitted(f) & ~Q(status__in=(*PLACED_STATUSES, CarePackage.Status.CANCELLED)) & _group(key),
    ),
    "provider_offers": Figure(
        "Offered to the provider in the period", lambda f, key: _offers(f, Q(provider_id=_provider(key)))
    ),
    "provider_awards": Figure(
        "Awarded to the provider in the period",
        lambda f, key: Q(
            Exists(
                Offer.objects.filter(
                    Q(package=OuterRef("pk"), provider_id=_provider(key), status=Offer.Status.AWARDED)
                    & f.within("closed_at")
                )
            )
        ),
    ),
    "all_awards": Figure(
        "Awarded in the period",
        lambda f, key: Q(
            Exists(Offer.objects.filter(Q(package=OuterRef("pk"), status=Offer.Status.AWARDED) & f.within("closed_at")))
        ),
    ),
    "week_submitted": Figure("Submitted in the week", lambda f, key: _week("submitted_at", key)),
    "week_awarded": Figure("Awarded in the week", lambda f, key: _week_awarded(key)),
    "week_started": Figure("Care started in the week", lambda f, key: _week_started(key)),
}


def figure_title(figure: str) -> str:
    if figure not in FIGURES:
        raise UnknownFigure(f"Unknown figure {figure!r}.")
    return FIGURES[figure].title


def packages_for_figure(*, filters: DashboardFilters, figure: str, key: str = "") -> QuerySet[CarePackage]:
    """The packages a figure counts, within the dashboard's area and agreement, oldest submission first."""
    if figure not in FIGURES:
        raise UnknownFigure(f"Unknown figure {figure!r}.")
    return (
        CarePackage.objects.filter(filters.scope() & FIGURES[figure].packages(filters, key))
        .select_related("locality_area", "agreement", "awarded_provider")
        .order_by("submitted_at", "id")
    )
