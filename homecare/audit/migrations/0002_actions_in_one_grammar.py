"""Rename the action of existing audit events into the one grammar of ``AuditAction``.

The names are written out here, not imported, so this migration keeps meaning what it meant when
``AuditAction`` changes later. Actions already in the grammar (``package.awarded``, ``offer.sent``,
``alert.raised``...) are left as they are.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

OLD_TO_NEW = {
    "package.draft": "package.entered",
    "package.brokering": "package.moved_to_brokering",
    "package.unplaced": "package.escalated",
    "provider.capacity_updated": "provider_capacity.updated",
    "providers.cqc_registration_changed": "cqc_registration.changed",
    "providers.cqc_rating_changed": "cqc_rating.changed",
    "providers.cqc_import": "cqc_import.finished",
    "providers.ward_area_changed": "ward_area.changed",
    "providers.district_area_override": "district_area_override.changed",
    "agreement.create": "agreement.created",
    "agreement.update": "agreement.updated",
    "agreement.extension_take": "agreement.extended",
    "agreement.placement_deadline_set": "placement_deadline.set",
    "lot.create": "lot.created",
    "membership.appoint": "membership.appointed",
    "membership.suspend": "membership.suspended",
    "membership.reinstate": "membership.reinstated",
    "membership.exit": "membership.exited",
    "fee_rate.add": "fee_rate.added",
    "dps.rounds_generate": "dps_rounds.scheduled",
    "dps.round_reschedule": "dps_round.rescheduled",
    "dps.round_cancel": "dps_round.cancelled",
    "dps.round_open": "dps_round.opened",
    "dps.round_close": "dps_round.closed",
    "dps.application_start": "dps_application.started",
    "dps.application_save": "dps_application.saved",
    "dps.application_evaluate": "dps_application.evaluated",
    "dps.application_submit": "dps_application.submitted",
    "dps.application_decide": "dps_application.decided",
}


def _rename(apps: StateApps, renames: dict[str, str]) -> None:
    audit_event = apps.get_model("audit", "AuditEvent")
    # One UPDATE per name, on the indexed column: no rows are loaded into Python.
    for old, new in renames.items():
        audit_event.objects.filter(action=old).update(action=new)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rename(apps, OLD_TO_NEW)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rename(apps, {new: old for old, new in OLD_TO_NEW.items()})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
