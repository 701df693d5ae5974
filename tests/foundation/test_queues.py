"""Every task goes to a queue that the documented workers consume, and the clock's sweeps have their own.

A task routed to a queue nobody consumes is a silent outage: nothing fails, the work just never runs. So the
worker commands are read from where they are written (the demo script, docker-compose.yml, the README) and
checked against the routing of every registered task.
"""

from __future__ import annotations

import os
import re
import shlex
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
import redis
import yaml
from celery import current_app
from django.db import connection

from config.beat import BEAT_SCHEDULE
from config.celery import app as celery_app
from config.queues import CONTROL, DEFAULT, NOTIFY, QUEUES, TASK_QUEUES, queue_of
from tests.conftest import IN_CI
from tests.foundation.celery_worker import RunningWorker, celery_worker, new_prefix, sending_to

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
# The frequent clock: anything beat runs every five minutes or more often.
FREQUENT_SECONDS = 300.0
# Long nightly jobs that must never sit in front of the sweeps.
LONG_JOBS = {"providers.cqc_daily_sync", "brokerage.tasks.apply_retention", "visits.tasks.record_monitoring_weeks"}


def _registered_tasks() -> set[str]:
    current_app.loader.import_default_modules()
    return {name for name in current_app.tasks if not name.startswith("celery.")}


def _queues_of(command: list[str]) -> frozenset[str]:
    """The queues a ``celery -A config worker`` command consumes (``default`` when it names none)."""
    for position, word in enumerate(command):
        if word in {"-Q", "--queues"}:
            return frozenset(command[position + 1].split(","))
        if word.startswith("--queues="):
            return frozenset(word.removeprefix("--queues=").split(","))
    return frozenset({DEFAULT})


def _worker_commands(text: str) -> list[list[str]]:
    """Every ``celery ... worker`` command written in a shell script or a Markdown code block."""
    joined = re.sub(r"\\\n\s*", " ", text)  # shell line continuations
    commands = []
    for line in joined.splitlines():
        match = re.search(r"celery -A config worker[^\n\"']*", line)
        if match:
            commands.append(shlex.split(match[0].split("#")[0]))
    return commands


def _compose_worker_commands() -> dict[str, list[str]]:
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    found = {}
    for name, service in compose["services"].items():
        command = service.get("command") or []
        words = shlex.split(command[-1]) if command[:2] == ["sh", "-c"] else list(command)
        if words[:4] == ["celery", "-A", "config", "worker"] or words[1:5] == ["celery", "-A", "config", "worker"]:
            found[name] = words
    return found


DEPLOYMENTS = {
    "scripts/demo.sh": lambda: _worker_commands((BASE_DIR / "scripts/demo.sh").read_text()),
    "docker-compose.yml": lambda: list(_compose_worker_commands().values()),
    "README.md": lambda: _worker_commands((BASE_DIR / "README.md").read_text()),
}


def test_the_routing_table_names_only_registered_tasks_and_known_queues():
    registered = _registered_tasks()
    assert set(TASK_QUEUES) <= registered, set(TASK_QUEUES) - registered
    assert set(TASK_QUEUES.values()) <= set(QUEUES)


def test_celery_sends_each_task_by_name_to_its_queue():
    router = celery_app.amqp.router
    for name in _registered_tasks():
        assert router.route({}, name)["queue"].name == queue_of(name), name
    assert router.route({}, "brokerage.tasks.broker_due_packages")["queue"].name == CONTROL
    assert router.route({}, "brokerage.tasks.notify_package_offers")["queue"].name == NOTIFY
    assert router.route({}, "brokerage.tasks.broker_package")["queue"].name == DEFAULT
    with sending_to("test-prefix-"):
        assert router.route({}, "brokerage.alerts.raise_alerts")["queue"].name == "test-prefix-control"


