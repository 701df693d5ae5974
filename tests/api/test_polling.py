"""A polling client, reading packages by ``updated_since`` then ``cursor`` while changes keep being committed by
another thread, sees each version of each row at most once and the newest version of every row it should.

PostgreSQL only: the writer's transactions must really run beside the client's reads, in their own connection.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from brokerage.models import CarePackage
from brokerage.services.packages import package_enter
from homecare.queue import enqueue_suspended
from tests.api.conftest import Seeded
from tests.api.tokens import api_authorization
from tests.brokerage.factories import make_isa
from tests.conftest import IN_CI

pytestmark = pytest.mark.postgres

ROUNDS = 40
SETTLE_SECONDS = 0.5


@pytest.fixture
def on_postgres(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run the polling test on PostgreSQL")
        pytest.skip("Needs DATABASE_URL (PostgreSQL): the writer runs in its own connection beside the reads")


def _write(seeded: Seeded, writes: dict[int, int], done: threading.Event, failures: list[BaseException]) -> None:
    """Each round, in one transaction, change two packages; every fifth round, also enter a new one."""
    try:
        with enqueue_suspended():
            for number in range(ROUNDS):
                with transaction.atomic():
                    ids = list(CarePackage.objects.order_by("pk").values_list("pk", flat=True))
                    for pk in (ids[number % len(ids)], ids[(number * 7 + 3) % len(ids)]):
                        package = CarePackage.objects.select_for_update().get(pk=pk)
                        package.special_requirements = f"round {number}"
                        package.save(update_fields=["special_requirements"])
                        writes[pk] = writes.get(pk, 0) + 1
                if number % 5 == 0:  # its own (durable) transaction, as every entry is
                    isa = make_isa(seeded.market, external_reference=f"POLL-{number}")
                    created = package_enter(isa=isa, entered_by=seeded.officer).package
                    writes[created.pk] = writes.get(created.pk, 0) + 1
    except BaseException as failure:  # reported by the test, not lost in the thread
        failures.append(failure)
    finally:
        connections.close_all()
        done.set()


def _moment(text: str) -> datetime:
    moment = parse_datetime(text)
    assert moment is not None
    return moment


def test_a_polling_client_sees_every_change_once_while_changes_keep_happening(
    on_postgres: None, seeded: Seeded, settings: Any
) -> None:
    settings.HOMECARE_API_POLL_SETTLE_SECONDS = SETTLE_SECONDS
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=api_authorization(seeded.officer)["Authorization"])
    since = timezone.now()
    writes: dict[int, int] = {}
    done, failures = threading.Event(), list[BaseException]()
    writer = threading.Thread(target=_write, args=(seeded, writes, done, failures))
    writer.start()

    seen: list[tuple[int, datetime]] = []
    cursor: str | None = None
    finished_at: datetime | None = None
    deadline = timezone.now().timestamp() + 120
    while True:
        params: dict[str, str] = {"cursor": cursor} if cursor else {"updated_since": since.isoformat()}
        body = client.get("/api/v1/packages/", {**params, "page_size": "3"}).json()
        seen += [(row["id"], _moment(row["updated_at"])) for row in body["results"]]
        cursor = body["cursor"] or cursor
        if done.is_set() and finished_at is None:
            finished_at = timezone.now()
        # Finished: the writer is done, its last rows have settled, and a page came back empty.
        settled = finished_at is not None and (timezone.now() - finished_at).total_seconds() > SETTLE_SECONDS
        if settled and not body["results"]:
            break
        assert timezone.now().timestamp() < deadline, "the client never caught up"
    writer.join()
    assert not failures, failures

    assert len(seen) == len(set(seen)), "a version of a row was listed twice"
    newest = dict(CarePackage.objects.filter(updated_at__gte=since).values_list("pk", "updated_at"))
    assert set(newest) == set(writes)
    assert all((pk, at) in seen for pk, at in newest.items()), "the newest version of a row was missed"
    versions: dict[int, int] = {}
    for pk, _at in seen:
        versions[pk] = versions.get(pk, 0) + 1
    assert all(versions[pk] <= writes[pk] for pk in versions)
    assert sum(writes.values()) > len(newest)  # rows really changed more than once while being read
