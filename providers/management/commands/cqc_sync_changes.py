"""Import what CQC changed since the last good sync (what the daily Celery beat task runs)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from providers.cqc_client import CqcApiClient, CqcApiError
from providers.cqc_import import cqc_sync_changes
from providers.management.commands._progress import progress_bar


class Command(BaseCommand):
    help = "Read CQC's /changes/location feed since the last successful sync and import those locations."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CQC_API_KEY:
            raise CommandError("Set CQC_API_KEY (your CQC API subscription key) first.")
        with progress_bar(total=None, unit="loc", description="CQC changes") as bar:
            try:
                run = cqc_sync_changes(client=CqcApiClient(), progress=bar.update)
            except CqcApiError as problem:
                raise CommandError(str(problem)) from problem
        self.stdout.write(self.style.SUCCESS(f"{run.description}: {run.created} new, {run.updated} updated."))
