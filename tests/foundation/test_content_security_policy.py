"""Every page of every audience is sent with the Content-Security-Policy, and loads nothing from another host.

The pages are found by walking the URLconf, so a new page is covered without touching this test; a new
URL parameter fails the test until ``_World.kwargs`` can fill it in.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlparse

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from health_check.checks import Database

from brokerage.alerts.models import Alert
from brokerage.models import BatchProposal, Offer, PackageChange, SimulationRun
from brokerage.services.import_jobs import package_import_queue
from contracts.models import AgreementExtension
from dps.models import ApplicationStatus, ProviderApplication
from homecare.apitokens.services import api_token_create
from homecare.health import Broker, HealthView, Worker
from homecare.queue import enqueue_suspended
from homecare.webhooks.kinds import EventKind
from homecare.webhooks.models import WebhookDelivery
from homecare.webhooks.outbox import event_record
from homecare.webhooks.services import webhook_subscriber_create
from tests.brokerage.dashboard.factories import make_world
from tests.commissioning.world import commissioning_values
from tests.conftest import client_for
from tests.contracts.factories import LotFactory, MembershipFactory
from tests.dps.factories import make_open_round
from tests.factories import UserFactory, make_provider_user
from tests.providers.factories import CqcLocationFactory, WardFactory
from visits.models import PayDispute, PayLine, PayRun, VisitImportJob
from visits.selectors import pay_run_inputs

pytestmark = pytest.mark.django_db

REQUIRED_DIRECTIVES = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
# Downloads (CSV, XLSX, plain-text letters) and the OpenAPI schema are files, not pages.
DOWNLOAD = re.compile(r"(\.csv|\.xlsx|\.txt|file_format|^api/schema/)")
# Who each URL area is for; the sign-in and health pages are for anyone.
AUDIENCE_BY_AREA = {
    "commissioning": "officer",
    "portal": "provider",
    "ccc": "ccc",
    "api": "officer",
    "api/offers": "provider",  # the offers API is the provider systems'
}


SUBRESOURCE_LINKS = {"stylesheet", "icon", "preload", "preconnect", "modulepreload"}


def policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@dataclass
class Page:
    """What a page asks the browser to load, and its inline scripts and styles."""

    nonces: list[str | None] = field(default_factory=list)  # one per inline script or <style>
    style_attributes: int = 0
    subresources: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes:
            self.page.style_attributes += 1
        if tag == "script" and attributes.get("src"):
            self.page.subresources.append(attributes["src"] or "")
        elif (tag == "script" and attributes.get("type") != "application/json") or tag == "style":
            self.page.nonces.append(attributes.get("nonce"))
        elif tag in {"img", "source", "iframe"} and attributes.get("src"):
            self.page.subresources.append(attributes["src"] or "")
        elif tag == "link" and attributes.get("rel") in SUBRESOURCE_LINKS:
            self.page.subresources.append(attributes.get("href") or "")


def parse_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    return parser.page


def _routes(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """(route, view name) for every named URL outside the admin, which has its own walk below."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/"):
                continue
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _routes(pattern.url_patterns, route, inner)
        elif pattern.name:
            yield route, ":".join(filter(None, [namespace, pattern.name]))


def _payments(agreement: Any, provider: Any, package: Any, provider_user: User) -> dict[str, int]:
    """An approved pay run of the provider's, with one line under an open dispute (the visits pages)."""
    run = PayRun.objects.create(
        agreement=agreement,
        provider=provider,
        period_start=datetime.date(2026, 3, 2),
        period_end=datetime.date(2026, 3, 29),
        status=PayRun.Status.APPROVED,
        pay_basis="actual_capped",
        inputs=pay_run_inputs(
            agreement=agreement, provider=provider, start=datetime.date(2026, 3, 2), end=datetime.date(2026, 3, 29)
        ),
        computed_at=timezone.now(),
    )
    line = PayLine.objects.create(pay_run=run, package=package, day=datetime.date(2026, 3, 3), kind="visit")
    dispute = PayDispute.objects.create(
        line=line, reason="Visited", amount_claimed=0, raised_by=provider_user, raised_at=timezone.now()
    )
    # A large ECM file being imported: its page polls for progress (htmx).
    job = VisitImportJob.objects.create(
        provider=provider, uploaded_by=provider_user, uploaded_at=timezone.now(), file_name="v.csv", rows_total=1
    )
    return {"pay_run_id": run.pk, "line_id": line.pk, "dispute_id": dispute.pk, "visit_job_id": job.pk}