def test_the_frequent_sweeps_and_alerts_are_on_control_and_the_long_nightly_jobs_are_not():
    frequent = {
        entry["task"]
        for entry in BEAT_SCHEDULE.values()
        if isinstance(entry["schedule"], int | float) and entry["schedule"] <= FREQUENT_SECONDS
    }
    assert "brokerage.alerts.raise_alerts" in frequent
    assert {name: queue_of(name) for name in frequent} == dict.fromkeys(frequent, CONTROL)
    assert {name: queue_of(name) for name in LONG_JOBS} == dict.fromkeys(LONG_JOBS, DEFAULT)
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} >= LONG_JOBS


@pytest.mark.parametrize("where", sorted(DEPLOYMENTS))
def test_every_task_is_consumed_by_the_workers_each_deployment_starts(where):
    commands = DEPLOYMENTS[where]()
    assert commands, f"{where} starts no worker"
    consumed = set().union(*(_queues_of(command) for command in commands))
    needed = {queue_of(name) for name in _registered_tasks()} | {DEFAULT}
    assert needed <= consumed, f"{where}: nobody consumes {needed - consumed}"
    assert consumed <= set(QUEUES), f"{where}: a worker waits on a queue no task is sent to"
    # The clock's own worker: nothing else on it can hold a sweep up.
    assert frozenset({CONTROL}) in [_queues_of(command) for command in commands], where
    assert all(CONTROL not in _queues_of(c) or _queues_of(c) == {CONTROL} for c in commands), where


def test_the_documented_commands_are_read_from_where_they_are_written():
    """The parser finds each worker (so the test above cannot pass by reading nothing)."""
    assert {name: _queues_of(words) for name, words in _compose_worker_commands().items()} == {
        "worker": frozenset({DEFAULT, NOTIFY}),
        "worker-control": frozenset({CONTROL}),
    }
    assert [_queues_of(words) for words in DEPLOYMENTS["scripts/demo.sh"]()] == [
        frozenset({DEFAULT, NOTIFY}),
        frozenset({CONTROL}),
    ]
    assert _queues_of(["celery", "-A", "config", "worker"]) == {DEFAULT}


def _test_database_url() -> str:
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"/{connection.settings_dict['NAME']}"))


@pytest.fixture
def two_workers(transactional_db: None, tmp_path: Path) -> Iterator[tuple[RunningWorker, RunningWorker]]:
    """The deployment's shape: one worker on default and notify, one on control, sharing queue names."""
    if not REDIS_URL or connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run the queue worker test on PostgreSQL and Redis")
        pytest.skip("Needs DATABASE_URL (PostgreSQL) and REDIS_URL for real workers")
    env = {"REDIS_URL": REDIS_URL, "DATABASE_URL": _test_database_url()}
    prefix = new_prefix()
    with (
        celery_worker(
            env=env, log_dir=tmp_path, queues=(DEFAULT, NOTIFY), prefix=prefix, include="tests.foundation.worker_tasks"
        ) as work,
        celery_worker(env=env, log_dir=tmp_path, queues=(CONTROL,), prefix=prefix) as control,
        sending_to(prefix),
    ):
        yield work, control


@pytest.mark.celery_worker
@pytest.mark.postgres
def test_a_control_task_runs_while_the_default_queue_is_full_of_slow_work(two_workers):
    work, control = two_workers
    client = redis.Redis.from_url(REDIS_URL)
    key = f"release-{uuid.uuid4().hex}"
    slow = 10
    held = [celery_app.send_task("tests.foundation.hold", args=[key]) for _ in range(slow)]
    # The default worker has taken one and is stuck in it; the rest wait in the queue behind it.
    work.wait_until(lambda: client.llen(f"{work.prefix}{DEFAULT}") == slow - 1, "the default worker to be busy")

    alerts = celery_app.send_task("brokerage.alerts.raise_alerts")
    assert control.wait_for(alerts) == {"raised": 0, "emailed": 0}
    # The alerts ran while every slow task was still waiting or held.
    assert not any(result.ready() for result in held)
    assert client.llen(f"{work.prefix}{DEFAULT}") == slow - 1

    client.rpush(key, *["go"] * slow)
    assert [work.wait_for(result) for result in held] == ["released"] * slow
    client.delete(key)
