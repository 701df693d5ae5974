# Type stubs for the parts of django-rest-knox 5.1 we use (knox ships no type hints).
from datetime import timedelta
from typing import Any, ClassVar

from django.contrib.auth.models import User
from django.db import models

class AuthTokenManager(models.Manager[Any]):
    def create(  # type: ignore[override]
        self, user: User, expiry: timedelta | None = ..., prefix: str | None = ..., **kwargs: Any
    ) -> tuple[Any, str]: ...

class AbstractAuthToken(models.Model):
    objects: ClassVar[AuthTokenManager]
    digest = models.CharField(max_length=128, primary_key=True)
    token_key = models.CharField(max_length=25, db_index=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_token_set")
    created = models.DateTimeField(auto_now_add=True)
    expiry = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

def get_token_model() -> type[AbstractAuthToken]: ...
