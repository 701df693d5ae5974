"""Which Celery queue each task goes to, so a burst of referrals cannot hold up the product's clock.

Three queues:

* ``control``: the beat's frequent sweeps (deadlines, lost messages, webhooks due) and the CCC alerts. They
  are short (they find work in the database and fan it out), and they are what keeps every other promise on
  time, so they get a worker of their own (``celery -A config worker -Q control``): a burst of brokering on the
  other queues cannot delay them by more than the task in hand of that worker.
* ``notify``: messages out (offer, award and change emails, webhook deliveries). One package fans out into
  dozens of offers; their emails wait here without holding up the next package's ranking.
* ``default``: everything else: brokering a package, imports, batch proposals, simulations and the long
  nightly jobs (a CQC sync or a retention run must never sit on ``control``).

A worker consuming several queues from Redis takes them in turn (kombu rotates the list it polls), which is
fair, not a priority: that is why ``control`` has its own worker rather than a place at the head of a list.

Every task is routed by name (services send by name through ``homecare.queue``), and a task this table does
not name goes to ``default``. ``HOMECARE_CELERY_QUEUE_PREFIX`` is put in front of every queue name, so two
installations (or a test's own worker) can share one broker without answering for each other.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

CONTROL = "control"
NOTIFY = "notify"
DEFAULT = "default"
QUEUES = (CONTROL, NOTIFY, DEFAULT)

TASK_QUEUES: dict[str, str] = {
    # The beat's sweeps every minute or less, and the CCC alerts every five minutes.
    "brokerage.tasks.broker_due_packages": CONTROL,
    "brokerage.tasks.notify_missed_offers": CONTROL,
    "brokerage.tasks.recover_package_imports": CONTROL,
    "brokerage.tasks.expire_package_changes": CONTROL,
    "brokerage.alerts.raise_alerts": CONTROL,
    "visits.tasks.recover_visit_imports": CONTROL,
    "dps.rounds_sync": CONTROL,
    "homecare.webhooks.tasks.deliver_due_webhooks": CONTROL,
    # Messages out.
    "brokerage.tasks.notify_offer": NOTIFY,
    "brokerage.tasks.notify_package_offers": NOTIFY,
    "brokerage.tasks.notify_award": NOTIFY,
    "brokerage.tasks.notify_package_change": NOTIFY,
    "homecare.webhooks.tasks.deliver_webhook": NOTIFY,
    "commissioning.send_timetable_reminders": NOTIFY,
}


def queue_name(queue: str) -> str:
    """The broker's name for one of ``QUEUES`` in this installation."""
    prefix: str = settings.HOMECARE_CELERY_QUEUE_PREFIX
    return f"{prefix}{queue}"


def queue_of(task_name: str) -> str:
    """The queue (one of ``QUEUES``) a task goes to."""
    return TASK_QUEUES.get(task_name, DEFAULT)


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any) -> dict[str, str]:
    """Celery's router (``task_routes``): every task, by name, to its queue."""
    return {"queue": queue_name(queue_of(name))}
