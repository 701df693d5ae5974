"""On PostgreSQL the waiting-time percentiles are gathered by the database and interpolated in Python; they
must equal the plain computation that reads every package's timestamps (the SQLite path) on the same rows."""

from __future__ import annotations

import math
import os
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from brokerage.dashboard.filters import DashboardFilters
from brokerage.dashboard.timings import GroupTimes, _in_database, _in_python
from brokerage.models import CarePackage
from contracts.models import Urgency
from providers.models import LocalityArea
from tests.brokerage.dashboard.factories import NOW
from tests.contracts.factories import AgreementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must run the dashboard's database percentiles on PostgreSQL (set DATABASE_URL).")
        pytest.skip("The database path of the percentiles is PostgreSQL's; set DATABASE_URL to PostgreSQL.")


def _same(database: GroupTimes, plain: GroupTimes) -> None:
    assert database.submitted == plain.submitted
    for name, spread in plain.waits.items():
        got = database.waits[name]
        assert got.n == spread.n, name
        for mine, theirs in ((got.median, spread.median), (got.p90, spread.p90)):
            assert (mine is None) == (theirs is None), name
            if mine is not None and theirs is not None:
                assert math.isclose(mine, theirs, rel_tol=1e-12, abs_tol=1e-12), (name, mine, theirs)


def test_the_database_percentiles_equal_the_plain_computation_on_irregular_waits() -> None:
    rng = random.Random(12)
    agreement = AgreementFactory()
    areas = [LocalityArea.objects.create(name=f"Area {n}", code=f"area-{n}") for n in range(3)]
    packages = []
    for i in range(400):
        # Microsecond timestamps around midnight and across days, so local dates and long waits both matter.
        submitted = NOW - timedelta(seconds=rng.uniform(0, 120 * 86400))
        responded = submitted + timedelta(seconds=rng.uniform(0, 5 * 86400)) if rng.random() < 0.8 else None
        awarded = submitted + timedelta(seconds=rng.uniform(0, 9 * 86400)) if rng.random() < 0.6 else None
        packages.append(
            CarePackage(
                agreement=agreement,
                locality_area=areas[i % 3] if i % 7 else None,
                postcode_district="LS6",
                hours_per_week=Decimal(7),
                requested_start_on=submitted.date(),
                urgency=rng.choice(list(Urgency)),
                status=CarePackage.Status.AWARDED if awarded else CarePackage.Status.BROKERING,
                round_number=1,
                created_at=submitted,
                submitted_at=submitted,
                first_response_at=responded,
                awarded_at=awarded,
                care_started_on=(awarded + timedelta(days=rng.randint(0, 9))).date() if awarded else None,
            )
        )
    CarePackage.objects.bulk_create(packages)

    for period in ("7", "91", "all"):
        for area_id in (None, areas[1].pk):
            filters = DashboardFilters(period=period, now=NOW, area_id=area_id)
            database, plain = _in_database(filters), _in_python(filters)
            _same(database[0], plain[0])
            assert database[1].keys() == plain[1].keys() and database[2].keys() == plain[2].keys()
            for area, group in plain[1].items():
                _same(database[1][area], group)
            for urgency, by_urgency in plain[2].items():
                _same(database[2][urgency], by_urgency)
