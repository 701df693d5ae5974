"""A demo login for every demo provider, so a newcomer can answer, as that provider, an offer they just made.

Usernames come from the provider's name ("Demo: Leeds Homecare Ltd" signs in as ``leeds-homecare-ltd``), all
with the demo provider password; the officer sees the provider names on each package's page. The password is
hashed once for them all: a hundred separate hashes would add half a minute to the demo load.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.base import OutputWrapper
from django.utils.text import slugify

from demo.accounts import DEMO_ACCOUNTS
from homecare.accounts.audiences import Audience
from providers.models import Provider, ProviderStaff

DEMO_PROVIDER_PASSWORD = next(a.password for a in DEMO_ACCOUNTS if a.audience is Audience.PROVIDER)


def demo_provider_username(provider: Provider) -> str:
    return slugify(provider.name.removeprefix("Demo:"))[:150]


def load_demo_provider_logins(*, stdout: OutputWrapper) -> None:
    """Every demo provider without a demo login gets one (the named demo accounts keep theirs)."""
    group = Group.objects.get_or_create(name=Audience.PROVIDER.group_name)[0]
    password = make_password(DEMO_PROVIDER_PASSWORD)
    staffed = set(ProviderStaff.objects.values_list("provider_id", flat=True))
    made = 0
    # Care providers only (they have CQC locations): the commissioning step's tender bidders, made after this
    # step, are not homecare providers to answer offers as, and a second load must not give them logins.
    providers = Provider.objects.filter(is_demo=True, locations__isnull=False).exclude(pk__in=staffed).distinct()
    for provider in providers.order_by("pk"):
        user, _ = User.objects.update_or_create(
            username=demo_provider_username(provider),
            defaults={
                "first_name": "Demo staff",
                "last_name": f"of {provider.name.removeprefix('Demo: ')}",
                "email": f"{demo_provider_username(provider)}@demo.invalid",
                "password": password,
                "is_active": True,
            },
        )
        user.groups.add(group)
        ProviderStaff.objects.update_or_create(user=user, defaults={"provider": provider})
        made += 1
    stdout.write(
        f"{made} more demo providers can sign in: username = the provider's name in lower case with hyphens "
        f"(e.g. 'Demo: Aire Valley Home Care' -> aire-valley-home-care), password {DEMO_PROVIDER_PASSWORD}."
    )
