"""Audit actions: one closed set in one grammar, used by every write, and the rename of older rows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from brokerage.models import CarePackage, Offer
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_cancel, package_end, package_enter
from brokerage.services.responses import (
    offer_accept,
    offer_decline,
    offer_record_care_started,
    package_hand_back,
    package_rebroker,
)
from brokerage.status_actions import offer_status_action, package_status_action
from contracts.models import AllocationPolicy
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from providers.models import Provider
from tests.brokerage.factories import make_isa, make_market
from tests.factories import make_provider_user

# <entity>.<what happened>: snake_case words, one dot.
GRAMMAR = re.compile(r"[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*")
# What happened is told by a past-tense verb or past participle: most end in -ed, these do not.
IRREGULAR_PARTICIPLES = {"sent", "set", "withdrawn", "reset"}


@pytest.mark.parametrize("action", list(AuditAction), ids=str)
def test_every_action_is_an_entity_and_what_happened_to_it(action):
    assert GRAMMAR.fullmatch(action.value), action.value
    _entity, happened = action.value.split(".")
    words = happened.split("_")
    assert any(word.endswith("ed") or word in IRREGULAR_PARTICIPLES for word in words), action.value
    assert action.name == action.value.replace(".", "_").upper()


def test_every_package_and_offer_status_has_its_own_action():
    package_actions = [package_status_action(status) for status in CarePackage.Status]
    offer_actions = [offer_status_action(status) for status in Offer.Status]
    assert len(set(package_actions)) == len(CarePackage.Status)
    assert len(set(offer_actions)) == len(Offer.Status)
    assert all(action.value.startswith("package.") for action in package_actions)
    assert all(action.value.startswith("offer.") for action in offer_actions)


@pytest.mark.django_db
def test_every_action_written_by_a_full_brokerage_flow_is_a_member(officer):
    """Submit, rank and offer; decline, accept, award; start care, hand back, escalate, re-broker; end; cancel."""
    market = make_market(policy=AllocationPolicy.SEQUENTIAL_CASCADE, providers=2, cascade_offer_timeout_hours=4)
    first, second = market.providers
    first_user, second_user = make_provider_user(first), make_provider_user(second)
    package = package_enter(isa=make_isa(market), entered_by=officer).package
    package_broker(package_id=package.pk)
    offer_decline(offer_id=_pending(package, first).pk, provider_user=first_user, reason="no_capacity")
    offer = offer_accept(
        offer_id=_pending(package, second).pk, provider_user=second_user, start_on=timezone.localdate()
    )
    offer_record_care_started(offer_id=offer.pk, provider_user=second_user, started_on=timezone.localdate())
    package_hand_back(
        offer_id=offer.pk,
        provider_user=second_user,
        effective_on=timezone.localdate() + timedelta(days=14),
        reason="staffing",
    )
    package_broker(package_id=package.pk)  # round 2: the first provider refused and the second handed back
    package.refresh_from_db()
    assert package.status == CarePackage.Status.UNPLACED
    package_rebroker(package_id=package.pk, requested_by=officer, reason="Search widened")

    ended = package_enter(isa=make_isa(market), entered_by=officer).package
    package_broker(package_id=ended.pk)
    placed = offer_accept(offer_id=_pending(ended, first).pk, provider_user=first_user, start_on=timezone.localdate())
    offer_record_care_started(offer_id=placed.pk, provider_user=first_user, started_on=timezone.localdate())
    package_end(package_id=ended.pk, ended_on=timezone.localdate(), ended_by=officer, reason="Moved away")

    cancelled = package_enter(isa=make_isa(market), entered_by=officer).package
    package_broker(package_id=cancelled.pk)
    package_cancel(package_id=cancelled.pk, cancelled_by=officer, reason="Person moved to a care home")

    written = set(AuditEvent.objects.values_list("action", flat=True))
    assert written <= set(AuditAction), written - set(AuditAction)
    assert {
        AuditAction.PACKAGE_ENTERED,
        AuditAction.PACKAGE_MOVED_TO_BROKERING,
        AuditAction.PACKAGE_RANKED,
        AuditAction.OFFER_SENT,
        AuditAction.OFFER_DECLINED,
        AuditAction.OFFER_ACCEPTED,
        AuditAction.PACKAGE_AWARDED,
        AuditAction.PACKAGE_CARE_STARTED,
        AuditAction.PACKAGE_HANDED_BACK,
        AuditAction.PACKAGE_ESCALATED,
        AuditAction.PACKAGE_ENDED,
        AuditAction.PACKAGE_CANCELLED,
        AuditAction.OFFER_WITHDRAWN,
    } <= written


def _pending(package: CarePackage, provider: Provider) -> Offer:
    return Offer.objects.get(package=package, provider=provider, status=Offer.Status.PENDING)


@pytest.mark.django_db(transaction=True)
def test_upgrading_renames_older_actions_into_the_grammar_and_downgrading_restores_them(officer):
    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0001_initial")])
    old_names = ["dps.round_open", "membership.suspend", "package.brokering", "offer.withdrawn"]
    target_type = ContentType.objects.get_for_model(officer)
    AuditEvent.objects.all().delete()  # only the rows written here (making the officer persona audits its group)
    for old in old_names:
        AuditEvent.objects.create(
            occurred_at=timezone.now(),
            actor_label="system",
            action=old,
            target_type=target_type,
            target_id=str(officer.pk),
            summary=old,
        )

    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0002_actions_in_one_grammar")])
    renamed = dict(AuditEvent.objects.values_list("summary", "action"))
    assert renamed == {
        "dps.round_open": AuditAction.DPS_ROUND_OPENED,
        "membership.suspend": AuditAction.MEMBERSHIP_SUSPENDED,
        "package.brokering": AuditAction.PACKAGE_MOVED_TO_BROKERING,
        "offer.withdrawn": AuditAction.OFFER_WITHDRAWN,
    }

    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0001_initial")])
    assert dict(AuditEvent.objects.values_list("summary", "action")) == {old: old for old in old_names}
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
