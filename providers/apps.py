from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Providers and CQC ratings"

    def ready(self) -> None:
        from providers import access_audit

        access_audit.connect()
