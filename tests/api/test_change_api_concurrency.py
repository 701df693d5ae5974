"""The same Idempotency-Key sent twice at the same moment runs the action once (real PostgreSQL)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest
from django.test import Client

from brokerage.models import PackageChange
from brokerage.services.changes import variation_withdraw
from homecare.queue import enqueue_suspended
from tests.api.test_change_api import LONGER
from tests.api.tokens import api_authorization
from tests.brokerage.changes_helpers import awarded_package, day
from tests.brokerage.factories import make_market
from tests.brokerage.test_concurrency import _race, _require_postgres

TRIALS = 30

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _post(path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
    with enqueue_suspended():
        response = Client().post(path, body, content_type="application/json", headers=headers)
    return response.status_code, json.loads(response.content)


def test_two_requests_with_one_key_at_once_make_one_variation_and_get_the_same_answer(officer):
    _require_postgres()
    market = make_market(providers=2)
    with enqueue_suspended():
        package, _offer, _user = awarded_package(market, officer)
    auth = api_authorization(officer)
    body = {"effective_from": day(2).isoformat(), "visits": LONGER}
    for trial in range(TRIALS):
        headers = {**auth, "Idempotency-Key": f"race-{trial}"}
        call = partial(_post, f"/api/packages/{package.pk}/vary/", body, headers)
        first, second = _race([call, call])
        assert first == second, (trial, first, second)
        assert first[0] == 201, (trial, first)
        assert PackageChange.objects.filter(package=package, kind="variation").count() == trial + 1, trial
        with enqueue_suspended():
            variation_withdraw(change_id=first[1]["id"], withdrawn_by=officer, reason="next trial")
