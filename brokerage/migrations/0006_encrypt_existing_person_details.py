"""Encrypt the person details already stored in plain text (0005 changed the columns to encrypted text).

Reading a plain value through an encrypted field gives it back unchanged (it is not a Fernet token), and
saving writes it encrypted under the newest key, so one read-and-save per row encrypts it. The look-up
digest and birth year are filled in on the way. Safe to run on rows already encrypted: they are simply
re-encrypted.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from brokerage.person_lookup import person_lookup_digest

ENCRYPTED = [
    "given_name",
    "family_name",
    "date_of_birth",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
]


def encrypt_rows(apps: Any, schema_editor: Any) -> None:
    PersonDetails = apps.get_model("brokerage", "PersonDetails")
    # Row by row: save() is where the encrypted fields encrypt (bulk_update's CASE expressions would not).
    for person in PersonDetails.objects.using(schema_editor.connection.alias).order_by("pk").iterator(chunk_size=500):
        person.lookup_digest = person_lookup_digest(family_name=person.family_name, date_of_birth=person.date_of_birth)
        person.birth_year = person.date_of_birth.year if person.date_of_birth else None
        person.save(update_fields=[*ENCRYPTED, "lookup_digest", "birth_year"])


class Migration(migrations.Migration):
    dependencies = [("brokerage", "0005_person_details_encrypted_and_access_log")]

    operations = [migrations.RunPython(encrypt_rows, migrations.RunPython.noop)]
