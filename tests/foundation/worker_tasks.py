"""A task that only the worker tests load (``celery worker --include tests.foundation.worker_tasks``).

It writes to the database, so a round trip proves the worker shares the test database.
"""

from __future__ import annotations

from celery import shared_task

from providers.models import Provider


@shared_task(name="tests.foundation.rename_provider")
def rename_provider(provider_id: int, name: str) -> str:
    provider = Provider.objects.get(pk=provider_id)
    provider.name = name
    provider.save(update_fields=["name"])
    return provider.name
