"""People's personal data over time: retention, erasure, subject access exports and key rotation.

- **Retention** (:func:`person_details_apply_retention`, run daily by beat): a package's person details are
  anonymised once its agreement's retention period has passed: ``retention_after_end_years`` after care
  ended (or after a cancellation once care had started), ``retention_after_cancel_days`` after a cancellation
  before care started, and ``retention_draft_days`` after a draft was entered and never submitted (the draft
  is cancelled too, so it can never be brokered for no one).
- **Erasure** (:func:`person_details_erase`): an officer anonymises one package's details at once, with a
  reason. While care is being arranged or delivered the council usually still needs the details to meet the
  person's needs (UK GDPR article 17(3)(b): a legal obligation under the Care Act 2014), so erasure is
  refused unless the officer confirms and the reason says why (at least 20 characters); the package is then
  cancelled, its offers withdrawn, and the provider can no longer see anyone.
- **Anonymising** keeps the care pattern (visits, hours, needs, funding, status history, offers), the
  postcode district, the birth year and every figure the dashboard and reports use; it removes the name,
  address lines, full postcode, phone, date of birth, Mosaic id, the case-management reference, the
  payload hash and the free-text special requirements.
- **Subject access** (:func:`subject_access_export`): everything held about one person, every package.
- **Key rotation** (:func:`person_details_reencrypt`): every encrypted value moved to the newest key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from encrypted_model_fields.fields import get_crypter

from brokerage.models import CarePackage, PackageStatusChange, PersonDetails, PersonDetailsAccess, PrivacyRun
from brokerage.person_lookup import person_lookup_digest
from brokerage.selectors import UserLike, person_accesses_for_officer, person_details_for_subject_access
from brokerage.services.packages import PackageStateError, package_cancel
from contracts.models import Agreement
from contracts.months import add_months
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record

ENCRYPTED_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "nhs_number",
)
# Statuses in which care is being arranged or delivered: erasure then needs a confirmed reason.
CARE_IN_HAND = (
    CarePackage.Status.BROKERING,
    CarePackage.Status.UNPLACED,
    CarePackage.Status.AWARDED,
    CarePackage.Status.CARE_STARTED,
    CarePackage.Status.HANDED_BACK,
)
LIVE_ERASURE_REASON_MIN = 20


class ErasureRefused(Exception):
    """Erasure cannot go ahead as asked; the message says why, for the officer, and ``field`` what to fix."""

    def __init__(self, message: str, *, field: str = "reason") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RetentionDue:
    """Packages whose details are due to be anonymised, by rule (ids only)."""

    ended: list[int]
    cancelled: list[int]
    drafts: list[int]


def _cancelled_at() -> Subquery:
    latest = PackageStatusChange.objects.filter(package=OuterRef("pk"), to_status=CarePackage.Status.CANCELLED)
    return Subquery(latest.order_by("-changed_at").values("changed_at")[:1])


def retention_due(*, now: datetime) -> RetentionDue:
    """Which packages' details the retention rules anonymise at ``now``, agreement by agreement."""
    today = timezone.localdate(now)
    ended: list[int] = []
    cancelled: list[int] = []
    drafts: list[int] = []
    for agreement in Agreement.objects.only(
        "retention_after_end_years", "retention_after_cancel_days", "retention_draft_days"
    ):
        held = CarePackage.objects.filter(agreement=agreement, person__anonymised_at__isnull=True)
        end_cutoff = add_months(today, -12 * agreement.retention_after_end_years)
        ended += held.filter(status=CarePackage.Status.ENDED, ended_on__lte=end_cutoff).values_list("pk", flat=True)
        # Cancelled once care had started: a care record, kept as long as one that ended.
        end_cutoff_at = timezone.make_aware(datetime.combine(end_cutoff, datetime.min.time()))
        cancel_cutoff_at = now - timedelta(days=agreement.retention_after_cancel_days)
        cancelled_held = held.filter(status=CarePackage.Status.CANCELLED).annotate(cancelled_at=_cancelled_at())
        cancelled += cancelled_held.filter(
            Q(care_started_on__isnull=False, cancelled_at__lte=end_cutoff_at)
            | Q(care_started_on__isnull=True, cancelled_at__lte=cancel_cutoff_at)
        ).values_list("pk", flat=True)
        drafts += held.filter(
            status=CarePackage.Status.DRAFT,
            submitted_at__isnull=True,
            created_at__lte=now - timedelta(days=agreement.retention_draft_days),
        ).values_list("pk", flat=True)
    return RetentionDue(ended=sorted(ended), cancelled=sorted(cancelled), drafts=sorted(drafts))


