"""manage.py load_demo: fictional accounts for every audience, safe to run twice, never in production."""

from __future__ import annotations

import inspect
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper
from django.test import Client
from django.utils.module_loading import import_string

from demo.accounts import DEMO_ACCOUNTS
from demo.steps import DEMO_STEPS
from providers.models import Provider, ProviderStaff
from tests.realdata import shared_data_dir

pytestmark = pytest.mark.django_db

ACCOUNTS_STEP = "demo.accounts.load_demo_accounts"


@pytest.fixture(autouse=True)
def _only_the_accounts_step(request, monkeypatch):
    """These tests are about the accounts step; later steps (other capabilities) need the real data."""
    if "full_demo" not in request.keywords:
        monkeypatch.setattr("demo.management.commands.load_demo.DEMO_STEPS", [ACCOUNTS_STEP])


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.full_demo
@pytest.mark.realdata
def test_the_whole_demo_loads_twice_with_every_capabilitys_steps():
    shared_data_dir()
    assert DEMO_STEPS[0] == ACCOUNTS_STEP  # later steps may rely on the demo providers and accounts
    first = load_demo()
    counts = (User.objects.count(), Provider.objects.count(), ProviderStaff.objects.count())
    second = load_demo()
    assert (User.objects.count(), Provider.objects.count(), ProviderStaff.objects.count()) == counts
    for dotted_path in DEMO_STEPS:
        assert f"==> {dotted_path}" in first and f"==> {dotted_path}" in second


def test_each_demo_account_signs_in_through_the_form_and_lands_in_its_area():
    output = load_demo()
    for account in DEMO_ACCOUNTS:
        assert f"username {account.username}" in output and account.password in output
        client = Client()
        response = client.post("/accounts/sign-in/", {"username": account.username, "password": account.password})
        assert response.status_code == 302, account.username
        if account.totp_secret is not None:
            # A person types the code the banner printed (or their app shows for the printed secret).
            printed = re.search(
                rf"^ +{account.username} +code now (\d{{6}})  secret {account.totp_secret}  otpauth://", output, re.M
            )
            assert printed is not None, account.username
            assert response["Location"].startswith("/accounts/sign-in/code/"), account.username
            client.post(response["Location"], {"code": printed.group(1)})
        landing = client.get("/", follow=True)
        assert landing.request["PATH_INFO"] == account.area, account.username


def test_demo_providers_are_fictional_and_marked_as_demo():
    load_demo()
    for staff in ProviderStaff.objects.select_related("provider"):
        assert staff.provider.is_demo
        assert staff.provider.name.startswith("Demo: ")


def test_loading_the_demo_twice_changes_nothing_and_resets_passwords():
    load_demo()
    counts = (User.objects.count(), Provider.objects.count(), ProviderStaff.objects.count())
    officer = User.objects.get(username="officer")
    officer.set_password("something-else-entirely")
    officer.save()
    load_demo()
    assert (User.objects.count(), Provider.objects.count(), ProviderStaff.objects.count()) == counts
    assert User.objects.get(username="officer").check_password("demo-officer-pass")


def test_load_demo_refuses_to_run_in_production(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="DJANGO_ENV=production"):
        load_demo()
    assert not User.objects.filter(username="officer").exists()


def test_every_demo_step_follows_the_contract():
    for dotted_path in DEMO_STEPS:
        parameters = inspect.signature(import_string(dotted_path)).parameters
        assert list(parameters) == ["stdout"], dotted_path
        assert parameters["stdout"].kind is inspect.Parameter.KEYWORD_ONLY, dotted_path


def step_that_fails_halfway(*, stdout: OutputWrapper) -> None:
    Provider.objects.create(name="Demo: Half-loaded Ltd", is_demo=True)
    raise RuntimeError("the demo data file is missing")


def test_a_failing_step_leaves_nothing_half_loaded(monkeypatch):
    monkeypatch.setattr(
        "demo.management.commands.load_demo.DEMO_STEPS",
        [ACCOUNTS_STEP, "tests.foundation.test_demo.step_that_fails_halfway"],
    )
    with pytest.raises(RuntimeError, match="demo data file is missing"):
        load_demo()
    assert not Provider.objects.filter(name="Demo: Half-loaded Ltd").exists()
    assert User.objects.filter(username="officer").exists()  # earlier steps committed on their own
