"""Each audience's to-do list: what is waiting for them, how many, and the filtered list behind each count.

A to-do list is a sequence of ``WorkItem`` built by one selector per audience (:func:`officer_todo`,
:func:`provider_todo`). Each item links to a real list filtered to exactly what it counts, so the number and
the list never disagree. A new kind of work (a variation to decide, a review due, a hand-back in notice) is
one more item appended in the selector, with its count and its list's URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from brokerage.changes.selectors import hand_backs_in_notice, reviews_due, variations_to_answer, variations_to_decide
from brokerage.models import CarePackage, Offer, PackageNote
from dps.selectors import applications_to_decide
from homecare.accounts.audiences import Audience, is_member
from providers.selectors import provider_for_user

UserLike = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class WorkItem:
    """One line of a to-do list: ``count`` things called ``label``, listed at ``url``."""

    label: str
    count: int
    url: str
    hint: str = ""


# --- The package lists the officers' items link to (``package_list(worklist=...)``) ----------------------

AWAITING_AWARD = "awaiting_award"
REFERRED = "referred"
WORKLISTS = {AWAITING_AWARD: "Accepted, awaiting award", REFERRED: "Referred by the CCC"}


def packages_awaiting_award(packages: QuerySet[CarePackage]) -> QuerySet[CarePackage]:
    """Packages still brokering that at least one provider has accepted in the current round."""
    accepted = Offer.objects.filter(
        package=OuterRef("pk"), round_number=OuterRef("round_number"), status=Offer.Status.ACCEPTED
    )
    return packages.filter(Exists(accepted), status=CarePackage.Status.BROKERING)


def packages_referred(packages: QuerySet[CarePackage]) -> QuerySet[CarePackage]:
    """Open packages the CCC has referred to the officers (a referral ends when the package is placed or closed)."""
    referrals = PackageNote.objects.filter(package=OuterRef("pk"), kind=PackageNote.Kind.REFERRAL)
    return packages.filter(Exists(referrals), status__in=CarePackage.OPEN_STATUSES)


def packages_in_worklist(packages: QuerySet[CarePackage], worklist: str) -> QuerySet[CarePackage]:
    if worklist == AWAITING_AWARD:
        return packages_awaiting_award(packages)
    if worklist == REFERRED:
        return packages_referred(packages)
    return packages


def officer_todo(user: UserLike) -> list[WorkItem]:
    """The commissioning officer's home: each kind of decision waiting for an officer.

    Items are in the order an officer works: drafts to finish, awards to make, packages nobody took, the CCC's
    referrals, providers' requests for a change, reviews due, then DPS applications.
    """
    if not is_member(user, Audience.OFFICER):
        raise PermissionDenied("Only commissioning officers have this to-do list.")
    packages_url = reverse("commissioning:brokerage:list")
    packages = CarePackage.objects.all()
    return [
        WorkItem(
            "Drafts to finish and submit",
            packages.filter(status=CarePackage.Status.DRAFT).count(),
            f"{packages_url}?status={CarePackage.Status.DRAFT}",
        ),
        WorkItem(
            "Accepted packages awaiting your award",
            packages_awaiting_award(packages).count(),
            f"{packages_url}?worklist={AWAITING_AWARD}",
            hint="A provider has accepted; award now or let the response window close.",
        ),
        WorkItem(
            "Unplaced packages",
            packages.filter(status=CarePackage.Status.UNPLACED).count(),
            f"{packages_url}?status={CarePackage.Status.UNPLACED}",
            hint="No provider took these: broker again, widen the search or award directly.",
        ),
        WorkItem(
            "Packages referred to you by the CCC",
            packages_referred(packages).count(),
            f"{packages_url}?worklist={REFERRED}",
        ),
        WorkItem(
            "Providers' requests for a change to decide",
            variations_to_decide(user=user).count(),
            reverse("commissioning:brokerage:requests_to_decide"),
        ),
        WorkItem("Reviews due", reviews_due(user=user).count(), reverse("commissioning:brokerage:reviews_due")),
        WorkItem(
            "DPS applications to decide",
            applications_to_decide().count(),
            reverse("commissioning:dps:applications_to_decide"),
        ),
    ]


# --- The provider portal's home ----------------------------------------------------------------------------


def provider_todo(provider_user: UserLike) -> list[WorkItem]:
    """The provider's home: offers to answer and the packages it holds.

    Then the council's variations waiting for its answer, and its hand-backs still in their notice period.
    """
    provider = provider_for_user(user=provider_user)
    now = timezone.now()
    open_offers = Offer.objects.filter(
        provider=provider, status=Offer.Status.PENDING, package__status=CarePackage.Status.BROKERING
    ).filter(Q(respond_by__isnull=True) | Q(respond_by__gt=now))
    held = CarePackage.objects.filter(awarded_provider=provider, status__in=CarePackage.LIVE_STATUSES)
    return [
        WorkItem("Offers waiting for your answer", open_offers.count(), reverse("portal:brokerage:list")),
        WorkItem("Your current packages", held.count(), reverse("portal:packages:list")),
        WorkItem(
            "Variations waiting for your answer",
            variations_to_answer(provider_user=provider_user).count(),
            reverse("portal:brokerage:changes"),
        ),
        WorkItem(
            "Packages you have handed back, still in their notice",
            hand_backs_in_notice(provider_user=provider_user).count(),
            reverse("portal:packages:list"),
            hint="You deliver the care until the notice ends.",
        ),
    ]
