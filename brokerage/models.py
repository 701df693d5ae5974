"""Care packages (ISAs), the brokering of each one to providers, and the capacity providers declare.

The lifecycle of a package (``CarePackage.Status``)::

    draft -> brokering -> awarded -> care_started -> ended
                 |  ^         |
                 v  |         +-> handed_back -> brokering (a new round, the handing-back provider excluded)
              unplaced (escalated to the CCC; re-brokered or awarded manually)
    cancelled from any open state.

Every change of a package's or an offer's status writes a ``PackageStatusChange`` row and an audit
event in the same transaction (see ``brokerage.services``).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from encrypted_model_fields.fields import EncryptedCharField, EncryptedDateField

# The CCC's alerts live with the dashboard in brokerage/alerts/; Django loads only an app's ``models``
# module, so importing the model here registers it with the brokerage app (its FKs are strings: no cycle).
from brokerage.alerts.models import Alert as Alert
from brokerage.allocation.replay import ranking_from_stored
from brokerage.allocation.results import Ranking

# Changes after award live in brokerage/changes/ (imported here so the app registers them, as the alerts are).
from brokerage.changes.models import IdempotentRequest as IdempotentRequest
from brokerage.changes.models import PackageChange as PackageChange
from brokerage.changes.models import PackageChangeStatusEvent as PackageChangeStatusEvent
from brokerage.dashboard.models import AwardDay as AwardDay
from brokerage.dashboard.models import AwardWeek as AwardWeek
from brokerage.dashboard.models import DeclineDay as DeclineDay
from brokerage.dashboard.models import HandBackDay as HandBackDay
from brokerage.dashboard.models import OfferDay as OfferDay
from brokerage.dashboard.models import OfferWeek as OfferWeek
from brokerage.dashboard.models import PackageDay as PackageDay
from brokerage.dashboard.models import PackageWait as PackageWait
from brokerage.dashboard.models import PackageWeek as PackageWeek
from brokerage.dashboard.models import StartDay as StartDay
from brokerage.person_lookup import person_lookup_digest

# One vocabulary of urgency across the product: agreements set placement deadlines per urgency.
from contracts.models import Urgency
from homecare.changes import ChangeTracked
from homecare.nhs_number import validate_nhs_number


class Skill(models.TextChoices):
    """Needs an ISA can require and a provider can declare it meets."""

    DEMENTIA = "dementia", "Dementia"
    END_OF_LIFE = "end_of_life", "End of life care"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    MENTAL_HEALTH = "mental_health", "Mental health"
    PHYSICAL_DISABILITY = "physical_disability", "Physical disability"
    AUTISM = "autism", "Autism"
    MEDICATION = "medication", "Medication support"
    HOIST = "hoist", "Moving and handling with a hoist"
    CATHETER_STOMA = "catheter_stoma", "Catheter or stoma care"
    PEG_FEEDING = "peg_feeding", "PEG feeding"


class CarerGender(models.TextChoices):
    ANY = "any", "No preference"
    FEMALE = "female", "Female carers only"
    MALE = "male", "Male carers only"


class Funding(models.TextChoices):
    COUNCIL = "council", "Council (adult social care)"
    CHC = "chc", "NHS Continuing Healthcare"
    JOINT = "joint", "Joint council and NHS"
    SELF_FUNDER = "self_funder", "Self-funder arranged by the council"


def package_reference(pk: int) -> str:
    """A saved package's reference, as people and the API quote it (ISA-000123)."""
    return f"ISA-{pk:06d}"


