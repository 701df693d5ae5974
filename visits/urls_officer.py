from django.urls import URLPattern, URLResolver, path

from visits import views_officer as views

app_name = "visits"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.pay_run_list_view, name="pay_runs"),
    path("<int:pay_run_id>/", views.pay_run_view, name="pay_run"),
    path("<int:pay_run_id>/approve/", views.pay_run_approve_view, name="approve"),
    path("<int:pay_run_id>/<str:document>/<str:file_format>/", views.pay_run_download_view, name="pay_run_download"),
    path("cld/<str:file_format>/", views.cld_download_view, name="cld"),
    path("monitoring/", views.monitoring_view, name="monitoring"),
    path("monitoring/<int:provider_id>/", views.provider_monitoring_view, name="provider_monitoring"),
    path("disputes/<int:dispute_id>/", views.dispute_resolve_view, name="dispute"),
]
