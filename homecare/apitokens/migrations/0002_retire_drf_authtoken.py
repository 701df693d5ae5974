"""Retire DRF's ``rest_framework.authtoken`` (plain-text tokens, one per user), replaced by knox's hashed tokens.

Its tokens cannot be converted: only a digest of a knox token is stored, and the old table holds no
expiry or name. Every old token stops working at this migration; integrators create new ones on the
"API tokens" page. The old table and its migration records are removed so nothing can read the
plain-text secrets again. Idempotent, and a no-op on a database that never had the app.
"""

from django.db import migrations

DROP = "DROP TABLE IF EXISTS authtoken_token"
FORGET = "DELETE FROM django_migrations WHERE app = 'authtoken'"


class Migration(migrations.Migration):
    dependencies = [("apitokens", "0001_api_tokens")]

    operations = [migrations.RunSQL([DROP, FORGET], reverse_sql=migrations.RunSQL.noop)]
