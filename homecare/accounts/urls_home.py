"""The front door at ``/`` (``home``): each person is sent to their own area. No ``app_name``."""

from django.urls import URLPattern, URLResolver, path

from homecare.accounts import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
]
