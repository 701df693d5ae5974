"""The API keeps its published contract: Schemathesis generates requests from ``/api/schema/`` for every
operation, as the council's officer and as a provider, and fails on any 5xx, any status code the schema does
not document, any body that does not match the documented schema and any undocumented content type.

It drives the Django app in-process through its WSGI handler (the same middleware and views as gunicorn),
inside the test's database transaction, so the seeded packages and offers are there to accept and decline.
(Schemathesis' own pytest plugin does not run under pytest 9, so each operation's strategy is run here with
Hypothesis directly.) Bounded to run in well under three minutes on two cores: ``EXAMPLES`` per operation and
role, derandomised so a failure repeats.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Seeded

EXAMPLES = 100
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)


@pytest.fixture
def _connections_kept_open() -> Any:
    """As Django's test client does: a request's end must not close the test's database connection (inside its
    transaction on PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _failures(headers: dict[str, str]) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema raises here, failing the test
        operations += 1

        @BOUNDED
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as failure:
            failures.append(f"{operation.label}: {failure}")
    return operations, failures


@pytest.mark.parametrize("role", ["officer", "provider"])
@pytest.mark.usefixtures("_connections_kept_open")
def test_every_operation_keeps_to_the_published_schema(role: str, seeded: Seeded, headers: dict[str, Any]):
    operations, failures = _failures(headers[role])
    assert operations >= 19
    assert not failures, "\n\n".join(failures)