def _anonymise(*, package_id: int, reason: PersonDetails.Anonymised, now: datetime) -> PersonDetails | None:
    """Claim and anonymise one package's details; None when they are already anonymised (or absent).

    The claim is a conditional update (``anonymised_at IS NULL``), so two sweeps, or a sweep and an officer's
    erasure, anonymise (and audit) a package once between them.
    """
    claimed = PersonDetails.objects.filter(package_id=package_id, anonymised_at__isnull=True).update(
        anonymised_at=now, anonymised_reason=reason
    )
    if not claimed:
        return None
    person = PersonDetails.objects.select_related("package").get(package_id=package_id)
    package = person.package
    if person.date_of_birth is not None:
        person.birth_year = person.date_of_birth.year
    for field in ("given_name", "family_name", "address_line_1", "address_line_2", "town", "phone", "nhs_number"):
        setattr(person, field, "")
    person.date_of_birth = None
    person.postcode = package.postcode_district
    person.mosaic_person_id = ""
    person.save(update_fields=[*ENCRYPTED_FIELDS, "mosaic_person_id"])
    package.external_reference = ""
    package.idempotency_key = ""
    package.special_requirements = ""
    package.care_needs = ""  # free text: it may name the person, whatever the form asks
    package.save(update_fields=["external_reference", "idempotency_key", "special_requirements", "care_needs"])
    return person


@transaction.atomic
def _apply_one(*, package_id: int, rule: str, now: datetime) -> bool:
    if rule == "drafts":
        package = CarePackage.objects.select_for_update().get(pk=package_id)
        if package.status != CarePackage.Status.DRAFT:
            return False  # submitted since the sweep looked: no longer due
        package_cancel(
            package_id=package_id, cancelled_by=None, reason="Draft never submitted: retention period passed"
        )
    person = _anonymise(package_id=package_id, reason=PersonDetails.Anonymised.RETENTION, now=now)
    if person is None:
        return False
    audit_record(
        actor=None,
        action=AuditAction.PERSON_DETAILS_ANONYMISED,
        target=person.package,
        summary=f"Anonymised the person's details of {person.package.reference}: retention period passed ({rule})",
        data={"rule": rule},
    )
    return True


def person_details_apply_retention(*, now: datetime | None = None) -> PrivacyRun:
    """Anonymise every package's details whose retention period has passed; safe to run twice or at once.

    1. Find the due packages (``retention_due``): ids only, no personal data loaded.
    2. Anonymise each in its own transaction, claimed with a conditional update, with one audit event per
       package; a package another run (or an erasure) has just done is skipped.
    3. Record the run and one audit event with the counts.
    """
    now = now or timezone.now()
    due = retention_due(now=now)
    counts = {"ended": 0, "cancelled": 0, "drafts": 0}
    for rule, package_ids in (("ended", due.ended), ("cancelled", due.cancelled), ("drafts", due.drafts)):
        for package_id in package_ids:
            counts[rule] += _apply_one(package_id=package_id, rule=rule, now=now)
    with transaction.atomic():
        run = PrivacyRun.objects.create(kind=PrivacyRun.Kind.RETENTION, ran_at=now, counts=counts)
        audit_record(
            actor=None,
            action=AuditAction.RETENTION_SWEEP_FINISHED,
            target=run,
            summary=(
                f"Retention: anonymised {sum(counts.values())} packages' person details ({counts['ended']} ended, "
                f"{counts['cancelled']} cancelled, {counts['drafts']} unsubmitted drafts)"
            ),
            data=counts,
        )
    return run


