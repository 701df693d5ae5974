"""A provider's awarded packages ("My packages"), mounted at /portal/packages/."""

from django.urls import URLPattern, URLResolver, path

from brokerage import views_portal_packages as views

app_name = "packages"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_packages_view, name="list"),
    path("<int:package_id>/", views.my_package_detail_view, name="detail"),
]
