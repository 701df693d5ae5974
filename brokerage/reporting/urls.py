from django.urls import URLPattern, URLResolver, path, re_path

from brokerage.reporting import views

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("<int:agreement_id>/", views.agreement_report, name="agreement"),
    re_path(
        r"^(?P<agreement_id>[0-9]+)/export/(?P<slug>[a-z-]+)\.(?P<file_format>csv|xlsx)$",
        views.export,
        name="export",
    ),
]
