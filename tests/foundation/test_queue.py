"""The one door for background work (``homecare.queue``): by name, after commit, never failing the caller."""

from __future__ import annotations

import ast
import logging
import socket
from pathlib import Path

import pytest
from celery import Celery, current_app
from django.db import transaction

from brokerage.services import batch, brokering, simulation
from config.celery import app as project
from homecare.queue import enqueue_on_commit, enqueue_suspended, send_now

ROOT = Path(__file__).resolve().parents[2]
APPS = ("homecare", "providers", "contracts", "dps", "brokerage")


def _service_modules() -> list[Path]:
    found: list[Path] = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if "services" in parts or path.name == "services.py":
                found.append(path)
    return found


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_service_imports_a_tasks_module_anywhere_not_even_inside_a_function():
    services = _service_modules()
    assert len(services) >= 10  # the walk really finds every app's services
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imported_modules(path) if name.split(".")[-1] == "tasks")
        for path in services
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_no_service_takes_an_enqueue_switch():
    for path in _service_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = [a.arg for a in node.args.args + node.args.kwonlyargs]
                assert "enqueue" not in arguments, f"{path.name}:{node.name}"


def test_every_task_the_services_enqueue_by_name_is_registered():
    current_app.loader.import_default_modules()
    for name in (
        brokering.BROKER_PACKAGE_TASK,
        brokering.NOTIFY_PACKAGE_OFFERS_TASK,
        brokering.NOTIFY_AWARD_TASK,
        batch.PROPOSE_BATCH_TASK,
        simulation.RUN_SIMULATION_TASK,
    ):
        assert name in current_app.tasks, name


def test_nothing_is_sent_until_commit_and_nothing_after_a_rollback(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue_on_commit("homecare.ping")
    assert len(callbacks) == 1  # queued for the commit, not sent during the transaction

    class Abandoned(Exception):
        pass

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Abandoned), transaction.atomic():
        enqueue_on_commit("homecare.ping")
        raise Abandoned
    assert callbacks == []


def test_the_one_switch_turns_enqueueing_off(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, enqueue_suspended():
        enqueue_on_commit("homecare.ping")
    assert callbacks == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_broker_that_refuses_connections_is_logged_and_never_raised(caplog):
    # A Celery app of its own, pointed at a port nobody listens on; the project's app is put back after.
    probe = Celery("probe", broker=f"redis://127.0.0.1:{_closed_port()}/0", set_as_current=False)
    probe.conf.broker_connection_timeout = 1
    probe.set_current()
    try:
        with caplog.at_level(logging.ERROR, logger="homecare.queue"):
            assert send_now("homecare.ping") is False
    finally:
        project.set_current()
        probe.close()
    assert current_app.main == project.main
    assert "the beat sweep will pick the work up" in caplog.text
