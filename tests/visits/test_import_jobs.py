"""The ECM upload above the threshold becomes a job; the sweep restarts jobs whose worker stopped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from tests.conftest import client_for
from tests.visits.fixtures import PERIOD_START, ecm_csv, make_pay_world, visit_row
from visits.models import ActualVisit, VisitImportJob
from visits.services.import_jobs import MAX_ATTEMPTS, STALE_AFTER, ecm_import_queue, ecm_import_run, ecm_imports_recover

pytestmark = pytest.mark.django_db


def _text(world, count: int = 3) -> str:
    return ecm_csv(
        [visit_row(f"V{n}", world.a, PERIOD_START + timedelta(days=n), "08:00", "08:05", "09:00") for n in range(count)]
    )


def test_an_upload_above_the_threshold_becomes_a_job_followed_on_its_page(officer, settings):
    settings.HOMECARE_ECM_IN_REQUEST_MAX_ROWS = 2
    world = make_pay_world(officer)
    client = client_for(world.provider_user)
    upload = SimpleUploadedFile("month.csv", _text(world).encode(), content_type="text/csv")
    response = client.post("/portal/visits/", {"file": upload})
    job = VisitImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/visits/imports/{job.pk}/"
    assert (job.status, job.rows_total, job.provider_id) == ("queued", 3, world.provider.pk)
    assert ActualVisit.objects.count() == 0  # not in the request
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for the import to start" in page and 'value="0"' in page
    assert ecm_import_run(job_id=job.pk) is True
    assert ecm_import_run(job_id=job.pk) is False  # a second delivery claims nothing
    progress = client.get(f"/portal/visits/imports/{job.pk}/progress/")
    assert progress["HX-Refresh"] == "true"
    assert ActualVisit.objects.count() == 3


def test_an_upload_within_the_threshold_is_imported_in_the_request(officer, settings):
    settings.HOMECARE_ECM_IN_REQUEST_MAX_ROWS = 3
    world = make_pay_world(officer)
    upload = SimpleUploadedFile("week.csv", _text(world).encode(), content_type="text/csv")
    response = client_for(world.provider_user).post("/portal/visits/", {"file": upload})
    assert response.status_code == 302 and response["Location"] == "/portal/visits/"
    assert ActualVisit.objects.count() == 3 and not VisitImportJob.objects.exists()


def test_another_providers_job_is_not_found(officer, other_provider_user):
    world = make_pay_world(officer)
    job = ecm_import_queue(text=_text(world), file_name="a.csv", provider_user=world.provider_user)
    assert client_for(other_provider_user).get(f"/portal/visits/imports/{job.pk}/").status_code == 404


def test_the_sweep_restarts_a_silent_job_from_the_start_and_fails_it_after_the_last_attempt(officer):
    world = make_pay_world(officer)
    job = ecm_import_queue(text=_text(world), file_name="a.csv", provider_user=world.provider_user)
    now = timezone.now()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        # As if a worker had claimed it and died mid-way, long enough ago.
        VisitImportJob.objects.filter(pk=job.pk).update(
            status="checking", attempts=attempt, heartbeat_at=now - STALE_AFTER - timedelta(seconds=1)
        )
        assert ecm_imports_recover(now=now) == ([job.pk] if attempt < MAX_ATTEMPTS else [])
    job.refresh_from_db()
    assert job.status == "failed" and "interrupted 3 times" in job.error and ActualVisit.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.VISIT_IMPORT_RESTARTED, target_id=str(job.pk)).count() == 2


def test_a_queued_job_whose_message_was_lost_is_sent_again(officer):
    world = make_pay_world(officer)
    job = ecm_import_queue(text=_text(world), file_name="a.csv", provider_user=world.provider_user)
    now = timezone.now()
    assert ecm_imports_recover(now=now) == []
    VisitImportJob.objects.filter(pk=job.pk).update(heartbeat_at=F("heartbeat_at") - timedelta(minutes=2))
    assert ecm_imports_recover(now=now) == [job.pk]
    assert ecm_imports_recover(now=now) == []  # once an interval
    assert ecm_import_run(job_id=job.pk) is True
    job.refresh_from_db()
    assert job.status == "done" and ActualVisit.objects.count() == 3
