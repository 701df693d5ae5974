"""Carer ids are pseudonymised as they arrive: HMAC-SHA-256 with a per-deployment key, never stored plain.

A keyed hash, not a plain one: carer ids are short payroll numbers, so an unkeyed SHA-256 could be reversed by
hashing every number. The same carer gets the same pseudonym in every file of one deployment, which is all that
continuity of carers needs; without the key nobody can go back from a pseudonym to a carer.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

PSEUDONYM_LENGTH = 16  # hex characters: 64 bits, ample to keep one council's carers apart


def pseudonymiser(key: bytes | None = None) -> hmac.HMAC:
    """A keyed hash ready to be copied per carer id (copying saves re-keying for every row)."""
    return hmac.new(key if key is not None else settings.HOMECARE_CARER_ID_KEY.encode(), digestmod=hashlib.sha256)


def pseudonym(carer_id: str, *, base: hmac.HMAC) -> str:
    mac = base.copy()
    mac.update(carer_id.strip().encode())
    return mac.hexdigest()[:PSEUDONYM_LENGTH]
