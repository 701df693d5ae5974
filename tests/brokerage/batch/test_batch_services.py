"""Batch allocation through the services: propose over the unplaced backlog, approve lines into offers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from brokerage.models import BatchLine, BatchProposal, CarePackage, Offer
from brokerage.services.batch import BatchRefused, batch_lines_approve, batch_propose_request, batch_propose_run
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_enter
from brokerage.services.responses import offer_accept
from homecare.audit.models import AuditEvent
from tests.brokerage.factories import make_isa, make_market
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


def unplaced(market, officer, count):
    """Packages whose ranked round passed with no response: escalated to the CCC."""
    packages = []
    for _ in range(count):
        package = package_enter(isa=make_isa(market), entered_by=officer).package
        package_broker(package_id=package.pk)
        packages.append(package)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        for package in packages:
            package_broker(package_id=package.pk)
    for package in packages:
        package.refresh_from_db()
        assert package.status == CarePackage.Status.UNPLACED
    return packages


def test_a_proposal_places_the_backlog_and_approval_offers_first_refusal_then_awards_once(officer):
    market = make_market(providers=3)
    packages = unplaced(market, officer, 2)
    proposal = batch_propose_request(requested_by=officer, fairness_weight=10)
    assert batch_propose_run(proposal_id=proposal.pk) == BatchProposal.Status.READY
    assert batch_propose_run(proposal_id=proposal.pk) == "not queued"  # a second delivery does nothing
    proposal.refresh_from_db()
    assert proposal.totals["placed"] == 2 and proposal.totals["gini_after"] >= 0
    lines = list(proposal.lines.order_by("pk"))
    assert {line.package_id for line in lines} == {p.pk for p in packages}
    assert all(line.provider_id in {p.pk for p in market.providers} and line.explanation for line in lines)

    counts = batch_lines_approve(proposal_id=proposal.pk, line_ids=[lines[0].pk], approved_by=officer)
    assert counts["offered"] == 1
    package = CarePackage.objects.get(pk=lines[0].package_id)
    assert package.status == CarePackage.Status.BROKERING and package.round_number == 2
    offers = list(package.offers.filter(round_number=2))
    assert [o.provider_id for o in offers] == [lines[0].provider_id]  # first refusal: that provider alone
    assert package.allocation_runs.get(round_number=2).first_refusal_provider_id == lines[0].provider_id
    offer_accept(
        offer_id=offers[0].pk,
        provider_user=make_provider_user(offers[0].provider),
        start_on=timezone.localdate() + timedelta(days=3),
    )
    package.refresh_from_db()
    assert package.status == CarePackage.Status.AWARDED and package.awarded_provider_id == lines[0].provider_id
    assert Offer.objects.filter(package=package, status=Offer.Status.AWARDED).count() == 1

    # Approving the rest approves only the one still awaiting; approving again changes nothing.
    assert batch_lines_approve(proposal_id=proposal.pk, line_ids=None, approved_by=officer)["offered"] == 1
    assert sum(batch_lines_approve(proposal_id=proposal.pk, line_ids=None, approved_by=officer).values()) == 0
    assert AuditEvent.objects.filter(action="batch_line.approved").count() == 2


def test_a_line_whose_package_moved_on_is_marked_stale(officer):
    market = make_market(providers=2)
    (package,) = unplaced(market, officer, 1)
    proposal = batch_propose_request(requested_by=officer, fairness_weight=0)
    batch_propose_run(proposal_id=proposal.pk)
    from brokerage.services.responses import package_rebroker

    package_rebroker(package_id=package.pk, requested_by=officer, reason="widened the search")
    counts = batch_lines_approve(proposal_id=proposal.pk, line_ids=None, approved_by=officer)
    assert counts["stale"] == 1
    assert BatchLine.objects.get(proposal=proposal).decision == BatchLine.Decision.STALE


def test_a_fairness_weight_out_of_range_is_refused(officer):
    with pytest.raises(BatchRefused):
        batch_propose_request(requested_by=officer, fairness_weight=-1)
