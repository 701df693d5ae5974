"""Officer pages for procurement timetables: a Gantt-style chart with a table beside it, moves, exports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from commissioning import forms, selectors
from commissioning.models import TimetableTask
from commissioning.services import timetables as services
from commissioning.timetable_templates import TEMPLATES
from contracts.views import _form_page
from homecare.accounts.audiences import Audience, audience_required, request_user
from homecare.audit.selectors import audit_events_for
from homecare.spreadsheets import FILE_FORMATS, spreadsheet_response


def _timetable_url(timetable_id: int) -> str:
    return reverse("commissioning:procurement:timetable_detail", args=[timetable_id])


@audience_required(Audience.OFFICER)
def timetable_list(request: HttpRequest) -> HttpResponse:
    context = {
        "timetables": selectors.timetable_list(),
        "due": selectors.tasks_due(today=timezone.localdate())[:20],
    }
    return render(request, "procurement/timetable_list.html", context)


@audience_required(Audience.OFFICER)
def timetable_create(request: HttpRequest) -> HttpResponse:
    form = forms.TimetableCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            timetable = services.timetable_from_template(
                actor=request_user(request),
                template_code=data["template_code"],
                name=data["name"],
                start_on=data["start_on"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect(_timetable_url(timetable.pk))
    return _form_page(
        request, form=form, title="Create a timetable", back_url=reverse("commissioning:procurement:timetable_list")
    )


@audience_required(Audience.OFFICER)
def timetable_detail(request: HttpRequest, timetable_id: int, fmt: str = "html") -> HttpResponse:
    timetable = selectors.timetable_get(timetable_id=timetable_id)
    if fmt in FILE_FORMATS:
        header, rows = selectors.timetable_rows(timetable=timetable)
        return spreadsheet_response(
            header=header,
            rows=rows,
            file_format=fmt,
            filename_stem=f"timetable-{timetable.pk}",
            sheet_title="Timetable",
            document_title=str(timetable),
        )
    tasks = selectors.timetable_tasks(timetable=timetable)
    template = TEMPLATES.get(timetable.template_code)
    context = {
        "timetable": timetable,
        "tasks": tasks,
        "gantt": selectors.gantt(tasks),
        "notes": template.notes if template else "",
        "due": selectors.tasks_due(timetable=timetable, today=timezone.localdate()),
        "audit_events": audit_events_for(target=timetable)[:20],
    }
    return render(request, "procurement/timetable_detail.html", context)


@audience_required(Audience.OFFICER)
def task_move(request: HttpRequest, task_id: int) -> HttpResponse:
    """Move a task: the first submission previews every dependent's slippage, the second saves it."""
    task = get_object_or_404(TimetableTask.objects.select_related("timetable", "stage"), pk=task_id)
    form = forms.TaskMoveForm(request.POST or None, initial={"wording": task.planned_wording})
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("save") == "yes":
                services.task_reschedule(
                    actor=request_user(request), task=task, wording=data["wording"], reason=data["reason"]
                )
                messages.success(request, f"Moved task {task.number}.")
                return redirect(_timetable_url(task.timetable_id))
            preview = services.preview_reschedule(task=task, wording=data["wording"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
    context = {"form": form, "task": task, "preview": preview}
    return render(request, "procurement/task_move.html", context, status=400 if form.errors else 200)


@audience_required(Audience.OFFICER)
def task_status(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(TimetableTask.objects.select_related("timetable"), pk=task_id)
    form = forms.TaskStatusForm(request.POST or None, initial={"status": task.status})
    back = _timetable_url(task.timetable_id)
    if request.method == "POST" and form.is_valid():
        services.task_status_set(actor=request_user(request), task=task, status=form.cleaned_data["status"])
        messages.success(request, f"Task {task.number} is {task.get_status_display().lower()}.")
        return redirect(back)
    return _form_page(request, form=form, title=f"Status of task {task.number}", back_url=back, caption=task.name)
