"""Batch allocation of the backlog: ask for a proposal, solve it in a task, approve lines into offers.

The solving is ``brokerage.batch`` (pure); this module turns rows into its inputs and approved lines into
the normal brokering: an approved line opens the package's next round with the proposed provider given
first refusal (``AllocationRun.first_refusal_provider_id``, read by ``next_actions``), so the offer, its
email, the exactly-once award and the audit trail are the ones every package gets. If that provider
declines or lets it expire, the agreement's own policy carries on with the rest of the ranking.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from brokerage.allocation_rows import engine_inputs_for
from brokerage.batch import BatchPackage, BatchSettings, Method, build_problem, propose
from brokerage.models import BatchLine, BatchProposal, CarePackage
from brokerage.services.brokering import _rank_locked, evaluate_locked, round_start_locked
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from homecare.queue import enqueue_on_commit

PROPOSE_BATCH_TASK = "brokerage.tasks.propose_batch"
# CP-SAT (hours counted exactly) is used up to this many eligible pairs; above it, min-cost flow.
HOURS_MODEL_MAX_PAIRS = 20_000


class BatchRefused(ValueError):
    pass


def backlog(*, package_ids: list[int] | None = None) -> list[CarePackage]:
    """The packages a batch places: the chosen ones still open, or every unplaced one (the CCC's list)."""
    rows = CarePackage.objects.select_related("agreement", "locality_area", "lot").prefetch_related("visits")
    if package_ids:
        rows = rows.filter(pk__in=package_ids, status__in=CarePackage.OPEN_STATUSES)
    else:
        rows = rows.filter(status=CarePackage.Status.UNPLACED)
    return list(
        rows.filter(locality_area__isnull=False, latitude__isnull=False, longitude__isnull=False).order_by("pk")
    )


@transaction.atomic
def batch_propose_request(
    *, requested_by: User, fairness_weight: int, package_ids: list[int] | None = None
) -> BatchProposal:
    """Queue a proposal; the task solves it (``batch_propose_run``)."""
    if fairness_weight < 0 or fairness_weight > 10_000:
        raise BatchRefused("The fairness weight must be between 0 and 10,000.")
    proposal = BatchProposal.objects.create(
        requested_at=timezone.now(),
        requested_by=requested_by,
        fairness_weight=fairness_weight,
        package_ids=sorted(set(package_ids or [])),
    )
    audit_record(
        actor=requested_by,
        action=AuditAction.BATCH_PROPOSAL_REQUESTED,
        target=proposal,
        summary=f"Batch allocation asked for ({len(proposal.package_ids) or 'every unplaced'} packages)",
        data={"fairness_weight": fairness_weight},
    )
    enqueue_on_commit(PROPOSE_BATCH_TASK, proposal.pk)
    return proposal


def _live_hours() -> dict[int, float]:
    rows = (
        CarePackage.objects.filter(status__in=CarePackage.LIVE_STATUSES, awarded_provider__isnull=False)
        .values_list("awarded_provider_id")
        .annotate(hours=Sum("hours_per_week"))
    )
    return {pid: float(hours or 0) for pid, hours in rows}


def batch_propose_run(*, proposal_id: int) -> str:
    """Solve a queued proposal. Idempotent: only a queued proposal is claimed (a conditional update)."""
    claimed = BatchProposal.objects.filter(pk=proposal_id, status=BatchProposal.Status.QUEUED).update(
        status=BatchProposal.Status.RUNNING
    )
    if not claimed:
        return "not queued"
    proposal = BatchProposal.objects.get(pk=proposal_id)
    try:
        with transaction.atomic(durable=True):
            _solve(proposal)
    except Exception as error:
        BatchProposal.objects.filter(pk=proposal_id).update(
            status=BatchProposal.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    return BatchProposal.Status.READY


def _solve(proposal: BatchProposal) -> None:
    today = timezone.localdate()
    packages = backlog(package_ids=proposal.package_ids or None)
    entries = []
    for package in packages:
        inputs = engine_inputs_for(package, as_of=today)
        entries.append(BatchPackage(isa=inputs.isa, candidates=inputs.candidates))
    problem = build_problem(entries, as_of=today, load_hours=_live_hours())
    method = Method.HOURS if len(problem.pair_package) <= HOURS_MODEL_MAX_PAIRS else Method.FLOW
    result = propose(problem, BatchSettings(fairness_weight=proposal.fairness_weight, method=method))
    BatchLine.objects.bulk_create(
        BatchLine(
            proposal=proposal,
            package=package,
            provider_id=line.provider_id,
            package_round=package.round_number,
            hours=Decimal(str(package.hours_per_week)),
            why=line.why.value,
            explanation=line.explanation,
            figures=_figures(line),
        )
        for package, line in zip(packages, result.lines, strict=True)
    )
    proposal.totals = result.to_dict()["totals"]
    proposal.method = method.value
    proposal.status = BatchProposal.Status.READY
    proposal.finished_at = timezone.now()
    proposal.save(update_fields=["totals", "method", "status", "finished_at"])
    audit_record(
        actor=None,
        action=AuditAction.BATCH_PROPOSAL_SOLVED,
        target=proposal,
        summary=f"Batch proposal: {result.totals.placed} of {result.totals.packages} packages placed",
        data=proposal.totals,
    )


def _figures(line: Any) -> dict[str, Any]:
    return {
        "quality_points": line.quality_points,
        "start_days": line.start_days,
        "locality_miles": line.locality_miles,
        "alternative": line.alternative_name,
        "rank_change": line.rank_change,
        "fairness_change": line.fairness_change,
    }


@transaction.atomic(durable=True)
def batch_lines_approve(*, proposal_id: int, line_ids: list[int] | None, approved_by: User) -> dict[str, int]:
    """Approve some lines (or all when ``line_ids`` is None) of a ready proposal; each becomes an offer.

    1. Each line is locked and must still be awaiting approval (approving twice does nothing more).
    2. Its package is locked; it must be in the round the proposal saw and still unplaced (or brokering with
       no offers yet), or the line is marked stale.
    3. The package's next round opens with the proposed provider given first refusal; the policy sends the
       offer now (with its email on commit), or brokers normally if the provider no longer qualifies.
    """
    proposal = BatchProposal.objects.select_for_update().get(pk=proposal_id)
    if proposal.status != BatchProposal.Status.READY:
        raise BatchRefused("Only a proposal that is ready for review can be approved.")
    lines = proposal.lines.select_for_update().filter(decision=BatchLine.Decision.PROPOSED, provider__isnull=False)
    if line_ids is not None:
        lines = lines.filter(pk__in=line_ids)
    counts = {decision.value: 0 for decision in BatchLine.Decision}
    now = timezone.now()
    for line in lines.order_by("pk"):
        package = CarePackage.objects.select_for_update().select_related("agreement").get(pk=line.package_id)
        # A brokering package qualifies only before its round is ranked (nothing offered yet).
        unranked = not package.allocation_runs.filter(round_number=package.round_number).exists()
        if package.round_number != line.package_round or not (
            package.status == CarePackage.Status.UNPLACED
            or (package.status == CarePackage.Status.BROKERING and unranked)
        ):
            line.decision = BatchLine.Decision.STALE
        else:
            if package.status == CarePackage.Status.UNPLACED:
                round_start_locked(package, actor=approved_by, why="batch allocation approved")
            run = _rank_locked(package, now=now)
            run.first_refusal_provider_id = line.provider_id
            run.save(update_fields=["first_refusal_provider_id"])
            evaluate_locked(package, now=now, actor=approved_by)
            offered = package.offers.filter(round_number=package.round_number, provider=line.provider).exists()
            line.decision = BatchLine.Decision.OFFERED if offered else BatchLine.Decision.POLICY
        line.decided_at = now
        line.decided_by = approved_by
        line.save(update_fields=["decision", "decided_at", "decided_by"])
        counts[line.decision] += 1
        audit_record(
            actor=approved_by,
            action=AuditAction.BATCH_LINE_APPROVED,
            target=package,
            summary=f"{package.reference}: batch line {line.get_decision_display().lower()}",
            data={"proposal": proposal.pk, "provider": line.provider_id, "decision": line.decision},
        )
    return counts
