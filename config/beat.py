"""Celery beat schedule: the clock of the product (CQC sync, DPS rounds, brokerage deadlines).

Kept apart from settings so each capability adds its entry in one obvious place. Every task
scheduled here is idempotent: running it twice, or late, gives the same database state.
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # CQC publishes changes through the day; one early-morning read of /changes/location catches them all.
    "providers-cqc-daily-sync": {"task": "providers.cqc_daily_sync", "schedule": crontab(hour=5, minute=15)},
    # Response windows, cascade timeouts and first refusals run out on the minute; lost messages are recovered.
    # DPS rounds open and close at midnight; a minute's lateness is fine and a missed run catches up.
    "dps-rounds-sync": {"task": "dps.rounds_sync", "schedule": 60.0},
    "brokerage-broker-due-packages": {"task": "brokerage.tasks.broker_due_packages", "schedule": 60.0},
    # Offer and award emails to providers whose task was lost or failed go out a minute late, never not at all.
    "brokerage-notify-missed-offers": {"task": "brokerage.tasks.notify_missed_offers", "schedule": 60.0},
    # Package CSV imports whose message was lost, or whose worker stopped mid-way, start again within minutes.
    "brokerage-recover-package-imports": {"task": "brokerage.tasks.recover_package_imports", "schedule": 60.0},
    # Variations the current provider did not answer in time are re-brokered within a minute of the deadline.
    "brokerage-expire-package-changes": {"task": "brokerage.tasks.expire_package_changes", "schedule": 60.0},
    # Deadline breaches and providers gone quiet reach the CCC within five minutes; each alert is emailed once.
    "brokerage-raise-ccc-alerts": {"task": "brokerage.alerts.raise_alerts", "schedule": 300.0},
    # ECM imports whose message was lost, or whose worker stopped mid-way, start again within minutes.
    "visits-recover-visit-imports": {"task": "visits.tasks.recover_visit_imports", "schedule": 60.0},
    # The CCC dashboard's contract-monitoring trends, worked out again each night (ECM files arrive late).
    "visits-record-monitoring-weeks": {
        "task": "visits.tasks.record_monitoring_weeks",
        "schedule": crontab(hour=5, minute=45),
    },
    # Missed visits (two for one person in a week) reach the CCC each morning, once per pattern.
    "visits-raise-missed-visit-alerts": {
        "task": "visits.tasks.raise_missed_visit_alerts",
        "schedule": crontab(hour=6, minute=30),
    },
    # Personal details past their agreement's retention periods are anonymised overnight, once each.
    # Procurement timetables: tasks due within a week are emailed to their timetable's owner, once per date.
    "commissioning-timetable-reminders": {
        "task": "commissioning.send_timetable_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "brokerage-apply-retention": {"task": "brokerage.tasks.apply_retention", "schedule": crontab(hour=2, minute=30)},
    # Webhook deliveries whose task was lost (broker down, worker killed) are sent again within 30 seconds.
    "webhooks-deliver-due": {"task": "homecare.webhooks.tasks.deliver_due_webhooks", "schedule": 30.0},
}
