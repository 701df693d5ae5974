"""The API's JSON parser: DRF's, refusing nesting deeper than ``HOMECARE_JSON_MAX_DEPTH`` with a 400.

Python's JSON parser recurses once per level, so a body of 10,000 ``[`` runs out of stack (a 500). The depth is
counted first, in one pass over the bytes that skips strings. (Its own module: DRF imports the parser classes
while it defines ``APIView``, so this must not import DRF's views.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from io import BytesIO
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_depth(body: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (brackets inside strings do not count)."""
    depth = deepest = 0
    for token in _JSON_TOKEN.finditer(body):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in (b"]", b"}"):
            depth -= 1
    return deepest


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing nesting deeper than ``HOMECARE_JSON_MAX_DEPTH`` with a 400."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        body = stream.read() if stream is not None else b""
        limit = settings.HOMECARE_JSON_MAX_DEPTH
        if json_depth(body) > limit:
            raise ParseError(f"JSON nested more than {limit} levels deep is not accepted.")
        return super().parse(BytesIO(body), media_type, parser_context)
