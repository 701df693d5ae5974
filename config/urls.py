"""The root URLconf: each audience's area is made of the URL modules its apps own.

Only ``include(...)`` of app URL modules here, plus the admin, the health check and the API's schema and docs.
The API is published under ``/api/v1/``; ``/api/`` is its alias for one release (``homecare.api_versions``).
"""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from oauth2_provider.views.base import RevokeTokenView, TokenView

from homecare.health import health

commissioning_patterns: list[URLPattern | URLResolver] = [
    path("", include("brokerage.urls_homes_officer")),  # the officer's to-do list
    path("providers/", include("providers.urls_officer")),
    path("agreements/", include("contracts.urls_officer")),
    path("dps/", include("dps.urls_officer")),
    path("packages/", include("brokerage.urls_officer")),
    path("planning/", include("brokerage.urls_planning")),
    path("reports/", include("brokerage.reporting.urls")),
    path("procurement/", include("commissioning.urls_officer")),
    path("payments/", include("visits.urls_officer")),
    path("webhooks/", include("homecare.webhooks.urls")),
]
portal_patterns: list[URLPattern | URLResolver] = [
    path("", include("brokerage.urls_homes_portal")),  # offers waiting and packages held
    path("packages/", include("brokerage.urls_portal_packages")),
    path("dps/", include("dps.urls_portal")),
    path("offers/", include("brokerage.urls_portal")),
    path("markets/", include("commissioning.urls_portal")),
    path("visits/", include("visits.urls_portal")),
]
api_patterns: list[URLPattern | URLResolver] = [
    path("", include("providers.urls_api")),
    path("", include("contracts.urls_api")),
    path("", include("dps.urls_api")),
    path("", include("brokerage.urls_api")),
    path("", include("commissioning.urls_api")),
    path("", include("visits.urls_api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

urlpatterns = [
    path("", include("homecare.accounts.urls_home")),
    path("accounts/", include("homecare.accounts.urls")),
    path("accounts/api-tokens/", include("homecare.apitokens.urls")),
    path("commissioning/", include((commissioning_patterns, "commissioning"))),
    path("portal/", include((portal_patterns, "portal"))),
    path("ccc/monitoring/", include("visits.urls_ccc")),  # the dashboard trends' drill-down
    path("ccc/", include("brokerage.urls_ccc")),  # the CCC's whole area, its dashboard at its root
    path("api/v1/", include(api_patterns)),
    # The unversioned paths of the first release, kept as aliases for one more (homecare.api_versions); namespaced,
    # so reversing a name always gives the /api/v1/ path.
    path("api/", include((api_patterns, "legacy-api"))),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("notify/", include("homecare.notify.urls")),  # GOV.UK Notify's delivery-status callback
    # OAuth2 for systems: the token endpoint of the client-credentials grant only (no browser sign-in pages).
    path("o/token/", TokenView.as_view(), name="oauth2-token"),
    path("o/revoke_token/", RevokeTokenView.as_view(), name="oauth2-revoke-token"),
]
