"""``Idempotency-Key`` for the API's change actions: the same key and request give the same answer, once.

The client sends a key of its own (a UUID is best) with each action. The first request with a key claims
it (a row unique per user and key) in the same transaction as the action, and stores the answer there; a
retry with the same key and the same request (method, path and body, fingerprinted) gets the stored answer
again, marked ``Idempotent-Replayed: true``, and the action is not run twice. The same key with another
request is refused with 422. Two requests with one key at the same moment are served one after the other:
PostgreSQL holds the second insert of the key until the first commits, then the second replays its answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from brokerage.models import IdempotentRequest
from homecare.accounts.audiences import request_user
from homecare.problems import PROBLEM_JSON, problem_body

HEADER = "Idempotency-Key"
KEY_MAX = 255


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _problem(status: int, detail: str, *, attr: str | None = None) -> Response:
    body = problem_body(status, detail, errors=[{"code": "idempotency_key", "detail": detail, "attr": attr}])
    return Response(body, status=status, content_type=PROBLEM_JSON)


def _replay(stored: IdempotentRequest) -> Response:
    content_type = PROBLEM_JSON if (stored.status_code or 500) >= 400 else None
    response = Response(stored.body, status=stored.status_code, content_type=content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request: Request, action: Callable[[], Response]) -> Response:
    """Run ``action`` once per (user, ``Idempotency-Key``); store and replay its answer, errors included."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return _problem(400, f"Send an {HEADER} header (a new UUID for each action) so a retry is safe.", attr=HEADER)
    if len(key) > KEY_MAX:
        return _problem(400, f"The {HEADER} must be at most {KEY_MAX} characters.", attr=HEADER)
    user = request_user(request)
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = IdempotentRequest.objects.create(
                    user=user, key=key, fingerprint=fingerprint, created_at=timezone.now()
                )
        except IntegrityError:
            stored = IdempotentRequest.objects.get(user=user, key=key)
            if stored.fingerprint != fingerprint:
                return _problem(
                    422,
                    f"This {HEADER} was used with a different request. Use a new key for a new action.",
                    attr=HEADER,
                )
            return _replay(stored)
        response = action()
        claim.status_code = response.status_code
        claim.body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
        claim.save(update_fields=["status_code", "body"])
    return response


def stored_body(data: Any) -> Any:
    """The JSON a response stores (dates and decimals as strings), for tests and replays alike."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
