"""First full import from CQC's API: every location in the given local authorities."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from providers.cqc_client import CqcApiClient, CqcApiError
from providers.cqc_import import cqc_import_from_api
from providers.management.commands._progress import progress_bar


class Command(BaseCommand):
    help = (
        "Import every CQC location in one or more local authorities from CQC's API (needs CQC_API_KEY). "
        "One detail call per location, spaced politely. Safe to re-run."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--local-authority",
            action="append",
            required=True,
            dest="local_authorities",
            help="CQC's local authority name, e.g. Leeds. Repeat for neighbours (Bradford, Wakefield, ...).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CQC_API_KEY:
            raise CommandError("Set CQC_API_KEY (your CQC API subscription key) first.")
        client = CqcApiClient()
        for local_authority in options["local_authorities"]:
            with progress_bar(total=None, unit="loc", description=local_authority) as bar:
                try:
                    run = cqc_import_from_api(client=client, local_authority=local_authority, progress=bar.update)
                except CqcApiError as problem:
                    raise CommandError(str(problem)) from problem
            self.stdout.write(
                self.style.SUCCESS(
                    f"{local_authority}: {run.created} new, {run.updated} updated, {run.unchanged} unchanged, "
                    f"{run.ratings_added} new rating sets."
                )
            )
