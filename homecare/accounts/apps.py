from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "homecare.accounts"
    label = "accounts"
    verbose_name = "Accounts and audiences"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from homecare.accounts.middleware import record_sign_in_time

        user_logged_in.connect(record_sign_in_time, dispatch_uid="homecare.accounts.record_sign_in_time")

        from homecare.accounts import access_audit

        access_audit.connect()