class CarePackage(ChangeTracked):
    """An Individual Service Agreement (ISA): the care one person needs, brokered to one provider."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        BROKERING = "brokering", "Brokering"
        UNPLACED = "unplaced", "Unplaced (escalated to the CCC)"
        AWARDED = "awarded", "Awarded"
        CARE_STARTED = "care_started", "Care started"
        HANDED_BACK = "handed_back", "Handed back"
        ENDED = "ended", "Ended"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.BROKERING, Status.UNPLACED)
    LIVE_STATUSES = (Status.AWARDED, Status.CARE_STARTED)

    # Where it came from: the council's case-management system's reference makes the API idempotent.
    source_system = models.CharField(max_length=50, default="web")
    external_reference = models.CharField(max_length=100, blank=True)
    # SHA-256 of the canonical submitted payload: the same reference with another payload is a conflict.
    idempotency_key = models.CharField(max_length=64, blank=True)

    agreement = models.ForeignKey("contracts.Agreement", on_delete=models.PROTECT, related_name="care_packages")
    lot = models.ForeignKey(
        "contracts.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="care_packages"
    )
    locality_area = models.ForeignKey(
        "providers.LocalityArea", null=True, blank=True, on_delete=models.PROTECT, related_name="care_packages"
    )
    # Only the district ("LS6") is ever shown to providers before award; the full postcode is personal.
    postcode_district = models.CharField(max_length=8)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    hours_per_week = models.DecimalField(max_digits=6, decimal_places=2)
    requested_start_on = models.DateField()
    urgency = models.CharField(max_length=30, choices=Urgency.choices, default=Urgency.ROUTINE)
    housing_with_care = models.BooleanField(default=False)
    required_skills = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=50, blank=True)
    carer_gender = models.CharField(max_length=10, choices=CarerGender.choices, default=CarerGender.ANY)
    # Safe to show every provider offered the package (no identifying or access details).
    care_needs = models.TextField(blank=True)
    # Access details and private notes (a key safe code): shown to the awarded provider only. Free text entered
    # before the split into two fields stays here, so it is treated as private: the safe reading of old text.
    special_requirements = models.TextField("access details and private notes", blank=True)
    funding = models.CharField(max_length=20, choices=Funding.choices, default=Funding.COUNCIL)
    weekly_cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    round_number = models.PositiveIntegerField(default=0)
    awarded_provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="awarded_packages"
    )

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    awarded_at = models.DateTimeField(null=True, blank=True)
    care_started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The placement deadline for the urgency (the CCC's breach measure).
    deadline_at = models.DateTimeField(null=True, blank=True)
    # When brokering must next be re-evaluated (a response window, a cascade timeout, a first refusal
    # ending). The beat task picks up packages whose time has come, so a lost message loses nothing.
    next_action_at = models.DateTimeField(null=True, blank=True)
    # Further areas whose providers' declared capacity counts for this package, set when the CCC widens the
    # search on re-brokering an unplaced package (``brokerage.services.ccc.package_rebroker_widened``).
    widened_areas = models.ManyToManyField("providers.LocalityArea", blank=True, related_name="+")
    # The next review of the person's care; null until set, when the first falls six weeks after care starts
    # (``brokerage.changes.selectors.review_due_on``).
    review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "external_reference"],
                condition=~Q(external_reference=""),
                name="brokerage_package_unique_external_reference",
            ),
            models.CheckConstraint(condition=Q(hours_per_week__gt=0), name="brokerage_package_hours_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="brokerage_pkg_status_submitted"),
            models.Index(fields=["locality_area", "status"], name="brokerage_pkg_area_status"),
            models.Index(fields=["urgency", "status"], name="brokerage_pkg_urgency_status"),
            models.Index(fields=["agreement", "status"], name="brokerage_pkg_agreement_status"),
            models.Index(fields=["awarded_provider", "awarded_at"], name="brokerage_pkg_provider_awarded"),
            models.Index(fields=["submitted_at"], name="brokerage_pkg_submitted"),
            # Packages brokered again (a later round): the dashboard's weekly awards read only these.
            models.Index(fields=["id"], condition=Q(round_number__gt=1), name="brokerage_pkg_rebrokered"),
            models.Index(fields=["updated_at", "id"], name="brokerage_pkg_changes"),  # API polling
            models.Index(
                fields=["next_action_at"],
                condition=Q(status="brokering"),
                name="brokerage_pkg_next_action",
            ),
            # The dashboard's waiting list in its order, so a page reads its 50 packages, not every open one
            # (``OPEN_STATUSES``, which the class's Meta cannot name).
            models.Index(
                fields=["deadline_at", "submitted_at", "id"],
                condition=Q(status__in=["brokering", "unplaced"]),
                name="brokerage_pkg_waiting",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return package_reference(self.pk) if self.pk else "ISA (unsaved)"

    @property
    def required_skill_labels(self) -> list[str]:
        """The needs as people read them; a code no longer in the vocabulary is shown as stored."""
        labels = dict(Skill.choices)
        return [str(labels.get(code, code)) for code in self.required_skills]


class PersonDetails(models.Model):
    """Who the care is for. Personal data: readable only by officers and, after award, the awarded provider.

    Kept apart from ``CarePackage`` so that nothing which lists or offers packages can load it by accident;
    the only readers are ``brokerage.selectors.person_details_for_*``, which log every view
    (``PersonDetailsAccess``). The name, address, phone and date of birth are encrypted at rest (Fernet, keys
    from ``HOMECARE_FIELD_ENCRYPTION_KEYS``), so SQL can neither filter nor sort on them: the person is found
    by Mosaic id or by ``lookup_digest`` (a keyed hash of family name and date of birth). Retention and
    erasure anonymise the row (``brokerage.services.privacy``); the birth year is kept for statistics.
    """

    class Anonymised(models.TextChoices):
        RETENTION = "retention", "Retention period passed"
        ERASURE = "erasure", "Erased on request"

    package = models.OneToOneField(CarePackage, on_delete=models.CASCADE, related_name="person")
    mosaic_person_id = models.CharField(max_length=50, blank=True, db_index=True)
    given_name = EncryptedCharField(max_length=100)
    family_name = EncryptedCharField(max_length=100)
    date_of_birth = EncryptedDateField(null=True, blank=True)
    address_line_1 = EncryptedCharField(max_length=200)
    address_line_2 = EncryptedCharField(max_length=200, blank=True)
    town = EncryptedCharField(max_length=100, blank=True)
    postcode = EncryptedCharField(max_length=10)
    phone = EncryptedCharField(max_length=30, blank=True)
    # Optional: DHSC's Client Level Data return links people by it. Ten digits, checked by homecare.nhs_number.
    nhs_number = EncryptedCharField(max_length=10, blank=True, default="", validators=[validate_nhs_number])
    # HMAC-SHA256 of the normalised family name and date of birth under the newest key (see person_lookup).
    lookup_digest = models.CharField(max_length=64, blank=True, db_index=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    anonymised_reason = models.CharField(max_length=20, choices=Anonymised.choices, blank=True)

    class Meta:
        verbose_name_plural = "person details"

    def __str__(self) -> str:
        return f"Person for {self.package}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every writer keeps the look-up digest and birth year in step with the encrypted fields.
        self.lookup_digest = (
            ""
            if self.anonymised_at
            else person_lookup_digest(family_name=self.family_name, date_of_birth=self.date_of_birth)
        )
        if self.date_of_birth is not None:
            self.birth_year = self.date_of_birth.year
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "lookup_digest", "birth_year"}
        super().save(*args, **kwargs)


class PersonDetailsAccess(models.Model):
    """One view of a person's details: who, when, which package, by which route. Append-only.

    Written only by the ``person_details_for_*`` selectors, in the request that shows the details, so no route
    can forget it. Its own table rather than the audit trail: one row per page view is far more than the
    trail's changes, it is read per package (newest first, paged), and it never holds personal data itself.
    It goes with its package only when the package is deleted (the demo reset); retention anonymises and
    keeps both.
    """

    class Route(models.TextChoices):
        OFFICER_PAGE = "officer_page", "Officer package page"
        PROVIDER_PORTAL = "provider_portal", "Provider portal offer page"
        API = "api", "API response"
        EXPORT = "export", "Subject access export"
        CCC_PAGE = "ccc_page", "CCC package page"
        PROVIDER_PACKAGE = "provider_package", "Provider portal: my packages"

    package = models.ForeignKey(CarePackage, on_delete=models.CASCADE, related_name="person_accesses")
    accessed_at = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    user_label = models.CharField(max_length=150)
    # The provider organisation the viewer works for, when a provider's staff looked (kept if they leave it).
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    route = models.CharField(max_length=20, choices=Route.choices)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name_plural = "person details accesses"
        indexes = [models.Index(fields=["package", "-accessed_at", "-id"], name="brokerage_access_pkg_at")]

    def __str__(self) -> str:
        return f"{self.user_label} viewed {self.package_id} via {self.route} at {self.accessed_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("The access log is append-only: an entry cannot be changed.")
        super().save(*args, **kwargs)


class PackageNote(models.Model):
    """A line in a package's working record: a call the CCC made, a referral to an officer, an alert handled.

    Append-only, like the status history: what was said on the phone is a record, not a draft. A referral
    (``Kind.REFERRAL``) puts the package on the officers' to-do list while the package is still open.
    """

    class Kind(models.TextChoices):
        CALL = "call", "Call made"
        NOTE = "note", "Note"
        REFERRAL = "referral", "Referred to an officer"
        ALERT = "alert", "Alert acknowledged"
        REBROKER = "rebroker", "Re-brokered with a wider search"

    package = models.ForeignKey(CarePackage, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    written_at = models.DateTimeField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    author_label = models.CharField(max_length=150)
    # Who was called (a provider, the person's family, the hospital ward): words, since it may be anyone.
    contact = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    # The officer a referral is for, or the person who owns an acknowledged alert; None is "any officer".
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-written_at", "-id"]
        indexes = [
            models.Index(fields=["package", "-written_at"], name="brokerage_note_pkg_at"),
            models.Index(fields=["kind", "written_at"], name="brokerage_note_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.package_id} by {self.author_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Package notes are append-only: a note cannot be changed.")
        super().save(*args, **kwargs)


class PrivacyRun(models.Model):
    """One application of a personal-data rule, the target of its audit event.

    A retention sweep (counts of packages anonymised), a re-encryption with the newest key, a subject access
    export (which packages were exported; never the name or date of birth searched for), or a quarter's CLD
    return (NHS numbers, dates of birth and postcodes of every person served; the quarter and the count).
    """

    class Kind(models.TextChoices):
        RETENTION = "retention", "Retention sweep"
        REENCRYPTION = "reencryption", "Re-encryption with the newest key"
        SUBJECT_ACCESS = "subject_access", "Subject access export"
        CLD_RETURN = "cld_return", "Client Level Data return export"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    ran_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.ran_at:%Y-%m-%d %H:%M}"


class Visit(models.Model):
    """One regular visit in the weekly pattern. ``carers`` > 1 makes a double-handed call explicit."""

    class Day(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    package = models.ForeignKey(CarePackage, on_delete=models.CASCADE, related_name="visits")
    day_of_week = models.PositiveSmallIntegerField(choices=Day.choices)
    window_start = models.TimeField()
    window_end = models.TimeField()
    duration_minutes = models.PositiveIntegerField()
    carers = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["day_of_week", "window_start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(window_end__gt=models.F("window_start")), name="brokerage_visit_window"),
            models.CheckConstraint(condition=Q(carers__gte=1, carers__lte=2), name="brokerage_visit_carers"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=15), name="brokerage_visit_duration"),
        ]

    def __str__(self) -> str:
        return f"{self.get_day_of_week_display()} {self.window_start:%H:%M}-{self.window_end:%H:%M}"


class PackageStatusChange(models.Model):
    """The status history of a package, one row per transition, written with the change."""

    package = models.ForeignKey(CarePackage, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=CarePackage.Status.choices)
    round_number = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [
            models.Index(fields=["package", "changed_at"], name="brokerage_status_pkg_at"),
            models.Index(fields=["to_status", "changed_at"], name="brokerage_status_to_at"),
        ]

    def __str__(self) -> str:
        return f"{self.package}: {self.from_status or '-'} -> {self.to_status}"


class AllocationRun(models.Model):
    """One ranking for one brokering round: the engine's plain inputs and result, stored for replay."""

    package = models.ForeignKey(CarePackage, on_delete=models.CASCADE, related_name="allocation_runs")
    round_number = models.PositiveIntegerField()
    policy = models.CharField(max_length=30)
    engine_version = models.CharField(max_length=30)
    inputs = models.JSONField()
    result = models.JSONField()
    ranked_at = models.DateTimeField()
    duration_ms = models.FloatField(default=0)
    eligible_count = models.PositiveIntegerField(default=0)
    excluded_count = models.PositiveIntegerField(default=0)
    # Set when an approved batch line opened this round: that provider is offered it first (first refusal).
    first_refusal_provider_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-round_number"]
        constraints = [
            models.UniqueConstraint(fields=["package", "round_number"], name="brokerage_run_one_per_round"),
        ]

    def __str__(self) -> str:
        return f"Ranking for {self.package} round {self.round_number}"

    @cached_property
    def ranking(self) -> Ranking:
        """The stored ranking, read back once per loaded row (a stored run is never changed): a compact
        result is replayed from the stored inputs and checked against the order it recorded."""
        return ranking_from_stored(self.result, self.inputs)


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", "No capacity in the area"
    CANNOT_MEET_TIMES = "cannot_meet_times", "Cannot meet the visit times"
    NO_DOUBLE_HANDED = "no_double_handed", "Cannot staff double-handed calls"
    SKILLS = "skills", "Do not have staff with the required skills"
    START_DATE = "start_date", "Cannot start by the date needed"
    TRAVEL = "travel", "Too far for our carers to travel"
    OTHER = "other", "Another reason"