class _World:
    """One of everything a page can be about, visible to the persona that page is for."""

    def __init__(self, officer: User, ccc_user: User) -> None:
        world = make_world(now=timezone.now())
        self.provider = make_provider_user(world.a, username="alpha")
        self.sysadmin = UserFactory(username="sysadmin", is_staff=True, is_superuser=True)
        self.clients = {
            "officer": client_for(officer),
            "ccc": client_for(ccc_user),
            "provider": client_for(self.provider),
            "admin": client_for(self.sysadmin),
            "anyone": Client(),
        }
        package = world.packages["P5"]  # still brokering: offers out, A's pending
        dps_round = make_open_round(world.agreement)
        application = ProviderApplication.objects.create(
            dps_round=dps_round,
            provider=world.a,
            created_by=self.provider,
            submitted_by=self.provider,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        location = CqcLocationFactory(provider=world.a)
        alert = Alert.objects.create(
            kind=Alert.Kind.DEADLINE_BREACH,
            dedupe_key="csp-test",
            package=package,
            summary="Late",
            raised_at=timezone.now(),
        )
        subscriber = webhook_subscriber_create(
            name="Mosaic", url="https://mosaic.example.gov.uk/hooks", event_kinds=[], created_by=officer
        ).subscriber
        with enqueue_suspended(), transaction.atomic():
            event_record(kind=EventKind.PACKAGE_AWARDED, ordering_key=f"package:{package.pk}", payload={})
        delivery = WebhookDelivery.objects.get(subscriber=subscriber)
        self.values: dict[str, Any] = {
            "provider_id": world.a.pk,
            "ward_id": WardFactory(area=world.north).pk,
            "agreement_id": world.agreement.pk,
            "extension_id": AgreementExtension.objects.create(
                agreement=world.agreement, sequence=1, length_months=12
            ).pk,
            "lot_id": LotFactory(agreement=world.agreement).pk,
            "membership_id": MembershipFactory(agreement=world.agreement, provider=world.a).pk,
            "round_id": dps_round.pk,
            "application_id": application.pk,
            "package_id": package.pk,
            "offer_id": Offer.objects.get(package=package, provider=world.a).pk,
            "alert_id": alert.pk,
            # A provider's request for a change: its portal page and the officer's decision page.
            "change_id": PackageChange.objects.create(
                package=package,
                kind=PackageChange.Kind.REQUEST,
                status=PackageChange.Status.REQUESTED,
                provider=world.a,
                round_number=package.round_number,
                effective_from=timezone.localdate(),
                note="Needs more time",
                created_at=timezone.now(),
            ).pk,
            "subscriber_id": subscriber.pk,
            "delivery_id": delivery.pk,
            "location_id": location.location_id,
            # The password-reset link as the email gives it (the page then moves the token into the session).
            "uidb64": urlsafe_base64_encode(force_bytes(self.provider.pk)),
            "token": default_token_generator.make_token(self.provider),
            "token_id": api_token_create(user=self.provider, name="Rostering system", created_by=self.provider)[0].pk,
            # A running import: its page polls for progress (htmx).
            "job_id": package_import_queue(text="external_reference\n", file_name="p.csv", uploaded_by=officer).pk,
            **commissioning_values(officer, world.agreement, world.a, world.north),
            # A batch proposal still solving and a finished simulation (their pages poll or chart).
            "proposal_id": BatchProposal.objects.create(requested_at=timezone.now()).pk,
            "simulation_id": SimulationRun.objects.create(
                name="CSP", requested_at=timezone.now(), scenario={}, status="done", report={"by_urgency": []}
            ).pk,
            **_payments(world.agreement, world.a, package, self.provider),
        }
        self.pks = {
            "api/providers/": world.a.pk,
            "api/agreements/": world.agreement.pk,
            "api/dps-applications/": application.pk,
            "api/tenders/": self.values["tender_id"],
            "api/timetables/": self.values["timetable_id"],
        }

    def kwargs(self, route: str) -> dict[str, Any]:
        route = unversioned(route)
        names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
        kwargs = {}
        for name in (a or b for a, b in names):
            if name == "pk":
                kwargs[name] = next(pk for prefix, pk in self.pks.items() if route.startswith(prefix))
            else:
                assert name in self.values, f"{route}: add a value for <{name}> to this test's world"
                kwargs[name] = self.values[name]
        return kwargs


def unversioned(route: str) -> str:
    """The API's routes are the same under /api/v1/ and their /api/ alias."""
    return "api/" + route.removeprefix("api/v1/") if route.startswith("api/v1/") else route


def _pages(world: _World) -> Iterator[tuple[str, str]]:
    """(persona, path) for every GET page in the URLconf and every admin page of every registered model."""
    for route, view_name in _routes(get_resolver().url_patterns):
        if DOWNLOAD.search(route):
            continue
        plain = unversioned(route)
        area = "api/offers" if plain.startswith("api/offers/") else plain.split("/", 1)[0]
        yield AUDIENCE_BY_AREA.get(area, "anyone"), reverse(view_name, kwargs=world.kwargs(route))
    yield "admin", reverse("admin:index")
    request = RequestFactory().get("/admin/")
    request.user = world.sysadmin
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield "admin", reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        if model_admin.has_add_permission(request):
            yield "admin", reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            yield "admin", reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])


