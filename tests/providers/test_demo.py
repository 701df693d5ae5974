"""The providers demo step: fictional, clearly marked, shaped like real CQC data, and idempotent."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management.base import OutputWrapper

from demo.steps import DEMO_STEPS
from providers.demo import ACCOUNT_PROVIDERS, load_demo_providers
from providers.geography import GeoPoint, council_boundary
from providers.models import CqcLocation, LocalityArea, Provider
from tests.realdata import shared_data_dir

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]


def run_step() -> str:
    out = StringIO()
    load_demo_providers(stdout=OutputWrapper(out))
    return out.getvalue()


def test_the_step_is_registered_after_the_demo_accounts():
    assert DEMO_STEPS.index("providers.demo.load_demo_providers") == 1 + DEMO_STEPS.index(
        "demo.accounts.load_demo_accounts"
    )


def test_demo_providers_are_fictional_marked_at_real_leeds_postcodes_and_a_rerun_changes_nothing():
    shared_data_dir()
    run_step()
    providers = Provider.objects.filter(is_demo=True)
    assert providers.count() == 100
    assert all(name.startswith("Demo: ") for name in providers.values_list("name", flat=True))
    assert set(ACCOUNT_PROVIDERS) <= set(providers.values_list("name", flat=True))
    locations = CqcLocation.objects.select_related("current_rating")
    assert all(location.location_id.startswith("DEMO-L-") for location in locations)
    overall = Counter(loc.current_rating.overall if loc.current_rating else None for loc in locations)
    assert overall == {None: 43, "Good": 41, "Requires improvement": 8, "Outstanding": 6, "Inadequate": 2}
    boundary = council_boundary()
    miles = [boundary.distance_miles(GeoPoint(loc.latitude or 0, loc.longitude or 0)) for loc in locations]
    assert sum(m == 0 for m in miles) == 86
    assert sum(0 < m <= 5 for m in miles) == 10
    assert LocalityArea.objects.count() == 10
    assert locations.filter(locality_area__isnull=False).count() == 86
    # Loading postcodes is the slow part, so the re-run is checked here rather than in a second test.
    before = list(CqcLocation.objects.order_by("pk").values())
    assert "0 new, 0 updated, 100 unchanged; 0 earlier ratings added" in run_step()
    assert list(CqcLocation.objects.order_by("pk").values()) == before
