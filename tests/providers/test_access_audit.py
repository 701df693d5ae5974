"""Provider links and identifying details, which decide whose offers and personal details people see, are audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from homecare.audit.actions import AuditAction
from homecare.audit.actor import acting_as
from homecare.audit.models import AuditEvent
from providers.models import Provider, ProviderStaff
from tests.conftest import client_for
from tests.factories import ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db


def events(prefix: str) -> list[AuditEvent]:
    if prefix == "provider.":  # a provider's identity: its name, or its other identifying details
        actions = [AuditAction.PROVIDER_RENAMED, AuditAction.PROVIDER_DETAILS_CHANGED]
        return list(AuditEvent.objects.filter(action__in=actions).order_by("id"))
    return list(AuditEvent.objects.filter(action__startswith=prefix).order_by("id"))


@pytest.fixture
def admin() -> User:
    return User.objects.create_superuser("root", "root@example.org", "x")


def test_linking_moving_and_unlinking_staff_is_audited(provider, other_provider, admin):
    user = UserFactory(username="priya")
    with acting_as(admin):
        link = ProviderStaff.objects.create(user=user, provider=provider)
    link.provider = other_provider
    link.save()
    link_id = link.pk
    link.delete()
    linked, moved, unlinked = events("provider_staff.")
    assert (linked.action, linked.actor, linked.target_id) == (AuditAction.PROVIDER_STAFF_LINKED, admin, str(link_id))
    assert linked.data["provider_id"] == provider.pk and linked.data["user"] == "priya"
    assert moved.action == AuditAction.PROVIDER_STAFF_MOVED and moved.data["previous_provider_id"] == provider.pk
    assert moved.data["provider_id"] == other_provider.pk and moved.actor is None
    assert unlinked.action == AuditAction.PROVIDER_STAFF_UNLINKED and unlinked.data["provider_id"] == other_provider.pk


def test_saving_a_link_unchanged_records_nothing(provider):
    user = UserFactory()
    ProviderStaff.objects.update_or_create(user=user, defaults={"provider": provider})
    ProviderStaff.objects.update_or_create(user=user, defaults={"provider": provider})
    assert [e.action for e in events("provider_staff.")] == [AuditAction.PROVIDER_STAFF_LINKED]


def test_deleting_a_user_or_provider_records_the_unlinking(provider_user, provider):
    provider_user.delete()
    other = UserFactory()
    ProviderStaff.objects.create(user=other, provider=provider)
    provider.delete()
    assert [e.action for e in events("provider_staff.")] == [
        AuditAction.PROVIDER_STAFF_LINKED,
        AuditAction.PROVIDER_STAFF_UNLINKED,
        AuditAction.PROVIDER_STAFF_LINKED,
        AuditAction.PROVIDER_STAFF_UNLINKED,
    ]


def test_linking_in_the_admin_names_the_admin(admin, provider):
    user = UserFactory()
    response = client_for(admin).post("/admin/providers/providerstaff/add/", {"user": user.pk, "provider": provider.pk})
    assert response.status_code == 302
    assert events("provider_staff.")[0].actor == admin


def test_renaming_a_provider_is_audited_with_old_and_new_names(admin):
    provider = ProviderFactory(name="Acme Care")
    with acting_as(admin):
        provider.name = "Acme Home Care Ltd"
        provider.save()
    (renamed,) = events("provider.")
    assert renamed.action == AuditAction.PROVIDER_RENAMED and renamed.actor == admin
    assert renamed.data == {"changes": {"name": ["Acme Care", "Acme Home Care Ltd"]}}


def test_changing_other_identifying_details_is_audited():
    provider = Provider.objects.get(pk=ProviderFactory().pk)
    provider.cqc_provider_id = "1-000000001"
    provider.companies_house_number = "01234567"
    provider.save()
    (changed,) = events("provider.")
    assert changed.action == AuditAction.PROVIDER_DETAILS_CHANGED
    assert set(changed.data["changes"]) == {"cqc_provider_id", "companies_house_number"}


def test_other_saves_of_a_provider_record_nothing(django_assert_num_queries):
    provider = ProviderFactory()
    provider.registration_status = "Registered"
    provider.save()
    provider.save(update_fields=["cqc_synced_at"])
    Provider.objects.update_or_create(pk=provider.pk, defaults={"name": provider.name})
    assert not events("provider.")
    reloaded = Provider.objects.get(pk=provider.pk)
    with django_assert_num_queries(2):  # the update and its audit event: the loaded values spare a read
        reloaded.brand_name = "Acme"
        reloaded.save()
    assert [e.action for e in events("provider.")] == [AuditAction.PROVIDER_DETAILS_CHANGED]


def test_a_rename_through_a_query_set_update_is_not_seen(provider):
    # Documented limit: QuerySet.update() sends no signals. Nothing in the product renames this way.
    Provider.objects.filter(pk=provider.pk).update(name="Elsewhere")
    assert not events("provider.")


def test_renaming_in_the_admin_names_the_admin(admin):
    provider = ProviderFactory(name="Acme Care")
    response = client_for(admin).post(
        f"/admin/providers/provider/{provider.pk}/change/",
        {"name": "Acme Home Care", "cqc_provider_id": provider.cqc_provider_id, "registration_status": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    (renamed,) = events("provider.")
    assert renamed.actor == admin and renamed.data["changes"]["name"] == ["Acme Care", "Acme Home Care"]