@pytest.fixture
def world(officer: User, ccc_user: User, monkeypatch: pytest.MonkeyPatch) -> _World:
    # No worker runs here, so /health/ answers 503; wait one second for the worker, not four.
    monkeypatch.setattr(HealthView, "checks", (Database, Broker, (Worker, {"timeout": datetime.timedelta(seconds=1)})))
    return _World(officer, ccc_user)


def test_every_page_of_every_audience_has_the_content_security_policy(world: _World) -> None:
    rendered: dict[str, list[str]] = {persona: [] for persona in world.clients}
    for persona, path in _pages(world):
        response = world.clients[persona].get(path, HTTP_ACCEPT="text/html")
        assert response.status_code < 500 or path == "/health/", f"{path} as {persona}: {response.status_code}"
        assert "Content-Security-Policy" in response, f"{path} as {persona} has no Content-Security-Policy"
        directives = policy(response["Content-Security-Policy"])
        for name, values in REQUIRED_DIRECTIVES.items():
            assert directives.get(name) == values, f"{path}: {name} is {directives.get(name)}"
        for name in ("script-src", "style-src"):
            assert not {"'unsafe-inline'", "'unsafe-eval'"} & set(directives[name]), f"{path}: {name} is unsafe"
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            rendered[persona].append(path)

    # Not a vacuous walk: each audience's own pages really rendered (a 403 or 404 would not count).
    assert {"/commissioning/", "/commissioning/packages/", "/commissioning/dps/"} <= set(rendered["officer"])
    assert {"/portal/", "/portal/offers/", f"/portal/offers/{world.values['offer_id']}/"} <= set(rendered["provider"])
    assert {"/ccc/", "/ccc/live/", "/ccc/figures/"} <= set(rendered["ccc"])
    assert {"/api/docs/", "/api/redoc/", "/api/packages/"} <= set(rendered["officer"])
    assert "/api/offers/" in rendered["provider"]
    assert {"/accounts/sign-in/"} <= set(rendered["anyone"])
    assert "/admin/" in rendered["admin"] and len(rendered["admin"]) > 10


def test_no_page_loads_a_script_style_image_or_font_from_another_host_and_inline_code_carries_the_nonce(
    world: _World,
) -> None:
    checked = 0
    for persona, path in _pages(world):
        response = world.clients[persona].get(path, HTTP_ACCEPT="text/html")
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        page = parse_page(html)
        foreign = [url for url in page.subresources if urlparse(url).netloc not in {"", "testserver"}]
        assert not foreign, f"{path} loads from another host: {foreign}"
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", html), f"{path} has a style loading from another host"
        nonce = policy(response["Content-Security-Policy"]).get("script-src", [])
        assert all(n is not None and f"'nonce-{n}'" in nonce for n in page.nonces), f"{path}: inline code without nonce"
        if not path.startswith("/api/"):  # DRF's browsable API has two style attributes of its own (README)
            assert page.style_attributes == 0, f"{path} has style attributes, which the CSP blocks"
        checked += 1
    assert checked > 60
