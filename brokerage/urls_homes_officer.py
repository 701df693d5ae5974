"""The commissioning area's home, the officer's to-do list. No ``app_name``: its page is ``commissioning:home``."""

from django.urls import URLPattern, URLResolver, path

from brokerage import views_officer

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_officer.home_view, name="home"),
]
