"""The demo step loads a Leeds-like agreement with rounds and applications, and running it again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management.base import OutputWrapper

from contracts.models import Agreement, FeeRate, Lot, ProviderMembership
from demo.accounts import load_demo_accounts
from demo.agreements import load_demo_agreements
from dps.models import ApplicationStatus, DpsRound, ProviderApplication, RoundStatus
from tests.realdata import shared_data_file

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]


def _counts() -> tuple[int, ...]:
    return (
        Agreement.objects.count(),
        Lot.objects.count(),
        FeeRate.objects.count(),
        ProviderMembership.objects.count(),
        DpsRound.objects.count(),
        ProviderApplication.objects.count(),
    )


def test_the_demo_agreement_loads_once_and_reloads_in_place(settings):
    settings.HOMECARE_BOUNDARY_FILE = shared_data_file("boundaries", "leeds_lad.geojson")
    out = OutputWrapper(io.StringIO())
    load_demo_accounts(stdout=out)
    load_demo_agreements(stdout=out)
    first = _counts()
    load_demo_agreements(stdout=out)
    assert _counts() == first
    agreement = Agreement.objects.get(reference="Contract ID 84738")
    assert agreement.latest_possible_end.isoformat() == "2029-03-31"
    assert agreement.lots.count() == 10
    assert first[3] == 2  # the two demo providers with portal accounts are DPS members
    open_round = DpsRound.objects.get(status=RoundStatus.OPEN)
    statuses = dict(ProviderApplication.objects.filter(dps_round=open_round).values_list("provider__name", "status"))
    assert statuses == {
        "Demo: Calder Home Support": ApplicationStatus.SUBMITTED,
        "Demo: Pennine Homecare": ApplicationStatus.SUBMITTED,
        "Demo: Kirkstall Carers": ApplicationStatus.DRAFT,
    }
    calder = ProviderApplication.objects.get(provider__name="Demo: Calder Home Support")
    pennine = ProviderApplication.objects.get(provider__name="Demo: Pennine Homecare")
    assert calder.automatic_result_passed is True
    assert {r.criterion for r in pennine.criterion_results.all() if not r.passed} == {
        "cqc_rating",
        "near_boundary",
        "declares_fee_rates_accepted",
    }
