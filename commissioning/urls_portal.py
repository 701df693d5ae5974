"""Provider-portal pages for dynamic markets, mounted at /portal/markets/ by config.urls."""

from django.urls import URLPattern, URLResolver, path

from commissioning import views_portal

app_name = "procurement"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_portal.market_home, name="markets"),
    path("<int:market_id>/request/", views_portal.market_request, name="market_request"),
]
