"""The list pages' flat rows (homecare.api_rows) render the very JSON their ModelSerializers render from models."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from brokerage.api.serializers import OfferOutput, PackageOutput, offer_rows, package_rows
from brokerage.models import CarePackage, DeclineReason, Offer
from brokerage.services.responses import offer_accept, offer_decline
from homecare.api_rows import FlatOutput
from tests.api.conftest import Seeded
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


def _varied(seeded: Seeded) -> None:
    """Rows with every kind of value: answered offers, an award, no area, a weekly cost, a Welsh speaker."""
    first, second, third = seeded.packages
    offer_accept(
        offer_id=Offer.objects.get(package=first, provider=seeded.market.providers[0]).pk,
        provider_user=seeded.provider_user,
        start_on=timezone.localdate() + timedelta(days=5),
    )
    offer_decline(
        offer_id=Offer.objects.get(package=second, provider=seeded.market.providers[0]).pk,
        provider_user=seeded.provider_user,
        reason=DeclineReason.OTHER,
        note="No carers free on Sunday evenings",
    )
    CarePackage.objects.filter(pk=third.pk).update(
        locality_area=None,
        weekly_cost=Decimal("412.5"),
        language="Cymraeg \u2013 \u201cWelsh\u201d",
        required_skills=[],
        awarded_provider=seeded.market.providers[2],
        awarded_at=timezone.now(),
    )


def _json(data: Any) -> bytes:
    rendered: bytes = JSONRenderer().render(data)
    return rendered


def test_offer_rows_render_what_the_offer_serializer_renders(seeded: Seeded) -> None:
    _varied(seeded)
    for user in (seeded.provider_user, make_provider_user(seeded.market.providers[1])):
        offers = Offer.objects.filter(provider__staff__user=user).order_by("-sent_at", "-id")
        models = offers.select_related("package", "package__locality_area").prefetch_related("package__visits")
        expected = _json(OfferOutput(models, many=True).data)
        assert _json(offer_rows().page(offer_rows().values(offers))) == expected
        assert b'"visits":[{"day_of_week":"monday"' in expected  # the nested rows are compared too


def test_package_rows_render_what_the_package_serializer_renders(seeded: Seeded) -> None:
    _varied(seeded)
    packages = CarePackage.objects.order_by("-created_at", "-id")
    models = packages.select_related("locality_area", "agreement", "awarded_provider").prefetch_related("visits")
    expected = _json(PackageOutput(models, many=True).data)
    assert _json(package_rows().page(package_rows().values(packages))) == expected
    assert b'"locality_area":null' in expected and b'"weekly_cost":"412.50"' in expected
    assert b'"awarded_provider":"Provider C Care Ltd"' in expected


def test_a_field_that_is_not_a_column_must_be_given() -> None:
    with pytest.raises(ValueError, match="visits: give it in computed or nested"):
        FlatOutput(PackageOutput, computed={"reference": ("id", str)})


def test_rows_write_summer_time_with_its_offset_as_the_serializer_does(seeded: Seeded) -> None:
    """Winter times in London are UTC ("Z"); a summer time keeps its +01:00, as DRF writes it."""
    summer = timezone.now().replace(month=7, day=15, hour=9, minute=30, second=0, microsecond=123456)
    Offer.objects.filter(provider=seeded.market.providers[0]).update(respond_by=summer)
    offers = Offer.objects.filter(provider=seeded.market.providers[0]).order_by("id")
    models = offers.select_related("package", "package__locality_area").prefetch_related("package__visits")
    expected = _json(OfferOutput(models, many=True).data)
    assert _json(offer_rows().page(offer_rows().values(offers))) == expected
    assert b'"respond_by":"' + str(summer.year).encode() + b'-07-15T10:30:00.123456+01:00"' in expected


def test_the_accept_answer_is_what_the_offer_serializer_renders(client: Any, seeded: Seeded, headers: Any) -> None:
    offer = Offer.objects.get(package=seeded.packages[0], provider=seeded.market.providers[0])
    start_on = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(
        f"/api/v1/offers/{offer.pk}/accept/",
        {"start_on": start_on},
        content_type="application/json",
        headers=headers["provider"],
    )
    assert response.status_code == 200
    model = Offer.objects.select_related("package", "package__locality_area").prefetch_related("package__visits")
    assert response.content == _json(OfferOutput(model.get(pk=offer.pk)).data)
    assert response.json()["status"] == "accepted"
