"""Find a person without decrypting every row: a keyed hash (HMAC-SHA256) of family name and date of birth.

The name and date of birth are encrypted at rest, so SQL cannot compare them. ``PersonDetails.lookup_digest``
holds this digest under the newest key; a search computes it under every configured key, so rows not yet
moved to the newest key (see ``manage.py person_details_reencrypt``) are still found. The HMAC key is derived
from each Fernet key, so there is one secret to manage and rotate. Normalising (case, spaces, accents kept)
means "o'brien " and "O'Brien" match; a misspelt name does not, by design.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date

from django.conf import settings


def _lookup_keys() -> list[bytes]:
    keys = settings.FIELD_ENCRYPTION_KEY
    return [
        hmac.new(base64.urlsafe_b64decode(key), b"homecare person lookup", hashlib.sha256).digest()
        for key in (keys if isinstance(keys, list | tuple) else [keys])
    ]


def _message(family_name: str, date_of_birth: date) -> bytes:
    return f"{' '.join(family_name.split()).casefold()}|{date_of_birth.isoformat()}".encode()


def person_lookup_digest(*, family_name: str, date_of_birth: date | None) -> str:
    """The digest under the newest key; empty without both a name and a date of birth."""
    if not family_name.strip() or date_of_birth is None:
        return ""
    return hmac.new(_lookup_keys()[0], _message(family_name, date_of_birth), hashlib.sha256).hexdigest()


def person_lookup_digests(*, family_name: str, date_of_birth: date) -> list[str]:
    """The digest under every configured key: what a search matches against."""
    message = _message(family_name, date_of_birth)
    return [hmac.new(key, message, hashlib.sha256).hexdigest() for key in _lookup_keys()]
