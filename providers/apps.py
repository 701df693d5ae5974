from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Providers and CQC ratings"

    def ready(self) -> None:
        from homecare.accounts.audiences import Audience, audience_condition_add
        from providers.selectors import is_linked_to_provider

        # Provider staff belong to the portal's audience only once linked to their organisation.
        audience_condition_add(Audience.PROVIDER, is_linked_to_provider)

        from providers import access_audit

        access_audit.connect()
