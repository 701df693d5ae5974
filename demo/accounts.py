"""Demo accounts: one person per audience, and provider staff linked to fictional providers.

The officer, CCC and admin accounts need a second factor, so they get authenticators with fixed,
published, demo-only secrets: the banner prints each secret, its otpauth:// URI and the current code.
"""

from __future__ import annotations

from base64 import b32decode
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.core.management.base import OutputWrapper
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

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
    totp_secret: str | None = None  # base32; None: no authenticator (provider staff may add one)

    @property
    def totp_key_hex(self) -> str:
        return b32decode(self.totp_secret or "").hex()

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


# Demo only: these passwords and authenticator secrets are printed on purpose (they spell out that they
# are public), and load_demo refuses to run in production.
DEMO_ACCOUNTS = [
    DemoAccount(
        "officer",
        "demo-officer-pass",
        "Olivia Officer (demo)",
        Audience.OFFICER,
        None,
        "DEMOONLYOFFICERTOTPSECRETPUBLIC2",
    ),
    DemoAccount("ccc", "demo-ccc-pass", "Callum Centre (demo)", Audience.CCC, None, "DEMOONLYCCCSTAFFTOTPSECRETPUBLIC"),
    DemoAccount("aire", "demo-provider-pass", "Priya Provider (demo)", Audience.PROVIDER, DEMO_PROVIDER_NAMES[0]),
    DemoAccount("wharfe", "demo-provider-pass", "Will Wharfe (demo)", Audience.PROVIDER, DEMO_PROVIDER_NAMES[1]),
    DemoAccount("admin", "demo-admin-pass", "Ada Admin (demo)", None, None, "DEMOONLYADMINTOTPSECRETPUBLIC234"),
]
DEMO_DEVICE_NAME = "Demo authenticator (public secret)"


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
        # Back to the printed state: the published authenticator, or none; no throttling left from earlier tries.
        TOTPDevice.objects.filter(user=user).delete()
        if account.totp_secret is not None:
            TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=account.totp_key_hex, confirmed=True)
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
    lines += [
        "",
        "  Every other demo provider signs in too: username = its name in lower case with hyphens, without",
        "  'Demo:' (Demo: Leeds Homecare Ltd -> leeds-homecare-ltd), password demo-provider-pass.",
        "",
        "  Two-step verification (demo-only, public secrets): add a secret to an authenticator app, or use the",
        "  code below (it changes every 30 seconds; `manage.py load_demo --accounts` prints fresh ones).",
    ]
    for device in TOTPDevice.objects.filter(name=DEMO_DEVICE_NAME).select_related("user").order_by("user__username"):
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        secret = next(a.totp_secret for a in DEMO_ACCOUNTS if a.username == device.user.username)
        lines.append(f"    {device.user.username:<8} code now {code:06d}  secret {secret}  {device.config_url}")
    if api_token:
        lines += [
            "",
            f"  API (integrators): {base_url}/api/docs/  with header  Authorization: Token {api_token}",
            f"  (the officer's demo token; manage tokens at {base_url}/accounts/api-tokens/)",
        ]
    return "\n".join(lines)
