"""How long the CCC dashboard takes on the server, and how many queries it makes, as the history grows.

Run (PostgreSQL, with the demo loaded first: scripts/demo.sh or manage.py load_demo):

    DATABASE_URL=postgres://... .venv/bin/python bench/dashboard.py [--generate 100000] [--repeats 5]

Times the dashboard's figures alone (every query and statistic, no HTML), the whole dashboard page (figures,
the first page of the waiting list and the templates, including the site layout) and the live waiting-list
fragment, for the last 13 weeks and for all time, as the median of several requests made
through the real view (Django's RequestFactory; no network). With ``--generate N`` it first adds N packages
of clearly fictional history with ``manage.py generate_history --packages N`` (bulk inserts) and measures
again, so one run prints the figures before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from brokerage import views_ccc  # noqa: E402
from brokerage.dashboard import metrics  # noqa: E402
from brokerage.dashboard.filters import DashboardFilters  # noqa: E402
from brokerage.models import CarePackage, Offer  # noqa: E402
from homecare.accounts.audiences import Audience  # noqa: E402


def ccc_user() -> User:
    user = User.objects.filter(groups__name=Audience.CCC.group_name, is_active=True).order_by("pk").first()
    if user is None:
        user = User.objects.create(username="bench-ccc")
        user.groups.add(Group.objects.get_or_create(name=Audience.CCC.group_name)[0])
    return user


def measure(repeats: int) -> None:
    factory = RequestFactory()
    user = ccc_user()
    print(
        f"  history: {CarePackage.objects.count():,} packages, {Offer.objects.count():,} offers ({connection.vendor})"
    )
    for period in ("91", "all"):
        times = []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            metrics.dashboard(DashboardFilters(period=period, now=timezone.now()))
            times.append(time.perf_counter() - started)
        warm = times[1:]
        print(
            f"  {'figures only (no HTML)':<22} period {period:>3}: median {statistics.median(warm) * 1000:8.1f} ms, "
            f"max {max(warm) * 1000:8.1f} ms"
        )
    for label, view, path in (
        ("dashboard page", views_ccc.dashboard, "/ccc/"),
        ("waiting list fragment", views_ccc.dashboard_live, "/ccc/live/"),
    ):
        for period in ("91", "all"):
            times = []
            queries = 0
            for _ in range(repeats + 1):
                request = factory.get(path, {"period": period})
                # As OTPMiddleware marks a session that has entered its second-factor code.
                user.is_verified = lambda: True  # type: ignore[attr-defined]
                request.user = user
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = view(request)
                    times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
                queries = len(captured.captured_queries)
            warm = times[1:]  # the first request warms caches (templates, URL resolvers)
            print(
                f"  {label:<22} period {period:>3}: median {statistics.median(warm) * 1000:8.1f} ms, "
                f"max {max(warm) * 1000:8.1f} ms, {queries} queries"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generate", type=int, default=0, help="Add this many generated packages, then measure.")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Note: not PostgreSQL; set DATABASE_URL for figures that mean something.")
    print("Before generating history:" if args.generate else "Current database:")
    measure(args.repeats)
    if args.generate:
        started = time.perf_counter()
        call_command("generate_history", packages=args.generate, verbosity=0)
        print(f"Generated {args.generate:,} packages in {time.perf_counter() - started:.0f} s. After:")
        measure(args.repeats)


if __name__ == "__main__":
    main()
