"""Allocation of one package against the demo's providers, through the real task code on the database.

Run from the repository root, with the demo loaded (``manage.py load_demo``) in the database DATABASE_URL
points at:

    .venv/bin/python bench/brokerage_allocation.py [--packages 20]

For each of N fresh packages (made through the one entry service, ``package_enter``), it times:

* ranking alone (the engine over the plain inputs, as stored on the ``AllocationRun``);
* the allocation task (``brokerage.tasks.broker_package`` run in-process: load rows, build the engine's
  inputs, rank, store the run, send the ranked offers with their deadlines);
* end to end, submission to award: receive and submit the ISA, run the allocation task, then the best-ranked
  provider accepts and the package is awarded (providers' thinking time excluded: they answer at once).

Everything is rolled back at the end, so the demo data is left as it was.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from brokerage.isa import IsaData, PersonData, VisitData  # noqa: E402
from brokerage.models import AllocationRun, CarePackage, Offer, ProviderCapacity  # noqa: E402
from brokerage.services.packages import package_enter  # noqa: E402
from brokerage.services.responses import offer_accept  # noqa: E402
from brokerage.tasks import broker_package  # noqa: E402
from contracts.models import Agreement, ProviderMembership  # noqa: E402
from homecare.audit.models import AuditEvent  # noqa: E402
from homecare.queue import enqueue_suspended  # noqa: E402
from providers.geography import locality_area_for  # noqa: E402
from providers.models import Postcode, ProviderStaff  # noqa: E402

DEMO_AGREEMENT = "Contract ID 84738"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def isa(number: int, agreement: Agreement, postcode: str) -> IsaData:
    from datetime import time as clock

    return IsaData(
        source_system="bench",
        external_reference=f"BENCH-{number}-{time.time_ns()}",
        agreement_reference=agreement.reference,
        person=PersonData(given_name="Bench", family_name="Person", address_line_1="1 Bench Road", postcode=postcode),
        visits=tuple(VisitData(day, clock(8), clock(9, 30), 45, 1) for day in range(7))
        + tuple(VisitData(day, clock(19), clock(21), 30, 1) for day in range(7)),
        requested_start_on=timezone.localdate() + timedelta(days=2),
        urgency="hospital_discharge",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packages", type=int, default=20)
    args = parser.parse_args()
    agreement = Agreement.objects.filter(reference=DEMO_AGREEMENT).first()
    if agreement is None:
        sys.exit("Load the demo first: .venv/bin/python manage.py load_demo")
    members = ProviderMembership.objects.filter(agreement=agreement).values("provider").distinct().count()
    postcodes = [
        p
        for p in Postcode.objects.filter(outward__startswith="LS")
        .order_by("postcode")
        .values_list("postcode", flat=True)[::1500]
        if locality_area_for(p) is not None
    ]
    officer = User.objects.filter(username="officer").first()
    ranking_ms: list[float] = []
    task_ms: list[float] = []
    task_cpu_ms: list[float] = []  # this process's CPU (Python side), steadier than wall time on a busy machine
    e2e_ms: list[float] = []
    offers_sent: list[int] = []
    # The services' outermost transactions are durable, so the run commits like production does and puts the
    # database back afterwards: its packages and staff are deleted, the capacity its awards used restored.
    capacity = list(ProviderCapacity.objects.values_list("pk", "hours_available_per_week", "updated_at"))
    bench_users: list[int] = []
    # The bench runs the allocation task itself, in this process; nothing goes to a broker.
    with enqueue_suspended():
        try:
            for number in range(args.packages):
                started = time.perf_counter()
                package = package_enter(
                    isa=isa(number, agreement, postcodes[number % len(postcodes)]), entered_by=officer, submit=True
                ).package
                task_started, task_cpu_started = time.perf_counter(), time.process_time()
                broker_package.run(package.pk)  # the task body, in this process, on this database
                task_ms.append((time.perf_counter() - task_started) * 1000)
                task_cpu_ms.append((time.process_time() - task_cpu_started) * 1000)
                run = AllocationRun.objects.get(package=package, round_number=1)
                ranking_ms.append(run.duration_ms)
                best = Offer.objects.filter(package=package).order_by("rank").first()
                offers_sent.append(Offer.objects.filter(package=package).count())
                if best is not None:
                    staff = ProviderStaff.objects.filter(provider_id=best.provider_id).first()
                    if staff is None:
                        staff = ProviderStaff.objects.create(
                            user=User.objects.create(username=f"bench-{best.provider_id}-{time.time_ns()}"),
                            provider_id=best.provider_id,
                        )
                        bench_users.append(staff.user_id)
                    offer = offer_accept(
                        offer_id=best.pk, provider_user=staff.user, start_on=timezone.localdate() + timedelta(days=2)
                    )
                    if offer.status == Offer.Status.AWARDED:
                        e2e_ms.append((time.perf_counter() - started) * 1000)
        finally:
            with transaction.atomic():
                bench_packages = CarePackage.objects.filter(source_system="bench")
                AuditEvent.objects.filter(
                    target_type__model="carepackage",
                    target_id__in=[str(pk) for pk in bench_packages.values_list("pk", flat=True)],
                ).delete()
                bench_packages.delete()
                ProviderStaff.objects.filter(user_id__in=bench_users).delete()
                User.objects.filter(pk__in=bench_users).delete()
                for pk, hours, updated_at in capacity:
                    ProviderCapacity.objects.filter(pk=pk).update(hours_available_per_week=hours, updated_at=updated_at)

    print(f"Database: {connection.vendor}; demo agreement members: {members}; packages: {args.packages}")
    print(f"Offers sent per package (eligible providers): median {statistics.median(offers_sent):.0f}")
    for label, values in (
        ("Ranking only (engine, stored duration)", ranking_ms),
        ("Allocation task (rows -> rank -> store -> offers)", task_ms),
        ("Allocation task, CPU of this process", task_cpu_ms),
        ("Submission to award (receive, task, best accepts)", e2e_ms),
    ):
        if values:
            print(f"{label:52s} median {statistics.median(values):7.1f} ms   p90 {percentile(values, 0.9):7.1f} ms")
    print(f"Awarded at once: {len(e2e_ms)} of {args.packages} (others had no eligible provider)")


if __name__ == "__main__":
    main()
