"""Who is acting right now, for audit events written by signal receivers rather than by services.

Access-control changes (group membership, superuser status, provider links, tokens) are audited by
receivers, so a change made in the admin, the shell or a service is recorded alike. A receiver
cannot be handed the actor, so it asks :func:`current_actor`:

1. Inside a request, :class:`ActorMiddleware` makes the request's user the actor. It is read when
   the event is written, not when the request starts, so an API request authenticated by token
   (DRF sets the user on the Django request after the middleware ran) is attributed correctly.
2. A service or command that knows better wraps the change in ``with acting_as(user):``.
3. Otherwise (shell, Celery, management commands) the actor is ``None``: the audit trail says
   "system".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse

ActorResolver = Callable[[], User | None]

_resolver: ContextVar[ActorResolver | None] = ContextVar("homecare_audit_actor", default=None)


def current_actor() -> User | None:
    """The user on whose behalf the current code runs, or ``None`` for the system."""
    resolve = _resolver.get()
    return resolve() if resolve is not None else None


@contextmanager
def acting_as(user: User | None) -> Iterator[None]:
    """Attribute the audit events written inside the block to ``user`` (``None``: the system)."""
    with _acting(lambda: user):
        yield


class ActorMiddleware:
    """Make the request's user the actor of any audit event written while it is handled."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with _acting(lambda: _request_user(request)):
            return self.get_response(request)


def _request_user(request: HttpRequest) -> User | None:
    # getattr: a request refused before AuthenticationMiddleware ran has no user attribute.
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


@contextmanager
def _acting(resolve: ActorResolver) -> Iterator[None]:
    token = _resolver.set(resolve)
    try:
        yield
    finally:
        _resolver.reset(token)
