"""Changes to who may do what are audited however they are made: groups, superuser and staff status."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction

from homecare.accounts.audiences import Audience
from homecare.audit.actions import AuditAction
from homecare.audit.actor import acting_as
from homecare.audit.models import AuditEvent
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


@pytest.fixture
def officers() -> Group:
    return Group.objects.get_or_create(name=Audience.OFFICER.group_name)[0]


@pytest.fixture
def ccc() -> Group:
    return Group.objects.get_or_create(name=Audience.CCC.group_name)[0]


@pytest.fixture
def admin() -> User:
    return User.objects.create_superuser("root", "root@example.org", "x")


def test_adding_and_removing_groups_on_the_user_is_audited(officers, ccc):
    user = UserFactory()
    user.groups.add(officers, ccc)
    user.groups.remove(ccc)
    added, removed = events(AuditAction.USER_GROUPS_CHANGED)
    assert added.target_id == str(user.pk) and sorted(added.data["added"]) == sorted([officers.name, ccc.name])
    assert removed.data == {"user": user.username, "removed": [ccc.name]}
    assert added.actor is None and added.actor_label == "system"


def test_adding_users_to_a_group_from_the_groups_side_is_audited_per_user(officers):
    first, second = UserFactory(), UserFactory()
    officers.user_set.add(first, second)
    changed = events(AuditAction.USER_GROUPS_CHANGED)
    assert {e.target_id for e in changed} == {str(first.pk), str(second.pk)}
    assert all(e.data["added"] == [officers.name] for e in changed)


def test_clearing_groups_names_what_was_removed(officers, ccc):
    user = UserFactory()
    user.groups.add(officers, ccc)
    user.groups.clear()
    assert sorted(events(AuditAction.USER_GROUPS_CHANGED)[-1].data["removed"]) == sorted([officers.name, ccc.name])
    officers.user_set.add(user)
    officers.user_set.clear()
    assert events(AuditAction.USER_GROUPS_CHANGED)[-1].data == {"user": user.username, "removed": [officers.name]}


def test_adding_a_group_the_user_already_has_records_nothing(officers):
    user = UserFactory()
    user.groups.add(officers)
    user.groups.add(officers)
    assert len(events(AuditAction.USER_GROUPS_CHANGED)) == 1


def test_a_service_or_command_names_its_actor(officers, admin):
    user = UserFactory()
    with acting_as(admin):
        user.groups.add(officers)
    assert events(AuditAction.USER_GROUPS_CHANGED)[0].actor == admin


def test_making_a_superuser_with_the_command_is_audited():
    call_command("createsuperuser", "--noinput", username="boss", email="boss@example.org", stdout=StringIO())
    granted = events(AuditAction.SUPERUSER_GRANTED)
    assert len(granted) == 1 and granted[0].data["user"] == "boss" and granted[0].actor_label == "system"
    assert len(events(AuditAction.STAFF_STATUS_GRANTED)) == 1


def test_granting_and_revoking_superuser_and_staff_status_is_audited():
    user = UserFactory()
    user.is_superuser = user.is_staff = True
    user.save()
    user.is_superuser = False
    user.save()
    assert [e.action for e in AuditEvent.objects.order_by("id")] == [
        AuditAction.SUPERUSER_GRANTED,
        AuditAction.STAFF_STATUS_GRANTED,
        AuditAction.SUPERUSER_REVOKED,
    ]


def test_saving_a_user_without_changing_their_rights_records_nothing(django_assert_num_queries):
    user = UserFactory(is_staff=True)
    AuditEvent.objects.all().delete()
    user.first_name = "Renamed"
    user.save()
    with django_assert_num_queries(1):  # signing in updates last_login only: no read of the old flags
        user.save(update_fields=["last_login"])
    assert not AuditEvent.objects.exists()


def test_the_event_is_part_of_the_change_so_a_rollback_removes_both():
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        user.is_superuser = True
        user.save()
        raise RuntimeError("the rest of the change failed")
    assert not AuditEvent.objects.exists()
    assert not User.objects.get(pk=user.pk).is_superuser


def test_changes_made_in_the_admin_name_the_admin(admin, officers):
    user = UserFactory()
    response = client_for(admin).post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "is_active": "on",
            "is_superuser": "on",
            "groups": [officers.pk],
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    granted = [e for e in events(AuditAction.SUPERUSER_GRANTED) if e.target_id == str(user.pk)]
    grouped = events(AuditAction.USER_GROUPS_CHANGED)
    assert len(granted) == 1 and granted[0].actor == admin
    assert len(grouped) == 1 and grouped[0].actor == admin and grouped[0].data["added"] == [officers.name]
