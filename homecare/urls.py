from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from brokerage import views_ccc as brokerage_ccc_views
from homecare.accounts import views as account_views
from homecare.health import health

commissioning_patterns: list[URLPattern | URLResolver] = [
    path("", account_views.commissioning_home, name="home"),
    path("providers/", include("providers.urls_officer")),
    path("agreements/", include("contracts.urls_officer")),
    path("dps/", include("dps.urls_officer")),
    path("packages/", include("brokerage.urls_officer")),
    path("reports/", include("brokerage.reporting.urls")),
]
portal_patterns: list[URLPattern | URLResolver] = [
    path("", account_views.portal_home, name="home"),
    path("dps/", include("dps.urls_portal")),
    path("offers/", include("brokerage.urls_portal")),
]
ccc_patterns: list[URLPattern | URLResolver] = [
    path("", brokerage_ccc_views.dashboard, name="home"),  # the CCC's home is its dashboard
    path("", include("brokerage.urls_ccc")),
]
api_patterns: list[URLPattern | URLResolver] = [
    path("", include("providers.urls_api")),
    path("", include("contracts.urls_api")),
    path("", include("dps.urls_api")),
    path("", include("brokerage.urls_api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("homecare.accounts.urls")),
    path("accounts/api-tokens/", include("homecare.apitokens.urls")),
    path("commissioning/", include((commissioning_patterns, "commissioning"))),
    path("portal/", include((portal_patterns, "portal"))),
    path("ccc/", include((ccc_patterns, "ccc"))),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]
