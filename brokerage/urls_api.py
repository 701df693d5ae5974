"""API routes for brokerage, mounted under /api/ by config.urls."""

from django.urls import URLPattern, URLResolver, path

import homecare.boundary  # noqa: F401 - registers the <id:...> path converter
from brokerage.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("packages/", views.PackageListCreateApi.as_view(), name="api-packages"),
    path("packages/<id:package_id>/", views.PackageDetailApi.as_view(), name="api-package"),
    path("packages/<id:package_id>/ranking/", views.PackageRankingApi.as_view(), name="api-package-ranking"),
    path("offers/", views.OfferListApi.as_view(), name="api-offers"),
    path("offers/<id:offer_id>/", views.OfferDetailApi.as_view(), name="api-offer"),
    path("offers/<id:offer_id>/accept/", views.OfferAcceptApi.as_view(), name="api-offer-accept"),
    path("offers/<id:offer_id>/decline/", views.OfferDeclineApi.as_view(), name="api-offer-decline"),
]
