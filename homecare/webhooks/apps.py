from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "homecare.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
