"""The decision record downloads (CSV and XLSX): an applicant's own words never run as a formula."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dps import services
from providers.models import Provider
from tests.contracts.factories import AgreementFactory
from tests.dps.factories import make_location, make_open_round, write_boundary
from tests.spreadsheets import HOSTILE_NAMES, read_back_inert

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def square_council(settings, tmp_path: Path) -> None:
    settings.HOMECARE_BOUNDARY_FILE = write_boundary(tmp_path)


def test_the_decision_record_keeps_hostile_provider_location_and_reason_text_inert(
    officer: User, officer_client: Client, provider: Provider, provider_user: User
) -> None:
    Provider.objects.filter(pk=provider.pk).update(name=HOSTILE_NAMES[0])
    provider.refresh_from_db()
    dps_round = make_open_round(AgreementFactory())
    location = make_location(provider, name=HOSTILE_NAMES[1])
    application = services.application_start(provider_user=provider_user, dps_round=dps_round)
    services.application_save_draft(
        provider_user=provider_user, application=application, location_ids=[location.pk], declarations={}
    )
    services.application_submit(provider_user=provider_user, application=application)
    services.application_decide(
        officer=officer,
        application=application,
        outcome="appoint",
        reasons=HOSTILE_NAMES[2],
        # The test provider makes no declarations, so appointing it is an override with a justification.
        override_justification=HOSTILE_NAMES[3],
    )
    as_csv = officer_client.get(reverse("commissioning:dps:decision_record_csv", args=[dps_round.pk]))
    as_xlsx = officer_client.get(reverse("commissioning:dps:decision_record_xlsx", args=[dps_round.pk]))
    assert as_csv["Content-Disposition"].endswith('round-1.csv"')
    back = read_back_inert(csv_content=as_csv.content, xlsx_content=as_xlsx.content)
    assert back.csv_rows[1][0] == "'" + HOSTILE_NAMES[0]
    assert back.xlsx_rows[1][0] == HOSTILE_NAMES[0]
    assert back.shows_inert(HOSTILE_NAMES[2]) and back.shows_inert(HOSTILE_NAMES[3])
    # The location column starts with the location's name, so the quote lands before it there too.
    assert back.csv_rows[1][2].startswith("'" + HOSTILE_NAMES[1])
