from django.urls import URLPattern, URLResolver, path

from brokerage import views_changes, views_entry, views_privacy
from brokerage import views_officer as views

app_name = "brokerage"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.package_list_view, name="list"),
    path("new/", views_entry.package_new_view, name="new"),
    path("import/", views.package_import_view, name="import"),
    path("subject-access/", views_privacy.subject_access_view, name="subject_access"),
    path("import/<int:job_id>/", views.package_import_job_view, name="import-job"),
    path("import/<int:job_id>/progress/", views.package_import_job_progress_view, name="import-job-progress"),
    path("<int:package_id>/", views.package_detail_view, name="detail"),
    path("<int:package_id>/edit/", views_entry.package_edit_view, name="edit"),
    path("<int:package_id>/submit/", views.package_submit_view, name="submit"),
    path("<int:package_id>/cancel/", views.package_cancel_view, name="cancel"),
    path("<int:package_id>/award/", views.package_award_view, name="award"),
    path("<int:package_id>/award/by-hand/", views.package_award_by_hand_view, name="award_by_hand"),
    path("<int:package_id>/rebroker/", views.package_rebroker_view, name="rebroker"),
    path("reviews-due/", views_changes.reviews_due_view, name="reviews_due"),
    path("requests/", views_changes.requests_to_decide_view, name="requests_to_decide"),
    path("<int:package_id>/changes/", views_changes.package_changes_view, name="changes"),
    path("<int:package_id>/vary/", views_changes.package_vary_view, name="vary"),
    path("<int:package_id>/suspend/", views_changes.package_suspend_view, name="suspend"),
    path("<int:package_id>/resume/", views_changes.package_resume_view, name="resume"),
    path(
        "<int:package_id>/suspension-rebroker/",
        views_changes.package_suspension_rebroker_view,
        name="suspension_rebroker",
    ),
    path("<int:package_id>/end/", views_changes.package_end_view, name="end"),
    path("<int:package_id>/review/", views_changes.package_review_view, name="review"),
    path("changes/<int:change_id>/withdraw/", views_changes.change_withdraw_view, name="change_withdraw"),
    path("changes/<int:change_id>/decide/", views_changes.change_request_decide_view, name="change_decide"),
    path("<int:package_id>/access-log.csv", views_privacy.access_log_csv_view, name="access_log_csv"),
    path("<int:package_id>/erase/", views_privacy.erasure_view, name="erase"),
]
