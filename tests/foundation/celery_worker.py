"""Run a real ``celery -A config worker`` process for a test, and always stop it.

Each test worker consumes its own uniquely named queues (``HOMECARE_CELERY_QUEUE_PREFIX``, see
``config.queues``), so a worker left behind by another run (or another developer's tasks on the same
broker) can never answer for it. By default it consumes every queue, as the documented workers do together.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import Celery
from celery.result import AsyncResult
from django.conf import settings

from config.celery import app as project_app
from config.queues import DEFAULT, QUEUES

BASE_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


@dataclass
class RunningWorker:
    process: subprocess.Popen[bytes]
    queue: str  # its default queue: what a client_app sends to
    log_path: Path
    prefix: str = ""
    name: str = ""  # its node name is ``<name>@<host>``

    def sending_here(self) -> AbstractContextManager[None]:
        """Within this block, this process's services and tasks send to this worker's queues."""
        return sending_to(self.prefix)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until(self, check: Callable[[], bool], what: str, timeout: float = START_TIMEOUT) -> None:
        """Poll a real result (the database state ``check`` reads) until it holds; fails early, with the
        worker's log, if the worker dies or the time runs out."""
        deadline = time.monotonic() + timeout
        while not check():
            if self.process.poll() is not None:
                raise AssertionError(f"The worker exited while waiting for {what}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"Timed out waiting for {what}. Worker log:\n{self.log()}")
            time.sleep(0.1)

    def kill(self) -> list[int]:
        """SIGKILL the worker and every process under it (a prefork pool's children; none with ``solo``), as a
        lost node would go: no warm shutdown, no message given back. The pids killed."""
        pids = [self.process.pid, *_descendants(self.process.pid)]  # found first: a dead parent's are re-parented
        _kill(pids)
        self.process.wait(timeout=STOP_TIMEOUT)
        return pids

    def kill_pool_children(self) -> list[int]:
        """SIGKILL only the processes running the tasks, as the kernel's OOM killer picks the largest; the
        worker itself lives on and starts new ones. The pids killed."""
        pids = _descendants(self.process.pid)
        assert pids, "a worker with pool children (pool='prefork')"
        _kill(pids)
        return pids

    def wait_for(self, result: AsyncResult[Any], timeout: float = START_TIMEOUT) -> Any:
        """The task's return value; fails early, with the worker's log, if the worker dies."""
        deadline = time.monotonic() + timeout
        while not result.ready():
            if self.process.poll() is not None:
                raise AssertionError(f"The worker exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"No result within {timeout:g} seconds. Worker log:\n{self.log()}")
            time.sleep(0.2)
        return result.get(timeout=1)


def _kill(pids: list[int]) -> None:
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (Linux: read from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def client_app(*, broker: str, backend: str, queue: str) -> Celery:
    """A Celery client talking to the same broker and result store as the worker under test."""
    # Not the current app: the process's own app (config.celery) stays the one the queue and health use.
    app = Celery("homecare-test-client", broker=broker, backend=backend, set_as_current=False)
    app.conf.task_default_queue = queue
    app.conf.broker_connection_retry_on_startup = True
    return app


@contextmanager
def sending_to(prefix: str, app: Celery = project_app) -> Iterator[None]:
    """Route this process's sends (the services' enqueue, the tests' own) to the queues named with ``prefix``."""
    previous = settings.HOMECARE_CELERY_QUEUE_PREFIX, app.conf.task_default_queue
    settings.HOMECARE_CELERY_QUEUE_PREFIX = prefix
    app.conf.task_default_queue = f"{prefix}{DEFAULT}"
    try:
        yield
    finally:
        settings.HOMECARE_CELERY_QUEUE_PREFIX, app.conf.task_default_queue = previous


def new_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}-"


@contextmanager
def celery_worker(
    *,
    env: dict[str, str],
    log_dir: Path,
    include: str | None = None,
    queues: tuple[str, ...] = QUEUES,
    prefix: str | None = None,
    pool: str = "solo",
) -> Iterator[RunningWorker]:
    """A worker consuming ``queues`` (of ``config.queues``) under its own prefix (or the one given, to share).

    ``pool="prefork"`` runs the tasks in one child process, as the deployed worker does (with more).
    """
    prefix = prefix or new_prefix()
    name = f"{prefix}{'-'.join(queues)}"
    log_path = log_dir / f"worker-{name}.log"
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        f"--pool={pool}", "--loglevel=INFO", "--without-gossip", "--without-mingle",
        "--queues", ",".join(f"{prefix}{queue}" for queue in queues), "--hostname", f"{name}@%h",
    ]  # fmt: skip
    if pool == "prefork":
        command += ["--concurrency=1"]
    if include:
        command += ["--include", include]
    full_env = {**os.environ, **env, "HOMECARE_CELERY_QUEUE_PREFIX": prefix, "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield RunningWorker(process=process, queue=f"{prefix}{DEFAULT}", log_path=log_path, prefix=prefix, name=name)
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Warm shutdown (SIGTERM) first; SIGKILL if the worker does not stop in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)
