"""Sign out a session nobody has used for ``SESSION_IDLE_TIMEOUT`` seconds, or signed in longer ago than
``SESSION_COOKIE_AGE`` seconds, whatever the activity.

A small middleware rather than a library: django-session-security works in the browser (JavaScript
timers, so an API session or a closed laptop is never timed out) and django-auto-logout has had no
release since 2022. Recording activity re-saves the session, which slides Django's own expiry date, so
the absolute limit is kept here too, from the moment of signing in.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse

LAST_ACTIVITY_KEY = "homecare_last_activity"
SIGNED_IN_AT_KEY = "homecare_signed_in_at"
# Rewriting the session on every request costs a database write each time; a minute's precision is plenty.
TOUCH_INTERVAL_SECONDS = 60
# Pages that refresh themselves (the CCC dashboard's htmx polls) send this header: not a person's activity.
BACKGROUND_REFRESH_HEADER = "X-Homecare-Background-Refresh"


def idle_sign_out_message(timeout_seconds: int) -> str:
    minutes = max(1, timeout_seconds // 60)
    return f"You were signed out after {minutes} minutes without activity. Sign in again to continue."


def absolute_limit_message(limit_seconds: int) -> str:
    hours, minutes = divmod(max(1, limit_seconds // 60), 60)
    length = f"{hours} hours" if hours and not minutes else f"{hours * 60 + minutes} minutes"
    return f"You were signed out because you signed in more than {length} ago. Sign in again to continue."


def record_sign_in_time(sender: object, request: HttpRequest, user: AbstractBaseUser, **kwargs: object) -> None:
    """``user_logged_in`` receiver: the start of the absolute session limit, and the first activity."""
    now = int(time.time())
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_ACTIVITY_KEY] = now


class IdleSessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = int(time.time())
        signed_in_at = request.session.get(SIGNED_IN_AT_KEY)
        last = request.session.get(LAST_ACTIVITY_KEY)
        if isinstance(signed_in_at, int) and now - signed_in_at > settings.SESSION_COOKIE_AGE:
            logout(request)  # flushes the session; the message survives in the messages cookie
            messages.info(request, absolute_limit_message(settings.SESSION_COOKIE_AGE))
        elif isinstance(last, int) and now - last > settings.SESSION_IDLE_TIMEOUT:
            logout(request)
            messages.info(request, idle_sign_out_message(settings.SESSION_IDLE_TIMEOUT))
        elif request.headers.get(BACKGROUND_REFRESH_HEADER) is None and (
            not isinstance(last, int) or now - last >= TOUCH_INTERVAL_SECONDS
        ):
            request.session[LAST_ACTIVITY_KEY] = now
