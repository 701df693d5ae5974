"""Read settings from the environment and fail loudly on a bad value.

Every helper raises ``ImproperlyConfigured`` naming the variable, so a council's deployment
never starts half-configured with a silently ignored typo.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_optional(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum:g}, not {value:g}.")
    return value


def env_pairs(name: str) -> dict[str, str]:
    """``key=value`` pairs separated by commas (e.g. template ids by message kind); empty when unset."""
    pairs: dict[str, str] = {}
    for item in env_list(name, []):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{name} must be comma-separated key=value pairs, not {item!r}.")
        pairs[key.strip()] = value.strip()
    return pairs


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str], *, upper: bool = False) -> str:
    raw = os.environ.get(name, default).strip()
    value = raw.upper() if upper else raw.lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {sorted(choices)}, not {value!r}.")
    return value


def env_path(name: str, default: Path) -> Path:
    raw = env_optional(name)
    return Path(raw).expanduser().resolve() if raw else default


def env_url(name: str, *, schemes: set[str]) -> str | None:
    """An optional URL whose scheme must be one we know how to use."""
    value = env_optional(name)
    if value is None:
        return None
    scheme = urlsplit(value).scheme
    if scheme not in schemes:
        raise ImproperlyConfigured(f"{name} must be a URL starting with one of {sorted(schemes)}, not {scheme!r}.")
    return value


DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}


def database_from_env(name: str, *, default_sqlite: Path) -> dict[str, Any]:
    """PostgreSQL from ``name`` when set, else SQLite at ``default_sqlite`` (tuned for web + worker + beat)."""
    url = env_url(name, schemes=DATABASE_SCHEMES)
    conn_max_age = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    if url is not None:
        try:
            config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from exc
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name} must name a database (…/<database name>).")
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": default_sqlite,
        # Web, worker and beat share one SQLite file in the demo: wait for locks instead of failing,
        # and take the write lock up front so two writers never deadlock. With WAL, synchronous=NORMAL still
        # cannot corrupt the file; a power cut may lose the last commits, which a demo can afford, and commits
        # stop waiting on fsync (the demo's history makes thousands of them).
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


_RATE_PERIODS = {"second", "minute", "hour", "day"}


def env_rate(name: str, default: str) -> str:
    """A request rate for DRF's throttles: ``<number>/<second|minute|hour|day>``, e.g. ``1000/minute``."""
    raw = env_str(name, default).strip().lower()
    number, _, period = raw.partition("/")
    if not (number.isdigit() and int(number) > 0 and period in _RATE_PERIODS):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 1000/minute (a number, then /second, /minute, /hour or /day), not {raw!r}."
        )
    return raw
