"""The beat task that raises and emails CCC alerts: a thin caller of ``brokerage.alerts.services``.

Registered with the worker in ``BrokerageConfig.ready`` (Celery's autodiscovery finds only ``brokerage.tasks``).
"""

from __future__ import annotations

from celery import shared_task

from brokerage.alerts.services import alerts_email_pending, alerts_raise


@shared_task(name="brokerage.alerts.raise_alerts", acks_late=True)
def raise_alerts() -> dict[str, int]:
    """Raise new alerts and email any not yet emailed. Idempotent: a second run raises and sends nothing."""
    raised = alerts_raise()
    return {"raised": len(raised), "emailed": alerts_email_pending()}
