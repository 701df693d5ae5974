"""A small brokered market for the API tests: an officer, and a provider with offers it can still answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User

from brokerage.models import CarePackage
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_enter
from homecare.queue import enqueue_suspended
from tests.api.tokens import api_authorization
from tests.brokerage.factories import Market, make_isa, make_market
from tests.factories import make_provider_user


@dataclass
class Seeded:
    market: Market
    officer: User
    provider_user: User
    packages: list[CarePackage]


@pytest.fixture(autouse=True)
def _unthrottled(settings: Any) -> None:
    """These tests send thousands of requests as one integrator on purpose; throttling is tested on its own."""
    rates = dict(settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}))
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates)}


@pytest.fixture
def seeded(officer: User) -> Seeded:
    """Three packages brokered to three providers: the first provider has an open offer of each."""
    market = make_market(providers=3)
    packages = []
    with enqueue_suspended():
        for number in range(3):
            isa = make_isa(market, external_reference=f"API-SEED-{number}")
            package = package_enter(isa=isa, entered_by=officer).package
            package_broker(package_id=package.pk)
            packages.append(package)
    return Seeded(market, officer, make_provider_user(market.providers[0]), packages)


@pytest.fixture
def headers(seeded: Seeded) -> dict[str, dict[str, str]]:
    """Both kinds of integrator: the council's case-management system and a provider's own system."""
    return {"officer": api_authorization(seeded.officer), "provider": api_authorization(seeded.provider_user)}
