from django.urls import URLPattern, URLResolver, path

from visits import views_portal as views

app_name = "visits"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.actuals_upload_view, name="upload"),
    path("imports/<int:visit_job_id>/", views.import_job_view, name="import-job"),
    path("imports/<int:visit_job_id>/progress/", views.import_job_progress_view, name="import-job-progress"),
    path("statements/", views.statement_list_view, name="statements"),
    path("statements/<int:pay_run_id>/", views.statement_view, name="statement"),
    path("statements/<int:pay_run_id>/<str:file_format>/", views.statement_download_view, name="statement_download"),
    path("lines/<int:line_id>/dispute/", views.dispute_raise_view, name="dispute"),
]
