"""Fixtures for the whole suite: named personas, and a guard that CI runs on the real services."""

from __future__ import annotations

import os
import socket
import uuid
from typing import Any
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import User
from django.test import Client

from homecare.accounts.audiences import Audience
from providers.models import Provider
from tests.factories import ProviderFactory, UserFactory, make_provider_user, sign_in_fully

# The browser-test fixtures (page, signed_in_page, browser), available to every test module.
pytest_plugins = ["tests.browser.harness"]

IN_CI = os.environ.get("CI", "").lower() == "true"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI the suite must run against real PostgreSQL and Redis, never quietly fall back to SQLite."""
    if not IN_CI:
        return
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    problems = []
    if not database_url.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point at PostgreSQL in CI")
    elif not _reachable(database_url, 5432):
        problems.append(f"PostgreSQL is unreachable at {database_url}")
    if not redis_url.startswith("redis://"):
        problems.append("REDIS_URL must point at Redis in CI")
    elif not _reachable(redis_url, 6379):
        problems.append(f"Redis is unreachable at {redis_url}")
    if problems:
        pytest.exit("CI needs the real services: " + "; ".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Production hashing is deliberately slow; tests sign in often, so they use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache(settings: Any) -> None:
    """A cache key prefix per test: API throttle counts never carry over (user ids repeat between tests).

    Clearing the cache instead would flush the Redis database the Celery broker shares.
    """
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for name, config in settings.CACHES.items()
    }


@pytest.fixture
def officer(db: None) -> User:
    return UserFactory(username="officer", audiences=[Audience.OFFICER], totp_device=True)


@pytest.fixture
def ccc_user(db: None) -> User:
    return UserFactory(username="ccc", audiences=[Audience.CCC], totp_device=True)


@pytest.fixture
def provider(db: None) -> Provider:
    return ProviderFactory(name="Acme Home Care Ltd")


@pytest.fixture
def provider_user(provider: Provider) -> User:
    return make_provider_user(provider, username="provider")


@pytest.fixture
def other_provider(db: None) -> Provider:
    return ProviderFactory(name="Other Home Care Ltd")


@pytest.fixture
def other_provider_user(other_provider: Provider) -> User:
    return make_provider_user(other_provider, username="otherprovider")


def client_for(user: User | None) -> Client:
    """A test client signed in as ``user`` (second factor given where owed), or anonymous for ``None``."""
    client = Client()
    if user is not None:
        sign_in_fully(client, user)
    return client


@pytest.fixture
def officer_client(officer: User) -> Client:
    return client_for(officer)


@pytest.fixture
def provider_client(provider_user: User) -> Client:
    return client_for(provider_user)


@pytest.fixture
def ccc_client(ccc_user: User) -> Client:
    return client_for(ccc_user)
