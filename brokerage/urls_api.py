"""API routes for brokerage, mounted under /api/ by homecare.urls."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
