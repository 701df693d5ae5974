"""Demo DPS data: the agreement's scheduled rounds, one open demo round and a few fictional applications.

Called by :func:`demo.agreements.load_demo_agreements`, once the agreement is loaded. The applicants and
their CQC locations are fictional (names start "Demo:", location ids "DEMO-"), and they go through the real
services, so their evaluation is the real one against the configured council boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User

from contracts.models import Agreement
from dps import services
from dps.models import ApplicationStatus, DpsRound, ProviderApplication, RoundStatus
from homecare.accounts.audiences import Audience
from providers.models import CqcLocation, CqcRating, Provider, ProviderStaff, RegistrationStatus
from providers.quality import Rating

DEMO_ROUND_LABEL = "Demo: an open round (fictional)"
# Far above the scheduled rounds' numbers, so taking an extension never collides with it.
DEMO_ROUND_NUMBER = 100


@dataclass(frozen=True)
class DemoApplicant:
    name: str
    username: str
    location_id: str
    postcode: str
    lat: float
    lon: float
    overall: str
    safe: str
    submit: bool
    declarations: tuple[bool, bool, bool]


DEMO_APPLICANTS = (
    DemoApplicant(
        "Demo: Calder Home Support", "demo-calder", "DEMO-1-0001", "LS1 4AP", 53.7996, -1.5491,
        Rating.GOOD, Rating.GOOD, submit=True, declarations=(True, True, True),
    ),
    DemoApplicant(
        "Demo: Pennine Homecare", "demo-pennine", "DEMO-1-0002", "OL1 1AA", 53.5409, -2.1114,
        Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE, submit=True, declarations=(True, True, False),
    ),
    DemoApplicant(
        "Demo: Kirkstall Carers", "demo-kirkstall", "DEMO-1-0003", "LS5 3AA", 53.8176, -1.6010,
        Rating.GOOD, Rating.GOOD, submit=False, declarations=(True, False, False),
    ),
)  # fmt: skip
DEMO_APPLICANT_NAMES = tuple(applicant.name for applicant in DEMO_APPLICANTS)


def _demo_round(agreement: Agreement, now: datetime) -> DpsRound:
    """A round open now, so the portal has something to apply to whatever day the demo is loaded."""
    existing = DpsRound.objects.filter(agreement=agreement, label=DEMO_ROUND_LABEL).first()
    opens_at, closes_at = now - timedelta(days=3), now + timedelta(days=25)
    if existing is not None:
        DpsRound.objects.filter(pk=existing.pk).update(
            opens_at=opens_at, closes_at=closes_at, status=RoundStatus.OPEN, closed_at=None
        )
        existing.refresh_from_db()
        return existing
    return DpsRound.objects.create(
        agreement=agreement,
        number=DEMO_ROUND_NUMBER,
        label=DEMO_ROUND_LABEL,
        opens_at=opens_at,
        closes_at=closes_at,
        status=RoundStatus.OPEN,
        opened_at=opens_at,
    )


def _applicant(applicant: DemoApplicant) -> tuple[User, CqcLocation]:
    provider, _ = Provider.objects.update_or_create(name=applicant.name, defaults={"is_demo": True})
    location, _ = CqcLocation.objects.update_or_create(
        location_id=applicant.location_id,
        defaults={
            "provider": provider,
            "name": applicant.name.removeprefix("Demo: ") + " (demo branch)",
            "registration_status": RegistrationStatus.REGISTERED,
            "service_types": ["Homecare agencies"],
            "is_homecare_agency": True,
            "postcode": applicant.postcode,
            "latitude": applicant.lat,
            "longitude": applicant.lon,
        },
    )
    key_questions = {
        "effective": Rating.GOOD,
        "caring": Rating.GOOD,
        "responsive": Rating.GOOD,
        "well_led": applicant.overall,
    }
    rating, _ = CqcRating.objects.update_or_create(
        location=location,
        fingerprint=f"demo-{applicant.location_id}",
        defaults={"overall": applicant.overall, "safe": applicant.safe, "source": "demo", **key_questions},
    )
    CqcLocation.objects.filter(pk=location.pk).update(current_rating=rating)
    user, created = User.objects.get_or_create(
        username=applicant.username,
        defaults={"first_name": "Demo", "last_name": "applicant", "email": f"{applicant.username}@demo.invalid"},
    )
    if created:
        # A stand-in author for the demo application; nobody signs in as it.
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=Audience.PROVIDER.group_name)[0])
    ProviderStaff.objects.update_or_create(user=user, defaults={"provider": provider})
    return user, location


def load_demo_dps(*, agreement: Agreement, now: datetime) -> str:
    created = services.rounds_generate(actor=None, agreement=agreement)
    services.rounds_sync(now=now)
    dps_round = _demo_round(agreement, now)
    submitted = 0
    for applicant in DEMO_APPLICANTS:
        user, location = _applicant(applicant)
        application = services.application_start(provider_user=user, dps_round=dps_round)
        if application.status != ApplicationStatus.DRAFT:
            continue
        comply, staff_pay, fee_rates = applicant.declarations
        services.application_save_draft(
            provider_user=user,
            application=application,
            location_ids=[location.pk],
            declarations={
                "declares_contract_compliance": comply,
                "declares_staff_pay_passed_on": staff_pay,
                "declares_fee_rates_accepted": fee_rates,
            },
        )
        if applicant.submit:
            services.application_submit(provider_user=user, application=application)
            submitted += 1
    total = ProviderApplication.objects.filter(dps_round=dps_round).count()
    return (
        f"DPS: {len(created)} scheduled round(s) added; '{dps_round}' is open with {total} demo application(s) "
        f"({submitted} submitted now)."
    )
