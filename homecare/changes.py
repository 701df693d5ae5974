"""Rows that remember when they last changed, so API clients can poll for changes (``updated_since``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class ChangeTracked(models.Model):
    """``updated_at`` set on every save, even one with ``update_fields`` (which would otherwise skip it).

    ``QuerySet.update()`` does not call ``save()``: a bulk update that matters to integrators sets
    ``updated_at`` itself.
    """

    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.updated_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)
