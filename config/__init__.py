"""The project package: settings, the root URLconf, the Celery app, WSGI/ASGI entry points.

Importing the Celery app here makes it ``celery.current_app`` in every process that loads the settings."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
