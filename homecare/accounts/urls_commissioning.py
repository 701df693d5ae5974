"""The commissioning area's home. No ``app_name``: included at the area's root, its page is ``commissioning:home``.

It shows no product data, so the platform serves it; each product app adds its own officer pages.
"""

from django.urls import URLPattern, URLResolver, path

from homecare.accounts import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.commissioning_home, name="home"),
]
