from django.urls import URLPattern, URLResolver, path

from dps import views_portal as views

app_name = "dps"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("rounds/<int:round_id>/apply/", views.application_start, name="start"),
    path("applications/<int:application_id>/", views.application, name="application"),
    path("applications/<int:application_id>/letter/", views.application_letter, name="letter"),
    path("applications/<int:application_id>/letter.txt", views.application_letter, {"fmt": "txt"}, name="letter_txt"),
]
