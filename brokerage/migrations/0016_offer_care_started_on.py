from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_current_starts(apps: Any, schema_editor: Any) -> None:
    """The current award's recorded start, onto its offer (earlier rounds' starts were cleared on re-brokering)."""
    Offer = apps.get_model("brokerage", "Offer")
    CarePackage = apps.get_model("brokerage", "CarePackage")
    started = CarePackage.objects.filter(
        pk=OuterRef("package_id"), round_number=OuterRef("round_number"), care_started_on__isnull=False
    ).values("care_started_on")[:1]
    Offer.objects.filter(status="awarded", care_started_on__isnull=True).update(care_started_on=Subquery(started))


class Migration(migrations.Migration):
    dependencies = [
        ("brokerage", "0015_providercapabilities_urgent_offer_sms_number"),
    ]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="care_started_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(copy_current_starts, migrations.RunPython.noop),
    ]
