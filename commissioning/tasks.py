"""Celery tasks for commissioning: thin callers of the services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from commissioning.services.timetables import timetable_reminders_send


@shared_task(name="commissioning.send_timetable_reminders", acks_late=True)
def send_timetable_reminders() -> int:
    """Email reminders for timetable tasks due within a week (beat runs this each morning)."""
    return timetable_reminders_send()
