"""The whole DPS path on real CQC records (Oldham, March 2025) from ../shared/data/cqc.

There is no Oldham boundary file, so where a provider must be near "the council", the council is a rough
box drawn around Oldham for this test (``OLDHAM_BOX``); "too far" uses the real Leeds boundary file.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from contracts.models import MembershipStatus, ProviderMembership
from dps import exports, services
from dps.models import ApplicationDecision, ApplicationStatus, DpsRound, ProviderApplication, RoundStatus
from dps.tasks import dps_rounds_sync
from providers.cqc_import import cqc_records_import
from providers.cqc_records import read_location_csv
from providers.models import CqcLocation
from tests.conftest import client_for
from tests.contracts.factories import AgreementFactory
from tests.dps.factories import write_boundary
from tests.factories import make_provider_user
from tests.realdata import shared_data_file

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]
LONDON = ZoneInfo("Europe/London")
ROUND_ONE_OPEN = datetime(2024, 5, 1, 9, 0, tzinfo=LONDON)

HOME_INSTEAD = "1-530528300"  # Registered homecare agency, Outstanding
FUTURE_DIRECTIONS = "1-443780345"  # Registered homecare agency, Outstanding
APEX_PRIME_CARE = "1-19666435449"  # Registered homecare agency, Requires improvement
ITALIA_HOUSE = "1-3995862205"  # Homecare agency rated Inadequate for Safe, Responsive and Well-led
WANTED = {HOME_INSTEAD, FUTURE_DIRECTIONS, APEX_PRIME_CARE, ITALIA_HOUSE}

OLDHAM_BOX = {
    "type": "Feature",
    "properties": {"lad_name": "Oldham (rough box, test fixture)"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[-2.20, 53.48], [-1.90, 53.48], [-1.90, 53.63], [-2.20, 53.63], [-2.20, 53.48]]],
    },
}
ALL_DECLARATIONS = {
    "declares_contract_compliance": "on",
    "declares_staff_pay_passed_on": "on",
    "declares_fee_rates_accepted": "on",
}


@pytest.fixture
def real_locations(db: None) -> dict[str, CqcLocation]:
    path = shared_data_file("cqc", "oldham_cqc_locations_2025-03.csv")
    records = [record for record in read_location_csv(path) if record.location_id in WANTED]
    assert len(records) == len(WANTED)
    cqc_records_import(records=records, source="csv", description="DPS test: four real Oldham locations")
    return {loc.location_id: loc for loc in CqcLocation.objects.select_related("provider", "current_rating")}


@pytest.fixture
def oldham_box(settings: Any, tmp_path: Path) -> None:
    settings.HOMECARE_BOUNDARY_FILE = write_boundary(tmp_path, OLDHAM_BOX)


@pytest.fixture
def leeds_boundary(settings: Any) -> None:
    settings.HOMECARE_BOUNDARY_FILE = shared_data_file("boundaries", "leeds_lad.geojson")


@pytest.fixture
def open_round(officer: Any) -> DpsRound:
    """Round 1 of an agreement starting 1 April 2024, opened by the beat task at its time."""
    agreement = AgreementFactory()
    services.rounds_generate(actor=officer, agreement=agreement)
    dps_round = DpsRound.objects.get(agreement=agreement, number=1)
    assert dps_round.status == RoundStatus.SCHEDULED
    return dps_round


def _apply_through_portal(
    location: CqcLocation, dps_round: DpsRound, declarations: dict[str, str]
) -> ProviderApplication:
    client = client_for(make_provider_user(location.provider))
    start = client.post(reverse("portal:dps:start", args=[dps_round.pk]))
    assert start.status_code == 302, start.content
    application = ProviderApplication.objects.get(dps_round=dps_round, provider=location.provider)
    response = client.post(
        start["Location"], {"locations": [location.pk], **declarations, "action": "Submit application"}
    )
    assert response.status_code == 302, response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    return application


def _decide(officer_client: Client, application: ProviderApplication, **data: str) -> str:
    url = reverse("commissioning:dps:application_detail", args=[application.pk])
    response = officer_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    return officer_client.get(url).content.decode()


def test_a_round_opens_on_schedule_and_an_eligible_real_provider_is_appointed(
    real_locations, oldham_box, open_round, officer_client
):
    home_instead = real_locations[HOME_INSTEAD]
    with time_machine.travel(ROUND_ONE_OPEN, tick=False):
        assert dps_rounds_sync() == {"opened": 1, "closed": 0}
        open_round.refresh_from_db()
        assert open_round.status == RoundStatus.OPEN

        application = _apply_through_portal(home_instead, open_round, ALL_DECLARATIONS)
        page = officer_client.get(
            reverse("commissioning:dps:application_detail", args=[application.pk])
        ).content.decode()
        assert page.count(">Pass<") == 6 and ">Fail<" not in page
        assert "CQC rates this location Outstanding overall with no Inadequate key question." in page
        assert "Home Instead is inside the council area." in page

        after = _decide(officer_client, application, outcome="appoint", reasons="Meets every published criterion.")
    assert "Override" not in after
    membership = ProviderMembership.objects.get(provider=home_instead.provider, agreement=open_round.agreement)
    assert membership.status == MembershipStatus.APPOINTED
    assert membership.appointed_on.isoformat() == "2024-05-01"

    letter = officer_client.get(reverse("commissioning:dps:letter", args=[application.pk])).content.decode()
    assert "you have been appointed to the Dynamic Purchasing System from 1 May 2024" in letter


def test_ineligible_real_providers_are_rejected_with_the_reason_shown(
    real_locations, settings, tmp_path, open_round, officer_client
):
    with time_machine.travel(ROUND_ONE_OPEN, tick=False):
        dps_rounds_sync()
        # Inadequate key questions (and, as it happens, deregistered), judged against the Oldham box.
        settings.HOMECARE_BOUNDARY_FILE = write_boundary(tmp_path, OLDHAM_BOX)
        italia = _apply_through_portal(real_locations[ITALIA_HOUSE], open_round, ALL_DECLARATIONS)
        missing = _apply_through_portal(
            real_locations[FUTURE_DIRECTIONS],
            open_round,
            {k: v for k, v in ALL_DECLARATIONS.items() if k != "declares_fee_rates_accepted"},
        )
        # Too far: a real Oldham agency judged against the real Leeds boundary.
        settings.HOMECARE_BOUNDARY_FILE = shared_data_file("boundaries", "leeds_lad.geojson")
        far = _apply_through_portal(real_locations[HOME_INSTEAD], open_round, ALL_DECLARATIONS)

        italia_page = _decide(officer_client, italia, outcome="reject", reasons="Fails the CQC criteria.")
        missing_page = _decide(officer_client, missing, outcome="reject", reasons="A declaration is missing.")
        far_page = _decide(officer_client, far, outcome="reject", reasons="No location near the council.")

    assert (
        "CQC rates this location Inadequate overall. Inadequate key questions: Safe, Responsive, Well-led."
        in italia_page
    )
    assert "Italia House (1-3995862205) is deregistered with CQC" in italia_page
    assert "This declaration was not made." in missing_page
    assert re.search(r"Home Instead is \d+\.\d miles from the boundary \(limit 5\)\.", far_page)
    for application in (italia, missing, far):
        application.refresh_from_db()
        assert application.status == ApplicationStatus.REJECTED
        assert not application.decision.is_override
    letter = officer_client.get(reverse("commissioning:dps:letter_txt", args=[missing.pk])).content.decode()
    assert "Declaration: accept the council's fee rates: This declaration was not made." in letter
    assert not ProviderMembership.objects.exists()


def test_an_override_is_recorded_with_its_justification_and_exported(
    real_locations, leeds_boundary, open_round, officer_client
):
    apex = real_locations[APEX_PRIME_CARE]
    with time_machine.travel(ROUND_ONE_OPEN, tick=False):
        dps_rounds_sync()
        application = _apply_through_portal(apex, open_round, ALL_DECLARATIONS)
        url = reverse("commissioning:dps:application_detail", args=[application.pk])
        refused = officer_client.post(url, {"outcome": "appoint", "reasons": "Capacity is short."})
        assert refused.status_code == 400
        assert "write the justification for the override" in refused.content.decode()
        page = _decide(
            officer_client,
            application,
            outcome="appoint",
            reasons="Capacity is short on the western edge.",
            override_justification="Apex runs a satellite team in Morley; its office is not where care is given.",
        )
    decision = ApplicationDecision.objects.get(application=application)
    assert decision.is_override and not decision.automatic_passed
    assert "Override of the automatic result" in page
    assert "satellite team in Morley" in page

    rows = exports.decision_record(dps_round=open_round)
    csv_response = officer_client.get(reverse("commissioning:dps:decision_record_csv", args=[open_round.pk]))
    table = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert tuple(table[0]) == exports.COLUMNS
    assert len(table) == 1 + len(rows) == 2
    record = dict(zip(table[0], table[1], strict=True))
    assert record["Provider"] == apex.provider.name
    assert record["CQC locations"] == f"{apex.name} ({APEX_PRIME_CARE})"
    assert record["Override"] == "Yes"
    assert record["Override justification"].startswith("Apex runs a satellite team")
    assert record["Membership appointed on"] == "2024-05-01"

    xlsx_response = officer_client.get(reverse("commissioning:dps:decision_record_xlsx", args=[open_round.pk]))
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert tuple(values[0]) == exports.COLUMNS
    assert values[1][0] == apex.provider.name and values[1][7] == "Yes"


def test_the_oldham_extract_evaluation_counts_eligible_and_ineligible_agencies_by_reason():
    shared_data_file("cqc", "oldham_cqc_locations_2025-03.csv")
    out = io.StringIO()
    call_command("dps_evaluate_extract", stdout=out)
    text = out.getvalue()
    assert "62 registered homecare agencies" in text
    assert "Eligible: 62" in text and "Ineligible: 0" in text
    assert "Good 26" in text and "Not yet rated 27" in text and "Requires improvement 5" in text
    leeds = io.StringIO()
    call_command(
        "dps_evaluate_extract",
        boundary_file=shared_data_file("boundaries", "leeds_lad.geojson"),
        stdout=leeds,
    )
    assert "Ineligible: 62" in leeds.getvalue()
    assert "failed 'A registered location within 5 miles of the council boundary': 62" in leeds.getvalue()
