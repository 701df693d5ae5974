"""Procurement timetables: made from templates, baselined, and re-planned with the slippage it causes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from commissioning import fuzzy_dates, schedule
from commissioning.models import TaskDependency, TaskStatus, Timetable, TimetableStage, TimetableTask
from commissioning.timetable_templates import TEMPLATES
from contracts.models import Agreement
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record


@dataclass(frozen=True)
class Moved:
    task: TimetableTask
    before: fuzzy_dates.FuzzyDate
    after: fuzzy_dates.FuzzyDate
    slippage_days: int | None


def _parse(wording: str) -> fuzzy_dates.FuzzyDate:
    try:
        return fuzzy_dates.parse(wording)
    except fuzzy_dates.FuzzyDateError as error:
        raise ValidationError(str(error)) from None


@transaction.atomic
def timetable_from_template(
    *,
    actor: User | None,
    template_code: str,
    name: str = "",
    start_on: date | None = None,
    agreement: Agreement | None = None,
    baseline: bool = True,
) -> Timetable:
    """Create a timetable from a template; generic templates are placed from ``start_on``.

    The plan is baselined at once unless ``baseline`` is False, so later moves show as slippage.
    """
    template = TEMPLATES.get(template_code)
    if template is None:
        raise ValidationError(f"There is no timetable template called {template_code!r}.")
    if template.by_offset and start_on is None:
        raise ValidationError("Give the date the timetable starts from.")
    timetable = Timetable.objects.create(
        name=name or template.name,
        template_code=template.code,
        version=template.version,
        reconstructed=template.reconstructed,
        agreement=agreement,
        created_by=actor,
    )
    stages = {
        number: TimetableStage.objects.create(timetable=timetable, number=number, name=stage_name)
        for number, stage_name in enumerate(template.stages, start=1)
    }
    tasks: dict[int, TimetableTask] = {}
    for spec in template.tasks:
        if template.by_offset and start_on is not None:
            start = start_on + timedelta(days=spec.offset_days)
            end = start + timedelta(days=spec.length_days - 1)
            planned = fuzzy_dates.FuzzyDate(fuzzy_dates.describe(start, end), start, end)
        else:
            planned = _parse(spec.wording)
        tasks[spec.number] = TimetableTask.objects.create(
            timetable=timetable,
            stage=stages[spec.stage],
            number=spec.number,
            name=spec.name,
            responsible=spec.responsible,
            is_milestone=spec.milestone,
            original_wording=planned.wording,
            planned_wording=planned.wording,
            planned_start=planned.start,
            planned_end=planned.end,
        )
    TaskDependency.objects.bulk_create(
        TaskDependency(task=tasks[spec.number], depends_on=tasks[before])
        for spec in template.tasks
        for before in spec.depends_on
    )
    audit_record(
        actor=actor,
        action=AuditAction.TIMETABLE_CREATED,
        target=timetable,
        summary=f"Created {timetable} from the {template.name} template"
        + (" (reconstructed)" if template.reconstructed else ""),
        data={"template": template.code, "tasks": len(tasks)},
    )
    if baseline:
        timetable_baseline(actor=actor, timetable=timetable)
    return timetable


@transaction.atomic
def timetable_baseline(*, actor: User | None, timetable: Timetable) -> Timetable:
    """Take the current plan as the baseline that slippage is measured against."""
    locked = Timetable.objects.select_for_update().get(pk=timetable.pk)
    tasks = list(TimetableTask.objects.filter(timetable=locked))
    for task in tasks:
        task.baseline_wording, task.baseline_start, task.baseline_end = (
            task.planned_wording,
            task.planned_start,
            task.planned_end,
        )
    TimetableTask.objects.bulk_update(tasks, ["baseline_wording", "baseline_start", "baseline_end"])
    locked.baselined_at = timezone.now()
    locked.save(update_fields=["baselined_at"])
    audit_record(
        actor=actor,
        action=AuditAction.TIMETABLE_BASELINED,
        target=locked,
        summary=f"Baselined {locked} ({len(tasks)} tasks)",
    )
    return locked


def _dependencies(timetable: Timetable) -> list[schedule.Dependency]:
    return [
        schedule.Dependency(str(task_number), str(before_number), lag)
        for task_number, before_number, lag in TaskDependency.objects.filter(task__timetable=timetable).values_list(
            "task__number", "depends_on__number", "lag_days"
        )
    ]


def preview_reschedule(*, task: TimetableTask, wording: str) -> list[Moved]:
    """What moving ``task`` to ``wording`` would do, without saving: the task and every task depending on it.

    Dependents with enough slack keep their dates and show their (unchanged) slippage; undecided ones show None.
    """
    to = _parse(wording)
    tasks = {str(t.number): t for t in TimetableTask.objects.filter(timetable_id=task.timetable_id)}
    planned = {key: t.planned for key, t in tasks.items()}
    try:
        dependencies = _dependencies(task.timetable)
        changed = schedule.reschedule(planned, dependencies, moved=str(task.number), to=to)
    except schedule.DependencyCycleError as error:
        raise ValidationError(str(error)) from None
    shown = {str(task.number), *schedule.dependents_of(str(task.number), dependencies)}
    moved = []
    for key in sorted(shown, key=int):
        row, after = tasks[key], changed.get(key, planned[key])
        moved.append(Moved(row, planned[key], after, schedule.slippage_days(planned=after, baseline=row.baseline)))
    return moved


@transaction.atomic
def task_reschedule(*, actor: User, task: TimetableTask, wording: str, reason: str) -> list[Moved]:
    """Move a task's planned date; dependents that lose their slack move with it, and their slippage is shown.

    The task keeps the officer's new wording; a dependent pushed by the schedule gets a plain exact span,
    since its old wording no longer describes it. ``original_wording`` never changes.
    """
    if not reason.strip():
        raise ValidationError("Give the reason for moving the task.")
    Timetable.objects.select_for_update().get(pk=task.timetable_id)
    moved = preview_reschedule(task=task, wording=wording)
    moved_now = [m for m in moved if m.after != m.before]
    for change in moved_now:
        change.task.planned_wording = change.after.wording
        change.task.planned_start, change.task.planned_end = change.after.start, change.after.end
    TimetableTask.objects.bulk_update([m.task for m in moved_now], ["planned_wording", "planned_start", "planned_end"])
    audit_record(
        actor=actor,
        action=AuditAction.TIMETABLE_TASK_RESCHEDULED,
        target=task.timetable,
        summary=f"Moved task {task.number} to {wording.strip()}; {len(moved_now) - 1} dependent task(s) moved with it",
        reason=reason.strip(),
        data={"moved": [[m.task.number, m.before.wording, m.after.wording, m.slippage_days] for m in moved]},
    )
    return moved


@transaction.atomic
def task_status_set(
    *, actor: User, task: TimetableTask, status: str, completed_on: date | None = None
) -> TimetableTask:
    new = TaskStatus(status)
    if new == TaskStatus.DONE and completed_on is None:
        completed_on = timezone.localdate()
    locked = TimetableTask.objects.select_for_update().get(pk=task.pk)
    before = locked.status
    locked.status, locked.completed_on = new, completed_on if new == TaskStatus.DONE else None
    locked.save(update_fields=["status", "completed_on"])
    audit_record(
        actor=actor,
        action=AuditAction.TIMETABLE_TASK_STATUS_CHANGED,
        target=locked.timetable,
        summary=f"Task {locked.number}: {TaskStatus(before).label} to {new.label}",
        data={"task": locked.number, "before": before, "after": new.value},
    )
    return locked


REMINDER_DAYS = 7


def timetable_task_remind(*, task_id: int, today: date) -> bool:
    """Email one due task's reminder to its timetable's owner, once per planned end. True when this call sent it.

    The claim (a conditional update of ``reminded_for_end``) and the email share a transaction: a failure to
    send rolls the claim back, so the next run tries again; a second run finds nothing to claim.
    """
    with transaction.atomic():
        task = TimetableTask.objects.select_related("timetable__created_by").filter(pk=task_id).first()
        if task is None or task.planned_end is None or task.status == TaskStatus.DONE:
            return False
        claimed = (
            TimetableTask.objects.filter(pk=task_id, planned_end=task.planned_end)
            .exclude(reminded_for_end=task.planned_end)
            .update(reminded_for_end=task.planned_end)
        )
        if not claimed:
            return False
        owner = task.timetable.created_by
        recipients = [owner.email] if owner is not None and owner.email else []
        when = "was due" if task.planned_end < today else "is due"
        page = reverse("commissioning:procurement:timetable_detail", args=[task.timetable_id])
        if recipients:
            send_mail(
                subject=f"Timetable reminder: task {task.number} {when} {task.planned_wording}",
                message=(
                    f"{task.timetable}\n\nTask {task.number}: {task.name}\n"
                    f"Responsible: {task.responsible or 'not set'}\n"
                    f"Planned: {task.planned_wording} (to {task.planned_end:%d %B %Y})\n\n"
                    f"See the timetable: {page}\n"
                ),
                from_email=None,
                recipient_list=recipients,
            )
        audit_record(
            actor=None,
            action=AuditAction.TIMETABLE_TASK_REMINDED,
            target=task.timetable,
            summary=f"Reminder for task {task.number} ({task.planned_wording})",
            data={"to": recipients},
        )
        return True


def timetable_reminders_send(*, today: date | None = None) -> int:
    """Remind every unfinished task ending within a week (or overdue) not yet reminded for its date."""
    day = today or timezone.localdate()
    due = TimetableTask.objects.exclude(status=TaskStatus.DONE).filter(
        planned_end__isnull=False, planned_end__lte=day + timedelta(days=REMINDER_DAYS)
    )
    pending = due.exclude(reminded_for_end=F("planned_end")).values_list("pk", flat=True)
    return sum(timetable_task_remind(task_id=pk, today=day) for pk in list(pending))
