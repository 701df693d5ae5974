from django.urls import URLPattern, URLResolver

app_name = "dps"

urlpatterns: list[URLPattern | URLResolver] = []
