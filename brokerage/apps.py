from django.apps import AppConfig


class BrokerageConfig(AppConfig):
    name = "brokerage"
    verbose_name = "Brokerage of care packages"

    def ready(self) -> None:
        # Celery's autodiscovery imports only ``brokerage.tasks``; the CCC alerts' beat task lives in its own
        # package, so it is registered with the worker here.
        import brokerage.alerts.tasks  # noqa: F401
