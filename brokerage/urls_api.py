"""API routes for brokerage, mounted under /api/ by config.urls."""

from django.urls import URLPattern, URLResolver, path

import homecare.boundary  # noqa: F401 - registers the <id:...> path converter
from brokerage.api import changes, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("packages/", views.PackageListCreateApi.as_view(), name="api-packages"),
    path("packages/<id:package_id>/", views.PackageDetailApi.as_view(), name="api-package"),
    path("packages/<id:package_id>/ranking/", views.PackageRankingApi.as_view(), name="api-package-ranking"),
    path("packages/<id:package_id>/changes/", changes.PackageChangesApi.as_view(), name="api-package-changes"),
    path("packages/<id:package_id>/vary/", changes.PackageVaryApi.as_view(), name="api-package-vary"),
    path("packages/<id:package_id>/suspend/", changes.PackageSuspendApi.as_view(), name="api-package-suspend"),
    path("packages/<id:package_id>/resume/", changes.PackageResumeApi.as_view(), name="api-package-resume"),
    path("packages/<id:package_id>/end/", changes.PackageEndApi.as_view(), name="api-package-end"),
    path("changes/<id:change_id>/accept/", changes.VariationAcceptApi.as_view(), name="api-change-accept"),
    path("changes/<id:change_id>/decline/", changes.VariationDeclineApi.as_view(), name="api-change-decline"),
    path("offers/<id:offer_id>/hand-back/", changes.OfferHandBackApi.as_view(), name="api-offer-hand-back"),
    path("offers/<id:offer_id>/care-started/", changes.OfferCareStartedApi.as_view(), name="api-offer-care-started"),
    path("offers/", views.OfferListApi.as_view(), name="api-offers"),
    path("offers/<id:offer_id>/", views.OfferDetailApi.as_view(), name="api-offer"),
    path("offers/<id:offer_id>/accept/", views.OfferAcceptApi.as_view(), name="api-offer-accept"),
    path("offers/<id:offer_id>/decline/", views.OfferDeclineApi.as_view(), name="api-offer-decline"),
]
