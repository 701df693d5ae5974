"""Officers' webhook pages, mounted under /commissioning/webhooks/ by config.urls."""

from django.urls import URLPattern, path

from homecare.webhooks import views

app_name = "webhooks"

urlpatterns: list[URLPattern] = [
    path("", views.subscriber_list, name="list"),
    path("new/", views.subscriber_create, name="create"),
    path("<int:subscriber_id>/", views.subscriber_detail, name="detail"),
    path("<int:subscriber_id>/rotate-secret/", views.secret_rotate, name="rotate"),
    path("<int:subscriber_id>/deactivate/", views.subscriber_deactivate, name="deactivate"),
    path("deliveries/<int:delivery_id>/send-again/", views.delivery_redeliver, name="redeliver"),
]
