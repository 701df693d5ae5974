from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Providers and CQC ratings"

    def ready(self) -> None:
        from homecare.accounts.audiences import Audience, audience_condition_add
        from providers.selectors import is_linked_to_provider

        # Provider staff belong to the portal's audience only once linked to their organisation (read with the
        # user, and the organisation with it, which the provider's own lookups then reuse).
        audience_condition_add(Audience.PROVIDER, is_linked_to_provider, reads="provider_staff__provider")

        from providers import access_audit

        access_audit.connect()
