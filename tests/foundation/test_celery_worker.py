"""A real Celery worker process takes tasks from the real broker and sends back results."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection
from django.utils import timezone
from health_check.exceptions import ServiceUnavailable

from brokerage.alerts.models import Alert
from config.beat import BEAT_SCHEDULE
from homecare.health import Broker, Worker
from providers.models import Provider
from tests.brokerage.dashboard.factories import make_world
from tests.conftest import IN_CI
from tests.foundation.celery_worker import celery_worker, client_app

pytestmark = pytest.mark.celery_worker

REDIS_URL = os.environ.get("REDIS_URL", "")


def test_a_task_sent_through_redis_comes_back_from_a_real_worker(tmp_path: Path) -> None:
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set")  # in CI, tests/conftest.py has already failed the run
    with celery_worker(env={"REDIS_URL": REDIS_URL}, log_dir=tmp_path) as worker:
        client = client_app(broker=REDIS_URL, backend=REDIS_URL, queue=worker.queue)
        assert worker.wait_for(client.send_task("homecare.ping")) == "pong"
        # The health checks see the same worker through Celery's broadcast ping.
        Worker(app=client).run()
        Broker(app=client).run()
    assert worker.process.returncode == 0, worker.log()


def _test_database_url() -> str:
    """The URL of pytest-django's test database, so the worker writes where the test reads."""
    settings = connection.settings_dict
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"/{settings['NAME']}"))


@pytest.mark.postgres
def test_a_worker_on_redis_writes_to_the_test_database(transactional_db: None, tmp_path: Path) -> None:
    if not REDIS_URL or connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run this test on PostgreSQL and Redis")
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    provider = Provider.objects.create(name="Before the task")
    env = {"REDIS_URL": REDIS_URL, "DATABASE_URL": _test_database_url()}
    with celery_worker(env=env, log_dir=tmp_path, include="tests.foundation.worker_tasks") as worker:
        client = client_app(broker=REDIS_URL, backend=REDIS_URL, queue=worker.queue)
        result = client.send_task("tests.foundation.rename_provider", args=[provider.pk, "Renamed by the worker"])
        assert worker.wait_for(result) == "Renamed by the worker"
    provider.refresh_from_db()
    assert provider.name == "Renamed by the worker"


def test_a_real_worker_registers_every_task_on_the_beat_schedule(tmp_path: Path) -> None:
    # Tasks outside an app's tasks.py (the CCC alerts) are registered in AppConfig.ready, not by autodiscovery.
    if not REDIS_URL:
        if IN_CI:
            pytest.fail("CI must run this test on a real Redis")
        pytest.skip("REDIS_URL is not set")  # the embedded broker cannot broadcast the inspect request
    with celery_worker(env={"REDIS_URL": REDIS_URL}, log_dir=tmp_path) as worker:
        client = client_app(broker=REDIS_URL, backend=REDIS_URL, queue=worker.queue)
        assert worker.wait_for(client.send_task("homecare.ping")) == "pong"  # the worker is up
        replies = client.control.inspect(timeout=5).registered() or {}
        registered = next(tasks for name, tasks in replies.items() if name.startswith(f"{worker.name}@"))
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} <= set(registered)


@pytest.mark.postgres
def test_a_real_worker_runs_the_ccc_alert_beat_task(transactional_db: None, tmp_path: Path) -> None:
    if not REDIS_URL or connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run this test on PostgreSQL and Redis")
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    world = make_world(now=timezone.now())  # P4 is past its placement deadline
    env = {"REDIS_URL": REDIS_URL, "DATABASE_URL": _test_database_url()}
    with celery_worker(env=env, log_dir=tmp_path) as worker:
        client = client_app(broker=REDIS_URL, backend=REDIS_URL, queue=worker.queue)
        first = worker.wait_for(client.send_task(BEAT_SCHEDULE["brokerage-raise-ccc-alerts"]["task"]))
    breach = Alert.objects.get(kind=Alert.Kind.DEADLINE_BREACH)
    assert breach.package == world.packages["P4"]
    assert first["raised"] == Alert.objects.count() >= 1


def test_the_embedded_broker_carries_tasks_to_a_real_worker_without_any_server(tmp_path: Path) -> None:
    env = {"HOMECARE_VAR_DIR": str(tmp_path), "REDIS_URL": "", "CELERY_BROKER_URL": "", "CELERY_RESULT_BACKEND": ""}
    broker = f"sqla+sqlite:///{tmp_path / 'celery-broker.sqlite3'}"
    backend = f"db+sqlite:///{tmp_path / 'celery-results.sqlite3'}"
    with celery_worker(env=env, log_dir=tmp_path) as worker:
        client = client_app(broker=broker, backend=backend, queue=worker.queue)
        assert worker.wait_for(client.send_task("homecare.ping")) == "pong"
        assert "transport:   sqla+sqlite" in worker.log()
        # The embedded broker cannot broadcast, so the health check's probe is a real task.
        Worker(app=client).run()
    assert worker.process.returncode == 0, worker.log()
    with pytest.raises(ServiceUnavailable, match="No worker answered"):
        Worker(app=client).run()
