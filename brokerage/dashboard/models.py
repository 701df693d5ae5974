"""The dashboard's daily rollups: counters per UK day, kept by PostgreSQL triggers in the writing transaction.

Each row counts the facts of one day (Europe/London) for one area and one agreement, at four levels: the
package's own area and agreement, and ``ALL`` (-1) in place of either or both, so the unfiltered dashboard
reads one row per day and provider rather than one per area. ``NONE`` (0) is a package with no area or
agreement. A counter may fall back to zero (an offer that moves from accepted to awarded leaves its old
cell at zero): readers skip rows whose first count is zero. How they are kept, rebuilt and read:
``brokerage.dashboard.rollups``.

The counters read most (offers and awards by provider, packages by status) are also kept by week (Monday to
Sunday, UK days; ``day`` is the Monday), so a long period reads a row per whole week and the days of its
part weeks, not a row per day: for all time, about 58 rows per provider instead of 365.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import models

ALL = -1  # every area (or agreement)
NONE = 0  # a package with no area (or agreement)


class _Daily(models.Model):
    day = models.DateField()  # a weekly table's: the Monday
    area = models.IntegerField()
    agreement = models.IntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.day} (area {self.area}, agreement {self.agreement})"


class _OfferCounts(_Daily):
    provider_id = models.IntegerField()
    offers = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    answer_time = models.DurationField(default=timedelta(0))
    accepted = models.IntegerField(default=0)  # accepted, awarded or not selected
    declined = models.IntegerField(default=0)
    expired = models.IntegerField(default=0)
    pending = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["area", "agreement", "day", "provider_id"], name="%(app_label)s_%(class)s_key"
            )
        ]


class OfferDay(_OfferCounts):
    """Offers sent that day to one provider, by what became of them, and the summed time to answer."""


class OfferWeek(_OfferCounts):
    """Offers sent that week to one provider (``OfferDay`` summed by week)."""


class DeclineDay(_Daily):
    """Offers sent that day and declined, by the provider's reason."""

    decline_reason = models.CharField(max_length=30)
    offers = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "agreement", "day", "decline_reason"], name="brokerage_declineday_key"
            )
        ]


class _AwardCounts(_Daily):
    provider_id = models.IntegerField()
    awards = models.IntegerField(default=0)
    hours = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["area", "agreement", "day", "provider_id"], name="%(app_label)s_%(class)s_key"
            )
        ]


class AwardDay(_AwardCounts):
    """Offers awarded (closed) that day to one provider, and the hours per week of their packages."""


class AwardWeek(_AwardCounts):
    """Offers awarded that week to one provider (``AwardDay`` summed by week)."""


class _PackageCounts(_Daily):
    urgency = models.CharField(max_length=30)
    status = models.CharField(max_length=20)
    packages = models.IntegerField(default=0)
    hours = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["area", "agreement", "day", "urgency", "status"], name="%(app_label)s_%(class)s_key"
            )
        ]


class PackageDay(_PackageCounts):
    """Packages submitted that day, by urgency and the status they have now, and their hours per week."""


class PackageWeek(_PackageCounts):
    """Packages submitted that week (``PackageDay`` summed by week)."""


class HandBackDay(_Daily):
    """Hand-backs whose notice was given that day, by reason."""

    reason = models.CharField(max_length=20)
    hand_backs = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "agreement", "day", "reason"], name="brokerage_handbackday_key")
        ]


class StartDay(_Daily):
    """Packages whose care started that day (a date, so no part days)."""

    packages = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "agreement", "day"], name="brokerage_startday_key")]


class PackageWait(models.Model):
    """One row per submitted package: its waits, worked out once when the package changes, in a table narrow
    enough to read whole (exact percentiles need every wait; summed counters cannot give them).

    Waits as the dashboard defines them: hours from submission to first response and to award, whole UK
    days to care starting. The area and agreement are plain ids, named as the package's, so the dashboard's
    filters apply unchanged."""

    package_id = models.IntegerField(primary_key=True)
    locality_area_id = models.IntegerField(null=True)
    agreement_id = models.IntegerField(null=True)
    urgency = models.CharField(max_length=30)
    submitted_at = models.DateTimeField()
    responded = models.FloatField(null=True)
    awarded = models.FloatField(null=True)
    started = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["submitted_at"], name="brokerage_packagewait_at")]

    def __str__(self) -> str:
        return f"Waits of package {self.package_id}"
