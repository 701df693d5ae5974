from django.urls import URLPattern, URLResolver, path

from contracts import views

app_name = "contracts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.agreement_list, name="list"),
    path("new/", views.agreement_create, name="create"),
    path("<int:agreement_id>/", views.agreement_detail, name="detail"),
    path("<int:agreement_id>/edit/", views.agreement_update, name="update"),
    path("<int:agreement_id>/extensions/<int:extension_id>/take/", views.extension_take, name="extension_take"),
    path("<int:agreement_id>/lots/new/", views.lot_create, name="lot_create"),
    path("<int:agreement_id>/lots/<int:lot_id>/lead/", views.lot_lead_appoint, name="lot_lead_appoint"),
    path("<int:agreement_id>/members/new/", views.membership_appoint, name="membership_appoint"),
    path("<int:agreement_id>/fee-rates/new/", views.fee_rate_add, name="fee_rate_add"),
    path("members/<int:membership_id>/suspend/", views.membership_change, {"action": "suspend"}, name="suspend"),
    path("members/<int:membership_id>/reinstate/", views.membership_change, {"action": "reinstate"}, name="reinstate"),
    path("members/<int:membership_id>/exit/", views.membership_change, {"action": "exit"}, name="exit"),
]
