from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from commissioning import selectors
from commissioning.models import TimetableTask
from commissioning.services import timetables as services
from commissioning.timetable_templates import NEIGHBOURHOOD_NETWORKS_V10, TEMPLATES

pytestmark = pytest.mark.django_db


def test_the_neighbourhood_networks_timetable_loads_its_36_tasks_with_the_dates_as_written(officer):
    timetable = services.timetable_from_template(actor=officer, template_code="neighbourhood_networks_v10")
    tasks = {task.number: task for task in selectors.timetable_tasks(timetable=timetable)}
    assert len(tasks) == 36 and timetable.reconstructed
    assert tasks[1].name == "Project scoping" and tasks[36].name == "Start date for contract"
    wordings = {task.original_wording for task in tasks.values()}
    assert {"Early October 2008", "April/May 2008", "End of Sept 2008", "To be decided"} <= wordings
    for spec in NEIGHBOURHOOD_NETWORKS_V10.tasks:
        assert tasks[spec.number].planned_wording == spec.wording == tasks[spec.number].baseline_wording
    assert (tasks[9].planned_start, tasks[9].planned_end) == (date(2008, 10, 1), date(2008, 10, 10))
    assert tasks[28].planned_start is None  # "To be decided"
    assert all(task.slippage_days in (0, None) for task in tasks.values())


def test_moving_one_task_shows_the_slippage_of_every_task_that_depends_on_it(officer):
    timetable = services.timetable_from_template(actor=officer, template_code="neighbourhood_networks_v10")
    task_14 = TimetableTask.objects.get(timetable=timetable, number=14)  # Executive Board: Mid December 2008
    moved = services.task_reschedule(actor=officer, task=task_14, wording="Mid January 2009", reason="Board deferred")
    by_number = {m.task.number: m for m in moved}
    assert by_number[14].slippage_days == 31
    # Every task depending on it, directly or not, is shown with its slippage against the baseline.
    assert set(by_number) == set(range(14, 37))
    pushed = {15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27, 29, 30, 31, 32, 33, 34}
    for number in pushed:
        assert (by_number[number].slippage_days or 0) > 0, number
    assert by_number[24].slippage_days == 0  # "April 2009" had slack after the advert
    assert by_number[36].slippage_days == 0  # the contract start still holds: mobilisation absorbed it
    assert by_number[28].slippage_days is None and by_number[35].slippage_days is None  # "To be decided"
    stored = {t.number: t for t in selectors.timetable_tasks(timetable=timetable)}
    assert stored[15].slippage_days == by_number[15].slippage_days
    assert stored[15].original_wording == "End of December 2008"  # the wording as written is kept
    assert stored[1].slippage_days == 0  # tasks before it do not move


def test_a_date_that_cannot_be_read_is_refused_and_nothing_moves(officer):
    timetable = services.timetable_from_template(actor=officer, template_code="neighbourhood_networks_v10")
    task = TimetableTask.objects.get(timetable=timetable, number=3)
    with pytest.raises(ValidationError, match="not a date"):
        services.task_reschedule(actor=officer, task=task, wording="after the summer", reason="x")
    task.refresh_from_db()
    assert task.planned_wording == "June 2008"


@pytest.mark.parametrize("code", sorted(set(TEMPLATES) - {"neighbourhood_networks_v10"}))
def test_the_generic_templates_are_placed_from_a_start_date(officer, code):
    timetable = services.timetable_from_template(actor=officer, template_code=code, start_on=date(2025, 4, 7))
    tasks = selectors.timetable_tasks(timetable=timetable)
    assert tasks[0].planned_start == date(2025, 4, 7)
    assert selectors.gantt(tasks) is not None


def test_tasks_due_soon_are_listed_for_reminders(officer):
    timetable = services.timetable_from_template(actor=officer, template_code="open_tender", start_on=date(2025, 4, 7))
    due = selectors.tasks_due(timetable=timetable, today=date(2025, 4, 20), within_days=14)
    assert [task.number for task in due] == [1]


def test_a_due_task_is_emailed_to_the_timetables_owner_once_and_again_when_it_moves(officer, mailoutbox):
    timetable = services.timetable_from_template(actor=officer, template_code="open_tender", start_on=date(2025, 4, 7))
    assert services.timetable_reminders_send(today=date(2025, 4, 25)) == 1  # task 1 ends 27 April
    assert services.timetable_reminders_send(today=date(2025, 4, 25)) == 0
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [officer.email]
    assert "task 1 is due" in mailoutbox[0].subject
    task = TimetableTask.objects.get(timetable=timetable, number=1)
    services.task_reschedule(actor=officer, task=task, wording="29 April 2025", reason="More time")
    assert services.timetable_reminders_send(today=date(2025, 4, 25)) == 1
