"""One CCC alert for a pattern of missed visits: two or more missed for one person within a week, raised once.

Detection reads ``visits.selectors.missed_visit_patterns`` (the same matching as pay runs); recording goes through
the existing alerts module (``brokerage.alerts.services.alerts_record``), so the alert is deduplicated, audited,
listed on the CCC dashboard and emailed like every other. A package already alerted within the last seven days is
not alerted again while its pattern carries on (the same misses seen from the next day's window).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from brokerage.alerts.models import Alert
from brokerage.alerts.services import DetectedAlert, alerts_record
from visits.selectors import missed_visit_patterns


def missed_visit_alerts_raise(*, today: date | None = None) -> list[Alert]:
    today = today or timezone.localdate()
    now = timezone.now()
    recently = set(
        Alert.objects.filter(kind=Alert.Kind.MISSED_VISITS, raised_at__gte=now - timedelta(days=7)).values_list(
            "package_id", flat=True
        )
    )
    detected = [
        DetectedAlert(
            kind=Alert.Kind.MISSED_VISITS,
            dedupe_key=f"missed:{package_id}:{first:%Y-%m-%d}",
            summary=f"ISA-{package_id:06d}: {count} visits missed in the week to {today - timedelta(days=1):%d %B %Y}.",
            package_id=package_id,
        )
        for package_id, first, count in missed_visit_patterns(today=today)
        if package_id not in recently
    ]
    return alerts_record(detected, now=now)
