from django.apps import AppConfig


class BrokerageConfig(AppConfig):
    name = "brokerage"
    verbose_name = "Brokerage of care packages"

    def ready(self) -> None:
        # Celery's autodiscovery imports only ``brokerage.tasks``; the CCC alerts' beat task lives in its own
        # package, so it is registered with the worker here.
        import brokerage.alerts.tasks  # noqa: F401
        from brokerage.panels import provider_work_panel
        from providers.panels import provider_panel_register

        provider_panel_register(provider_work_panel)