@transaction.atomic
def person_details_erase(*, package_id: int, erased_by: User, reason: str, confirm_care_in_hand: bool) -> PersonDetails:
    """Erase (anonymise at once) one package's person details on request, with the reason recorded.

    1. Lock the package; refuse if there is no reason, or the details are already anonymised.
    2. While care is being arranged or delivered, refuse unless the officer confirms and the reason is
       at least 20 characters (it must say why the details may go while care is in hand).
    3. Cancel a package that is still open or live (its offers are withdrawn), then anonymise and audit.
    """
    reason = reason.strip()
    if not reason:
        raise ErasureRefused("Give the reason for erasing the person's details.")
    package = CarePackage.objects.select_for_update().get(pk=package_id)
    person = PersonDetails.objects.filter(package=package).first()
    if person is None or person.anonymised_at is not None:
        raise ErasureRefused(f"The person's details of {package.reference} are already anonymised.")
    if package.status in CARE_IN_HAND:
        if not confirm_care_in_hand:
            raise ErasureRefused(
                f"{package.reference} is {package.get_status_display().lower()}: confirm that the details may be "
                "erased while care is being arranged or delivered.",
                field="confirm_care_in_hand",
            )
        if len(reason) < LIVE_ERASURE_REASON_MIN:
            raise ErasureRefused(
                f"Say why the details may be erased while care is in hand (at least {LIVE_ERASURE_REASON_MIN} "
                "characters)."
            )
    status_before = package.status
    if package.status not in (CarePackage.Status.ENDED, CarePackage.Status.CANCELLED):
        try:
            package_cancel(package_id=package.pk, cancelled_by=erased_by, reason=f"Person's details erased: {reason}")
        except PackageStateError as error:
            raise ErasureRefused(str(error)) from error
    erased = _anonymise(package_id=package.pk, reason=PersonDetails.Anonymised.ERASURE, now=timezone.now())
    if erased is None:  # pragma: no cover - the package row lock makes this unreachable; never erase silently
        raise ErasureRefused(f"The person's details of {package.reference} are already anonymised.")
    audit_record(
        actor=erased_by,
        action=AuditAction.PERSON_DETAILS_ERASED,
        target=package,
        summary=f"Erased the person's details of {package.reference}",
        reason=reason,
        data={"status_before": status_before, "confirmed_care_in_hand": status_before in CARE_IN_HAND},
    )
    return erased


# --- Subject access -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectAccessExport:
    run: PrivacyRun
    document: dict[str, Any]


def _when(value: datetime | date | None) -> str | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return None if value is None else value.isoformat()


def _person_document(person: PersonDetails) -> dict[str, Any]:
    if person.anonymised_at is not None:
        return {
            "anonymised_at": _when(person.anonymised_at),
            "anonymised_because": person.get_anonymised_reason_display(),
            "postcode_district": person.postcode,
            "birth_year": person.birth_year,
        }
    return {
        "mosaic_person_id": person.mosaic_person_id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": _when(person.date_of_birth),
        "address_line_1": person.address_line_1,
        "address_line_2": person.address_line_2,
        "town": person.town,
        "postcode": person.postcode,
        "phone": person.phone,
    }


def _package_document(
    package: CarePackage, person: PersonDetails, accesses: QuerySet[PersonDetailsAccess]
) -> dict[str, Any]:
    return {
        "reference": package.reference,
        "agreement": str(package.agreement),
        "status": package.get_status_display(),
        "created_at": _when(package.created_at),
        "submitted_at": _when(package.submitted_at),
        "awarded_to": package.awarded_provider.name if package.awarded_provider else None,
        "care_started_on": _when(package.care_started_on),
        "ended_on": _when(package.ended_on),
        "person": _person_document(person),
        "needs": {
            "hours_per_week": str(package.hours_per_week),
            "urgency": package.get_urgency_display(),
            "required_skills": package.required_skill_labels,
            "language": package.language,
            "carer_gender": package.get_carer_gender_display(),
            "care_needs": package.care_needs,
            "special_requirements": package.special_requirements,
            "funding": package.get_funding_display(),
            "housing_with_care": package.housing_with_care,
        },
        "visits": [
            {
                "day": visit.get_day_of_week_display(),
                "window": f"{visit.window_start:%H:%M}-{visit.window_end:%H:%M}",
                "duration_minutes": visit.duration_minutes,
                "carers": visit.carers,
            }
            for visit in package.visits.all()
        ],
        "status_history": [
            {
                "at": _when(change.changed_at),
                "from": change.from_status,
                "to": change.to_status,
                "by": change.actor_label,
                "reason": change.reason,
            }
            for change in package.status_changes.order_by("changed_at", "id")
        ],
        "offers": [
            {
                "provider": offer.provider.name,
                "round": offer.round_number,
                "status": offer.get_status_display(),
                "sent_at": _when(offer.sent_at),
                "responded_at": _when(offer.responded_at),
                "decline_reason": offer.get_decline_reason_display(),
                "decline_note": offer.decline_note,
            }
            for offer in package.offers.select_related("provider").order_by("round_number", "rank", "id")
        ],
        "hand_backs": [
            {
                "provider": hand_back.provider.name,
                "notice_given_at": _when(hand_back.notice_given_at),
                "effective_on": _when(hand_back.effective_on),
                "reason": hand_back.get_reason_display(),
                "note": hand_back.note,
            }
            for hand_back in package.hand_backs.select_related("provider")
        ],
        "access_log": [
            {
                "at": _when(access.accessed_at),
                "by": access.user_label,
                "provider": access.provider.name if access.provider else None,
                "route": access.get_route_display(),
            }
            for access in accesses
        ],
    }


