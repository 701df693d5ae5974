"""A corpus of hostile values, each as the JSON text an attacker (or a broken export) would send.

``JSON`` entries are spliced into request bodies as they are, so a body can hold what ``json.dumps`` cannot
write (10,000 levels of nesting, lone surrogates as escapes); ``as_text`` gives the same value as a form field
or query parameter would carry it.
"""

from __future__ import annotations

import json

_STRINGS = [
    "",
    " ",
    "a" * 1_000_000,  # 1 MB
    "a" * 2_001,
    "\x00",
    "abc\x00def",
    "\x01\x02\x03",
    "\x07\x08\x1b[31mred",
    "line\nbreak",
    "tab\there",
    "\r\n",
    "\x7f",
    "\x85",
    "\u202eevil\u202c",  # right-to-left override
    "\u200b\u200c\u200d\ufeff",  # zero-width characters
    "\u0000\u200b",
    "\ufffd",
    "💩" * 10,
    "Ω≈ç√∫˜µ≤≥÷",  # noqa: RUF001 - look-alike characters on purpose
    "ﷺ",
    "Z̮̞̠͙͔ͅḀ̗̞͈̻̗Ḷ͙͎̯̹̞͓G̻O̭̗̮",
    "١٢٣",  # Arabic-Indic digits
    "²³",
    "'; DROP TABLE brokerage_carepackage; --",
    "' OR '1'='1",
    '" OR ""="',
    "1; SELECT pg_sleep(10)",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "{% debug %}",
    "${7*7}",
    '=HYPERLINK("http://evil.example","click")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "../../etc/passwd",
    "%00",
    "%s%s%s%n",
    "null",
    "None",
    "true",
    "NaN",
    "Infinity",
    "9999-12-31",
    "0001-01-01",
    "1990-01-01",
    "0000-00-00",
    "2024-02-30",
    "10000-01-01",
    "-0001-01-01",
    "99999999999999999999",
    "LS99 9ZZ",
    "ZZ9 9ZZ",
    "SW1A 1AA" * 3,
    "25:61",
    "monday" * 100,
    "open",
    "brokering",
    "hospital_discharge ",
]
# Lone surrogates and other oddities only a JSON escape can carry.
_ESCAPES = ['"\\ud800"', '"\\udfff"', '"a\\ud83d"', '"\\u0000"', '"\\u001f"']
_NUMBERS = [
    "0",
    "-1",
    "-2147483649",
    "2147483648",
    "9223372036854775808",
    "1" + "0" * 400,
    "-1" + "0" * 400,
    "1e308",
    "1e309",
    "-1e309",
    "1.5",
    "0.0000001",
    "123456789.123456789",
]
_SHAPES = [
    "null",
    "true",
    "false",
    "[]",
    "{}",
    "[null]",
    '{"$gt": ""}',
    '{"__proto__": {"admin": true}}',
    "[" * 10_000 + "]" * 10_000,  # nesting depth 10,000
    '{"a":' * 10_000 + "1" + "}" * 10_000,
    "[" + ",".join(["1"] * 10_000) + "]",  # 10,000-item array
    "[" + ",".join(['"dementia"'] * 10_000) + "]",
]

JSON: list[str] = [json.dumps(text) for text in _STRINGS] + _ESCAPES + _NUMBERS + _SHAPES


def as_text(fragment: str) -> str:
    """The value as a form field or query parameter carries it: a JSON string's text, else the JSON itself."""
    try:
        value = json.loads(fragment)
    except (ValueError, RecursionError):
        return fragment
    return value if isinstance(value, str) else fragment


def splice(payload: object, fragment: str) -> str:
    """``payload`` as JSON text with ``fragment`` in place of the placeholder ``HOSTILE``."""
    return json.dumps(payload).replace(json.dumps(HOSTILE), fragment)


HOSTILE = "\u2603HOSTILE\u2603"
