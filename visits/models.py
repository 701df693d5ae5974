"""Visits as delivered (from providers' electronic call monitoring) and what the council pays for them.

``ActualVisit`` is one visit as the provider's system recorded it, keyed by the provider's own visit id, so a
file or API batch sent twice changes nothing. ``VisitRules`` holds an agreement's thresholds, exception codes
and pay basis. A ``PayRun`` pays one provider under one agreement for a period: its ``inputs`` are everything
the computation read, so it can be recomputed to the penny; its ``PayLine`` rows are the statement.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class CheckInMethod(models.TextChoices):
    PHONE = "phone", "Telephone"
    APP = "app", "Mobile app"
    NFC = "nfc", "NFC tag"
    MANUAL = "manual", "Entered by hand"


class ActualVisitSource(models.TextChoices):
    ECM_FILE = "ecm_file", "ECM file upload"
    API = "api", "Provider system (API)"


class ActualVisit(models.Model):
    """One visit as delivered. Carer ids are HMAC-SHA-256 pseudonyms (``visits.pseudonyms``), never the real ids."""

    # No index of their own: the unique (provider, visit id) and the (package, check-in) indexes lead with them,
    # and every index is paid for on each of a million rows an ECM file brings.
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="actual_visits", db_index=False
    )
    package = models.ForeignKey(
        "brokerage.CarePackage", on_delete=models.PROTECT, related_name="actual_visits", db_index=False
    )
    provider_visit_id = models.CharField(max_length=64)
    planned_start = models.DateTimeField(null=True, blank=True)
    check_in = models.DateTimeField(null=True, blank=True)  # none for a visit reported as not made
    check_out = models.DateTimeField(null=True, blank=True)
    carers = models.PositiveSmallIntegerField(default=1)
    carer_pseudonyms = models.TextField(blank=True)  # space-separated, in the order the file gave them
    method = models.CharField(max_length=10, choices=CheckInMethod.choices, default=CheckInMethod.APP)
    exception_code = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=10, choices=ActualVisitSource.choices)
    # SHA-256 of the row's canonical values: a re-sent row with the same fingerprint is left alone.
    fingerprint = models.CharField(max_length=64)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["package", "check_in", "id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_visit_id"], name="visits_actual_one_per_provider_id"),
            models.CheckConstraint(
                condition=Q(check_out__isnull=True) | Q(check_in__isnull=False, check_out__gte=models.F("check_in")),
                name="visits_actual_checks_out_after_in",
            ),
        ]
        indexes = [models.Index(fields=["package", "check_in"], name="visits_actual_package_in")]

    def __str__(self) -> str:
        return f"{self.provider_visit_id} ({self.package_id})"

    @property
    def minutes(self) -> int | None:
        if self.check_in is None or self.check_out is None:
            return None
        return int((self.check_out - self.check_in).total_seconds() // 60)


class ActualVisitImport(models.Model):
    """One ECM file or API batch received: how many rows were new, corrected or already known."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="visit_imports")
    source = models.CharField(max_length=10, choices=ActualVisitSource.choices)
    file_name = models.CharField(max_length=255, blank=True)
    column_set = models.CharField(max_length=30, blank=True)
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name or self.source}: {self.rows} rows"


class PayBasis(models.TextChoices):
    PLANNED = "planned", "Planned hours (visits delivered)"
    ACTUAL = "actual", "Actual hours"
    ACTUAL_CAPPED = "actual_capped", "Actual hours, capped at planned"
    ACTUAL_WITHIN_TOLERANCE = "actual_within_tolerance", "Planned hours when the actual is within a tolerance"


class PayPeriod(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FOUR_WEEKLY = "four_weekly", "Every four weeks"


class VisitRules(models.Model):
    """An agreement's rules for matching visits and paying for them. Agreements without a row use the defaults."""

    agreement = models.OneToOneField("contracts.Agreement", on_delete=models.CASCADE, related_name="visit_rules")
    match_window_minutes = models.PositiveIntegerField(
        default=120, help_text="How far from its planned start an actual visit may begin and still match it."
    )
    late_after_minutes = models.PositiveIntegerField(default=30, help_text="Later than this is a late visit.")
    short_below_percent = models.PositiveSmallIntegerField(
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="A visit shorter than this share of its planned length is a short visit.",
    )
    pay_basis = models.CharField(max_length=30, choices=PayBasis.choices, default=PayBasis.ACTUAL_CAPPED)
    tolerance_minutes = models.PositiveSmallIntegerField(
        default=5, help_text="Actual within tolerance: a visit this close to its planned length is paid as planned."
    )
    pay_period = models.CharField(max_length=20, choices=PayPeriod.choices, default=PayPeriod.FOUR_WEEKLY)
    # The council's exception codes: {"CODE": {"label": "...", "pay_as_planned": bool}}. A visit not made with a
    # code that pays as planned (e.g. the person cancelled on the doorstep) is paid; any other code is not.
    exception_codes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "visit rules"

    def __str__(self) -> str:
        return f"Visit rules of {self.agreement}"


class PayRun(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    agreement = models.ForeignKey("contracts.Agreement", on_delete=models.PROTECT, related_name="pay_runs")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="pay_runs")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    pay_basis = models.CharField(max_length=30, choices=PayBasis.choices)
    # Everything the computation read (rules, rates, planned and actual visits), as plain JSON.
    inputs = models.JSONField()
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "provider__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "provider", "period_start"], name="visits_pay_run_one_per_period"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="visits_pay_run_dates"),
        ]

    def __str__(self) -> str:
        return f"Pay run {self.pk}: {self.provider} {self.period_start:%d %b} to {self.period_end:%d %b %Y}"

    @property
    def reference(self) -> str:
        return f"PR-{self.pk:06d}"


