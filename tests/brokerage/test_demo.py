"""The brokerage demo step runs the real services over simulated referrals, and only once."""

from __future__ import annotations

import io

import pytest
from django.core.management.base import OutputWrapper

from brokerage import demo
from brokerage.models import AllocationRun, CarePackage, Offer
from tests.brokerage.factories import make_market
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_brokers_referrals_through_the_real_services_once(monkeypatch):
    market = make_market(providers=4)
    market.agreement.reference = "Contract ID 84738"
    market.agreement.save()
    for provider in market.providers:
        provider.is_demo = True
        provider.save()
    UserFactory(username="officer")
    monkeypatch.setattr(demo, "REFERRALS", 6)
    monkeypatch.setattr(demo, "RECENT_REFERRALS", 2)
    out = io.StringIO()
    demo.load_demo_brokerage(stdout=OutputWrapper(out))
    packages = CarePackage.objects.filter(source_system="demo")
    assert packages.count() == 8
    assert AllocationRun.objects.filter(package__in=packages).count() >= 8
    assert Offer.objects.filter(package__in=packages).exclude(status="pending").exists()
    assert packages.exclude(status__in=["draft", "brokering"]).exists()
    demo.load_demo_brokerage(stdout=OutputWrapper(out))
    assert CarePackage.objects.filter(source_system="demo").count() == 8
    assert "already loaded" in out.getvalue()
