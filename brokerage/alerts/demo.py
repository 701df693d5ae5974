"""Demo step: run the CCC's alert check once after the demo's history, as the beat task would every 5 minutes.

So the demo opens with the alerts its history deserves (deadlines passed, providers gone quiet) instead of
waiting for beat's first run. Idempotent: alerts are keyed on the situation, so a second run raises none.
Emails are left to the beat task (console backend in the demo).
"""

from __future__ import annotations

from django.core.management.base import OutputWrapper

from brokerage.alerts.models import Alert
from brokerage.alerts.services import alerts_raise


def load_demo_alerts(*, stdout: OutputWrapper) -> None:
    raised = alerts_raise()
    open_count = Alert.objects.filter(acknowledged_at__isnull=True).count()
    stdout.write(f"CCC alerts: {len(raised)} raised now, {open_count} open.")
