from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "homecare.audit"
    label = "audit"
    verbose_name = "Audit trail"
