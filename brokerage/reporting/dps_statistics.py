"""DPS membership statistics for an agreement: applications by round and outcome, rejection reasons, members.

A rejection's reasons are the published criteria the application failed (from the automatic evaluation);
a rejection where every criterion passed is the officer's own decision and is counted as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from brokerage.reporting.tables import Cell, Column, Table
from contracts.models import Agreement, MembershipRole, MembershipStatus, ProviderMembership
from dps.models import ApplicationStatus, CriterionResult, DpsRound, ProviderApplication


@dataclass(frozen=True)
class DpsStatistics:
    rounds: Table
    rejections: Table
    members: Table


def dps_statistics(*, agreement: Agreement) -> DpsStatistics:
    applied = ~Q(status=ApplicationStatus.DRAFT)
    counts = {
        row["dps_round_id"]: row
        for row in ProviderApplication.objects.filter(dps_round__agreement=agreement)
        .values("dps_round_id")
        .annotate(
            applied=Count("id", filter=applied),
            awaiting=Count("id", filter=Q(status=ApplicationStatus.SUBMITTED)),
            appointed=Count("id", filter=Q(status=ApplicationStatus.APPOINTED)),
            rejected=Count("id", filter=Q(status=ApplicationStatus.REJECTED)),
            drafts=Count("id", filter=Q(status=ApplicationStatus.DRAFT)),
        )
    }
    rounds = Table(
        "dps-rounds",
        "Applications by DPS round",
        [
            Column("Round"),
            Column("Opens"),
            Column("Status"),
            Column("Applied", numeric=True),
            Column("Awaiting decision", numeric=True),
            Column("Appointed", numeric=True),
            Column("Rejected", numeric=True),
            Column("Drafts not submitted", numeric=True),
        ],
    )
    totals = dict.fromkeys(("applied", "awaiting", "appointed", "rejected", "drafts"), 0)
    for dps_round in DpsRound.objects.filter(agreement=agreement).order_by("opens_at"):
        row = counts.get(dps_round.pk, {})
        # The day it opens in the UK: a round opening at midnight British Summer Time is 23:00 UTC the day before.
        opens_on = timezone.localtime(dps_round.opens_at).date()
        rounds.add(
            Cell(dps_round.label),
            Cell(opens_on, text=f"{opens_on.day} {opens_on:%b %Y}"),
            Cell(dps_round.get_status_display()),
            *(Cell(row.get(name, 0)) for name in totals),
        )
        for name in totals:
            totals[name] += row.get(name, 0)
    rounds.add(Cell("All rounds"), Cell(""), Cell(""), *(Cell(totals[name]) for name in totals))

    rejected = ProviderApplication.objects.filter(dps_round__agreement=agreement, status=ApplicationStatus.REJECTED)
    by_criterion = list(
        CriterionResult.objects.filter(application__in=rejected, passed=False)
        .values("application__dps_round__label", "title")
        .annotate(n=Count("application_id", distinct=True))
        .order_by("application__dps_round__opens_at", "-n", "title")
    )
    own_decision = rejected.exclude(criterion_results__passed=False).values("dps_round__label").annotate(n=Count("id"))
    rejections = Table(
        "dps-rejections",
        "Rejected applications by reason and round",
        [Column("Round"), Column("Reason (criterion failed)"), Column("Applications", numeric=True)],
        note="An application failing several criteria is counted under each of them.",
    )
    for row in by_criterion:
        rejections.add(Cell(row["application__dps_round__label"]), Cell(row["title"]), Cell(row["n"]))
    for row in own_decision:
        rejections.add(
            Cell(row["dps_round__label"]), Cell("Officer's decision (every criterion passed)"), Cell(row["n"])
        )

    memberships = {
        (role, status): n
        for role, status, n in ProviderMembership.objects.filter(agreement=agreement)
        .values_list("role", "status")
        .annotate(n=Count("id"))
    }
    members = Table(
        "dps-members",
        "Provider memberships by role and status",
        [
            Column("Role"),
            *(Column(status.label, numeric=True) for status in MembershipStatus),
            Column("All", numeric=True),
        ],
    )
    for role in MembershipRole:
        values = [memberships.get((role.value, status.value), 0) for status in MembershipStatus]
        members.add(Cell(role.label), *(Cell(v) for v in values), Cell(sum(values)))
    return DpsStatistics(rounds=rounds, rejections=rejections, members=members)
