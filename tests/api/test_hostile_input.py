"""Hostile input at every door: intake (API and web form), accept and decline (API and portal) and every list
filter (API lists, officer and CCC pages). Whatever arrives, nothing answers 5xx; every API refusal is problem
details naming what it refuses; and nothing is saved when a request is refused."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from brokerage.models import CarePackage, Offer, PersonDetails, Visit
from homecare.audit.models import AuditEvent
from tests.api.conftest import Seeded
from tests.api.hostile import HOSTILE, JSON, as_text, splice
from tests.api.tokens import api_authorization
from tests.brokerage.test_api import payload
from tests.brokerage.test_pages import form_data
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# Where a hostile value goes in an ISA, by the field path a refusal must name.
INTAKE_FIELDS = [
    "external_reference",
    "lot_number",
    "requested_start_on",
    "urgency",
    "special_requirements",
    "required_skills",
    "visits",
    "person.postcode",
    "person.date_of_birth",
    "person.given_name",
    "visits.0.duration_minutes",
    "visits.0.window_start",
]
TEXTS = [
    text for text in map(as_text, JSON) if text.encode("utf-8", "surrogatepass") == text.encode("utf-8", "replace")
]


def _counts() -> tuple[int, ...]:
    return (
        CarePackage.objects.count(),
        PersonDetails.objects.count(),
        Visit.objects.count(),
        Offer.objects.exclude(status=Offer.Status.PENDING).count(),
        AuditEvent.objects.count(),
    )


def _place(body: dict[str, Any], path: str) -> dict[str, Any]:
    body = copy.deepcopy(body)
    node: Any = body
    *parents, last = path.split(".")
    for step in parents:
        node = node[int(step)] if step.isdigit() else node[step]
    node[int(last) if last.isdigit() else last] = HOSTILE
    return body


def _post_json(client: Client, url: str, text: str, headers: dict[str, str]) -> Any:
    return client.post(url, data=text, content_type="application/json", headers=headers)


def _assert_refusal_names(response: Any, path: str | None) -> None:
    """A 4xx is problem details; a field refusal names the field (or a part of it), a parse refusal says why."""
    assert response["Content-Type"] == "application/problem+json", response.content[:300]
    body = response.json()
    assert body["status"] == response.status_code and body["errors"]
    if response.status_code == 400 and path is not None and body["errors"][0]["attr"] is not None:
        named = {error["attr"] for error in body["errors"]}
        top = path.split(".")[0]
        assert any(attr == path or attr.startswith(top) for attr in named), (path, named)
    elif response.status_code == 400:
        assert body["detail"]


def test_intake_through_the_api_survives_every_hostile_value(seeded: Seeded):
    client, headers = Client(), api_authorization(seeded.officer)
    base = payload(seeded.market, external_reference="HOSTILE-BASE")
    refused = 0
    for index, fragment in enumerate(JSON):
        for path in INTAKE_FIELDS:
            body = _place({**base, "external_reference": f"HOSTILE-{index}-{path}"}, path)
            before = _counts()
            response = _post_json(client, "/api/packages/", splice(body, fragment), headers)
            assert response.status_code < 500, (path, fragment[:80], response.content[:300])
            if response.status_code >= 400:
                refused += 1
                _assert_refusal_names(response, path)
                assert _counts() == before, (path, fragment[:80])
    assert refused > len(JSON) * len(INTAKE_FIELDS) / 2


def test_whole_hostile_bodies_are_refused_with_problem_details(seeded: Seeded):
    client, headers = Client(), api_authorization(seeded.officer)
    before = _counts()
    extra = {**payload(seeded.market), "is_admin": True, "status": "awarded", "id": 1}
    missing = {key: value for key, value in payload(seeded.market).items() if key not in ("person", "visits")}
    for text in [*JSON, splice(missing, "1"), "{", "not json", "\x00", '{"a": 1} trailing']:
        response = _post_json(client, "/api/packages/", text, headers)
        assert 400 <= response.status_code < 500, (text[:80], response.content[:200])
        _assert_refusal_names(response, None)
    assert _counts() == before
    # Extra fields are ignored, never applied: the package is brokering, not awarded.
    response = _post_json(client, "/api/packages/", splice(extra, "1"), headers)
    assert response.status_code == 201 and response.json()["status"] == "brokering"
    big = _post_json(client, "/api/packages/", '"' + "a" * 5_000_000 + '"', headers)
    assert big.status_code == 413 and "2,621,440 bytes" in big.json()["detail"]


def test_intake_through_the_web_form_survives_every_hostile_value(seeded: Seeded):
    client = client_for(seeded.officer)
    fields = [
        "given_name",
        "postcode",
        "special_requirements",
        "requested_start_on_2",
        "lot_number",
        "visits-0-duration_minutes",
        "visits-0-window_start",
        "urgency",
        "external_reference",
    ]
    for text in TEXTS:
        for field in fields:
            before = _counts()
            response = client.post("/commissioning/packages/new/", form_data(seeded.market, **{field: text}))
            assert response.status_code < 500, (field, text[:80])
            if response.status_code != 302:
                assert _counts() == before, (field, text[:80])


def _offer(seeded: Seeded) -> Offer | None:
    return Offer.objects.filter(provider=seeded.market.providers[0], status=Offer.Status.PENDING).first()


def test_accept_and_decline_through_the_api_survive_every_hostile_value(seeded: Seeded):
    client, headers = Client(), api_authorization(seeded.provider_user)
    offer = _offer(seeded)
    assert offer is not None
    for fragment in JSON:
        for url, body, path in [
            (f"/api/offers/{offer.pk}/accept/", {"start_on": HOSTILE}, "start_on"),
            (f"/api/offers/{offer.pk}/decline/", {"reason": HOSTILE}, "reason"),
            (f"/api/offers/{offer.pk}/decline/", {"reason": "other", "note": HOSTILE}, "note"),
        ]:
            before = _counts()
            response = _post_json(client, url, splice(body, fragment), headers)
            assert response.status_code < 500, (path, fragment[:80])
            if response.status_code >= 400:
                _assert_refusal_names(response, path)
                assert _counts() == before
            else:  # a hostile note that is still text is accepted as text: the next offer is answered
                offer.refresh_from_db()
                assert offer.decline_note == as_text(fragment)
                next_offer = _offer(seeded)
                if next_offer is None:
                    return
                offer = next_offer


def test_a_start_outside_the_window_is_a_400_naming_start_on_never_a_409(seeded: Seeded):
    client, headers = Client(), api_authorization(seeded.provider_user)
    offer = _offer(seeded)
    assert offer is not None
    for start in (timezone.localdate() - timedelta(days=1), timezone.localdate() + timedelta(days=800)):
        response = client.post(
            f"/api/offers/{offer.pk}/accept/",
            {"start_on": start.isoformat()},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 400
        assert [error["attr"] for error in response.json()["errors"]] == ["start_on"]
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING


def test_accept_and_decline_on_the_portal_survive_every_hostile_value(seeded: Seeded):
    client = client_for(seeded.provider_user)
    offer = _offer(seeded)
    assert offer is not None
    for text in TEXTS:
        for url, data in [
            (
                f"/portal/offers/{offer.pk}/accept/",
                {"accept-start_on_0": text, "accept-start_on_1": "1", "accept-start_on_2": "9999"},
            ),
            (
                f"/portal/offers/{offer.pk}/accept/",
                {"accept-start_on_0": "1", "accept-start_on_1": "1", "accept-start_on_2": text},
            ),
            (f"/portal/offers/{offer.pk}/decline/", {"decline-reason": text}),
            (f"/portal/offers/{offer.pk}/decline/", {"decline-reason": "other", "decline-note": "\x00" + text}),
        ]:
            before = _counts()
            response = client.post(url, data)
            assert response.status_code < 500, (url, text[:80])
            assert response.status_code in (302, 400)
            if response.status_code == 400:
                assert _counts() == before


LISTS = {
    "officer": [
        "/api/packages/?status={v}",
        "/api/packages/?urgency={v}",
        "/api/providers/?q={v}",
        "/api/providers/?rating={v}",
        "/api/cqc-locations/?postcode={v}",
        "/api/memberships/?status={v}",
        "/api/dps-applications/?status={v}",
        "/api/packages/?page={v}",
        "/commissioning/packages/?status={v}",
        "/commissioning/packages/?q={v}",
        "/commissioning/packages/?area={v}",
        "/commissioning/packages/?urgency={v}&page={v}",
        "/commissioning/providers/?q={v}",
    ],
    "provider": ["/api/offers/?status={v}", "/api/offers/?page={v}", "/portal/offers/?status={v}"],
    "ccc": ["/ccc/packages/?figure={v}", "/ccc/?period={v}&area={v}", "/ccc/packages/?area={v}&urgency={v}"],
}


@pytest.mark.parametrize("role", sorted(LISTS))
def test_every_list_filter_survives_every_hostile_value(role: str, seeded: Seeded, ccc_user: Any):
    user = {"officer": seeded.officer, "provider": seeded.provider_user, "ccc": ccc_user}[role]
    client = client_for(user)
    for template in LISTS[role]:
        for text in TEXTS:
            if len(text) > 5_000:
                text = text[:5_000]  # a URL's practical limit; longer ones never reach the service
            response = client.get(
                template.split("?")[0], {pair.split("=")[0]: text for pair in template.split("?")[1].split("&")}
            )
            assert response.status_code < 500, (template, text[:80])
            if template.startswith("/api/") and response.status_code >= 400:
                _assert_refusal_names(response, template.split("?")[1].split("=")[0])
