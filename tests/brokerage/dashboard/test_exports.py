"""Every table on the dashboard downloads as CSV and XLSX with the rows the page shows; no cell runs as a formula."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from brokerage.dashboard import metrics
from brokerage.dashboard.filters import DashboardFilters
from providers.models import LocalityArea, Provider
from tests.brokerage.dashboard.factories import NOW, World, make_world
from tests.spreadsheets import HOSTILE_NAMES, ReadBack, read_back_inert

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def test_every_dashboard_table_exports_as_csv_and_xlsx_with_the_same_rows(ccc_client: Client, world: World) -> None:
    tables = metrics.dashboard(DashboardFilters(period="91", now=NOW)).tables()
    assert len(tables) == 10
    for slug, table in tables.items():
        with time_machine.travel(NOW, tick=False):
            as_csv = ccc_client.get(reverse("ccc:brokerage:export", args=[slug, "csv"]), {"period": "91"})
            as_xlsx = ccc_client.get(reverse("ccc:brokerage:export", args=[slug, "xlsx"]), {"period": "91"})
        assert as_csv.status_code == 200 and as_xlsx.status_code == 200
        assert f"{slug}-" in as_csv["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
        assert sheet is not None
        cells = [list(r) for r in sheet.iter_rows(values_only=True)]
        header = [column.label for column in table.columns]
        assert rows[0] == header and list(cells[0]) == header
        assert len(rows) == len(cells) == len(table.rows) + 1, slug
        assert [r[0] for r in rows[1:]] == [str(r[0].value) if r[0].value is not None else "" for r in table.rows]


def test_exported_figures_are_numbers_in_the_spreadsheet(ccc_client: Client, world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        response = ccc_client.get(reverse("ccc:brokerage:export", args=["unmet-demand", "xlsx"]), {"period": "91"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["North"][1:6] == (3, 38, 2, 30, 8)
    assert rows["All areas"][2] == 70


def test_an_unknown_table_is_not_found(ccc_client: Client) -> None:
    assert ccc_client.get(reverse("ccc:brokerage:export", args=["nothing", "csv"])).status_code == 404


def test_no_dashboard_export_lets_a_provider_or_area_name_run_as_a_formula(ccc_client: Client, world: World) -> None:
    hostile_providers = dict(zip((world.a, world.b, world.c), HOSTILE_NAMES, strict=False))
    for provider, name in hostile_providers.items():
        Provider.objects.filter(pk=provider.pk).update(name=name)
    LocalityArea.objects.filter(pk=world.north.pk).update(name=HOSTILE_NAMES[3])
    shown: dict[str, ReadBack] = {}
    for slug in metrics.dashboard(DashboardFilters(period="91", now=NOW)).tables():
        with time_machine.travel(NOW, tick=False):
            as_csv = ccc_client.get(reverse("ccc:brokerage:export", args=[slug, "csv"]), {"period": "91"})
            as_xlsx = ccc_client.get(reverse("ccc:brokerage:export", args=[slug, "xlsx"]), {"period": "91"})
        shown[slug] = read_back_inert(csv_content=as_csv.content, xlsx_content=as_xlsx.content)
    assert len(shown) == 10
    for slug in ("awarded-hours", "provider-responses"):
        assert all(shown[slug].shows_inert(name) for name in hostile_providers.values()), slug
    for slug in ("unmet-demand", "times-by-area"):
        assert shown[slug].shows_inert(HOSTILE_NAMES[3]), slug
