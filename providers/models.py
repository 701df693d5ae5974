"""Provider organisations, their CQC locations and ratings, and the geography used to place them.

CQC registers *providers* (legal organisations) which run *locations* (the registered services, e.g. a
homecare agency's office). Ratings belong to locations. Every distinct set of ratings a location has
had is kept as a :class:`CqcRating` row, so officers can see when a rating changed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction

from homecare.changes import ChangeTracked
from providers.quality import CqcRatings, KeyQuestion, Rating

RATING_CHOICES = [(rating.value, rating.value) for rating in Rating]


class RegistrationStatus(models.TextChoices):
    REGISTERED = "Registered", "Registered"
    DEREGISTERED = "Deregistered", "Deregistered"


class AuditedAccessModel(models.Model):
    """A model whose changes decide who sees what, audited by ``providers.access_audit``'s receivers.

    It remembers the values it was loaded with, so the receivers can tell what a save changed
    without another query, and saves in a transaction, so a change and its audit event commit together.
    """

    # Field name -> value as loaded from the database; absent on an instance not loaded from it.
    loaded_values: dict[str, Any]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        instance.loaded_values = dict(zip(field_names, values, strict=True))
        return instance


class Provider(ChangeTracked, AuditedAccessModel):
    """A care provider organisation (a CQC "provider"), which runs one or more CQC locations."""

    name = models.CharField(max_length=255)
    cqc_provider_id = models.CharField(max_length=20, unique=True, null=True, blank=True)
    # Demo data is shaped like real CQC records but must never be mistaken for a real organisation.
    is_demo = models.BooleanField(default=False)
    # CQC's location responses do not carry the provider's name; until /providers/{id} (or a CSV with
    # a provider name) is read, the name is borrowed from one of its locations and flagged as such.
    name_is_provisional = models.BooleanField(default=False)
    registration_status = models.CharField(max_length=20, choices=RegistrationStatus.choices, blank=True)
    registration_date = models.DateField(null=True, blank=True)
    deregistration_date = models.DateField(null=True, blank=True)
    companies_house_number = models.CharField(max_length=20, blank=True)
    brand_name = models.CharField(max_length=255, blank=True)
    cqc_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProviderStaff(AuditedAccessModel):
    """Links a provider-portal user to the one organisation whose data they may see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_staff")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="staff")

    class Meta:
        verbose_name_plural = "provider staff"

    def __str__(self) -> str:
        return f"{self.user} at {self.provider}"


