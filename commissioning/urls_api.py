"""API routes for commissioning, mounted under /api/ by config.urls (read endpoints only)."""

from django.urls import URLPattern, URLResolver, path

import homecare.boundary  # noqa: F401 - registers the <id:...> path converter
from commissioning import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("tenders/", api.TenderList.as_view(), name="api-tender-list"),
    path("tenders/<id:pk>/", api.TenderDetail.as_view(), name="api-tender-detail"),
    path("timetables/", api.TimetableList.as_view(), name="api-timetable-list"),
    path("timetables/<id:pk>/", api.TimetableDetail.as_view(), name="api-timetable-detail"),
    path("dynamic-markets/", api.MarketList.as_view(), name="api-dynamic-market-list"),
    path("dynamic-market-requests/", api.MarketApplicationList.as_view(), name="api-dynamic-market-request-list"),
    path("debarment-entries/", api.DebarmentEntryList.as_view(), name="api-debarment-entry-list"),
    path("neighbourhood-referrals/", api.ReferralList.as_view(), name="api-neighbourhood-referral-list"),
    path("funding-models/", api.FundingModelList.as_view(), name="api-funding-model-list"),
    path("hours-banks/", api.HoursBankList.as_view(), name="api-hours-bank-list"),
    path("neighbourhood-comparison/", api.NeighbourhoodComparison.as_view(), name="api-neighbourhood-comparison"),
]
