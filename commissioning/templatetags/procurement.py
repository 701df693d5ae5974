"""Small template helpers for the procurement pages."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[Any, Any], key: Any) -> Any:
    """``mapping[key]`` or None: the score sheet looks cells up by their field name."""
    return mapping.get(key)


@register.filter
def sub(value: Decimal, other: Decimal) -> Decimal:
    return value - other


@register.filter
def percent(share: Decimal) -> str:
    """A 0..1 share as a percentage to two places."""
    return f"{share * 100:.2f}%"