@transaction.atomic
def subject_access_export(
    *, user: UserLike, mosaic_person_id: str = "", family_name: str = "", date_of_birth: date | None = None
) -> SubjectAccessExport:
    """Everything held about one person, every package, as plain data; logged per package and audited.

    Found by Mosaic person id, or by family name and date of birth. The run record and its audit event name
    the packages exported and how the person was found, never the name or date of birth searched for.
    """
    people = person_details_for_subject_access(
        user=user, mosaic_person_id=mosaic_person_id, family_name=family_name, date_of_birth=date_of_birth
    )
    generated_at = timezone.now()
    packages = [
        _package_document(person.package, person, person_accesses_for_officer(user=user, package=person.package))
        for person in people
    ]
    searched_by = "mosaic_person_id" if mosaic_person_id.strip() else "family_name_and_date_of_birth"
    actor = user if isinstance(user, User) else None
    run = PrivacyRun.objects.create(
        kind=PrivacyRun.Kind.SUBJECT_ACCESS,
        ran_at=generated_at,
        actor=actor,
        counts={"packages": len(people), "package_ids": [p.package_id for p in people], "searched_by": searched_by},
    )
    audit_record(
        actor=actor,
        action=AuditAction.SUBJECT_ACCESS_EXPORTED,
        target=run,
        summary=f"Subject access export of {len(people)} packages (found by {searched_by.replace('_', ' ')})",
        data=run.counts,
    )
    document = {"generated_at": _when(generated_at), "generated_by": user.get_username(), "packages": packages}
    return SubjectAccessExport(run=run, document=document)


# --- Key rotation -------------------------------------------------------------------------------------


@transaction.atomic
def person_details_reencrypt(*, actor: User | None = None) -> PrivacyRun:
    """Re-encrypt every stored person's details with the newest key (the first of HOMECARE_FIELD_ENCRYPTION_KEYS).

    1. Read the raw columns; ``MultiFernet.rotate`` decrypts each with whichever configured key made it
       and encrypts it with the first. A value no configured key opens stops the whole run (nothing is
       written: one transaction), so an old key is never dropped while rows still need it.
    2. Recompute the look-up digest under the newest key.
    3. Record the run and one audit event with the count. Safe to run twice: rows already on the newest
       key are simply encrypted again.
    """
    crypter: MultiFernet = get_crypter()
    table = connection.ops.quote_name(PersonDetails._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field) for field in ENCRYPTED_FIELDS)
    assignments = ", ".join(f"{connection.ops.quote_name(field)} = %s" for field in ENCRYPTED_FIELDS)
    rotated = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, anonymised_at, {columns} FROM {table} ORDER BY id")  # noqa: S608 - names only
        rows = cursor.fetchall()
        for pk, anonymised_at, *values in rows:
            new_values: list[str | None] = []
            for field, value in zip(ENCRYPTED_FIELDS, values, strict=True):
                if value is None:
                    new_values.append(None)
                    continue
                try:
                    new_values.append(crypter.rotate(value.encode()).decode())
                except InvalidToken as error:
                    raise ImproperlyConfigured(
                        f"Person details {pk}: {field} opens with none of HOMECARE_FIELD_ENCRYPTION_KEYS; "
                        "put back the key it was written with, then run this again."
                    ) from error
            by_field = dict(zip(ENCRYPTED_FIELDS, new_values, strict=True))
            family_name = crypter.decrypt(by_field["family_name"].encode()).decode() if by_field["family_name"] else ""
            birth = crypter.decrypt(by_field["date_of_birth"].encode()).decode() if by_field["date_of_birth"] else ""
            digest = (
                ""
                if anonymised_at is not None
                else person_lookup_digest(
                    family_name=family_name, date_of_birth=date.fromisoformat(birth) if birth else None
                )
            )
            cursor.execute(
                f"UPDATE {table} SET {assignments}, lookup_digest = %s WHERE id = %s",  # noqa: S608 - names, not input
                [*new_values, digest, pk],
            )
            rotated += 1
    run = PrivacyRun.objects.create(
        kind=PrivacyRun.Kind.REENCRYPTION, ran_at=timezone.now(), actor=actor, counts={"rows": rotated}
    )
    audit_record(
        actor=actor,
        action=AuditAction.PERSON_DETAILS_REENCRYPTED,
        target=run,
        summary=f"Re-encrypted {rotated} people's details with the newest key",
        data=run.counts,
    )
    return run
