"""API routes for providers, mounted under /api/ by config.urls."""

from django.urls import URLPattern, URLResolver, path

import homecare.boundary  # noqa: F401 - registers the <id:...> path converter
from providers import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("providers/", api.ProviderList.as_view(), name="api-provider-list"),
    path("providers/<id:pk>/", api.ProviderDetail.as_view(), name="api-provider-detail"),
    path("cqc-locations/", api.LocationList.as_view(), name="api-cqc-location-list"),
    path("cqc-locations/<str:location_id>/", api.LocationDetail.as_view(), name="api-cqc-location-detail"),
]
