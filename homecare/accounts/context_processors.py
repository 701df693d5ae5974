from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from homecare.accounts.audiences import Audience, audiences_of
from homecare.accounts.mfa import second_factor_pending
from homecare.accounts.navigation import NAVIGATION


def audience(request: HttpRequest) -> dict[str, Any]:
    """The current audience (from the URL area) and its navigation, for the base template."""
    # Until the second factor is given, no audience's menu: its links would only come back here.
    user_audiences = [] if second_factor_pending(request) else audiences_of(request.user)
    current: Audience | None = None
    for candidate in Audience:
        if request.path.startswith(f"/{candidate.value}/"):
            current = candidate
            break
    if current is None and len(user_audiences) == 1:
        current = user_audiences[0]
    items = []
    if current is not None and current in user_audiences:
        for label, url_name in NAVIGATION[current]:
            try:
                href = reverse(url_name)
            except NoReverseMatch:
                continue
            # "Home" is active only on the area's root; other items on their whole sub-tree.
            root = f"/{current.value}/"
            active = request.path == href if href == root else request.path.startswith(href)
            items.append({"text": label, "href": href, "active": active})
    return {
        "current_audience": current,
        "user_audiences": user_audiences,
        "service_navigation": items,
        "council_name": settings.COUNCIL_NAME,
    }
