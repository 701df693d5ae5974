"""The CCC's drill-down from the dashboard's monitoring trends, mounted at /ccc/monitoring/."""

from django.urls import URLPattern, URLResolver, path

from visits import views_officer as views

app_name = "ccc_monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:provider_id>/", views.ccc_provider_monitoring_view, name="provider"),
]
