from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "homecare.accounts"
    label = "accounts"
    verbose_name = "Accounts and audiences"

    def ready(self) -> None:
        from homecare.accounts import access_audit

        access_audit.connect()
