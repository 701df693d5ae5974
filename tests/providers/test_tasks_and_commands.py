"""The daily CQC sync task and beat entry, and the API import command (CQC replayed with `responses`)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
import responses
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections

from config.beat import BEAT_SCHEDULE
from config.celery import app
from providers.cqc_client import CqcApiClient
from providers.cqc_import import SYNC_LOCK_KEY, CqcSyncInProgress, cqc_sync_changes
from providers.models import CqcImportRun
from providers.tasks import cqc_daily_sync
from tests.realdata import shared_data_file

pytestmark = pytest.mark.django_db
BASE = "https://cqc.test/public/v1"


def real_sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(shared_data_file("cqc", "api_samples", name).read_text(encoding="utf-8"))
    return data


def test_the_daily_sync_is_on_the_beat_schedule_and_registered():
    entry = BEAT_SCHEDULE["providers-cqc-daily-sync"]
    assert entry["task"] == "providers.cqc_daily_sync"
    assert entry["task"] in app.tasks


@pytest.mark.realdata
@responses.activate
def test_the_daily_sync_task_is_idempotent_and_continues_from_the_last_window(settings):
    settings.CQC_API_BASE_URL, settings.CQC_API_KEY = BASE, "k"
    outstanding = real_sample("location_homecare_outstanding_1-530528300.json")
    # Oldham is 22 miles from Leeds: the test places this real location next door, so the sync keeps it.
    responses.get(f"{BASE}/changes/location", json={"page": 1, "totalPages": 1, "changes": ["1-530528300"]})
    responses.get(
        f"{BASE}/locations/1-530528300", json={**outstanding, "onspdLatitude": 53.80, "onspdLongitude": -1.55}
    )
    # A real /providers response, re-keyed to this location's provider (the samples hold only one provider).
    provider = {**real_sample("provider_1-101611810.json"), "providerId": outstanding["providerId"]}
    responses.get(f"{BASE}/providers/{outstanding['providerId']}", json=provider)

    with time_machine.travel(datetime(2025, 3, 13, 5, 15, tzinfo=UTC), tick=False):
        first_id = cqc_daily_sync.apply().get()
    with time_machine.travel(datetime(2025, 3, 14, 5, 15, tzinfo=UTC), tick=False):
        second_id = cqc_daily_sync.apply().get()
    assert first_id is not None and second_id is not None
    first, second = CqcImportRun.objects.get(pk=first_id), CqcImportRun.objects.get(pk=second_id)

    assert (first.created, first.ratings_added) == (1, 1)
    assert (second.created, second.updated, second.unchanged, second.ratings_added) == (0, 0, 1, 0)
    assert second.changes_from == first.changes_until == datetime(2025, 3, 13, 5, 15, tzinfo=UTC)
    change_calls = [c.request.url for c in responses.calls if "/changes/" in str(c.request.url)]
    assert "startTimestamp=2025-03-12T05%3A15%3A00Z" in str(change_calls[0])  # the first run looks back a day
    assert "startTimestamp=2025-03-13T05%3A15%3A00Z" in str(change_calls[1])


@pytest.mark.realdata
@responses.activate
def test_the_api_import_command_reads_a_local_authority_page_by_page(settings):
    settings.CQC_API_BASE_URL, settings.CQC_API_KEY = BASE, "k"
    page = real_sample("locations_list_page_first25.json")
    samples = {
        "1-10024040008": real_sample("location_homecare_not_yet_rated_1-10024040008.json"),
        "1-530528300": real_sample("location_homecare_outstanding_1-530528300.json"),
    }
    responses.get(f"{BASE}/locations", json={**page, "locations": [{"locationId": i} for i in samples]})
    for location_id, body in samples.items():
        responses.get(f"{BASE}/locations/{location_id}", json=body)
    responses.get(re.compile(f"{BASE}/providers/.*"), json=real_sample("provider_1-101611810.json"))
    out = StringIO()
    call_command("cqc_import_api", local_authorities=["Oldham"], stdout=out, stderr=StringIO())
    assert "Oldham: 2 new, 0 updated, 0 unchanged, 1 new rating sets." in out.getvalue()
    assert responses.calls[0].request.headers["Ocp-Apim-Subscription-Key"] == "k"


def test_the_api_commands_explain_a_missing_key(settings):
    settings.CQC_API_KEY = None
    with pytest.raises(CommandError, match="Set CQC_API_KEY"):
        call_command("cqc_import_api", local_authorities=["Leeds"])
    with pytest.raises(CommandError, match="Set CQC_API_KEY"):
        call_command("cqc_sync_changes")


def test_the_csv_command_refuses_a_missing_file():
    with pytest.raises(CommandError, match="does not exist"):
        call_command("cqc_import_csv", "/nonexistent/cqc.csv")


@pytest.mark.postgres
@responses.activate
def test_a_second_sync_while_one_is_running_does_nothing(settings):
    if connection.vendor != "postgresql":
        pytest.skip("The sync lock is a PostgreSQL advisory lock; set DATABASE_URL to PostgreSQL.")
    settings.CQC_API_BASE_URL, settings.CQC_API_KEY = BASE, "k"
    other = connections.create_connection("default")  # another worker's own database session
    try:
        with other.cursor() as cursor:  # another worker's sync, mid-way
            cursor.execute("SELECT pg_advisory_lock(%s)", [SYNC_LOCK_KEY])
        assert cqc_daily_sync.apply().get() is None
        with pytest.raises(CqcSyncInProgress):
            cqc_sync_changes(client=CqcApiClient(base_url=BASE, api_key="k"))
        assert len(responses.calls) == 0  # CQC was not even asked
    finally:
        with other.cursor() as cursor:  # the other sync finishes
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SYNC_LOCK_KEY])
        other.close()
    responses.get(f"{BASE}/changes/location", json={"page": 1, "totalPages": 1, "changes": []})
    assert cqc_daily_sync.apply().get() is not None  # free again: the next sync runs
