"""API throughput under gunicorn: offers list, packages list and accept, beside a bare DRF endpoint.

Run (PostgreSQL; it makes, fills and drops a throw-away test database; REDIS_URL for the throttle counts, as
in production, else each worker counts in its own memory):

    DATABASE_URL=postgres://... [REDIS_URL=redis://...] .venv/bin/python bench/api.py [--duration 6] [--packages 1000]

1. Migrates a throw-away database and fills it through the project's own services: a ranked DPS market of
   eight providers, ``--packages`` referrals entered by an officer and brokered (each with an offer to every
   provider), an API token for the officer and one for the first-ranked provider's staff (homecare.apitokens).
2. Starts three gunicorn servers on 127.0.0.1, on ports it picks, with the same workers and threads: the
   project (``config.wsgi``, production settings, DEBUG off; throttling on, its rate raised out of the way)
   and two references from ``bench/bare_api.py``, one APIView that makes one query on the same database and
   returns a small JSON list: bare DRF (no middleware, authentication or throttling: the floor) and the same
   view in the project's stack (its settings, middleware, token authentication and throttles).
3. For each endpoint, and for both references just before it: (a) closed loop, ``--concurrency`` clients
   for ``--duration`` seconds, as many requests as the server answers (requests/s, and the server workers'
   CPU per request, the steadier figure); (b) open loop, ``--rate`` requests/s on a fixed schedule for
   ``--duration`` seconds, latency measured from each request's scheduled time (p50/p95/p99, errors).
   Each accept takes a fresh open offer (the first-ranked provider's), so every accept runs the whole
   transaction: package lock, acceptance, audit, the policy's next step.
4. Stops the servers on exit, also on Ctrl-C or an error, and drops the database.

The load generator is Python threads over ``http.client`` keep-alive connections, in this process. It shares
the machine's two cores with the servers (and PostgreSQL); it is the same for both servers, so the ratio is
fair, but absolute figures are lower than a separate load machine would show.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Production settings for this process (it fills the database) and both servers alike: the same key encrypts
# the people's details here and decrypts them there.
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_ENV": "production",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback; behind TLS in production
    "HOMECARE_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    # The throttle still runs (and counts in Redis) on every request, but one integrator's benchmark load
    # must not be refused.
    "HOMECARE_API_THROTTLE_USER": "100000000/minute",
    "DJANGO_LOG_LEVEL": "WARNING",
}
os.environ.update(SERVER_ENV)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from brokerage.models import Offer  # noqa: E402
from brokerage.services.brokering import package_broker  # noqa: E402
from brokerage.services.packages import package_enter  # noqa: E402
from homecare.accounts.audiences import Audience  # noqa: E402
from homecare.apitokens.services import api_token_create  # noqa: E402
from homecare.queue import enqueue_suspended  # noqa: E402

# The tests' market builder: eligible, rated, equipped providers on one agreement, ranked in creation order.
from tests.brokerage.factories import make_isa, make_market  # noqa: E402
from tests.factories import UserFactory, make_provider_user  # noqa: E402

PROVIDERS = 8


@dataclass
class World:
    officer_token: str
    provider_token: str
    open_offers: list[int]


def fill(packages: int) -> World:
    market = make_market(providers=PROVIDERS)
    officer = UserFactory(username="bench-officer", audiences=[Audience.OFFICER])
    staff = make_provider_user(market.providers[0])  # ranked first: its acceptance awards at once
    with enqueue_suspended():  # no broker here: notifications would only be queued
        for number in range(packages):
            isa = make_isa(market, external_reference=f"BENCH-{number:05d}")
            package_broker(package_id=package_enter(isa=isa, entered_by=officer).package.pk)
    _, officer_secret = api_token_create(user=officer, name="Bench case-management system", created_by=officer)
    _, staff_secret = api_token_create(user=staff, name="Bench rostering system", created_by=staff)
    offers = Offer.objects.filter(provider=market.providers[0], status__in=Offer.OPEN_STATUSES)
    return World(officer_secret, staff_secret, list(offers.order_by("id").values_list("pk", flat=True)))


# --- Servers ---------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    def worker_cpu_seconds(self) -> float:
        """User + system CPU of the gunicorn workers (the master's children), from /proc."""
        tick = os.sysconf("SC_CLK_TCK")
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return 0.0
        total = 0
        for pid in children:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def start_server(name: str, app: str, *, database_url: str, workers: int, threads: int, log: Path) -> Server:
    port = _free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", app),
        *("--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT)),
        *("--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread"),
        *("--keep-alive", "30", "--log-level", "warning"),
    ]
    env = {**os.environ, "DATABASE_URL": database_url}
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn command line
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(name, port, process)


def wait_until_serving(server: Server, path: str, headers: dict[str, str], *, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} server exited with {server.process.returncode}")
        try:
            connection_ = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            connection_.request("GET", path, headers=headers)
            status = connection_.getresponse().status
            connection_.close()
            if status == 200:
                return
            raise RuntimeError(f"{server.name} answered {status} to GET {path}")
        except (ConnectionError, OSError):
            time.sleep(0.2)  # still starting: poll the socket again (this is a script, not a test)
    raise RuntimeError(f"{server.name} server did not start in {timeout:.0f} s")


# --- Load ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes | None = None


@dataclass
class Target:
    """What to request of one server: ``next_call`` gives each request (None when there is nothing left)."""

    label: str
    server: Server
    headers: dict[str, str]
    next_call: Callable[[], Call | None]
    expect: int = 200


def repeating(call: Call) -> Callable[[], Call | None]:
    return lambda: call


def consuming(calls: Iterator[Call]) -> Callable[[], Call | None]:
    lock = threading.Lock()

    def take() -> Call | None:
        with lock:
            return next(calls, None)

    return take


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    elapsed: float = 0.0
    cpu: float = 0.0
    ran_out: bool = False

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


class Client:
    """One keep-alive connection; reconnects if the server closes it."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.connection = http.client.HTTPConnection("127.0.0.1", target.server.port, timeout=30)

    def send(self, call: Call, result: Result, lock: threading.Lock, started: float) -> None:
        headers = dict(self.target.headers)
        if call.body is not None:
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(call.method, call.path, body=call.body, headers=headers)
            response = self.connection.getresponse()
            body = response.read()
            status = response.status
        except (http.client.HTTPException, OSError) as error:
            self.connection.close()
            status, body = 0, repr(error).encode()
        finished = time.perf_counter()
        with lock:
            if status == self.target.expect:
                result.latencies.append(finished - started)
            else:
                result.errors += 1
                result.first_error = result.first_error or f"{status} {call.method} {call.path}: {body[:200]!r}"

    def close(self) -> None:
        self.connection.close()


def closed_loop(target: Target, *, concurrency: int, duration: float) -> Result:
    """``concurrency`` clients, each sending its next request as soon as the last is answered."""
    result, lock = Result(), threading.Lock()
    deadline = time.perf_counter() + duration

    def run() -> None:
        client = Client(target)
        while time.perf_counter() < deadline:
            call = target.next_call()
            if call is None:
                result.ran_out = True
                break
            client.send(call, result, lock, time.perf_counter())
        client.close()

    return _in_threads(target, run, concurrency, result, started=time.perf_counter())


def _in_threads(target: Target, run: Callable[[], None], count: int, result: Result, *, started: float) -> Result:
    """Run ``count`` clients to the end; the elapsed time from ``started``, and the server's CPU meanwhile."""
    cpu_before = target.server.worker_cpu_seconds()
    workers = [threading.Thread(target=run) for _ in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    result.elapsed = time.perf_counter() - started
    result.cpu = target.server.worker_cpu_seconds() - cpu_before
    return result


def open_loop(target: Target, *, rate: float, duration: float, clients: int = 16) -> Result:
    """``rate`` requests a second on a fixed schedule, whatever the server does; latency from the scheduled time
    (so a slow answer that delays the next request is counted against the server, not hidden)."""
    result, lock = Result(), threading.Lock()
    total = int(rate * duration)
    slots = itertools.count()
    slot_lock = threading.Lock()
    start = time.perf_counter() + 0.05

    def run() -> None:
        client = Client(target)
        while True:
            with slot_lock:
                slot = next(slots)
            if slot >= total:
                break
            scheduled = start + slot / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # the open-loop schedule itself
            call = target.next_call()
            if call is None:
                result.ran_out = True
                break
            client.send(call, result, lock, scheduled)
        client.close()

    return _in_threads(target, run, clients, result, started=start)


# --- Report ----------------------------------------------------------------------------------------------------


def _cpu_per_request(result: Result) -> float:
    return result.cpu / len(result.latencies) * 1000 if result.latencies else float("nan")


def _closed_line(label: str, result: Result) -> str:
    note = " (ran out of open offers)" if result.ran_out else ""
    errors = f", {result.errors} errors ({result.first_error})" if result.errors else ""
    return (
        f"  {label:<26} {result.throughput:7.1f} req/s  p50 {result.percentile(50):6.1f} ms  "
        f"server CPU {_cpu_per_request(result):5.2f} ms/req{errors}{note}"
    )


def _open_line(label: str, result: Result) -> str:
    errors = f", {result.errors} errors ({result.first_error})" if result.errors else ", 0 errors"
    note = " (ran out of open offers)" if result.ran_out else ""
    return (
        f"  {label:<26} {len(result.latencies) + result.errors:5d} sent  p50 {result.percentile(50):6.1f}  "
        f"p95 {result.percentile(95):6.1f}  p99 {result.percentile(99):6.1f} ms{errors}{note}"
    )


def _ratio(measured: Result, reference: Result) -> str:
    throughput = measured.throughput / reference.throughput if reference.throughput else float("nan")
    cpu = _cpu_per_request(reference) / _cpu_per_request(measured)
    return f"{throughput:.2f} (CPU {cpu:.2f})"


def _database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=6.0, help="seconds of each closed- and open-loop run")
    parser.add_argument("--concurrency", type=int, default=8, help="closed-loop clients")
    parser.add_argument("--rate", type=float, default=50.0, help="open-loop requests a second")
    parser.add_argument("--packages", type=int, default=1000, help="packages brokered (each accept uses one)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, both servers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker, both servers")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (a throw-away test database is made on it).")

    # SIGTERM ends the run like Ctrl-C does, so the servers are stopped and the database dropped.
    def _terminate(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    # Its own throw-away database, not pytest's test_ copy (which --reuse-db keeps between runs).
    connection.settings_dict["TEST"]["NAME"] = f"bench_api_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    servers: list[Server] = []
    try:
        began = time.perf_counter()
        world = fill(args.packages)
        print(
            f"Filled {connection.settings_dict['NAME']}: {args.packages} packages, {PROVIDERS} providers, "
            f"{len(world.open_offers)} open offers for the provider token ({time.perf_counter() - began:.0f} s)"
        )
        connection.close()  # the servers have the database to themselves
        database_url = _database_url(str(settings.DATABASES["default"]["NAME"]))
        logs = Path(settings.VAR_DIR)
        shape = {"database_url": database_url, "workers": args.workers, "threads": args.threads}
        project = start_server("project", "config.wsgi:application", log=logs / "bench-api-project.log", **shape)
        servers.append(project)
        bare = start_server("bare", "bench.bare_api:application", log=logs / "bench-api-bare.log", **shape)
        servers.append(bare)
        os.environ["BENCH_BARE_STACK"] = "project"
        stack = start_server("stack", "bench.bare_api:application", log=logs / "bench-api-stack.log", **shape)
        servers.append(stack)
        officer = {"Authorization": f"Token {world.officer_token}"}
        provider = {"Authorization": f"Token {world.provider_token}"}
        wait_until_serving(project, "/api/v1/offers/", provider)
        wait_until_serving(bare, "/bare/", {})
        wait_until_serving(stack, "/bare/", provider)

        start_on = (timezone.localdate() + timedelta(days=7)).isoformat()
        accept_body = json.dumps({"start_on": start_on}).encode()
        accepts = consuming(Call("POST", f"/api/v1/offers/{pk}/accept/", accept_body) for pk in world.open_offers)
        references = [
            Target("bare DRF (reference)", bare, {}, repeating(Call("GET", "/bare/"))),
            Target("bare DRF, project stack", stack, provider, repeating(Call("GET", "/bare/"))),
        ]
        targets = [
            Target("offers list", project, provider, repeating(Call("GET", "/api/v1/offers/"))),
            Target("packages list", project, officer, repeating(Call("GET", "/api/v1/packages/"))),
            Target("accept", project, provider, accepts),
        ]
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads (gthread) each; load: {args.concurrency} "
            f"closed-loop clients, then {args.rate:.0f} requests/s open loop; {args.duration:.0f} s a run. "
            "The load generator runs on the same cores."
        )
        for target in (*references, *targets[:2]):  # warm the servers (imports, connections); not measured
            closed_loop(target, concurrency=2, duration=1.0)

        print("\nClosed loop (max throughput; each endpoint right after both references):")
        rows: list[tuple[str, Result, Result, Result]] = []
        for target in targets:
            bare_run, stack_run = (
                closed_loop(r, concurrency=args.concurrency, duration=args.duration) for r in references
            )
            measured = closed_loop(target, concurrency=args.concurrency, duration=args.duration)
            rows.append((target.label, measured, bare_run, stack_run))
            print(_closed_line(references[0].label, bare_run))
            print(_closed_line(references[1].label, stack_run))
            print(_closed_line(target.label, measured))
        print(f"\nOpen loop ({args.rate:.0f} requests/s for {args.duration:.0f} s, latency from the scheduled time):")
        for target in (*references, *targets):
            print(_open_line(target.label, open_loop(target, rate=args.rate, duration=args.duration)))
        print("\nSummary: closed-loop throughput ratio to each reference measured just before (server CPU ratio):")
        for label, measured, bare_run, stack_run in rows:
            print(
                f"  {label:<14} {measured.throughput:6.1f} req/s; to bare DRF {bare_run.throughput:6.1f}: "
                f"{_ratio(measured, bare_run)}; to bare DRF in the project stack {stack_run.throughput:6.1f}: "
                f"{_ratio(measured, stack_run)}"
            )
        print(f"Total {time.perf_counter() - began:.0f} s")
    finally:
        # A second Ctrl-C or SIGTERM must not cut the clean-up short (and leave servers or the database behind).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for server in servers:
            server.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
