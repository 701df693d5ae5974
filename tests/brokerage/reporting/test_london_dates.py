"""Dates are shown on the UK day (Europe/London), not the UTC day: midnight British Summer Time is 23:00 UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dps.models import DpsRound, RoundStatus
from tests.conftest import client_for
from tests.contracts.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def test_a_round_opening_at_midnight_bst_is_shown_as_opening_on_1_may(officer) -> None:
    agreement = AgreementFactory()
    DpsRound.objects.create(
        agreement=agreement,
        number=1,
        label="May round",
        opens_at=datetime(2024, 4, 30, 23, 0, tzinfo=UTC),  # 00:00 on 1 May 2024 in London
        closes_at=datetime(2024, 5, 31, 16, 0, tzinfo=UTC),
        status=RoundStatus.CLOSED,
    )
    page = client_for(officer).get(f"/commissioning/reports/{agreement.pk}/").content.decode()
    assert "1 May 2024" in page
    assert "30 Apr 2024" not in page
    export = client_for(officer).get(f"/commissioning/reports/{agreement.pk}/export/dps-rounds.csv")
    assert export.status_code == 200
    assert "2024-05-01" in export.content.decode("utf-8-sig")
