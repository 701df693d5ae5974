from django.urls import URLPattern, URLResolver, path

from providers import views_areas, views_officer

app_name = "providers"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_officer.provider_list, name="list"),
    path("<int:provider_id>/", views_officer.provider_detail_page, name="detail"),
    path("areas/", views_areas.area_list, name="areas"),
    path("areas/wards/<int:ward_id>/", views_areas.ward_edit, name="ward-edit"),
    path("areas/districts/", views_areas.district_override, name="district-override"),
]
