"""Providers' staff are emailed each offer once, and the winner once on award, without personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db.models import F
from django.utils import timezone

from brokerage.isa import PersonData
from brokerage.models import CarePackage, Offer
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_enter
from brokerage.services.responses import offer_accept, offer_decline, package_award_manually
from brokerage.tasks import notify_award, notify_missed_offers, notify_offer, notify_package_offers
from config.celery import app as celery_app
from contracts.models import AllocationPolicy
from homecare.queue import enqueue_suspended
from providers.models import Provider
from tests.brokerage.factories import make_isa, make_market
from tests.factories import UserFactory, make_provider_user

pytestmark = pytest.mark.django_db

SITE = "https://homecare.example.gov.uk"
PERSON = PersonData(
    given_name="Edith",
    family_name="Crawley",
    address_line_1="1 Test Street",
    address_line_2="Far Headingley",
    town="Leeds",
    postcode="LS6 1AA",
    mosaic_person_id="M123456",
    date_of_birth=date(1938, 5, 2),
    phone="0113 496 0123",
)
PERSONAL = ["Edith", "Crawley", "1 Test Street", "Far Headingley", "LS6 1AA", "0113 496 0123", "M123456", "1938"]


@pytest.fixture(autouse=True)
def email_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.HOMECARE_SITE_URL = SITE
    # The on-commit callbacks run the tasks here, in this process, instead of sending them to a broker.
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@dataclass(frozen=True)
class Email:
    """One email as the provider receives it: sent to each of its staff separately, never to a shared list."""

    subject: str
    body: str
    to: tuple[str, ...]


def emails() -> list[Email]:
    grouped: dict[tuple[str, str], list[str]] = {}
    for message in mail.outbox:
        assert len(message.to) == 1, "each member of staff gets their own message"
        grouped.setdefault((str(message.subject), str(message.body)), []).extend(message.to)
    return [Email(subject=subject, body=body, to=tuple(to)) for (subject, body), to in grouped.items()]


def staff_for(providers: list[Provider], per_provider: int = 2) -> dict[int, set[str]]:
    return {p.pk: {make_provider_user(p).email for _ in range(per_provider)} for p in providers}


def brokered(market, officer, capture, *, execute: bool = True) -> CarePackage:
    package = package_enter(isa=make_isa(market, person=PERSON), entered_by=officer).package
    with capture(execute=execute):
        package_broker(package_id=package.pk)
    package.refresh_from_db()
    return package


def offer_of(package: CarePackage, provider: Provider) -> Offer:
    return Offer.objects.get(package=package, provider=provider, round_number=package.round_number)


def assert_no_personal_data() -> None:
    assert emails()
    for message in emails():
        for detail in PERSONAL:
            assert detail not in message.subject
            assert detail not in message.body


def test_every_offer_of_a_ranked_round_is_emailed_once_to_its_providers_staff(
    officer, django_capture_on_commit_callbacks
):
    market = make_market(policy=AllocationPolicy.RANKED_DPS, providers=3)
    staff = staff_for(market.providers)
    package = brokered(market, officer, django_capture_on_commit_callbacks)

    assert len(emails()) == 3
    assert len(mail.outbox) == 6  # two staff at each of three providers, one message each
    assert sorted(tuple(sorted(m.to)) for m in emails()) == sorted(tuple(sorted(s)) for s in staff.values())
    for offer in package.offers.all():
        assert offer.notified_at is not None
        message = next(m for m in emails() if set(m.to) == staff[offer.provider_id])
        assert package.reference in message.subject
        assert f"{SITE}/portal/offers/{offer.pk}/" in message.body
        assert "Postcode district: LS6" in message.body
        assert f"Hours a week: {package.hours_per_week}" in message.body
        assert "Urgency: Routine" in message.body
        assert f"{timezone.localtime(offer.respond_by):%H:%M on %A %d %B %Y}" in message.body
        assert "Inner North West" in message.body


def test_offer_and_award_emails_carry_no_personal_data(officer, django_capture_on_commit_callbacks):
    market = make_market(providers=2)
    staff_for(market.providers)
    package = brokered(market, officer, django_capture_on_commit_callbacks)
    first = market.providers[0]
    with django_capture_on_commit_callbacks(execute=True):
        offer_accept(
            offer_id=offer_of(package, first).pk,
            provider_user=make_provider_user(first),
            start_on=timezone.localdate() + timedelta(days=3),
        )
    assert len(emails()) == 3  # two offers and one award
    assert_no_personal_data()


def test_running_the_offer_task_twice_sends_one_email(officer, django_capture_on_commit_callbacks):
    market = make_market(providers=1)
    staff_for(market.providers)
    package = brokered(market, officer, django_capture_on_commit_callbacks, execute=False)
    offer = package.offers.get()
    assert emails() == []

    assert notify_offer(offer.pk) is True
    assert notify_offer(offer.pk) is False
    assert len(emails()) == 1


def test_packages_offered_to_the_same_provider_before_its_email_went_are_one_email_listing_them(
    officer, django_capture_on_commit_callbacks
):
    market = make_market(policy=AllocationPolicy.RANKED_DPS, providers=2)
    staff = staff_for(market.providers)
    # Both packages are ranked and offered before the notify queue reaches their email tasks (a burst).
    first = brokered(market, officer, django_capture_on_commit_callbacks, execute=False)
    second = brokered(market, officer, django_capture_on_commit_callbacks, execute=False)
    assert emails() == []

    assert notify_package_offers(first.pk) == 4  # two providers, two offers each
    assert len(emails()) == 2  # one email per provider, not one per offer
    for provider in market.providers:
        [message] = [m for m in emails() if set(m.to) == staff[provider.pk]]
        assert message.subject.startswith("2 new homecare offers: the first to respond by ")
        for package in (first, second):
            offer = offer_of(package, provider)
            assert f"Package: {package.reference}" in message.body
            assert f"Accept or decline: {SITE}/portal/offers/{offer.pk}/" in message.body
            assert offer.notified_at is not None
            assert f"Respond by: {timezone.localtime(offer.respond_by):%H:%M on %A %d %B %Y}" in message.body
    assert_no_personal_data()

    # The second package's own task, either task again, the old per-offer task and the sweep send nothing more.
    assert notify_package_offers(second.pk) == 0
    assert notify_package_offers(first.pk) == 0
    assert notify_offer(offer_of(second, market.providers[0]).pk) is False
    Offer.objects.update(sent_at=F("sent_at") - timedelta(minutes=2))
    assert notify_missed_offers() == {"offers": 0, "awards": 0}
    assert len(emails()) == 2
    assert len(mail.outbox) == 4  # each of two staff at each provider, once


def test_the_sweep_emails_a_providers_lost_offers_of_several_packages_in_one(
    officer, django_capture_on_commit_callbacks
):
    market = make_market(providers=1)
    staff = staff_for(market.providers, per_provider=1)
    packages = [brokered(market, officer, django_capture_on_commit_callbacks, execute=False) for _ in range(3)]
    Offer.objects.update(sent_at=F("sent_at") - timedelta(minutes=2))

    assert notify_missed_offers() == {"offers": 3, "awards": 0}
    [message] = emails()
    assert set(message.to) == staff[market.providers[0].pk]
    assert message.subject.startswith("3 new homecare offers")
    assert [line.removeprefix("Package: ") for line in message.body.splitlines() if line.startswith("Package: ")] == [
        package.reference for package in packages
    ]


def test_the_winner_is_emailed_once_on_award_with_a_link_to_the_person_in_the_portal(
    officer, django_capture_on_commit_callbacks
):
    market = make_market(providers=2)
    staff = staff_for(market.providers)
    package = brokered(market, officer, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    first = market.providers[0]
    winning = offer_of(package, first)
    with django_capture_on_commit_callbacks(execute=True):
        offer_accept(
            offer_id=winning.pk,
            provider_user=make_provider_user(first),
            start_on=timezone.localdate() + timedelta(days=3),
        )

    [message] = emails()
    # Every member of the winner's staff (the one who accepted too), no one else.
    assert set(message.to) == set(first.staff.values_list("user__email", flat=True))
    assert staff[first.pk] <= set(message.to)
    assert message.subject == f"Homecare package {package.reference} awarded to you"
    assert "See the person's details" in message.body
    assert f"{SITE}/portal/offers/{winning.pk}/" in message.body
    winning.refresh_from_db()
    assert winning.award_notified_at is not None
    assert notify_award(winning.pk) is False
    assert len(emails()) == 1
    assert_no_personal_data()


def test_a_manual_award_emails_the_provider_chosen_by_the_officer(officer, django_capture_on_commit_callbacks):
    market = make_market(providers=2)
    staff = staff_for(market.providers)
    package = brokered(market, officer, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    second = market.providers[1]
    with django_capture_on_commit_callbacks(execute=True):
        package_award_manually(
            package_id=package.pk, provider_id=second.pk, awarded_by=officer, reason="Agreed by phone"
        )
    [message] = emails()
    assert set(message.to) == staff[second.pk]
    assert "awarded to you" in message.subject


def test_a_cascade_emails_each_provider_as_its_turn_comes(officer, django_capture_on_commit_callbacks):
    market = make_market(policy=AllocationPolicy.SEQUENTIAL_CASCADE, providers=3)
    staff = staff_for(market.providers)
    package = brokered(market, officer, django_capture_on_commit_callbacks)
    [first_email] = emails()
    assert set(first_email.to) == staff[market.providers[0].pk]

    with django_capture_on_commit_callbacks(execute=True):
        offer_decline(
            offer_id=offer_of(package, market.providers[0]).pk,
            provider_user=make_provider_user(market.providers[0]),
            reason="no_capacity",
        )
    assert len(emails()) == 2
    assert set(emails()[1].to) == staff[market.providers[1].pk]


def test_the_lead_providers_first_refusal_is_emailed_and_says_so(officer, django_capture_on_commit_callbacks):
    market = make_market(policy=AllocationPolicy.LEAD_PROVIDER_FIRST, providers=3)
    staff = staff_for(market.providers)
    brokered(market, officer, django_capture_on_commit_callbacks)
    [message] = emails()
    assert set(message.to) == staff[market.providers[0].pk]
    assert "first refusal" in message.body


def test_the_sweep_sends_an_offer_whose_email_was_lost_a_minute_later(officer, django_capture_on_commit_callbacks):
    market = make_market(providers=2)
    staff_for(market.providers)
    package = brokered(market, officer, django_capture_on_commit_callbacks, execute=False)  # the tasks are lost
    assert notify_missed_offers() == {"offers": 0, "awards": 0}  # not yet: the task may still be on its way

    Offer.objects.filter(package=package).update(sent_at=F("sent_at") - timedelta(minutes=2))
    assert notify_missed_offers() == {"offers": 2, "awards": 0}
    assert len(emails()) == 2
    assert not Offer.objects.filter(package=package, notified_at__isnull=True).exists()
    assert notify_missed_offers() == {"offers": 0, "awards": 0}
    assert len(emails()) == 2


def test_the_sweep_sends_a_lost_award_email_but_not_offers_already_closed(officer, django_capture_on_commit_callbacks):
    market = make_market(providers=2)
    staff = staff_for(market.providers)
    package = brokered(market, officer, django_capture_on_commit_callbacks, execute=False)
    first = market.providers[0]
    offer_accept(  # outside the capture: the award's task is lost too
        offer_id=offer_of(package, first).pk,
        provider_user=make_provider_user(first),
        start_on=timezone.localdate() + timedelta(days=3),
    )
    Offer.objects.filter(package=package).update(
        sent_at=F("sent_at") - timedelta(minutes=5), closed_at=F("closed_at") - timedelta(minutes=5)
    )
    assert notify_missed_offers() == {"offers": 0, "awards": 1}  # the withdrawn offer has nothing to answer
    [message] = emails()
    assert staff[first.pk] <= set(message.to)
    assert "awarded to you" in message.subject


def test_providers_without_staff_email_addresses_are_skipped_without_error(officer, django_capture_on_commit_callbacks):
    market = make_market(providers=3)
    with_email, blank_email, no_staff = market.providers
    staff = staff_for([with_email], per_provider=1)
    make_provider_user(blank_email, email="")
    make_provider_user(blank_email, email="left@example.org", is_active=False)
    UserFactory()  # someone with an email address who is nobody's staff
    package = brokered(market, officer, django_capture_on_commit_callbacks)

    [message] = emails()
    assert set(message.to) == staff[with_email.pk]
    # Marked as handled, so the sweep does not try them again every minute.
    assert not package.offers.filter(notified_at__isnull=True).exists()
    Offer.objects.filter(package=package).update(sent_at=F("sent_at") - timedelta(minutes=2))
    assert notify_missed_offers() == {"offers": 0, "awards": 0}
    assert no_staff.staff.count() == 0


def test_replayed_history_emails_nobody_and_the_sweep_later_emails_offers_still_open(
    officer, django_capture_on_commit_callbacks
):
    market = make_market(providers=2)
    staff_for(market.providers)
    with enqueue_suspended():
        package = brokered(market, officer, django_capture_on_commit_callbacks)
    assert emails() == []

    Offer.objects.filter(package=package).update(sent_at=F("sent_at") - timedelta(minutes=2))
    assert notify_missed_offers() == {"offers": 2, "awards": 0}
    assert len(emails()) == 2
