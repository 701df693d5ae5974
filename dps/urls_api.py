"""API routes for dps, mounted under /api/ by config.urls."""

from django.urls import URLPattern, URLResolver, path

import homecare.boundary  # noqa: F401 - registers the <id:...> path converter
from dps import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("dps-rounds/", api.RoundList.as_view(), name="api-dps-round-list"),
    path("dps-applications/", api.ApplicationList.as_view(), name="api-dps-application-list"),
    path("dps-applications/<id:pk>/", api.ApplicationDetail.as_view(), name="api-dps-application-detail"),
]
