from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    name = "homecare.apitokens"
    label = "apitokens"
    verbose_name = "API tokens"

    def ready(self) -> None:
        from homecare.apitokens import access_audit
        from homecare.apitokens import oauth as _oauth  # noqa: F401 - registers the OAuth2 scheme too
        from homecare.apitokens import schema as _schema  # noqa: F401 - registers the scheme with drf-spectacular

        access_audit.connect()
