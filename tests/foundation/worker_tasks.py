"""Tasks that only the worker tests load (``celery worker --include tests.foundation.worker_tasks``).

It writes to the database, so a round trip proves the worker shares the test database.
"""

from __future__ import annotations

import redis
from celery import shared_task
from django.conf import settings

from providers.models import Provider


@shared_task(name="tests.foundation.rename_provider")
def rename_provider(provider_id: int, name: str) -> str:
    provider = Provider.objects.get(pk=provider_id)
    provider.name = name
    provider.save(update_fields=["name"])
    return provider.name


@shared_task(name="tests.foundation.hold")
def hold(key: str) -> str:
    """Slow work that lasts until the test releases it (pushes to ``key`` in Redis), or a minute at most."""
    client = redis.Redis.from_url(str(settings.REDIS_URL))
    released = client.blpop([key], timeout=60)
    return "released" if released else "timed out"
