from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    """Work done before brokerage: tenders, procurement timetables, dynamic markets, funding, neighbourhood teams."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "commissioning"
    label = "commissioning"
    verbose_name = "Commissioning"

    def ready(self) -> None:
        from brokerage.reporting.panels import report_panel_register
        from commissioning.panels import pilot_comparison_panel

        report_panel_register(pilot_comparison_panel)
