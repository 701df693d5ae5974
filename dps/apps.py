from django.apps import AppConfig


class DpsConfig(AppConfig):
    name = "dps"
    verbose_name = "DPS application rounds"

    def ready(self) -> None:
        from contracts.panels import agreement_panel_register
        from dps.panels import agreement_rounds_panel

        agreement_panel_register(agreement_rounds_panel)
