from django.apps import AppConfig


class DpsConfig(AppConfig):
    name = "dps"
    verbose_name = "DPS application rounds"
