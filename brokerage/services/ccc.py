"""The Care Communications Centre's work on a package: notes of calls, referrals to officers, wider searches.

Officers may do all of this too; provider staff may do none of it. Each write is one transaction with its
audit event; the note rows are append-only (``PackageNote``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from brokerage.models import CarePackage, CarerGender, PackageNote
from brokerage.services.brokering import round_start_locked
from brokerage.services.packages import PackageStateError
from homecare.accounts.audiences import Audience, is_member
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from providers.models import LocalityArea

NOTE_MAX = 4000  # about two pages: a call's record, not a case file
CONTACT_MAX = 200


class Relaxation:
    """The ISA conditions the CCC may relax to widen a search: each drops one must-meet condition."""

    SKILLS = "skills"
    LANGUAGE = "language"
    CARER_GENDER = "carer_gender"

    CHOICES = (
        (SKILLS, "Required skills (any provider may be offered it)"),
        (LANGUAGE, "Preferred language"),
        (CARER_GENDER, "Carer gender"),
    )
    VALUES = frozenset(value for value, _ in CHOICES)


def _require_ccc_or_officer(user: User) -> None:
    if not (is_member(user, Audience.CCC) or is_member(user, Audience.OFFICER)):
        raise PermissionDenied("Only CCC staff and commissioning officers can act on a package.")


def _note(
    package: CarePackage, *, kind: str, author: User, text: str, contact: str = "", owner: User | None = None
) -> PackageNote:
    return PackageNote.objects.create(
        package=package,
        kind=kind,
        written_at=timezone.now(),
        author=author,
        author_label=author.get_username(),
        contact=contact,
        text=text,
        owner=owner,
    )


def _checked_text(text: str, *, what: str) -> str:
    text = text.strip()
    if not text:
        raise PackageStateError(f"Write {what}.")
    if len(text) > NOTE_MAX:
        raise PackageStateError(f"Write at most {NOTE_MAX:,} characters.")
    return text


@transaction.atomic
def package_note_add(
    *, package_id: int, author: User, text: str, contact: str = "", kind: str = PackageNote.Kind.CALL
) -> PackageNote:
    """Record a call made about the package (``contact`` says to whom), or a plain note."""
    _require_ccc_or_officer(author)
    if kind not in (PackageNote.Kind.CALL, PackageNote.Kind.NOTE):
        raise PackageStateError("A note is either a call made or a plain note.")
    text = _checked_text(text, what="what was said or done")
    if len(contact) > CONTACT_MAX:
        raise PackageStateError(f"Name who was called in at most {CONTACT_MAX} characters.")
    package = CarePackage.objects.get(pk=package_id)
    note = _note(package, kind=kind, author=author, text=text, contact=contact.strip())
    to_whom = f" to {note.contact}" if note.contact else ""
    audit_record(
        actor=author,
        action=AuditAction.PACKAGE_NOTE_ADDED,
        target=package,
        summary=f"{package.reference}: {note.get_kind_display().lower()}{to_whom}",
        data={"note": note.pk, "kind": kind},
    )
    return note


@transaction.atomic
def package_refer_to_officer(
    *, package_id: int, referred_by: User, reason: str, officer: User | None = None
) -> PackageNote:
    """Refer an open package to the commissioning officers (one named officer, or any of them).

    The referral stays on the officers' to-do list while the package is brokering or unplaced.
    """
    _require_ccc_or_officer(referred_by)
    if officer is not None and not is_member(officer, Audience.OFFICER):
        raise PackageStateError(f"{officer.get_username()} is not a commissioning officer.")
    text = _checked_text(reason, what="why the package needs an officer")
    package = CarePackage.objects.select_for_update().get(pk=package_id)
    if package.status not in CarePackage.OPEN_STATUSES:
        raise PackageStateError(
            f"{package.reference} is {package.get_status_display().lower()}: only an open package can be referred."
        )
    note = _note(package, kind=PackageNote.Kind.REFERRAL, author=referred_by, text=text, owner=officer)
    audit_record(
        actor=referred_by,
        action=AuditAction.PACKAGE_REFERRED,
        target=package,
        summary=f"{package.reference}: referred to {officer.get_username() if officer else 'the officers'}",
        reason=text,
        data={"note": note.pk, "officer": officer.pk if officer else None},
    )
    return note


@transaction.atomic
def package_rebroker_widened(
    *,
    package_id: int,
    requested_by: User,
    reason: str,
    widen_area_ids: Sequence[int] = (),
    relax: Sequence[str] = (),
) -> CarePackage:
    """Start a new brokering round for an unplaced package, searching further than the last one.

    1. Refuse an unknown relaxation, an unknown area, and a package that is not unplaced.
    2. Add the areas (providers' capacity there now counts for this package) and drop the relaxed
       conditions from the ISA; both are recorded, with the reason, in a note and the audit event.
    3. Open the next round, ranked afresh on commit (earlier refusers stay excluded).
    """
    _require_ccc_or_officer(requested_by)
    unknown = set(relax) - Relaxation.VALUES
    if unknown:
        raise PackageStateError(f"Cannot relax {', '.join(sorted(unknown))}.")
    text = _checked_text(reason, what="why the search is being widened")
    package = CarePackage.objects.select_for_update().get(pk=package_id)
    if package.status != CarePackage.Status.UNPLACED:
        raise PackageStateError(f"{package.reference} is not unplaced, so it cannot be re-brokered.")
    wanted = {*widen_area_ids} - {package.locality_area_id}
    areas = list(LocalityArea.objects.filter(pk__in=wanted))
    if len(wanted) != len(areas):
        raise PackageStateError("Choose areas from the list.")
    relaxed: dict[str, object] = {}
    if Relaxation.SKILLS in relax and package.required_skills:
        relaxed["required_skills"] = package.required_skills
        package.required_skills = []
    if Relaxation.LANGUAGE in relax and package.language:
        relaxed["language"] = package.language
        package.language = ""
    if Relaxation.CARER_GENDER in relax and package.carer_gender != CarerGender.ANY:
        relaxed["carer_gender"] = package.carer_gender
        package.carer_gender = CarerGender.ANY
    if relaxed:
        package.save(update_fields=list(relaxed))
    if areas:
        package.widened_areas.add(*areas)
    changes = [f"areas added: {', '.join(area.name for area in areas)}"] if areas else []
    changes += [f"{name.replace('_', ' ')} no longer required (was {was})" for name, was in relaxed.items()]
    if not changes:
        raise PackageStateError("Add an area or relax a condition, or broker it again without widening.")
    note = _note(package, kind=PackageNote.Kind.REBROKER, author=requested_by, text=f"{'; '.join(changes)}. {text}")
    audit_record(
        actor=requested_by,
        action=AuditAction.PACKAGE_SEARCH_WIDENED,
        target=package,
        summary=f"{package.reference}: search widened ({'; '.join(changes)})",
        reason=text,
        data={"note": note.pk, "areas": [area.pk for area in areas], "relaxed": relaxed},
    )
    round_start_locked(package, actor=requested_by, why=f"re-brokered with a wider search: {text}")
    return package
