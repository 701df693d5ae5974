from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    name = "homecare.apitokens"
    label = "apitokens"
    verbose_name = "API tokens"

    def ready(self) -> None:
        from homecare.apitokens import access_audit

        access_audit.connect()
