"""The provider portal's home. No ``app_name``: included at the portal's root, its page is ``portal:home``."""

from django.urls import URLPattern, URLResolver, path

from providers import views_portal

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_portal.portal_home, name="home"),
]
