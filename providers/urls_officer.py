from django.urls import URLPattern, URLResolver, path

from providers import views_officer

app_name = "providers"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_officer.provider_list, name="list"),
    path("<int:provider_id>/", views_officer.provider_detail_page, name="detail"),
]