class Offer(ChangeTracked):
    """A package offered to one provider in one brokering round."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting response"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"
        AWARDED = "awarded", "Awarded"
        NOT_SELECTED = "not_selected", "Not selected"

    OPEN_STATUSES = (Status.PENDING, Status.ACCEPTED)

    package = models.ForeignKey(CarePackage, on_delete=models.CASCADE, related_name="offers")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="offers")
    # A run only goes with its package (e.g. when retention rules delete it), and its offers with it.
    run = models.ForeignKey(AllocationRun, null=True, blank=True, on_delete=models.CASCADE, related_name="offers")
    round_number = models.PositiveIntegerField()
    rank = models.PositiveIntegerField(null=True, blank=True)
    # The lead provider's first-refusal offer under the lead-provider-first policy.
    is_first_refusal = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField()
    respond_by = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_start_on = models.DateField(null=True, blank=True)
    # The day this award's care started, kept when the package is re-brokered (which clears the package's own
    # ``care_started_on``): the start of the provider's period (``brokerage.changes.selectors.provider_periods``).
    care_started_on = models.DateField(null=True, blank=True)
    decline_reason = models.CharField(max_length=30, choices=DeclineReason.choices, blank=True)
    decline_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the provider's staff were emailed the offer, and the award; each claimed with a conditional
    # update so it is sent once (see ``brokerage.services.notifications``).
    notified_at = models.DateTimeField(null=True, blank=True)
    award_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round_number", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "round_number", "provider"], name="brokerage_offer_one_per_provider_round"
            ),
            # Exactly one winner per brokering round, enforced by the database as well as the lock.
            models.UniqueConstraint(
                fields=["package", "round_number"],
                condition=Q(status="awarded"),
                name="brokerage_offer_one_award_per_round",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "status", "sent_at"], name="brokerage_offer_provider"),
            models.Index(fields=["status", "sent_at"], name="brokerage_offer_status_sent"),
            models.Index(fields=["package", "round_number", "status"], name="brokerage_offer_pkg_round"),
            # The dashboard reads the period's part days from the rows (brokerage.dashboard.rollups).
            models.Index(fields=["sent_at"], name="brokerage_offer_sent"),
            models.Index(fields=["closed_at"], condition=Q(status="awarded"), name="brokerage_offer_awarded_at"),
            models.Index(fields=["provider", "updated_at", "id"], name="brokerage_offer_changes"),  # API polling
            # The beat sweep's look-ups for emails that were never sent.
            models.Index(
                fields=["sent_at"],
                condition=Q(status="pending", notified_at__isnull=True),
                name="brokerage_offer_unnotified",
            ),
            models.Index(
                fields=["closed_at"],
                condition=Q(status="awarded", award_notified_at__isnull=True),
                name="brokerage_offer_award_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"Offer of {self.package} to {self.provider}"

    def answer_refusal(self, *, at: datetime) -> str | None:
        """Why this offer cannot be answered (accepted or declined) at ``at``, in words for the provider.

        None when it can. Every caller asks here (the portal before showing the form, the services under the
        package lock), so the page never offers a form the service then refuses. A caller holding the package
        row lock sets ``offer.package`` to the locked row first.
        """
        package = self.package
        if package.status == CarePackage.Status.CANCELLED:
            return f"{package.reference} has been cancelled by the council."
        if package.status != CarePackage.Status.BROKERING or package.round_number != self.round_number:
            if package.awarded_provider_id == self.provider_id and self.status == Offer.Status.AWARDED:
                return f"{package.reference} is already awarded to you."
            return f"{package.reference} has already been awarded to another provider or closed."
        if self.status == Offer.Status.EXPIRED or (
            self.status == Offer.Status.PENDING and self.respond_by is not None and at > self.respond_by
        ):
            respond_by = self.respond_by or at
            return f"This offer expired at {timezone.localtime(respond_by):%H:%M on %d %B %Y}."
        if self.status != Offer.Status.PENDING:
            return f"You have already responded to this offer ({self.get_status_display().lower()})."
        return None

    def can_be_answered(self, *, at: datetime) -> bool:
        return self.answer_refusal(at=at) is None


class OfferStatusChange(models.Model):
    """The status history of an offer, one row per transition, written with the change."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=Offer.Status.choices)
    changed_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["to_status", "changed_at"], name="brokerage_offerstatus_to_at")]

    def __str__(self) -> str:
        return f"{self.offer}: {self.from_status or '-'} -> {self.to_status}"


