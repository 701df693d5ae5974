"""Move every person's encrypted details to the newest key: `manage.py person_details_reencrypt`.

Key rotation: put the new key first in HOMECARE_FIELD_ENCRYPTION_KEYS (keep the old ones after it), restart,
run this, then drop the old keys. It stops without writing anything if a value opens with none of the keys.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from brokerage.services.privacy import person_details_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every person's details with the first key in HOMECARE_FIELD_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        run = person_details_reencrypt()
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {run.counts['rows']} people's details with the newest key.")
        )
