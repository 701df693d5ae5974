"""Homecare brokerage platform: Django project package."""

from homecare.celery import app as celery_app

__all__ = ["celery_app"]
