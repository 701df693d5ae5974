"""The service errors of changes after award, translated to problem details once for the whole API.

The web pages show the same exceptions' messages on their forms: a field error from ``ChangeInvalid`` is a
400 naming each field (``visits.2.window_end``, as the ISA API names them); a state error
(``PackageStateError``) or a change that can no longer be answered (``ChangeClosed``) is a 409.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.response import Response

from brokerage.services.changes import ChangeClosed, ChangeInvalid
from brokerage.services.packages import PackageStateError
from brokerage.services.responses import OfferClosed, ResponseInvalid
from homecare.problems import PROBLEM_JSON, problem_body

_INDEX = re.compile(r"\[(\d+)\]")


def api_path(path: str) -> str:
    """``visits[2].window_end`` as the API's field paths write it: ``visits.2.window_end``."""
    return _INDEX.sub(r".\1", path)


def problem_for(error: Exception) -> Response | None:
    """The problem response for a service error, or None for an error that is not the client's."""
    if isinstance(error, ChangeInvalid | ResponseInvalid):
        errors = [
            {"code": "invalid", "detail": message, "attr": api_path(field)}
            for field, messages in error.errors.items()
            for message in messages
        ]
        detail = "; ".join(f"{e['attr']}: {e['detail']}" for e in errors)
        return Response(problem_body(400, detail, errors=errors), status=400, content_type=PROBLEM_JSON)
    if isinstance(error, PackageStateError | ChangeClosed | OfferClosed):
        return Response(problem_body(409, str(error)), status=409, content_type=PROBLEM_JSON)
    if isinstance(error, Http404):
        return Response(problem_body(404, str(error) or "Not found."), status=404, content_type=PROBLEM_JSON)
    if isinstance(error, PermissionDenied):
        return Response(problem_body(403, str(error)), status=403, content_type=PROBLEM_JSON)
    return None


def answer(call: Callable[[], Response]) -> Response:
    """Run ``call``; a service error becomes its problem response (stored with the idempotency key too)."""
    try:
        return call()
    except (
        ChangeInvalid,
        ResponseInvalid,
        PackageStateError,
        ChangeClosed,
        OfferClosed,
        Http404,
        PermissionDenied,
    ) as error:
        response = problem_for(error)
        assert response is not None  # noqa: S101  (every caught type has its problem)
        return response