class PayLine(models.Model):
    """One paid (or unpaid, for the record) visit or retainer day of a pay run."""

    class Kind(models.TextChoices):
        VISIT = "visit", "Visit"
        RETAINER = "retainer", "Retainer (suspended)"

    pay_run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="lines")
    package = models.ForeignKey("brokerage.CarePackage", on_delete=models.PROTECT, related_name="pay_lines")
    day = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    planned_start = models.DateTimeField(null=True, blank=True)
    planned_minutes = models.PositiveIntegerField(default=0)
    planned_carers = models.PositiveSmallIntegerField(default=0)
    actual_visit = models.ForeignKey(ActualVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actual_minutes = models.PositiveIntegerField(null=True, blank=True)
    actual_carers = models.PositiveSmallIntegerField(null=True, blank=True)
    flags = models.CharField(max_length=100, blank=True)  # space-separated: missed late short fewer_carers extra
    service_type = models.CharField(max_length=30, blank=True)
    paid_hours = models.DecimalField(max_digits=8, decimal_places=4, default=Decimal("0"))
    hourly_rate = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["pay_run", "package", "day", "planned_start", "id"]

    def __str__(self) -> str:
        return f"{self.package} {self.day}: £{self.amount}"

    @property
    def flag_list(self) -> list[str]:
        return self.flags.split()


class PayDispute(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld (credit note issued)"
        REJECTED = "rejected", "Rejected"

    line = models.ForeignKey(PayLine, on_delete=models.CASCADE, related_name="disputes")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reason = models.TextField()
    amount_claimed = models.DecimalField(max_digits=10, decimal_places=2)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"], condition=Q(status="open"), name="visits_dispute_one_open_per_line"
            )
        ]

    def __str__(self) -> str:
        return f"Dispute {self.pk} on {self.line}"


class CreditNote(models.Model):
    """A correction to an approved pay run: a positive amount is paid to the provider, a negative one recovered."""

    pay_run = models.ForeignKey(PayRun, on_delete=models.PROTECT, related_name="credit_notes")
    dispute = models.OneToOneField(
        PayDispute, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_note"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reason = models.TextField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return f"Credit note {self.pk}: £{self.amount}"

    @property
    def reference(self) -> str:
        return f"CN-{self.pk:06d}"


class VisitImportJob(models.Model):
    """An ECM file too big for one web request, checked and saved by a worker (``visits.services.import_jobs``).

    The same shape as ``brokerage.PackageImportJob``, so both share ``homecare.background_jobs``: state lives
    here (the broker carries only the id), ``heartbeat_at`` moves on with every progress write, and a job whose
    heartbeat stops is run again from the start by the sweep.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        CHECKING = "checking", "Checking rows"
        SAVING = "saving", "Saving visits"
        DONE = "done", "Imported"
        FAILED = "failed", "Nothing imported"

    RUNNING = (Status.CHECKING, Status.SAVING)

    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="visit_import_jobs")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    file_name = models.CharField(max_length=255)
    text = models.TextField(blank=True)  # the decoded file, kept only until the job ends
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    # Written in the save's own transaction: a job whose worker stopped after the commit is recognisably saved.
    visit_import = models.OneToOneField(
        ActualVisitImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="job"
    )
    # {"file_errors": [...], "errors": [{"line", "visit_id", "messages"}], "rows_with_errors": n}
    report = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="visits_importjob_status")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent_done(self) -> int:
        """For the progress bar: checking is most of the work; the save (one COPY) is the last tenth."""
        if self.status == self.Status.DONE:
            return 100
        if self.status == self.Status.SAVING:
            return 90
        return int(90 * self.rows_checked / self.rows_total) if self.rows_total else 0


class MonitoringWeek(models.Model):
    """One provider's contract-monitoring counts for one week (Monday to Sunday), kept for the CCC's trends.

    Worked out nightly by ``visits.services.monitoring_weeks`` with the same matching as pay runs, so the
    dashboard reads a few rows (a fixed number of queries at any size) instead of matching every visit.
    """

    week_start = models.DateField()
    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="monitoring_weeks")
    planned = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    missed = models.PositiveIntegerField(default=0)
    short = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-week_start", "provider_id"]
        constraints = [models.UniqueConstraint(fields=["week_start", "provider"], name="visits_monitoringweek_unique")]

    def __str__(self) -> str:
        return f"{self.provider_id} week of {self.week_start}"