class LocalityArea(models.Model):
    """One of the council's locality areas (Leeds has 10), made of wards an officer assigns to it."""

    name = models.CharField(max_length=100, unique=True)
    code = models.SlugField(max_length=50, unique=True)
    description = models.TextField(blank=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    """An electoral ward polygon (GeoJSON, WGS84) and the locality area it is assigned to."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    boundary_vintage = models.CharField(max_length=200, blank=True)
    geometry_geojson = models.TextField(help_text="GeoJSON geometry (Polygon or MultiPolygon), WGS84.")
    area = models.ForeignKey(LocalityArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="wards")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PostcodeDistrict(models.Model):
    """A postcode district ("LS1") with its centroid: the fallback when a full postcode is unknown."""

    outward = models.CharField(max_length=4, unique=True)
    area = models.CharField(max_length=2)
    latitude = models.FloatField()
    longitude = models.FloatField()
    n_postcodes = models.PositiveIntegerField(default=0)
    # Lets an officer place a whole district (e.g. one just over the boundary) in a locality area.
    locality_area_override = models.ForeignKey(
        LocalityArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="district_overrides"
    )

    class Meta:
        ordering = ["outward"]

    def __str__(self) -> str:
        return self.outward


class Postcode(models.Model):
    """One row of the ONS postcode lookup (NSPL/ONSPD): a full postcode and its coordinates."""

    postcode = models.CharField(max_length=8, unique=True)
    outward = models.CharField(max_length=4, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    def __str__(self) -> str:
        return self.postcode


class CqcLocation(ChangeTracked):
    """A CQC-registered location: the unit CQC inspects and rates."""

    location_id = models.CharField(max_length=20, unique=True)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=255)
    brand_name = models.CharField(max_length=255, blank=True)
    location_type = models.CharField(max_length=100, blank=True)
    registration_status = models.CharField(max_length=20, choices=RegistrationStatus.choices, db_index=True)
    registration_date = models.DateField(null=True, blank=True)
    deregistration_date = models.DateField(null=True, blank=True)
    is_dormant = models.BooleanField(null=True, blank=True)
    is_care_home = models.BooleanField(null=True, blank=True)
    inspection_directorate = models.CharField(max_length=100, blank=True)
    service_types = models.JSONField(default=list, blank=True)
    regulated_activities = models.JSONField(default=list, blank=True)
    specialisms = models.JSONField(default=list, blank=True)
    is_homecare_agency = models.BooleanField(default=False, db_index=True)
    address_line1 = models.CharField(max_length=255, blank=True)
    address_line2 = models.CharField(max_length=255, blank=True)
    town = models.CharField(max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    local_authority = models.CharField(max_length=100, blank=True, db_index=True)
    region = models.CharField(max_length=100, blank=True)
    ward = models.ForeignKey(Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="locations")
    # Derived from ward/postcode district; recomputed whenever an officer changes the areas.
    locality_area = models.ForeignKey(
        LocalityArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="locations"
    )
    last_inspection_date = models.DateField(null=True, blank=True)
    last_report_publication_date = models.DateField(null=True, blank=True)
    # The newest rating row, kept here so lists and selectors need no subquery.
    current_rating = models.ForeignKey("CqcRating", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # A hash of everything imported, so an unchanged record is skipped without a write.
    source_fingerprint = models.CharField(max_length=64, blank=True)
    cqc_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "CQC location"

    def __str__(self) -> str:
        return f"{self.name} ({self.location_id})"

    @property
    def is_registered(self) -> bool:
        return self.registration_status == RegistrationStatus.REGISTERED


class CqcRating(models.Model):
    """One distinct set of CQC ratings a location has held; the newest is its current rating."""

    location = models.ForeignKey(CqcLocation, on_delete=models.CASCADE, related_name="ratings")
    overall = models.CharField(max_length=40, choices=RATING_CHOICES)
    safe = models.CharField(max_length=40, choices=RATING_CHOICES)
    effective = models.CharField(max_length=40, choices=RATING_CHOICES)
    caring = models.CharField(max_length=40, choices=RATING_CHOICES)
    responsive = models.CharField(max_length=40, choices=RATING_CHOICES)
    well_led = models.CharField(max_length=40, choices=RATING_CHOICES)
    report_date = models.DateField(null=True, blank=True)
    report_link_id = models.CharField(max_length=64, blank=True)
    # Identifies the rating set (ratings + report date) so re-importing it never adds a row.
    fingerprint = models.CharField(max_length=64)
    source = models.CharField(max_length=20)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-report_date", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["location", "fingerprint"], name="cqc_rating_unique_set_per_location")
        ]

    def __str__(self) -> str:
        return f"{self.location_id}: {self.overall} ({self.report_date})"

    def as_ratings(self) -> CqcRatings:
        return CqcRatings(
            overall=Rating(self.overall),
            key_questions={
                KeyQuestion.SAFE: Rating(self.safe),
                KeyQuestion.EFFECTIVE: Rating(self.effective),
                KeyQuestion.CARING: Rating(self.caring),
                KeyQuestion.RESPONSIVE: Rating(self.responsive),
                KeyQuestion.WELL_LED: Rating(self.well_led),
            },
            report_date=self.report_date,
        )


class CqcImportRun(models.Model):
    """One run of a CQC import or sync: what was read, what changed, and how far the change feed got."""

    class Source(models.TextChoices):
        CSV = "csv", "CQC bulk CSV"
        API = "api", "CQC API (full)"
        CHANGES = "changes", "CQC API (daily changes)"
        DEMO = "demo", "Demo data"

    source = models.CharField(max_length=20, choices=Source.choices)
    description = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    ratings_added = models.PositiveIntegerField(default=0)
    # For the change feed: the window read. The next daily sync starts where the last good one ended.
    changes_from = models.DateTimeField(null=True, blank=True)
    changes_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "CQC import run"

    def __str__(self) -> str:
        return f"{self.get_source_display()} at {self.started_at:%Y-%m-%d %H:%M}"