class ProviderCapacity(models.Model):
    """Care hours a provider can take on per week in one locality area, kept current in the portal."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="capacities")
    locality_area = models.ForeignKey("providers.LocalityArea", on_delete=models.CASCADE, related_name="+")
    hours_available_per_week = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "provider capacities"
        constraints = [
            models.UniqueConstraint(fields=["provider", "locality_area"], name="brokerage_capacity_one_per_area"),
            models.CheckConstraint(
                condition=Q(hours_available_per_week__gte=0), name="brokerage_capacity_hours_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} in {self.locality_area}: {self.hours_available_per_week} h/week"


class ProviderCapabilities(models.Model):
    """What a provider's workforce can do, kept current in the portal; the engine's must-meet inputs."""

    provider = models.OneToOneField("providers.Provider", on_delete=models.CASCADE, related_name="capabilities")
    double_handed = models.BooleanField(default=False)
    lead_time_days = models.PositiveSmallIntegerField(default=2)
    skills = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    carer_genders = models.JSONField(default=list, blank=True)
    # The part of the day the provider's rotas cover; visits outside it cannot be met.
    visits_from = models.TimeField(default=time(7, 0))
    visits_until = models.TimeField(default=time(22, 0))
    # Opted in to a text message for each urgent offer (hospital discharge or urgent community), through
    # GOV.UK Notify: the office's mobile number. Blank means email only.
    urgent_offer_sms_number = models.CharField(max_length=20, blank=True, default="")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "provider capabilities"

    def __str__(self) -> str:
        return f"Capabilities of {self.provider}"


class HandBack(models.Model):
    """An awarded provider giving a package back with notice; the package is brokered again."""

    class Reason(models.TextChoices):
        STAFFING = "staffing", "Cannot staff the visits"
        NEEDS_CHANGED = "needs_changed", "The person's needs have changed"
        SAFETY = "safety", "Safety of staff or the person"
        RELATIONSHIP = "relationship", "The care relationship has broken down"
        OTHER = "other", "Another reason"

    package = models.ForeignKey(CarePackage, on_delete=models.CASCADE, related_name="hand_backs")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="hand_backs")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="hand_backs")
    round_number = models.PositiveIntegerField()
    notice_given_at = models.DateTimeField()
    effective_on = models.DateField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-notice_given_at"]
        indexes = [
            models.Index(fields=["provider", "notice_given_at"], name="brokerage_handback_provider"),
            models.Index(fields=["notice_given_at"], name="brokerage_handback_notice"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} handed back {self.package}"


class PackageImportJob(models.Model):
    """A package CSV too big to import within one web request, imported by a worker in the background.

    State lives here (the broker carries only the id): the decoded text until the job ends, then progress,
    the outcome and the report of errors by row. ``heartbeat_at`` moves on with every progress write; a job
    still running whose heartbeat stops (its worker killed) is found by the sweep and run again from the start.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        CHECKING = "checking", "Checking rows"
        SAVING = "saving", "Saving packages"
        DONE = "done", "Imported"
        FAILED = "failed", "Nothing imported"

    RUNNING = (Status.CHECKING, Status.SAVING)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    file_name = models.CharField(max_length=255)
    # The decoded file, kept only until the job ends: the packages (or the officer's own file) hold it then.
    text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_saved = models.PositiveIntegerField(default=0)  # while saving: how far the one transaction has got
    saved = models.PositiveIntegerField(default=0)  # committed: every row, or none
    # ``ImportReport`` as JSON: {"file_errors": [...], "failed_rows": [{"row", "reference", "errors"}]}.
    report = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)  # the job itself broke (not a row's error): nothing was saved

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="brokerage_importjob_status")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def seconds_taken(self) -> int | None:
        """From the last start to the end (a restarted job's earlier runs are not counted)."""
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds())

    @property
    def failed_rows(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = self.report.get("failed_rows", [])
        return rows

    @property
    def file_errors(self) -> list[str]:
        errors: list[str] = self.report.get("file_errors", [])
        return errors


class BatchProposal(models.Model):
    """One batch allocation of the backlog (``brokerage.batch``): asked for, solved by a task, reviewed."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Solving"
        READY = "ready", "Ready for review"
        FAILED = "failed", "Failed"

    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    fairness_weight = models.PositiveIntegerField(default=10)
    method = models.CharField(max_length=10, default="flow")
    # The packages asked about; empty means every unplaced package at the time of solving.
    package_ids = models.JSONField(default=list, blank=True)
    totals = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Batch proposal {self.pk} ({self.get_status_display()})"


class BatchLine(models.Model):
    """One package's line in a proposal: the proposed provider (or none) with its explanation."""

    class Decision(models.TextChoices):
        PROPOSED = "proposed", "Awaiting approval"
        OFFERED = "offered", "Approved: offered first refusal"
        POLICY = "policy", "Approved: the provider no longer qualifies, brokered by the policy"
        STALE = "stale", "Not approved: the package changed since the proposal"

    proposal = models.ForeignKey(BatchProposal, on_delete=models.CASCADE, related_name="lines")
    package = models.ForeignKey(CarePackage, on_delete=models.CASCADE, related_name="batch_lines")
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="batch_lines"
    )
    package_round = models.PositiveIntegerField()
    hours = models.DecimalField(max_digits=6, decimal_places=2)
    why = models.CharField(max_length=30)
    explanation = models.TextField()
    figures = models.JSONField(default=dict, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PROPOSED)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["proposal", "pk"]

    def __str__(self) -> str:
        return f"{self.package} in batch {self.proposal_id}"


class SimulationRun(models.Model):
    """One scenario simulated (``brokerage.simulator``): settings and seed in, report out, reproducible."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=100)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    scenario = models.JSONField()
    demand = models.CharField(max_length=20, default="generated")
    days = models.PositiveIntegerField(default=365)
    seed = models.PositiveIntegerField(default=14)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return self.name
