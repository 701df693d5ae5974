"""Which audit action a package's or an offer's move into each status records.

Here rather than in ``homecare.audit`` so the audit app never imports brokerage. The ``match`` lists
every status, and mypy proves it (``assert_never``): a new status cannot be added without its action.
"""

from __future__ import annotations

from typing import assert_never

from brokerage.models import CarePackage, Offer, PackageChange
from homecare.audit.actions import AuditAction


def package_status_action(status: str) -> AuditAction:
    """The action recorded when a package moves into ``status`` (a ``CarePackage.Status`` value)."""
    match CarePackage.Status(status):
        case CarePackage.Status.DRAFT:
            return AuditAction.PACKAGE_ENTERED
        case CarePackage.Status.BROKERING:
            return AuditAction.PACKAGE_MOVED_TO_BROKERING
        case CarePackage.Status.UNPLACED:
            return AuditAction.PACKAGE_ESCALATED
        case CarePackage.Status.AWARDED:
            return AuditAction.PACKAGE_AWARDED
        case CarePackage.Status.CARE_STARTED:
            return AuditAction.PACKAGE_CARE_STARTED
        case CarePackage.Status.HANDED_BACK:
            return AuditAction.PACKAGE_HANDED_BACK
        case CarePackage.Status.ENDED:
            return AuditAction.PACKAGE_ENDED
        case CarePackage.Status.CANCELLED:
            return AuditAction.PACKAGE_CANCELLED
        case unreachable:
            assert_never(unreachable)


def offer_status_action(status: str) -> AuditAction:
    """The action recorded when an offer moves into ``status`` (an ``Offer.Status`` value)."""
    match Offer.Status(status):
        case Offer.Status.PENDING:
            return AuditAction.OFFER_SENT
        case Offer.Status.ACCEPTED:
            return AuditAction.OFFER_ACCEPTED
        case Offer.Status.DECLINED:
            return AuditAction.OFFER_DECLINED
        case Offer.Status.EXPIRED:
            return AuditAction.OFFER_EXPIRED
        case Offer.Status.WITHDRAWN:
            return AuditAction.OFFER_WITHDRAWN
        case Offer.Status.AWARDED:
            return AuditAction.OFFER_AWARDED
        case Offer.Status.NOT_SELECTED:
            return AuditAction.OFFER_NOT_SELECTED
        case unreachable:
            assert_never(unreachable)


def change_status_action(status: str) -> AuditAction:
    """The action recorded when a package change moves into ``status`` (a ``PackageChange.Status`` value)."""
    match PackageChange.Status(status):
        case PackageChange.Status.PROPOSED:
            return AuditAction.PACKAGE_CHANGE_PROPOSED
        case PackageChange.Status.ACCEPTED:
            return AuditAction.PACKAGE_CHANGE_ACCEPTED
        case PackageChange.Status.DECLINED:
            return AuditAction.PACKAGE_CHANGE_DECLINED
        case PackageChange.Status.EXPIRED:
            return AuditAction.PACKAGE_CHANGE_EXPIRED
        case PackageChange.Status.REBROKERING:
            return AuditAction.PACKAGE_CHANGE_REBROKERED
        case PackageChange.Status.REPLACED:
            return AuditAction.PACKAGE_CHANGE_REPLACED
        case PackageChange.Status.WITHDRAWN:
            return AuditAction.PACKAGE_CHANGE_WITHDRAWN
        case PackageChange.Status.ACTIVE:
            return AuditAction.PACKAGE_CHANGE_STARTED
        case PackageChange.Status.RESUMED:
            return AuditAction.PACKAGE_CHANGE_RESUMED
        case PackageChange.Status.COMPLETED:
            return AuditAction.PACKAGE_CHANGE_COMPLETED
        case PackageChange.Status.REQUESTED:
            return AuditAction.PACKAGE_CHANGE_REQUESTED
        case PackageChange.Status.APPROVED:
            return AuditAction.PACKAGE_CHANGE_APPROVED
        case PackageChange.Status.REFUSED:
            return AuditAction.PACKAGE_CHANGE_REFUSED
        case unreachable:
            assert_never(unreachable)
