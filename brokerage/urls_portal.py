from django.urls import URLPattern, URLResolver, path

from brokerage import views_portal as views
from brokerage import views_portal_changes

app_name = "brokerage"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.offer_list_view, name="list"),
    path("capacity/", views.capacity_view, name="capacity"),
    path("changes/", views_portal_changes.change_list_view, name="changes"),
    path("changes/<int:change_id>/", views_portal_changes.change_detail_view, name="change"),
    path("capacity/capacity-tracker.csv", views.capacity_tracker_view, name="capacity_tracker"),
    path("<int:offer_id>/", views.offer_detail_view, name="detail"),
    path("<int:offer_id>/request-change/", views_portal_changes.change_request_view, name="request_change"),
    path("<int:offer_id>/accept/", views.offer_accept_view, name="accept"),
    path("<int:offer_id>/decline/", views.offer_decline_view, name="decline"),
    path("<int:offer_id>/care-started/", views.care_started_view, name="care_started"),
    path("<int:offer_id>/hand-back/", views.hand_back_view, name="hand_back"),
]
