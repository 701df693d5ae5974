"""API routes for contracts, mounted under /api/ by config.urls."""

from django.urls import URLPattern, URLResolver, path

import homecare.boundary  # noqa: F401 - registers the <id:...> path converter
from contracts import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("agreements/", api.AgreementList.as_view(), name="api-agreement-list"),
    path("agreements/<id:pk>/", api.AgreementDetail.as_view(), name="api-agreement-detail"),
    path("memberships/", api.MembershipList.as_view(), name="api-membership-list"),
    path("fee-rates/", api.FeeRateList.as_view(), name="api-fee-rate-list"),
]
