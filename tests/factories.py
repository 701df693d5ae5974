"""Factories shared by every area's tests: users in each audience and provider organisations."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group, User

from homecare.accounts.audiences import Audience
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


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Test Care Provider {n} Ltd")
    cqc_provider_id = factory.Sequence(lambda n: f"1-9{n:08d}")


def make_provider_user(provider: Provider | None = None, **kwargs: Any) -> User:
    user = UserFactory(audiences=[Audience.PROVIDER], **kwargs)
    ProviderStaff.objects.create(user=user, provider=provider or ProviderFactory())
    return user
