"""The round clock on the real services: the beat task through a real worker on Redis, and racing itself."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection, connections
from django.utils import timezone

from dps import services
from dps.models import DpsRound, RoundStatus
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from tests.conftest import IN_CI
from tests.contracts.factories import AgreementFactory
from tests.foundation.celery_worker import celery_worker, client_app

pytestmark = [pytest.mark.postgres]
REDIS_URL = os.environ.get("REDIS_URL", "")


def _require_real_services() -> None:
    if not REDIS_URL or connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run this test on PostgreSQL and Redis")
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL")


def _due_round() -> DpsRound:
    now = timezone.now()
    return DpsRound.objects.create(
        agreement=AgreementFactory(),
        number=1,
        label="1 month after start",
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=28),
    )


def _test_database_url() -> str:
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"/{connection.settings_dict['NAME']}"))


@pytest.mark.celery_worker
def test_the_beat_task_run_twice_by_a_real_worker_opens_the_round_once(transactional_db: None, tmp_path: Path):
    _require_real_services()
    dps_round = _due_round()
    env = {"REDIS_URL": REDIS_URL, "DATABASE_URL": _test_database_url()}
    with celery_worker(env=env, log_dir=tmp_path) as worker:
        client = client_app(broker=REDIS_URL, backend=REDIS_URL, queue=worker.queue)
        first = client.send_task("dps.rounds_sync")
        second = client.send_task("dps.rounds_sync")
        worker.wait_for(first)
        worker.wait_for(second)
    dps_round.refresh_from_db()
    assert dps_round.status == RoundStatus.OPEN
    assert AuditEvent.objects.filter(action=AuditAction.DPS_ROUND_OPENED, target_id=str(dps_round.pk)).count() == 1


def test_eight_clocks_racing_open_a_due_round_exactly_once(transactional_db: None):
    _require_real_services()
    dps_round = _due_round()
    barrier = threading.Barrier(8)
    opened: list[int] = []
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            barrier.wait()
            opened.append(services.rounds_sync()[0])
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(opened) == 1
    assert AuditEvent.objects.filter(action=AuditAction.DPS_ROUND_OPENED, target_id=str(dps_round.pk)).count() == 1
