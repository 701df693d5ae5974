"""A burst of referrals through real Celery workers: how long until every package is ranked and offered.

Run from the repository root, with DATABASE_URL pointing at PostgreSQL (a throw-away test database is made
from its name, ``test_<name>``, and dropped afterwards):

    DATABASE_URL=postgres://... .venv/bin/python bench/burst.py [--referrals 300] [--seconds 30]

It starts its own ``redis-server`` on a free port and the workers exactly as docker-compose.yml and
scripts/demo.sh do (``-Q default,notify --concurrency 2`` and ``-Q control --concurrency 1``, with task events
on), loads the demo's providers, agreement and provider logins (``load_demo``'s first four steps), then:

1. Reference: the same workers drain N no-op tasks (``homecare.ping``), and one package at a time is ranked,
   offered and emailed on its own (``--alone`` packages, median), both measured in this run.
2. The burst: N referrals (``package_enter``, the entry the API and the officers' form use) arriving evenly over
   ``--seconds``, each sending its ``broker_package`` task after commit, as the web does. They are posted by
   ``--desks`` threads (officers and API clients posting at once), each referral at its arrival time, so a
   post slowed by the shared cores delays only itself. Meanwhile the bench
   plays beat: every frequent beat task on the ``control`` queue is sent at its interval from the start of the
   burst (sweeps every 60 s, webhooks due every 30 s, CCC alerts every 300 s, so once at the start), and its
   lateness is the worker's task-started event time minus the time it was sent.

It prints the time from post to "ranked and offered" (the package's allocation run and offers committed)
per package (p50, p95) and for the whole burst, counted from the first and from the last post; when every
offer's email had gone; emails sent (one per provider and batch, against one per offer before batching);
the workers' peak RSS (each worker's process tree, sampled from /proc every 0.2 s); and the ratios to the
references. Emails go to the console backend (the worker's log), so an email costs its composing and
writing, not a network round trip to GOV.UK Notify. Bounded by ``--timeout``; it always stops its workers
and its Redis, and drops the database.
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import time as clock
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

WORKERS = {  # as docker-compose.yml and scripts/demo.sh start them
    "work": ["-Q", "default,notify", "--concurrency", "2"],
    "control": ["-Q", "control", "--concurrency", "1"],
}
ONE_WORKER = {"all": ["-Q", "default,notify,control", "--concurrency", "2"]}
DEMO_AGREEMENT = "Contract ID 84738"
SAMPLE_SECONDS = 0.2


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def own_redis(log_dir: Path) -> Iterator[str]:
    """A private redis-server (no persistence) on a free port, always stopped."""
    executable = shutil.which("redis-server")
    if executable is None:
        sys.exit("redis-server is not installed")
    port = free_port()
    with (log_dir / "redis.log").open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own fixed command
            [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=log_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    sys.exit("redis-server did not start")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait(timeout=10)


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (from /proc), in KiB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


@dataclass
class Workers:
    processes: dict[str, subprocess.Popen[bytes]]
    peak_kib: dict[str, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        while not self._stop.is_set():
            for name, process in self.processes.items():
                self.peak_kib[name] = max(self.peak_kib.get(name, 0), tree_rss_kib(process.pid))
            self._stop.wait(SAMPLE_SECONDS)

    def reset_peaks(self) -> None:
        self.peak_kib.clear()

    def stop(self) -> None:
        self._stop.set()
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def started_workers(layout: dict[str, list[str]], env: dict[str, str], log_dir: Path) -> Iterator[Workers]:
    processes = {}
    try:
        for name, queues in layout.items():
            command = [sys.executable, "-m", "celery", "-A", "config", "worker", *queues, "-E", "--loglevel", "INFO"]
            command += ["--hostname", f"{name}@%h", "--without-gossip", "--without-mingle"]
            with (log_dir / f"worker-{name}.log").open("wb") as log:
                processes[name] = subprocess.Popen(  # noqa: S603 - our own fixed command
                    command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
        workers = Workers(processes)
        sampler = threading.Thread(target=workers.sample, daemon=True)
        sampler.start()
        yield workers
    finally:
        Workers(processes).stop()


class Events:
    """Task-started times (the worker's clock: the same machine's) from Celery's task events."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.started: dict[str, float] = {}
        self._stop = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        with self.app.connection_for_read() as connection:
            receiver = self.app.events.Receiver(
                connection,
                handlers={"task-started": lambda event: self.started.setdefault(event["uuid"], event["timestamp"])},
            )
            self.ready.set()
            while not self._stop.is_set():
                try:
                    receiver.capture(limit=None, timeout=0.5, wakeup=False)
                except TimeoutError:
                    continue

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=5)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--referrals", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=30.0, help="post the referrals evenly over this long")
    parser.add_argument(
        "--desks", type=int, default=4, help="referrals posted by this many threads at once, each at its arrival time"
    )
    parser.add_argument("--alone", type=int, default=5, help="packages ranked and offered one at a time (reference)")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up waiting for the burst after this long")
    parser.add_argument(
        "--one-worker", action="store_true", help="one worker consuming every queue (no control worker of its own)"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Run with DATABASE_URL set to PostgreSQL (a throw-away test database is made from it).")
    log_dir = Path(tempfile.mkdtemp(prefix="homecare-burst-"))
    with own_redis(log_dir) as redis_url:
        os.environ["REDIS_URL"] = redis_url
        os.environ["HOMECARE_CELERY_QUEUE_PREFIX"] = ""
        run(args, redis_url, log_dir)
    shutil.rmtree(log_dir, ignore_errors=True)


def run(args: argparse.Namespace, redis_url: str, log_dir: Path) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management.base import OutputWrapper
    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone
    from django.utils.module_loading import import_string

    from brokerage.demo import SEED, _equip_providers
    from brokerage.isa import IsaData, PersonData, VisitData
    from brokerage.models import AllocationRun, CarePackage, Offer
    from brokerage.services.packages import package_enter
    from config.beat import BEAT_SCHEDULE
    from config.celery import app
    from config.queues import CONTROL, queue_of
    from contracts.models import Agreement, ProviderMembership
    from demo.steps import DEMO_STEPS
    from providers.geography import locality_area_for
    from providers.models import LocalityArea, Postcode, Provider, ProviderStaff

    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    workers_env = {
        **os.environ,
        "DATABASE_URL": urlunparse(urlparse(os.environ["DATABASE_URL"])._replace(path=f"/{test_name}")),
        "REDIS_URL": redis_url,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "DJANGO_DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
    }
    try:
        started = time.monotonic()
        quiet = OutputWrapper(open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
        for dotted_path in DEMO_STEPS[:4]:  # accounts, providers, agreement, provider logins
            with transaction.atomic():
                import_string(dotted_path)(stdout=quiet)
        agreement = Agreement.objects.get(reference=DEMO_AGREEMENT)
        # The demo's brokerage step gives each provider capacity in its areas and its capabilities before it
        # makes months of history; the bench wants the providers so equipped, without the history.
        with transaction.atomic():
            _equip_providers(
                list(Provider.objects.filter(is_demo=True, memberships__agreement=agreement).distinct()),
                list(LocalityArea.objects.all()),
                random.Random(SEED),
                timezone.now(),
            )
        officer = User.objects.get(username="officer")
        postcodes = [
            p
            for p in Postcode.objects.filter(outward__startswith="LS")
            .order_by("postcode")
            .values_list("postcode", flat=True)[::700]
            if locality_area_for(p) is not None
        ]
        staff = ProviderStaff.objects.exclude(user__email="").count()
        members = ProviderMembership.objects.filter(agreement=agreement).values("provider").distinct().count()
        print(
            f"Demo loaded in {time.monotonic() - started:.0f} s: {members} providers on the "
            f"agreement, {staff} provider staff with an email address, {len(postcodes)} postcodes used"
        )

        def isa(number: int, tag: str) -> IsaData:
            return IsaData(
                source_system="bench",
                external_reference=f"{tag}-{number}",
                agreement_reference=agreement.reference,
                person=PersonData(
                    given_name="Bench",
                    family_name="Person",
                    address_line_1="1 Bench Road",
                    postcode=postcodes[number % len(postcodes)],
                ),
                visits=tuple(VisitData(day, clock(8), clock(9, 30), 45, 1) for day in range(7))
                + tuple(VisitData(day, clock(19), clock(21), 30, 1) for day in range(7)),
                requested_start_on=timezone.localdate() + timedelta(days=3),
                urgency="hospital_discharge" if number % 5 == 0 else "routine",
            )

        def ranked(ids: list[int]) -> set[int]:
            return set(AllocationRun.objects.filter(package_id__in=ids).values_list("package_id", flat=True))

        def unemailed(ids: list[int]) -> int:
            return Offer.objects.filter(package_id__in=ids, status="pending", notified_at__isnull=True).count()

        layout = ONE_WORKER if args.one_worker else WORKERS
        with started_workers(layout, workers_env, log_dir) as workers:
            deadline = time.monotonic() + 120
            while {host.split("@")[0] for reply in app.control.ping(timeout=1) or [] for host in reply} < set(layout):
                if time.monotonic() > deadline or any(p.poll() is not None for p in workers.processes.values()):
                    sys.exit(f"The workers did not start; logs in {log_dir}")
            events = Events(app)
            events.ready.wait(10)
            shown = "; ".join(f"{name}: {' '.join(queues)}" for name, queues in layout.items())
            print(f"Workers: {shown}")

            # Reference 1: the same workers drain N no-op tasks.
            first = time.monotonic()
            pings = [app.send_task("homecare.ping") for _ in range(args.referrals)]
            for result in pings:
                result.get(timeout=args.timeout)
            noop_seconds = time.monotonic() - first

            # Reference 2: one package at a time, ranked, offered and emailed with nothing else running.
            alone_ranked: list[float] = []
            alone_emailed: list[float] = []
            for number in range(args.alone):
                posted = time.monotonic()
                package = package_enter(isa=isa(number, "ALONE"), entered_by=officer, submit=True).package
                while not ranked([package.pk]):
                    time.sleep(0.02)
                alone_ranked.append(time.monotonic() - posted)
                while unemailed([package.pk]):
                    time.sleep(0.02)
                alone_emailed.append(time.monotonic() - posted)
            alone_offers = Offer.objects.filter(package__external_reference__startswith="ALONE").count() / args.alone

            # The burst, with the bench playing beat for the control queue.
            workers.reset_peaks()
            control_tasks = [
                (entry["task"], float(entry["schedule"]))
                for entry in BEAT_SCHEDULE.values()
                if isinstance(entry["schedule"], int | float) and queue_of(entry["task"]) == CONTROL
            ]
            sent: list[tuple[str, float, str]] = []  # (task, sent at (epoch), task id)
            beat_stop = threading.Event()

            def beat() -> None:
                start = time.time()
                due = dict.fromkeys((name for name, _ in control_tasks), start)
                intervals = dict(control_tasks)
                while not beat_stop.is_set():
                    now = time.time()
                    for name, at in due.items():
                        if at <= now:
                            sent.append((name, time.time(), app.send_task(name).id))
                            due[name] = at + intervals[name]
                    beat_stop.wait(0.05)

            beat_thread = threading.Thread(target=beat, daemon=True)
            posted_at: dict[int, float] = {}  # package id: when its post began (its scheduled arrival)
            seen_at: dict[int, float] = {}
            posts_done: list[float] = []
            late_posts: list[float] = []  # how long after its arrival time each post began
            posting = threading.Lock()
            arrivals: queue.SimpleQueue[int | None] = queue.SimpleQueue()
            gap = args.seconds / args.referrals
            burst_start = time.monotonic()

            def post() -> None:
                # One officer's desk: take the next referral, wait for its arrival time, enter it. Several
                # desks post at once, as several officers and API clients do, so one slow post (the cores
                # are shared with the workers) delays only itself, not every referral after it.
                try:
                    while (number := arrivals.get()) is not None:
                        target = burst_start + number * gap
                        while (wait := target - time.monotonic()) > 0:
                            time.sleep(min(0.01, wait))
                        began = time.monotonic()
                        package = package_enter(isa=isa(number, "BURST"), entered_by=officer, submit=True).package
                        with posting:
                            posted_at[package.pk] = began
                            posts_done.append(time.monotonic())
                            late_posts.append(began - target)
                finally:
                    connection.close()  # this thread's own connection, so the test database can be dropped

            for number in range(args.referrals):
                arrivals.put(number)
            desks = [threading.Thread(target=post, daemon=True) for _ in range(args.desks)]
            for _ in desks:
                arrivals.put(None)
            beat_thread.start()
            for desk in desks:
                desk.start()
            while any(desk.is_alive() for desk in desks):
                with posting:
                    ids = list(posted_at)
                for pk in ranked(ids) - seen_at.keys():
                    seen_at[pk] = time.monotonic()
                time.sleep(SAMPLE_SECONDS)
            if len(posted_at) != args.referrals:
                sys.exit(f"Only {len(posted_at)} of {args.referrals} referrals were posted; see the error above")
            last_post = max(posts_done)
            ids = list(posted_at)
            all_emailed_at = None
            give_up = last_post + args.timeout
            while time.monotonic() < give_up:
                for pk in ranked(ids) - seen_at.keys():
                    seen_at[pk] = time.monotonic()
                if len(seen_at) == len(ids):
                    if all_emailed_at is None and not unemailed(ids):
                        all_emailed_at = time.monotonic()
                    if all_emailed_at is not None:
                        break
                time.sleep(SAMPLE_SECONDS)
            # Let each control task sent so far start before reading the lateness (the beat keeps its clock).
            beat_stop.set()
            beat_thread.join(timeout=5)
            settle = time.monotonic() + 60
            while time.monotonic() < settle and any(task_id not in events.started for _, _, task_id in sent):
                time.sleep(0.1)
            events.stop()
            peaks = dict(workers.peak_kib)

        # Figures.
        latencies = [seen_at[pk] - posted_at[pk] for pk in seen_at]
        burst_offers = Offer.objects.filter(package_id__in=ids)
        offers = burst_offers.count()
        emails = burst_offers.values("provider_id", "notified_at").distinct().count()
        staff_per_provider = dict(
            ProviderStaff.objects.exclude(user__email="").values_list("provider_id").annotate(n=Count("user_id"))
        )
        staff_messages = sum(
            staff_per_provider.get(row["provider_id"], 0)
            for row in burst_offers.values("provider_id", "notified_at").distinct()
        )
        statuses = dict(CarePackage.objects.filter(pk__in=ids).values_list("status").annotate(n=Count("id")))
        unranked = len(ids) - len(seen_at)
        done_first = max(seen_at.values()) - burst_start if seen_at else float("nan")
        done_last = max(seen_at.values()) - last_post if seen_at else float("nan")
        print()
        print(
            f"Burst: {len(ids)} referrals posted in {last_post - burst_start:.1f} s; "
            f"{offers} offers ({offers / max(1, len(ids)):.1f} a package); package statuses {statuses}"
        )
        print(
            f"Posts began after their arrival times by: p50 {statistics.median(late_posts) * 1000:.0f} ms, "
            f"p95 {percentile(late_posts, 0.95) * 1000:.0f} ms, max {max(late_posts) * 1000:.0f} ms "
            f"({args.desks} desks posting)"
        )
        if unranked:
            print(f"NOT RANKED within {args.timeout:.0f} s of the last post: {unranked} packages")
        print(
            f"Ranked and offered, per package (post to committed): p50 {statistics.median(latencies):.2f} s, "
            f"p95 {percentile(latencies, 0.95):.2f} s, max {max(latencies):.2f} s"
        )
        print(
            f"Every package ranked and offered: {done_first:.1f} s after the first post, "
            f"{done_last:.1f} s after the last"
        )
        if all_emailed_at is not None:
            print(
                f"Every offer emailed: {all_emailed_at - burst_start:.1f} s after the first post, "
                f"{all_emailed_at - last_post:.1f} s after the last"
            )
        else:
            print(f"Offers still not emailed at the end: {unemailed(ids)}")
        print(
            f"Emails: {emails} to providers ({staff_messages} messages to staff) for {offers} offers "
            f"(one email per offer before batching: {offers}; {offers / max(1, emails):.1f} offers an email)"
        )
        print("Control tasks during the burst (sent by the bench at the beat's intervals; late = started - sent):")
        by_task: dict[str, list[float]] = {}
        for name, at, task_id in sent:
            if task_id in events.started:
                by_task.setdefault(name, []).append(events.started[task_id] - at)
            else:
                by_task.setdefault(name, []).append(float("inf"))
        for name, lates in sorted(by_task.items()):
            shown = ", ".join("never" if late == float("inf") else f"{late:.2f}" for late in lates)
            print(f"    {name:50s} runs {len(lates)}; late (s): {shown}")
        worst = max((late for lates in by_task.values() for late in lates), default=0.0)
        print(f"    latest: {worst:.2f} s")
        print("Workers' peak RSS during the burst (process and its pool children):")
        for name, kib in peaks.items():
            print(f"    {name:8s} {kib / 1024:7.1f} MiB")
        print()
        print("References, same workers, same run:")
        print(
            f"    {args.referrals} no-op tasks drained: {noop_seconds:.2f} s; burst / no-op drain: "
            f"{done_first / noop_seconds:.1f}x"
        )
        alone_r, alone_e = statistics.median(alone_ranked), statistics.median(alone_emailed)
        print(
            f"    one package alone ({args.alone}, median; {alone_offers:.0f} offers each): ranked and offered "
            f"{alone_r:.2f} s, emailed {alone_e:.2f} s"
        )
        serial = alone_r * args.referrals
        print(
            f"    {args.referrals} x one package alone: {serial:.1f} s; burst (first post to last offered) / that: "
            f"{done_first / serial:.2f}x"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
