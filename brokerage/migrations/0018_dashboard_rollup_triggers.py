"""The triggers that keep the dashboard's daily rollups, and the rollups filled from the existing rows.

PostgreSQL only (SQLite computes the dashboard from the rows). The SQL comes from
``brokerage.dashboard.rollups`` as it is when the migration runs, so only the latest migration that changes
a rollup installs the triggers and rebuilds (``rollups.migrate``): today's triggers also write the weekly
counters that 0020 creates, which do not exist yet here. A database already past this migration got the
triggers of its day here; 0020 replaces them.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from brokerage.dashboard import rollups

    rollups.unmigrate(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("brokerage", "0017_dashboard_rollups")]

    # Installed (and the counters filled) by 0020_dashboard_weekly_rollups.
    operations = [migrations.RunPython(migrations.RunPython.noop, uninstall)]
