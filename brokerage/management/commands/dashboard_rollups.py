"""Check or rebuild the CCC dashboard's daily rollups (PostgreSQL; the triggers keep them between times).

    manage.py dashboard_rollups --check      # compare every counter with a computation from scratch
    manage.py dashboard_rollups --rebuild    # compute every counter again from the rows

The migration that adds the rollups fills them, and the triggers keep them from then on; a rebuild is for
after a restore of the rows alone, or if ``--check`` ever finds a difference.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from brokerage.dashboard import rollups


class Command(BaseCommand):
    help = "Check or rebuild the CCC dashboard's daily rollups against the rows."

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="Compare the counters with the rows.")
        action.add_argument("--rebuild", action="store_true", help="Compute the counters again from the rows.")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The dashboard's rollups are kept on PostgreSQL only; SQLite reads the rows.")
        if options["rebuild"]:
            with transaction.atomic():
                rollups.rebuild()
            self.stdout.write("Rebuilt the dashboard's rollups from the rows.")
            return
        wrong = 0
        for table, differences in rollups.differences().items():
            wrong += len(differences)
            for side, row in differences[:10]:
                self.stdout.write(f"{table}: only in the {side}: {row}")
        if wrong:
            raise CommandError(f"{wrong} counters differ from the rows; run --rebuild.")
        self.stdout.write("Every rollup equals its computation from the rows.")
