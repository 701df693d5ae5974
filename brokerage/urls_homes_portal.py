"""The provider portal's home. No ``app_name``: included at the portal's root, its page is ``portal:home``."""

from django.urls import URLPattern, URLResolver, path

from brokerage import views_portal_packages

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_portal_packages.portal_home_view, name="home"),
]
