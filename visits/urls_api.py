"""API routes for visits, mounted under /api/ by config.urls."""

from django.urls import URLPattern, URLResolver, path

from visits.api import ActualVisitBatchApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("visits/actuals/", ActualVisitBatchApi.as_view(), name="api-actual-visits"),
]
