"""The triggers that keep the dashboard's daily rollups, and the rollups filled from the existing rows.

PostgreSQL only (SQLite computes the dashboard from the rows). The SQL comes from
``brokerage.dashboard.rollups`` as it is when this migration runs; a later change to a rollup's facts
needs a migration of its own that installs the triggers again and rebuilds.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from brokerage.dashboard import rollups

    schema_editor.execute(rollups.install_sql())
    rollups.rebuild()


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from brokerage.dashboard import rollups

    schema_editor.execute(rollups.uninstall_sql())


class Migration(migrations.Migration):
    dependencies = [("brokerage", "0017_dashboard_rollups")]

    operations = [migrations.RunPython(install, uninstall)]
