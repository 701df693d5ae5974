from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    """Work done before brokerage: tenders, procurement timetables, dynamic markets, funding, neighbourhood teams."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "commissioning"
    label = "commissioning"
    verbose_name = "Commissioning"
