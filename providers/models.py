from __future__ import annotations

from django.conf import settings
from django.db import models


class Provider(models.Model):
    """A care provider organisation (a CQC "provider"), which runs one or more CQC locations."""

    name = models.CharField(max_length=255)
    cqc_provider_id = models.CharField(max_length=20, unique=True, null=True, blank=True)
    # Demo data is shaped like real CQC records but must never be mistaken for a real organisation.
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProviderStaff(models.Model):
    """Links a provider-portal user to the one organisation whose data they may see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_staff")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="staff")

    class Meta:
        verbose_name_plural = "provider staff"

    def __str__(self) -> str:
        return f"{self.user} at {self.provider}"
