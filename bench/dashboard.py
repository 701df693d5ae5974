"""How long the CCC dashboard takes on the server, and how many queries it makes, as the history grows.

Run (PostgreSQL, with the demo loaded first: scripts/demo.sh or manage.py load_demo):

    DATABASE_URL=postgres://... .venv/bin/python bench/dashboard.py [--generate 100000] [--offers-per-package 4]
        [--repeats 5]

Times the dashboard's figures alone (every query and statistic, no HTML), the whole dashboard page (figures,
the first page of the waiting list and the templates, including the site layout) and the live waiting-list
fragment, for the last 13 weeks and for all time, as the median of several requests made
through the real view (Django's RequestFactory; no network). Each is timed twice in the same run: reading the
daily rollups (as the dashboard does on PostgreSQL) and, as the reference, computing every figure from the
rows (``rollups.from_rows()``, the dashboard as it was before the rollups); the ratio is rollups / rows. It
first checks that both give the same tables. With ``--generate N`` it adds N packages of clearly fictional
history with ``manage.py generate_history --packages N`` (bulk inserts; ``--offers-per-package K`` for more
offers) and measures again, so one run prints the figures before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.ecm_import import backend_cpu  # noqa: E402
from brokerage import views_ccc  # noqa: E402
from brokerage.dashboard import metrics, rollups  # noqa: E402
from brokerage.dashboard.filters import PERIODS, DashboardFilters  # noqa: E402
from brokerage.models import CarePackage, Offer  # noqa: E402
from homecare.accounts.audiences import Audience  # noqa: E402

PERIOD_LABELS = {key: label for key, (label, _) in PERIODS.items()}


def ccc_user() -> User:
    user = User.objects.filter(groups__name=Audience.CCC.group_name, is_active=True).order_by("pk").first()
    if user is None:
        user = User.objects.create(username="bench-ccc")
        user.groups.add(Group.objects.get_or_create(name=Audience.CCC.group_name)[0])
    return user


def timed(call: Callable[[], object], repeats: int) -> tuple[float, float, float]:
    """Median wall and CPU time (ms) of warm calls (the first warms caches), and the slowest wall time. CPU is
    this process plus its PostgreSQL backend: the steadier figure on a loaded machine."""
    walls, cpus = [], []
    for _ in range(repeats + 1):
        backend = backend_cpu()
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu + max(0.0, backend_cpu() - backend))
    return statistics.median(walls[1:]) * 1000, statistics.median(cpus[1:]) * 1000, max(walls[1:]) * 1000


def page(view: Callable[[HttpRequest], HttpResponse], path: str, period: str) -> Callable[[], int]:
    """A request to ``view`` through the real view (no network); returns the number of queries it made."""
    user = ccc_user()
    # As OTPMiddleware marks a session that has entered its second-factor code.
    user.is_verified = lambda: True  # type: ignore[attr-defined]

    def call() -> int:
        request = RequestFactory().get(path, {"period": period})
        request.user = user
        with CaptureQueriesContext(connection) as captured:
            response = view(request)
        assert response.status_code == 200, response.status_code
        return len(captured.captured_queries)

    return call


def line(label: str, period: str, mine: tuple[float, float, float], reference: tuple[float, float, float]) -> str:
    return (
        f"  {label:<24} {PERIOD_LABELS[period]:<13} rollups {mine[0]:8.1f} ms (CPU {mine[1]:7.1f}, max {mine[2]:7.1f})"
        f"   from the rows {reference[0]:8.1f} ms (CPU {reference[1]:7.1f})   "
        f"ratio {mine[0] / reference[0]:.2f} (CPU {mine[1] / max(reference[1], 1e-9):.2f})"
    )


def measure(repeats: int) -> None:
    print(
        f"  history: {CarePackage.objects.count():,} packages, {Offer.objects.count():,} offers ({connection.vendor})"
    )
    if not rollups.in_use():
        print("  (not PostgreSQL: no rollups, both columns compute from the rows)")
    print(
        f"  (CPU = this process + its PostgreSQL backend; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores)"
    )
    for period in ("91", "all"):
        filters = DashboardFilters(period=period, now=timezone.now())
        with rollups.from_rows():
            expected = metrics.dashboard(filters).tables()
        assert metrics.dashboard(filters).tables() == expected, "the rollups' figures differ from the rows'"
        mine = timed(lambda filters=filters: metrics.dashboard(filters), repeats)  # type: ignore[misc]
        with rollups.from_rows():
            reference = timed(lambda filters=filters: metrics.dashboard(filters), repeats)  # type: ignore[misc]
        print(line("figures only (no HTML)", period, mine, reference))
    for label, view, path in (
        ("dashboard page", views_ccc.dashboard, "/ccc/"),
        ("waiting list fragment", views_ccc.dashboard_live, "/ccc/live/"),
    ):
        for period in ("91", "all"):
            call = page(view, path, period)
            call()  # the first request also reads the session's user and groups
            queries = call()
            mine = timed(call, repeats)
            with rollups.from_rows():
                reference_queries = call()
                reference = timed(call, repeats)
            print(line(label, period, mine, reference) + f"   queries {queries} / {reference_queries}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generate", type=int, default=0, help="Add this many generated packages, then measure.")
    parser.add_argument(
        "--offers-per-package", type=int, default=4, help="With --generate: offers per generated package, on average."
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Note: not PostgreSQL; set DATABASE_URL for figures that mean something.")
    print("Before generating history:" if args.generate else "Current database:")
    measure(args.repeats)
    if args.generate:
        started = time.perf_counter()
        call_command(
            "generate_history", packages=args.generate, offers_per_package=args.offers_per_package, verbosity=0
        )
        print(f"Generated {args.generate:,} packages in {time.perf_counter() - started:.0f} s. After:")
        measure(args.repeats)


if __name__ == "__main__":
    main()
