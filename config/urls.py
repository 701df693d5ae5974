"""The root URLconf: each audience's area is made of the URL modules its apps own.

Only ``include(...)`` of app URL modules here, plus the admin, the health check and the API's schema and docs.
"""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

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
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]
