"""GOV.UK Notify's callbacks, mounted under /notify/ by config.urls."""

from django.urls import URLPattern, path

from homecare.notify import views

urlpatterns: list[URLPattern] = [
    path("delivery-status/", views.delivery_status, name="notify-delivery-status"),
]
