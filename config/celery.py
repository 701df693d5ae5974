"""The Celery app. Tasks only carry ids; state lives in the database."""

from __future__ import annotations

import os

from celery import Celery

from homecare import correlation

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("homecare")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each installed app's tasks.py, plus the platform's own (the worker liveness probe).
app.autodiscover_tasks()
app.autodiscover_tasks(["homecare"])

# Each task runs under the correlation id of the request (or task) that enqueued it.
correlation.connect_celery()
