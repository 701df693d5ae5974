# The part of notifications-python-client 13.0.0 this project calls (homecare.notify.sending).
from typing import Any

class NotificationsAPIClient:
    def __init__(self, api_key: str, base_url: str = ..., timeout: int = ...) -> None: ...
    def send_email_notification(
        self,
        email_address: str,
        template_id: str,
        personalisation: dict[str, Any] | None = ...,
        reference: str | None = ...,
        email_reply_to_id: str | None = ...,
        one_click_unsubscribe_url: str | None = ...,
    ) -> dict[str, Any]: ...
    def send_sms_notification(
        self,
        phone_number: str,
        template_id: str,
        personalisation: dict[str, Any] | None = ...,
        reference: str | None = ...,
        sms_sender_id: str | None = ...,
    ) -> dict[str, Any]: ...
