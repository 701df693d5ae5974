"""The demo prints a working API token for the officer; each run mints a new one and revokes the last."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from homecare.apitokens.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _accounts_step_only(monkeypatch):
    monkeypatch.setattr("demo.management.commands.load_demo.DEMO_STEPS", ["demo.accounts.load_demo_accounts"])


def printed_token(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    match = re.search(r"Authorization: Token ([0-9a-f]{64})", out.getvalue())
    assert match, out.getvalue()
    return match.group(1)


def status_with(secret: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.get("/api/packages/").status_code


def test_the_printed_demo_token_works_and_the_next_run_replaces_it():
    first = printed_token()
    assert status_with(first) == 200
    second = printed_token("--accounts")  # what scripts/demo.sh prints in its banner
    assert second != first
    assert status_with(second) == 200
    assert status_with(first) == 401
    assert ApiToken.objects.filter(user__username="officer").count() == 1
