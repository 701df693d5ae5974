from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "homecare.notify"
    label = "notify"
    verbose_name = "GOV.UK Notify"
