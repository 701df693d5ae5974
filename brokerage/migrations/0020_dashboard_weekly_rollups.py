"""The dashboard's weekly counters (offers, awards, packages), and every rollup's triggers installed again
and rebuilt from the rows, the weekly counters with them (PostgreSQL; ``brokerage.dashboard.rollups``)."""

import datetime
from decimal import Decimal

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from brokerage.dashboard import rollups

    rollups.migrate(schema_editor)


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from brokerage.dashboard import rollups

    rollups.unmigrate(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("brokerage", "0019_privacyrun_cld_return"),
    ]

    operations = [
        migrations.CreateModel(
            name="AwardWeek",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("area", models.IntegerField()),
                ("agreement", models.IntegerField()),
                ("provider_id", models.IntegerField()),
                ("awards", models.IntegerField(default=0)),
                ("hours", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=14)),
            ],
            options={
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(
                        fields=("area", "agreement", "day", "provider_id"), name="brokerage_awardweek_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OfferWeek",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("area", models.IntegerField()),
                ("agreement", models.IntegerField()),
                ("provider_id", models.IntegerField()),
                ("offers", models.IntegerField(default=0)),
                ("answered", models.IntegerField(default=0)),
                ("answer_time", models.DurationField(default=datetime.timedelta(0))),
                ("accepted", models.IntegerField(default=0)),
                ("declined", models.IntegerField(default=0)),
                ("expired", models.IntegerField(default=0)),
                ("pending", models.IntegerField(default=0)),
                ("withdrawn", models.IntegerField(default=0)),
            ],
            options={
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(
                        fields=("area", "agreement", "day", "provider_id"), name="brokerage_offerweek_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="PackageWeek",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("area", models.IntegerField()),
                ("agreement", models.IntegerField()),
                ("urgency", models.CharField(max_length=30)),
                ("status", models.CharField(max_length=20)),
                ("packages", models.IntegerField(default=0)),
                ("hours", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=14)),
            ],
            options={
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(
                        fields=("area", "agreement", "day", "urgency", "status"), name="brokerage_packageweek_key"
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
