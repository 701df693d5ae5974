"""``manage.py load_demo``: run every step in ``demo.steps.DEMO_STEPS``, in order."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import import_string

from demo.accounts import demo_api_token_issue, describe_demo_accounts
from demo.steps import DEMO_STEPS


class Command(BaseCommand):
    help = "Load fictional demo data and accounts (refused when DJANGO_ENV=production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", action="store_true", help="Only print the demo accounts.")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="Where the demo runs, for the printed links."
        )

    def handle(self, *args: Any, accounts: bool, base_url: str, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError(
                "load_demo refuses to run when DJANGO_ENV=production: demo accounts have published passwords."
            )
        if not accounts:
            # DEBUG keeps a log of every SQL statement, and on SQLite runs an extra query per statement to quote
            # its parameters for that log: tens of thousands of statements here, for a log nobody reads.
            with override_settings(DEBUG=False):
                self._load()
        api_token = demo_api_token_issue()
        self.stdout.write(describe_demo_accounts(base_url=base_url.rstrip("/"), api_token=api_token))

    def _load(self) -> None:
        """Run every step, printing a line as it starts and its time when it ends."""
        started = time.monotonic()
        for dotted_path in DEMO_STEPS:
            step = import_string(dotted_path)
            self.stdout.write(f"==> {dotted_path}")
            step_started = time.monotonic()
            if getattr(step, "manages_own_transactions", False):
                # It runs the real services, whose outermost transactions are durable (cannot be nested);
                # it cleans up after itself if it fails.
                step(stdout=self.stdout)
            else:
                with transaction.atomic():
                    step(stdout=self.stdout)
            self.stdout.write(f"    done in {time.monotonic() - step_started:.1f} s")
        self.stdout.write(f"All demo steps done in {time.monotonic() - started:.1f} s.")
