from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "homecare.demo"
    label = "demo"
    verbose_name = "Demo data"
