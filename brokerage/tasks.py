"""Celery tasks for brokerage: thin callers of the services. They carry ids only; state is in PostgreSQL.

Services enqueue these by name through ``homecare.queue`` (they never import this module), so each task's
name is spelled out here and checked against the services' constants by the tests.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from brokerage.services.batch import batch_propose_run
from brokerage.services.brokering import package_broker, packages_due
from brokerage.services.change_notifications import package_change_notify, package_changes_unnotified
from brokerage.services.changes import variation_expire, variations_expire_due
from brokerage.services.import_jobs import package_import_run, package_imports_recover
from brokerage.services.notifications import (
    offer_notify,
    offer_notify_award,
    offers_notify_missed,
    package_offers_notify,
)
from brokerage.services.privacy import person_details_apply_retention
from brokerage.services.simulation import simulation_run


@shared_task(
    name="brokerage.tasks.broker_package",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def broker_package(package_id: int) -> str:
    """Rank and offer (or carry on brokering) one package. Safe to run twice: it re-reads the round."""
    return package_broker(package_id=package_id)


@shared_task(name="brokerage.tasks.broker_due_packages", acks_late=True)
def broker_due_packages() -> int:
    """Every minute: advance packages whose response window, timeout or first refusal has run out.

    This also recovers packages whose start message was lost, because submission sets their next
    action time to the moment of submission. Each package gets its own task, so one failing package
    cannot hold up the others; a package queued twice is simply advanced twice, which changes nothing.
    """
    due = packages_due(now=timezone.now())
    # Fanned out through the routing (config.queues): the sweep is on ``control``, the brokering is not.
    for package_id in due:
        broker_package.delay(package_id)
    return len(due)


@shared_task(name="brokerage.tasks.notify_package_offers", acks_late=True)
def notify_package_offers(package_id: int) -> int:
    """Email the providers a package was just offered to, one email each listing all their new offers.

    Safe to run twice: each offer is claimed in the database with its send.
    """
    return package_offers_notify(package_id=package_id)


@shared_task(name="brokerage.tasks.notify_offer", acks_late=True)
def notify_offer(offer_id: int) -> bool:
    """Email one offer (with its provider's other new offers). Kept for messages sent before offers were
    emailed per package; safe to run twice: the send is claimed in the database."""
    return offer_notify(offer_id=offer_id)


@shared_task(name="brokerage.tasks.notify_award", acks_late=True)
def notify_award(offer_id: int) -> bool:
    """Email the winning provider's staff about the award, once."""
    return offer_notify_award(offer_id=offer_id)


@shared_task(name="brokerage.tasks.notify_missed_offers", acks_late=True)
def notify_missed_offers() -> dict[str, int]:
    """Every minute: send any offer or award email still unsent (its task lost, or the send failed)."""
    result = offers_notify_missed()
    return {"offers": result.offers, "awards": result.awards}


@shared_task(name="brokerage.tasks.apply_retention", acks_late=True)
def apply_retention() -> dict[str, int]:
    """Daily: anonymise the person's details of packages past their agreement's retention periods.

    Safe to run twice or late: each package is claimed with a conditional update, so it is anonymised and
    audited once, and a missed day is caught up by the next run.
    """
    run = person_details_apply_retention()
    return {key: int(value) for key, value in run.counts.items()}


@shared_task(
    name="brokerage.tasks.run_package_import",
    acks_late=True,
    # A council's whole caseload can take a quarter of an hour; the default limit suits short tasks only.
    time_limit=3 * 60 * 60,
    soft_time_limit=3 * 60 * 60 - 60,
)
def run_package_import(job_id: int) -> bool:
    """Import one uploaded package CSV. Safe to run twice: the job is claimed in the database."""
    return package_import_run(job_id=job_id)


@shared_task(name="brokerage.tasks.recover_package_imports", acks_late=True)
def recover_package_imports() -> int:
    """Every minute: send again the imports whose message was lost or whose worker stopped mid-way."""
    job_ids = package_imports_recover(now=timezone.now())
    for job_id in job_ids:
        run_package_import.delay(job_id)
    return len(job_ids)


@shared_task(name="brokerage.tasks.notify_package_change", acks_late=True)
def notify_package_change(change_id: int) -> bool:
    """Email the provider's staff about a change to their package, once (the send is claimed)."""
    return package_change_notify(change_id=change_id)


@shared_task(
    name="brokerage.tasks.expire_package_change",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def expire_package_change(change_id: int) -> str:
    """Re-broker one variation the provider did not answer in time. Safe to run twice: it re-reads the row."""
    return variation_expire(change_id=change_id)


@shared_task(name="brokerage.tasks.expire_package_changes", acks_late=True)
def expire_package_changes() -> int:
    """Every minute: variations past their answer time are re-brokered, each in its own task; emails about
    changes whose message was lost (or whose send failed) are sent again, once each (the send is claimed)."""
    now = timezone.now()
    due = variations_expire_due(now=now)
    for change_id in due:
        expire_package_change.delay(change_id)
    for change_id in package_changes_unnotified(now=now):
        package_change_notify(change_id=change_id)
    return len(due)


@shared_task(name="brokerage.tasks.propose_batch", acks_late=True)
def propose_batch(proposal_id: int) -> str:
    """Solve one queued batch proposal. Safe to run twice: only a queued proposal is claimed."""
    return batch_propose_run(proposal_id=proposal_id)


@shared_task(name="brokerage.tasks.run_simulation", acks_late=True)
def run_simulation(run_id: int) -> str:
    """Run one queued policy simulation, with progress. Safe to run twice: only a queued run is claimed."""
    return simulation_run(run_id=run_id)
