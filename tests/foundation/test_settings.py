"""Settings come from the environment and refuse bad values, naming the variable at fault."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

GOOD_SECRET = "s" * 60
GOOD_KEYS = "bmV3LWtleS1uZXctbmV3LWtleS1uZXctbmV3LWtleS0=,b2xkLWtleS1vbGQtb2xkLWtleS1vbGQtb2xkLWtleS0="
SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Any, **env: str) -> dict[str, Any]:
    """Run config/settings.py afresh with the given environment (the live settings are untouched)."""
    for name in (
        "DJANGO_ENV",
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "HOMECARE_FIELD_ENCRYPTION_KEYS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOMECARE_VAR_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DJANGO_ENV", "staging"),
        ("EMAIL_PORT", "twenty-five"),
        ("DATABASE_CONN_MAX_AGE", "-1"),
        ("DJANGO_SESSION_COOKIE_AGE", "10"),
        ("CELERY_TASK_TIME_LIMIT", "soon"),
        ("DATABASE_URL", "mysql://db/homecare"),
        ("DATABASE_URL", "postgres://db:5432/"),
        ("REDIS_URL", "localhost:6379"),
        ("CELERY_BROKER_URL", "carrier-pigeon://loft"),
        ("CELERY_RESULT_BACKEND", "memcached://cache"),
        ("DJANGO_LOG_LEVEL", "LOUD"),
    ],
)
def test_a_bad_value_fails_loudly_naming_the_variable(monkeypatch, tmp_path, variable, value):
    with pytest.raises(ImproperlyConfigured, match=variable):
        load_settings(monkeypatch, tmp_path, **{variable: value})


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        load_settings(monkeypatch, tmp_path, DJANGO_ENV="production")


def test_production_refuses_a_short_secret_key(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY must be at least 50"):
        load_settings(monkeypatch, tmp_path, DJANGO_ENV="production", DJANGO_SECRET_KEY="short")


def test_production_refuses_to_start_without_field_encryption_keys(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="HOMECARE_FIELD_ENCRYPTION_KEYS"):
        load_settings(monkeypatch, tmp_path, DJANGO_ENV="production", DJANGO_SECRET_KEY=GOOD_SECRET)


def test_production_turns_on_the_secure_defaults(monkeypatch, tmp_path):
    settings = load_settings(
        monkeypatch,
        tmp_path,
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=GOOD_SECRET,
        HOMECARE_FIELD_ENCRYPTION_KEYS=GOOD_KEYS,
    )
    assert settings["FIELD_ENCRYPTION_KEY"] == GOOD_KEYS.split(",")  # the first encrypts, all decrypt
    assert settings["DEBUG"] is False
    assert settings["SECRET_KEY"] == GOOD_SECRET
    assert settings["ALLOWED_HOSTS"] == []
    assert settings["SESSION_COOKIE_SECURE"] and settings["CSRF_COOKIE_SECURE"] and settings["SECURE_SSL_REDIRECT"]
    assert settings["WHITENOISE_USE_FINDERS"] is False


def test_without_services_it_uses_sqlite_and_the_embedded_broker(monkeypatch, tmp_path):
    settings = load_settings(monkeypatch, tmp_path)
    assert settings["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["DATABASES"]["default"]["NAME"] == tmp_path / "homecare.sqlite3"
    assert settings["CELERY_BROKER_URL"] == f"sqla+sqlite:///{tmp_path / 'celery-broker.sqlite3'}"
    assert settings["CELERY_RESULT_BACKEND"].startswith("db+sqlite:///")


def test_with_service_urls_it_uses_postgresql_and_redis(monkeypatch, tmp_path):
    settings = load_settings(
        monkeypatch,
        tmp_path,
        DATABASE_URL="postgres://homecare:pw@db:5432/homecare",
        REDIS_URL="redis://redis:6379/0",
    )
    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db", "homecare")
    assert settings["CELERY_BROKER_URL"] == settings["CELERY_RESULT_BACKEND"] == "redis://redis:6379/0"
