from django.urls import URLPattern, URLResolver

app_name = "brokerage"

urlpatterns: list[URLPattern | URLResolver] = []
