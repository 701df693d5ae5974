"""Factories shared by every area's tests: users in each audience and provider organisations.

Officers, CCC staff and admins must give a second factor (django-otp TOTP): ``UserFactory(totp_device=True)``
gives a user a confirmed authenticator, ``sign_in_fully(client, user)`` signs a test client in with the
password step skipped and the code step done the way django-otp's own ``login(request, device)`` does it.
"""

from __future__ import annotations

from typing import Any

import django_otp
import factory
from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecare.accounts.audiences import Audience
from homecare.accounts.mfa import confirmed_totp_device, mfa_required_for
from providers.models import Provider, ProviderStaff

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def audiences(self, create: bool, extracted: list[Audience] | None, **kwargs: Any) -> None:
        if create and extracted:
            for audience in extracted:
                # get_or_create: transactional tests (live server, Celery worker) flush the groups
                # that the data migration made.
                self.groups.add(Group.objects.get_or_create(name=audience.group_name)[0])
        if create:
            self.save()

    @factory.post_generation
    def totp_device(self, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if create and extracted:
            give_totp_device(self)


def give_totp_device(user: User) -> TOTPDevice:
    """A confirmed authenticator for ``user``, as if they had finished the set-up page."""
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    return device


def current_totp_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now (the same computation django-otp verifies)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def sign_in_fully(client: Client, user: User) -> Client:
    """Sign ``client`` in as ``user``, second factor included where the user has or needs one."""
    client.force_login(user)
    device = confirmed_totp_device(user)
    if device is None and mfa_required_for(user):
        device = give_totp_device(user)  # e.g. pytest-django's admin_user, made without a factory
    if device is not None:
        request = HttpRequest()
        request.user = user
        request.session = client.session
        django_otp.login(request, device)
        request.session.save()
    return client


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Test Care Provider {n} Ltd")
    cqc_provider_id = factory.Sequence(lambda n: f"1-9{n:08d}")


def make_provider_user(provider: Provider | None = None, **kwargs: Any) -> User:
    user = UserFactory(audiences=[Audience.PROVIDER], **kwargs)
    ProviderStaff.objects.create(user=user, provider=provider or ProviderFactory())
    return user
