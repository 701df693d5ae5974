"""Officer pages for commissioning work, mounted at /commissioning/procurement/ by config.urls."""

from django.urls import URLPattern, URLResolver, path

from commissioning import views_funding, views_markets, views_tenders, views_timetables

app_name = "procurement"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_funding.procurement_home, name="home"),
    path("tenders/", views_tenders.tender_list, name="tender_list"),
    path("tenders/new/", views_tenders.tender_create, name="tender_create"),
    path("tenders/<int:tender_id>/", views_tenders.tender_detail, name="tender_detail"),
    path("tenders/<int:tender_id>/bids/new/", views_tenders.bid_record, name="bid_record"),
    path("tenders/<int:tender_id>/steps/<slug:step>/", views_tenders.tender_advance, name="tender_advance"),
    path("tenders/<int:tender_id>/panel/new/", views_tenders.evaluator_add, name="evaluator_add"),
    path("tenders/<int:tender_id>/declaration/", views_tenders.tender_declare, name="tender_declare"),
    path("tenders/<int:tender_id>/my-scores/", views_tenders.tender_score, name="tender_score"),
    path("tenders/<int:tender_id>/moderation/", views_tenders.tender_moderate, name="tender_moderate"),
    path("tenders/<int:tender_id>/report/", views_tenders.tender_report, name="tender_report"),
    path("tenders/<int:tender_id>/report.csv", views_tenders.tender_report, {"fmt": "csv"}, name="tender_report_csv"),
    path(
        "tenders/<int:tender_id>/report.xlsx", views_tenders.tender_report, {"fmt": "xlsx"}, name="tender_report_xlsx"
    ),
    path("timetables/", views_timetables.timetable_list, name="timetable_list"),
    path("timetables/new/", views_timetables.timetable_create, name="timetable_create"),
    path("timetables/<int:timetable_id>/", views_timetables.timetable_detail, name="timetable_detail"),
    path("timetables/<int:timetable_id>.csv", views_timetables.timetable_detail, {"fmt": "csv"}, name="timetable_csv"),
    path(
        "timetables/<int:timetable_id>.xlsx", views_timetables.timetable_detail, {"fmt": "xlsx"}, name="timetable_xlsx"
    ),
    path("timetables/tasks/<int:task_id>/move/", views_timetables.task_move, name="task_move"),
    path("timetables/tasks/<int:task_id>/status/", views_timetables.task_status, name="task_status"),
    path("markets/", views_markets.market_list, name="market_list"),
    path("markets/debarments/new/", views_markets.debarment_record, name="debarment_record"),
    path("markets/<int:market_id>/", views_markets.market_detail, name="market_detail"),
    path("markets/<int:market_id>/notices/new/", views_markets.market_notice, name="market_notice"),
    path(
        "markets/requests/<int:market_request_id>/", views_markets.market_application_detail, name="market_application"
    ),
    path("funding/", views_funding.funding_list, name="funding_list"),
    path("funding/new/", views_funding.funding_create, name="funding_create"),
    path("funding/<int:model_id>/", views_funding.funding_detail, name="funding_detail"),
    path("funding/<int:model_id>/calculate/", views_funding.funding_calculate, name="funding_calculate"),
    path("neighbourhood/", views_funding.neighbourhood_home, name="neighbourhood"),
    path("neighbourhood/banks/<int:bank_id>/", views_funding.hours_bank_detail, name="hours_bank"),
    path("neighbourhood/banks/<int:bank_id>/weeks/new/", views_funding.hours_bank_week, name="hours_bank_week"),
    path("neighbourhood/outcomes/<int:outcome_id>/review/", views_funding.outcome_review, name="outcome_review"),
    path("neighbourhood/referrals/new/", views_funding.referral_create, name="referral_create"),
    path("neighbourhood/moves/new/", views_funding.care_model_move, name="care_model_move"),
    path("neighbourhood/people/<str:person_reference>/", views_funding.care_model_history, name="care_model_history"),
]
