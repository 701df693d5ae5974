"""Demo accounts: one person per audience, and provider staff linked to fictional providers."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.core.management.base import OutputWrapper

from homecare.accounts.audiences import Audience
from homecare.apitokens.models import ApiToken
from homecare.apitokens.services import api_token_create, api_token_revoke
from providers.models import Provider, ProviderStaff

# Fictional organisations. Other demo steps may look them up by name and add detail to them.
DEMO_PROVIDER_NAMES = ["Demo: Aire Valley Home Care", "Demo: Wharfedale Care at Home"]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    full_name: str
    audience: Audience | None  # None: the system administrator (Django admin)
    provider_name: str | None = None

    @property
    def area(self) -> str:
        return "/admin/" if self.audience is None else f"/{self.audience.value}/"

    @property
    def description(self) -> str:
        if self.audience is None:
            return "System administrator (Django admin)"
        if self.provider_name:
            return f"{self.audience.label}: {self.provider_name}"
        return self.audience.label


# Demo only: these passwords are printed on purpose and load_demo refuses to run in production.
DEMO_ACCOUNTS = [
    DemoAccount("officer", "demo-officer-pass", "Olivia Officer (demo)", Audience.OFFICER),
    DemoAccount("ccc", "demo-ccc-pass", "Callum Centre (demo)", Audience.CCC),
    DemoAccount("aire", "demo-provider-pass", "Priya Provider (demo)", Audience.PROVIDER, DEMO_PROVIDER_NAMES[0]),
    DemoAccount("wharfe", "demo-provider-pass", "Will Wharfe (demo)", Audience.PROVIDER, DEMO_PROVIDER_NAMES[1]),
    DemoAccount("admin", "demo-admin-pass", "Ada Admin (demo)", None),
]


def load_demo_accounts(*, stdout: OutputWrapper) -> None:
    """Create or refresh the demo providers and accounts; passwords are reset to the printed ones."""
    providers = {
        name: Provider.objects.update_or_create(name=name, defaults={"is_demo": True})[0]
        for name in DEMO_PROVIDER_NAMES
    }
    for account in DEMO_ACCOUNTS:
        first_name, _, last_name = account.full_name.partition(" ")
        is_admin = account.audience is None
        user, _ = User.objects.update_or_create(
            username=account.username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{account.username}@demo.invalid",
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "is_active": True,
            },
        )
        user.set_password(account.password)
        user.save(update_fields=["password"])
        if account.audience is not None:
            user.groups.add(Group.objects.get_or_create(name=account.audience.group_name)[0])
        if account.provider_name is not None:
            ProviderStaff.objects.update_or_create(user=user, defaults={"provider": providers[account.provider_name]})
    stdout.write(f"Demo providers: {', '.join(DEMO_PROVIDER_NAMES)}; {len(DEMO_ACCOUNTS)} demo accounts.")


DEMO_API_TOKEN_NAME = "Demo: try the API"  # noqa: S105 - a label, not the secret


def demo_api_token_issue() -> str | None:
    """A fresh API token for the demo officer, replacing the last one: its secret cannot be read back.

    Integrators call /api/ with a token; the demo prints one to try the API with. Only its digest
    is stored, so every run of ``load_demo`` (and ``load_demo --accounts``) mints a new one.
    """
    officer = User.objects.filter(username="officer").first()
    if officer is None:
        return None  # the demo data is not loaded
    for old in ApiToken.objects.filter(user=officer, name=DEMO_API_TOKEN_NAME):
        api_token_revoke(token=old, revoked_by=None)
    _, secret = api_token_create(user=officer, name=DEMO_API_TOKEN_NAME, created_by=None)
    return secret


def describe_demo_accounts(*, base_url: str, api_token: str | None = None) -> str:
    """The sign-in details printed by load_demo and scripts/demo.sh, with the officer's API token if given."""
    lines = [f"Sign in at {base_url}/accounts/sign-in/ (the Django admin is at {base_url}/admin/)", ""]
    width = max(len(account.description) for account in DEMO_ACCOUNTS)
    for account in DEMO_ACCOUNTS:
        lines.append(
            f"  {account.description:<{width}}  username {account.username:<8} password {account.password:<18}"
            f"  -> {base_url}{account.area}"
        )
    if api_token:
        lines += [
            "",
            f"  API (integrators): {base_url}/api/docs/  with header  Authorization: Token {api_token}",
            f"  (the officer's demo token; manage tokens at {base_url}/accounts/api-tokens/)",
        ]
    return "\n".join(lines)
