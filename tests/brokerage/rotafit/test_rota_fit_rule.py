"""The agreement's locality rule: with rota fit, the engine ranks on the extra miles into existing runs."""

from __future__ import annotations

import pytest
from django.utils import timezone

from brokerage.allocation import rank_providers
from brokerage.allocation_rows import engine_inputs_for
from brokerage.services.packages import package_enter
from brokerage.services.responses import package_award_manually
from contracts.models import LocalityRule
from tests.brokerage.factories import make_isa, make_market

pytestmark = pytest.mark.django_db


def test_rota_fit_puts_the_provider_already_visiting_next_door_first(officer):
    market = make_market(providers=2)  # A is nearer the person's office-wise than B
    a, b = market.providers
    first = package_enter(isa=make_isa(market), entered_by=officer).package
    package_award_manually(package_id=first.pk, provider_id=b.pk, awarded_by=officer, reason="Phoned round")
    second = package_enter(isa=make_isa(market, person=make_isa(market).person), entered_by=officer).package
    today = timezone.localdate()

    by_office = rank_providers(*_inputs(second, today), as_of=today)
    assert [e.provider_id for e in by_office.ranked] == [a.pk, b.pk]

    market.agreement.locality_rule = LocalityRule.ROTA_FIT
    market.agreement.save()
    second.refresh_from_db()
    isa, candidates = _inputs(second, today)
    fits = {c.provider_id: c.locality_miles for c in candidates}
    assert fits[b.pk] == pytest.approx(0.0, abs=0.01)  # the same address, in the same windows: no extra miles
    assert fits[a.pk] is not None and fits[a.pk] > 1.0  # a trip from A's office and back for each visit
    by_rota = rank_providers(isa, candidates, as_of=today)
    assert [e.provider_id for e in by_rota.ranked] == [b.pk, a.pk]


def _inputs(package, today):
    inputs = engine_inputs_for(package, as_of=today)
    return inputs.isa, inputs.candidates
