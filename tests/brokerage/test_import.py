"""Bulk CSV import: a report of every row's errors, and all rows saved or none."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from brokerage.models import CarePackage, PersonDetails
from brokerage.services.imports import COLUMNS, package_import_csv, parse_visits
from tests.brokerage.factories import make_market

pytestmark = pytest.mark.django_db


def row(market, **overrides):
    values = dict.fromkeys(COLUMNS, "")
    values.update(
        external_reference="LEGACY-1",
        agreement_reference=market.agreement.reference,
        given_name="Mary",
        family_name="Smith",
        address_line_1="2 Test Road",
        postcode="LS6 2AB",
        visits="Mon-Sun 08:00-09:30 45; Mon 17:00-18:00 30x2",
        requested_start_on=(timezone.localdate() + timedelta(days=7)).isoformat(),
        required_skills="dementia",
    )
    values.update(overrides)
    return values


def as_csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_visit_patterns_are_read_in_the_councils_shorthand():
    visits = parse_visits("Mon-Fri 08:00-09:30 45; Sat,Sun 17:00-18:00 30x2")
    assert len(visits) == 7
    assert visits[0] == {
        "day_of_week": "monday",
        "window_start": "08:00",
        "window_end": "09:30",
        "duration_minutes": 45,
        "carers": 1,
    }
    assert visits[-1]["carers"] == 2 and visits[-1]["day_of_week"] == "sunday"


def test_a_clean_file_imports_every_row_including_care_already_running(officer):
    market = make_market(providers=2)
    provider = market.providers[1]
    text = as_csv(
        [
            row(market),
            row(
                market,
                external_reference="LEGACY-2",
                status="care_started",
                provider_cqc_id=provider.cqc_provider_id,
                care_started_on="2024-06-03",
            ),
        ]
    )
    report = package_import_csv(text=text, imported_by=officer)
    assert report.ok and report.saved == 2
    running = CarePackage.objects.get(external_reference="LEGACY-2")
    assert running.status == "care_started" and running.awarded_provider == provider
    assert CarePackage.objects.get(external_reference="LEGACY-1").status == "brokering"


def test_one_bad_row_saves_nothing_and_every_error_is_reported_by_row(officer):
    market = make_market(providers=1)
    text = as_csv(
        [
            row(market),
            row(market, external_reference="LEGACY-2", postcode="nowhere", visits="Funday 8-9", urgency="soon"),
            row(market, external_reference="LEGACY-1"),
        ]
    )
    report = package_import_csv(text=text, imported_by=officer)
    assert not report.ok and report.saved == 0
    assert [r.row for r in report.failed_rows] == [3, 4]
    second = " ".join(report.failed_rows[0].errors)
    assert "visits" in second and "postcode" in second and "urgency" in second
    assert "more than once" in report.failed_rows[1].errors[0]
    assert CarePackage.objects.count() == PersonDetails.objects.count() == 0


def test_the_management_command_fails_loudly_and_imports_nothing_on_errors(tmp_path, officer):
    market = make_market(providers=1)
    path = tmp_path / "packages.csv"
    path.write_text(as_csv([row(market, given_name="")]))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_packages", str(path))
    path.write_text(as_csv([row(market)]))
    call_command("import_packages", str(path), "--user", "officer")
    assert CarePackage.objects.count() == 1
