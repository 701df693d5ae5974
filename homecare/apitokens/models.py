"""API tokens: knox's hashed, expiring token, with the name and use that people need to manage them.

knox stores only a SHA-512 digest of each token (and its first 15 characters, to find the row); the
secret itself is shown once, when the token is created. ``KNOX_TOKEN_MODEL`` points knox at this
model, so knox authenticates against it and its own ``knox_authtoken`` table is never created.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

# How many characters of a token people see to tell their tokens apart (of knox's 15-character key).
VISIBLE_PREFIX_LENGTH = 8


class ApiToken(AbstractAuthToken):
    """One named API token of one user. Revoking a token deletes its row (the audit trail keeps the record)."""

    # knox makes the digest the primary key; a short surrogate key keeps the digest out of URLs and
    # the audit trail's target id.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “Mosaic live interface”.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.visible_prefix}…) of {self.user}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The audit receiver runs on post_save: the token and its audit event commit together,
        # even when called outside a transaction (e.g. from the shell).
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)

    @property
    def visible_prefix(self) -> str:
        return self.token_key[:VISIBLE_PREFIX_LENGTH]

    def has_expired(self, *, at: datetime | None = None) -> bool:
        """Whether knox would refuse the token at ``at`` (now by default)."""
        return self.expiry is not None and self.expiry < (at or timezone.now())
