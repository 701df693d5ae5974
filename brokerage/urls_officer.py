from django.urls import URLPattern, URLResolver, path

from brokerage import views_officer as views
from brokerage import views_privacy

app_name = "brokerage"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.package_list_view, name="list"),
    path("new/", views.package_new_view, name="new"),
    path("import/", views.package_import_view, name="import"),
    path("subject-access/", views_privacy.subject_access_view, name="subject_access"),
    path("import/<int:job_id>/", views.package_import_job_view, name="import-job"),
    path("import/<int:job_id>/progress/", views.package_import_job_progress_view, name="import-job-progress"),
    path("<int:package_id>/", views.package_detail_view, name="detail"),
    path("<int:package_id>/submit/", views.package_submit_view, name="submit"),
    path("<int:package_id>/cancel/", views.package_cancel_view, name="cancel"),
    path("<int:package_id>/award/", views.package_award_view, name="award"),
    path("<int:package_id>/rebroker/", views.package_rebroker_view, name="rebroker"),
    path("<int:package_id>/access-log.csv", views_privacy.access_log_csv_view, name="access_log_csv"),
    path("<int:package_id>/erase/", views_privacy.erasure_view, name="erase"),
]
