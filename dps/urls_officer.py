from django.urls import URLPattern, URLResolver, path

from dps import views_officer as views

app_name = "dps"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.round_list, name="round_list"),
    path("agreements/<int:agreement_id>/rounds/generate/", views.rounds_generate, name="rounds_generate"),
    path("rounds/<int:round_id>/", views.round_detail, name="round_detail"),
    path("rounds/<int:round_id>/dates/", views.round_reschedule, name="round_reschedule"),
    path("rounds/<int:round_id>/decision-record/", views.decision_record, name="decision_record"),
    path(
        "rounds/<int:round_id>/decision-record.csv", views.decision_record, {"fmt": "csv"}, name="decision_record_csv"
    ),
    path(
        "rounds/<int:round_id>/decision-record.xlsx",
        views.decision_record,
        {"fmt": "xlsx"},
        name="decision_record_xlsx",
    ),
    path("applications/", views.applications_to_decide, name="applications_to_decide"),
    path("applications/<int:application_id>/", views.application_detail, name="application_detail"),
    path("applications/<int:application_id>/evaluate/", views.application_reevaluate, name="application_reevaluate"),
    path("applications/<int:application_id>/letter/", views.application_letter, name="letter"),
    path("applications/<int:application_id>/letter.txt", views.application_letter, {"fmt": "txt"}, name="letter_txt"),
]
