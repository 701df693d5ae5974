"""Procurement timetables: stages, numbered tasks with fuzzy planned dates, dependencies and a baseline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from commissioning.fuzzy_dates import FuzzyDate


class Timetable(models.Model):
    name = models.CharField(max_length=255)
    template_code = models.CharField(max_length=50, blank=True)
    version = models.CharField(max_length=20, blank=True)
    reconstructed = models.BooleanField(
        default=False, help_text="Built from a description of the original, not copied from it."
    )
    agreement = models.ForeignKey(
        "contracts.Agreement", on_delete=models.SET_NULL, null=True, blank=True, related_name="timetables"
    )
    baselined_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()


class TimetableStage(models.Model):
    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["timetable", "number"]
        constraints = [models.UniqueConstraint(fields=["timetable", "number"], name="timetable_stage_number_unique")]

    def __str__(self) -> str:
        return f"Stage {self.number}: {self.name}"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class TimetableTask(models.Model):
    """A numbered task. Its planned date is an interval with the wording it was written in.

    ``original_wording`` never changes; ``planned_wording`` is the current plan (the officer's words, or a
    plain span when the schedule moved it); the baseline is a copy of the plan taken when it was agreed.
    """

    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="tasks")
    stage = models.ForeignKey(TimetableStage, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255)
    responsible = models.CharField(max_length=200, blank=True)
    is_milestone = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    completed_on = models.DateField(null=True, blank=True)
    original_wording = models.CharField(max_length=100)
    planned_wording = models.CharField(max_length=100)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    baseline_wording = models.CharField(max_length=100, blank=True)
    baseline_start = models.DateField(null=True, blank=True)
    baseline_end = models.DateField(null=True, blank=True)
    # The planned end a reminder went out for: a moved task is reminded again for its new date.
    reminded_for_end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["timetable", "number"]
        constraints = [
            models.UniqueConstraint(fields=["timetable", "number"], name="timetable_task_number_unique"),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True, planned_end__isnull=True)
                | Q(planned_start__isnull=False, planned_end__gte=models.F("planned_start")),
                name="timetable_task_planned_interval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def planned(self) -> FuzzyDate:
        return FuzzyDate(wording=self.planned_wording, start=self.planned_start, end=self.planned_end)

    @property
    def baseline(self) -> FuzzyDate | None:
        if not self.baseline_wording:
            return None
        return FuzzyDate(wording=self.baseline_wording, start=self.baseline_start, end=self.baseline_end)

    @property
    def slippage_days(self) -> int | None:
        """Days the planned end is past the baseline end (negative: ahead); None when either is undecided."""
        if self.baseline_end is None or self.planned_end is None:
            return None
        return (self.planned_end - self.baseline_end).days


class TaskDependency(models.Model):
    """Finish-to-start: ``task`` starts after ``depends_on`` ends, plus ``lag_days``."""

    task = models.ForeignKey(TimetableTask, on_delete=models.CASCADE, related_name="dependencies")
    depends_on = models.ForeignKey(TimetableTask, on_delete=models.CASCADE, related_name="dependents")
    lag_days = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "depends_on"], name="task_dependency_once"),
            models.CheckConstraint(condition=~Q(task=models.F("depends_on")), name="task_dependency_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.task} after {self.depends_on}"
