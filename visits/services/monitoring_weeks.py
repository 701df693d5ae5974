"""The CCC's monitoring trends: each provider's weekly counts, worked out nightly and kept in ``MonitoringWeek``.

ECM files arrive late and get corrected, so every run works out the last ``WEEKS`` complete weeks again (an
upsert: running it twice leaves the same rows). The counts come from ``visits.selectors.provider_week_figures``,
the matching pay runs use, so the dashboard and a pay run never disagree about a missed visit. Not audited: the
rows are derived figures that any run works out again, not a decision anyone made.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from visits.models import MonitoringWeek
from visits.selectors import provider_week_figures

WEEKS = 8


def last_complete_weeks(today: date, weeks: int = WEEKS) -> list[date]:
    """The Mondays of the ``weeks`` complete weeks before the one holding ``today``, oldest first."""
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(days=7 * n) for n in range(weeks, 0, -1)]


@transaction.atomic
def monitoring_weeks_record(*, today: date, weeks: int = WEEKS) -> int:
    """Work out and keep every provider's counts for the last complete weeks; the number of rows kept."""
    now = timezone.now()
    kept = 0
    for week in last_complete_weeks(today, weeks):
        for provider_id, figures in provider_week_figures(start=week, end=week + timedelta(days=6)).items():
            MonitoringWeek.objects.update_or_create(
                week_start=week,
                provider_id=provider_id,
                defaults={
                    "planned": figures.planned,
                    "on_time": figures.on_time,
                    "late": figures.late,
                    "missed": figures.missed,
                    "short": figures.short,
                    "computed_at": now,
                },
            )
            kept += 1
    return kept
