"""The request boundary: size, depth and characters of what anyone sends, checked once for every page and API.

``RequestBoundaryMiddleware`` refuses, before any view runs:

1. a body larger than the limit (``DATA_UPLOAD_MAX_MEMORY_SIZE`` for forms and JSON,
   ``HOMECARE_MAX_UPLOAD_BYTES`` for file uploads): 413;
2. NUL and other control characters in any query parameter (none allowed) or form field (tab, line feed
   and carriage return allowed, for text areas): 400 naming the parameter or field.

The API answers in problem details (``homecare.problems``), pages with a GOV.UK error page. JSON bodies are
parsed by ``homecare.json_parser``, which refuses nesting deeper than ``HOMECARE_JSON_MAX_DEPTH`` before
Python's recursive parser can run out of stack; control characters inside JSON strings are rules of each
payload (the ISA's in ``brokerage.isa``, DRF's own for NUL and surrogates).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import register_converter

from homecare.problems import PROBLEM_JSON, problem_response

# C0 controls, DEL, C1 controls and lone surrogates (which no database text column can store).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RowIdConverter:
    """``<id:name>`` in a URL: a database row id, 1 to 2**31 - 1. Beyond that the URL matches nothing (a 404),
    where ``<int:>`` would hand the database a number its integer column cannot hold."""

    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number < 2**31:
            raise ValueError(f"{value} is not a row id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowIdConverter, "id")


def control_character_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be accepted (it holds a control character), or None. ``multiline`` allows tab and
    line breaks, as in a text area."""
    found = (_CONTROL_BUT_LINES if multiline else _CONTROL).search(text)
    if found is None:
        return None
    return f"Remove the control character U+{ord(found.group()):04X}: only printable text is accepted."


def _field_problems(data: QueryDict, *, multiline: bool) -> list[tuple[str, str]]:
    problems = []
    for name, values in data.lists():
        for value in [name, *values]:
            problem = control_character_problem(value, multiline=multiline and value is not name)
            if problem:
                problems.append((name, problem))
                break
    return problems


class RequestBoundaryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if _is_api(request) and response.status_code >= 400 and response.get("Content-Type") != PROBLEM_JSON:
            # Django's own answers under /api/ (a URL that matches nothing, an error outside DRF): problem details
            # too, so an integrator parses one error format.
            status = response.status_code
            return problem_response(status, HTTPStatus(status).phrase, extra=None)
        return response

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        content_type = request.content_type or ""
        is_upload = content_type == "multipart/form-data"
        limit = settings.HOMECARE_MAX_UPLOAD_BYTES if is_upload else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(
                request, 400, "Bad request", [("Content-Length", "The Content-Length header is not a number.")]
            )
        if length > limit:
            return _too_big(request, limit)
        problems = _field_problems(request.GET, multiline=False)
        if request.method == "POST" and content_type in _FORM_TYPES:
            try:
                problems += _field_problems(request.POST, multiline=True)
            except (RequestDataTooBig, TooManyFieldsSent):
                return _too_big(request, limit)
        if problems:
            return _refuse(request, 400, "Bad request", problems)
        return None


def _too_big(request: HttpRequest, limit: int) -> HttpResponse:
    message = f"The request is larger than the limit of {limit:,} bytes."
    if _is_api(request):
        return problem_response(413, message, extra={"limit_bytes": limit})
    return _refuse(request, 413, "The request is too large", [("", message)])


def _refuse(request: HttpRequest, status: int, title: str, problems: list[tuple[str, str]]) -> HttpResponse:
    if _is_api(request):
        errors = [{"code": "invalid", "detail": message, "attr": field or None} for field, message in problems]
        return problem_response(status, problems[0][1], errors=errors)
    return render(request, "errors/boundary.html", {"title": title, "problems": problems}, status=status)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")
