"""DRF throttling on the API: per user and per anonymous IP, 429 with Retry-After, counts shared through Redis."""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta

import pytest
import redis
import time_machine
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework.test import APIClient

from homecare.accounts.audiences import Audience
from homecare.apitokens.services import api_token_create
from homecare.apitokens.throttling import WINDOW_SUFFIX
from tests.conftest import IN_CI
from tests.factories import UserFactory
from tests.foundation.redis_server import redis_server
from tests.foundation.test_settings import load_settings

pytestmark = pytest.mark.django_db

ENDPOINT = "/api/providers/"


@pytest.fixture
def rates(settings):
    def set_rates(*, user: str = "1000/minute", anon: str = "1000/minute") -> None:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": user, "anon": anon}}

    return set_rates


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='Test', created_by=user)[1]}")
    return client


def test_a_user_over_their_rate_gets_429_with_retry_after_and_others_do_not(rates, officer):
    rates(user="3/minute")
    colleague = UserFactory(audiences=[Audience.OFFICER])
    mine, theirs = token_client(officer), token_client(colleague)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert [mine.get(ENDPOINT).status_code for _ in range(3)] == [200, 200, 200]
        refused = mine.get(ENDPOINT)
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= 60
        assert theirs.get(ENDPOINT).status_code == 200  # counted per user, not per IP address
        traveller.shift(timedelta(seconds=61))
        assert mine.get(ENDPOINT).status_code == 200


def test_a_refused_request_is_not_counted_against_the_next_window(rates, officer):
    rates(user="2/minute")
    client = token_client(officer)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert [client.get(ENDPOINT).status_code for _ in range(3)] == [200, 200, 429]
        traveller.shift(timedelta(seconds=30))
        assert client.get(ENDPOINT).status_code == 429
        traveller.shift(timedelta(seconds=31))  # the two allowed have left the window; the refused never entered
        assert [client.get(ENDPOINT).status_code for _ in range(3)] == [200, 200, 429]


def test_a_signed_in_session_is_throttled_like_a_token(rates, officer_client):
    rates(user="2/minute")
    assert [officer_client.get(ENDPOINT).status_code for _ in range(3)] == [200, 200, 429]


def test_anonymous_callers_are_throttled_per_ip_address(rates):
    # Only endpoints open to anonymous callers reach the throttle (DRF checks permissions first):
    # the schema, which is costly to build.
    rates(anon="1/minute")
    here, elsewhere = APIClient(REMOTE_ADDR="192.0.2.1"), APIClient(REMOTE_ADDR="192.0.2.2")
    assert here.get("/api/schema/").status_code == 200
    assert here.get("/api/schema/").status_code == 429
    assert elsewhere.get("/api/schema/").status_code == 200


def test_an_unreachable_throttle_cache_lets_requests_through_at_once(rates, settings, officer, caplog):
    rates(user="1/minute")
    client = token_client(officer)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="homecare.apitokens.throttling"):
        statuses = [client.get(ENDPOINT).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert time.monotonic() - started < 3
    assert "throttle cache unreachable" in caplog.text


def test_with_redis_the_counts_live_in_redis_for_every_process(rates, settings, officer):
    if not os.environ.get("REDIS_URL"):
        if IN_CI:
            pytest.fail("CI must run the throttle-cache test on a real Redis")
        pytest.skip("needs REDIS_URL (a real Redis); CI sets it")
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    rates(user="2/minute")
    client = token_client(officer)
    assert [client.get(ENDPOINT).status_code for _ in range(2)] == [200, 200]
    # Another process has its own connection and no memory of ours: what it sees is what Redis holds (the
    # window of the user's requests, a sorted set of their times).
    other_process = RedisCache(settings.CACHES["default"]["LOCATION"], dict(settings.CACHES["default"]))
    window = other_process.make_and_validate_key(f"throttle_user_{officer.pk}{WINDOW_SUFFIX}")
    assert redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).zcard(window) == 2
    caches.close_all()
    assert client.get(ENDPOINT).status_code == 429


def test_a_count_left_by_drfs_own_throttle_does_not_stop_counting(rates, settings, officer, caplog, tmp_path):
    # During a deploy a process still running DRF's throttle writes its pickled list of times under the plain
    # key; the window lives under its own name, so the limit still holds and nothing is let through unthrottled.
    with redis_server(log_dir=tmp_path) as redis_cache:  # its own Redis, so the test runs without REDIS_URL too
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_cache.url}
        }
        rates(user="2/minute")
        caches["default"].set(f"throttle_user_{officer.pk}", [time.time()], 60)
        client = token_client(officer)
        with caplog.at_level(logging.WARNING, logger="homecare.apitokens.throttling"):
            assert [client.get(ENDPOINT).status_code for _ in range(3)] == [200, 200, 429]
        assert "unreachable" not in caplog.text
        caches.close_all()


def test_settings_use_redis_for_the_cache_when_it_is_configured(monkeypatch, tmp_path):
    with_redis = load_settings(monkeypatch, tmp_path, REDIS_URL="redis://cache.internal:6379/2")
    assert with_redis["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert with_redis["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/2"
    without = load_settings(monkeypatch, tmp_path)
    assert without["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_rates_and_token_lifetime_come_from_the_environment(monkeypatch, tmp_path):
    loaded = load_settings(
        monkeypatch,
        tmp_path,
        HOMECARE_API_THROTTLE_USER="120/Hour",
        HOMECARE_API_THROTTLE_ANON="5/second",
        HOMECARE_API_TOKEN_TTL_DAYS="30",
    )
    assert loaded["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"] == {"user": "120/hour", "anon": "5/second"}
    assert loaded["REST_KNOX"]["TOKEN_TTL"] == timedelta(days=30)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HOMECARE_API_THROTTLE_USER", "lots"),
        ("HOMECARE_API_THROTTLE_USER", "0/minute"),
        ("HOMECARE_API_THROTTLE_ANON", "10/fortnight"),
        ("HOMECARE_API_TOKEN_TTL_DAYS", "0"),
        ("HOMECARE_API_TRUSTED_PROXIES", "-1"),
    ],
)
def test_a_bad_rate_or_lifetime_fails_loudly_naming_the_variable(monkeypatch, tmp_path, variable, value):
    with pytest.raises(ImproperlyConfigured, match=variable):
        load_settings(monkeypatch, tmp_path, **{variable: value})
