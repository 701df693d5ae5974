"""The CCC dashboard's figures, checked against values worked out by hand from ``factories`` beside this file."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from brokerage.dashboard import metrics
from brokerage.dashboard.drilldown import packages_for_figure
from brokerage.dashboard.filters import DashboardFilters
from brokerage.reporting.tables import Table
from tests.brokerage.dashboard.factories import NOW, World, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def quarter(**kwargs: int) -> DashboardFilters:
    return DashboardFilters(period="91", now=NOW, **kwargs)


def row(table: Table, label: str) -> list[object]:
    for cells in table.rows:
        if cells[0].shown == label:
            return [cell.value for cell in cells]
    raise AssertionError(f"{table.slug} has no row {label!r}")


def refs(filters: DashboardFilters, figure: str, key: str = "") -> set[str]:
    return {p.reference for p in packages_for_figure(filters=filters, figure=figure, key=key)}


def test_waiting_list_counts_the_unplaced_packages_and_the_one_past_its_deadline(world: World) -> None:
    board = metrics.dashboard(quarter())

    assert (board.summary.waiting, board.summary.breached, board.summary.unplaced) == (2, 1, 1)
    assert board.summary.hours_waiting == Decimal(23)
    first, second = board.waiting.rows
    # Nearest deadline first: P4 (passed, tagged in words) before P5.
    assert first[0].value == world.packages["P4"].reference
    assert first[4].tag == "Deadline passed"
    assert [cell.value for cell in first[6:]] == [3, 0, 0, 2, 1]
    assert second[0].value == world.packages["P5"].reference
    assert second[4].tag == ""
    assert [cell.value for cell in second[6:]] == [2, 2, 0, 0, 0]


def test_times_to_respond_award_and_start_have_the_hand_computed_median_and_90th_percentile(world: World) -> None:
    board = metrics.dashboard(quarter())

    # Responses 1, 2, 4, 6, 12 h; awards 2, 4, 8, 10 h; care starts 1, 2, 3 days.
    assert row(board.times_by_urgency, "All urgencies") == [
        "All urgencies",
        6,
        5,
        4.0,
        9.6,
        4,
        6.0,
        9.4,
        3,
        2.0,
        2.8,
    ]
    # Hospital discharge: P1, P3, P6: responses 2, 1, 4; awards 4, 2, 8; starts 1, 2.
    assert row(board.times_by_urgency, "Hospital discharge") == [
        "Hospital discharge",
        3,
        3,
        2.0,
        3.6,
        3,
        4.0,
        7.2,
        2,
        1.5,
        1.9,
    ]
    # North: P1, P2, P5: responses 2, 6 (P5 none yet).
    assert row(board.times_by_area, "North")[:5] == ["North", 3, 2, 4.0, 5.6]


def test_offers_are_counted_by_outcome_and_declines_by_reason(world: World) -> None:
    board = metrics.dashboard(quarter())

    assert board.offer_totals == {
        "made": 11,
        "accepted": 4,
        "declined": 3,
        "expired": 2,
        "pending": 2,
        "withdrawn": 0,
    }
    assert row(board.declines, "No capacity in the area")[1] == 2
    assert row(board.declines, "Cannot meet the visit times")[1] == 1
    assert row(board.declines, "Cannot start by the date needed")[1] == 0
    assert row(board.hand_backs, "Cannot staff the visits")[1] == 1
    assert board.hand_back_total == 1


def test_unmet_demand_compares_hours_requested_with_hours_placed_by_area(world: World) -> None:
    board = metrics.dashboard(quarter())

    assert row(board.unmet, "North")[1:6] == [3, Decimal(38), 2, Decimal(30), Decimal(8)]
    assert row(board.unmet, "South")[1:6] == [3, Decimal(32), 2, Decimal(17), Decimal(15)]
    assert row(board.unmet, "All areas")[1:6] == [6, Decimal(70), 4, Decimal(47), Decimal(23)]


def test_each_providers_response_rate_and_speed(world: World) -> None:
    board = metrics.dashboard(quarter())

    # received, answered, rate, average hours, accepted, declined, expired
    assert row(board.responses, "Alpha Care")[1:] == [4, 2, 0.5, 7.0, 1, 1, 1]
    assert row(board.responses, "Beta Care")[1:] == [5, 3, 0.6, 4.3, 2, 1, 1]
    assert row(board.responses, "Gamma Care")[1:] == [2, 2, 1.0, 7.5, 1, 1, 0]


def test_awarded_hours_spread_gives_the_hand_computed_gini_and_top_ten_share(world: World) -> None:
    spread = metrics.dashboard(quarter()).spread

    # Awarded 10 (Alpha), 32 (Beta), 5 (Gamma): G = 2(5 + 2·10 + 3·32)/(3·47) - 4/3 = 0.3830.
    assert spread.gini == pytest.approx(0.382979, abs=1e-6)
    assert spread.top_share == 1.0
    assert spread.hours_awarded == Decimal(47)
    assert [label for label, _ in spread.chart] == ["Beta Care", "Alpha Care", "Gamma Care"]


def test_weekly_trend_groups_submissions_by_the_monday_of_their_week(world: World) -> None:
    weekly = metrics.dashboard(quarter()).weekly

    assert [(cells[0].shown, cells[1].value, cells[2].value, cells[3].value) for cells in weekly.rows] == [
        ("16 Feb 2026", 3, 3, 1),
        ("23 Feb 2026", 3, 1, 2),
    ]


def test_every_figure_drills_down_to_exactly_the_packages_it_counts(world: World) -> None:
    filters = quarter()
    p = {name: package.reference for name, package in world.packages.items()}

    assert refs(filters, "waiting") == {p["P4"], p["P5"]}
    assert refs(filters, "breached") == {p["P4"]}
    assert refs(filters, "responded", "hospital_discharge") == {p["P1"], p["P3"], p["P6"]}
    assert refs(filters, "awarded", f"area:{world.north.pk}") == {p["P1"], p["P2"]}
    assert refs(filters, "started") == {p["P1"], p["P2"], p["P6"]}
    assert refs(filters, "offers_declined", "no_capacity") == {p["P1"], p["P4"]}
    assert refs(filters, "offers_expired") == {p["P2"], p["P4"]}
    assert refs(filters, "hand_backs") == {p["P2"]}
    assert refs(filters, "unmet", f"area:{world.south.pk}") == {p["P4"]}
    assert refs(filters, "provider_awards", str(world.b.pk)) == {p["P2"], p["P6"]}
    assert refs(filters, "week_submitted", "2026-02-23") == {p["P4"], p["P5"], p["P6"]}


def test_area_and_period_filters_narrow_every_figure(world: World) -> None:
    south = metrics.dashboard(quarter(area_id=world.south.pk))
    assert south.summary.waiting == 1
    assert south.offer_totals["made"] == 5
    last_week = metrics.dashboard(DashboardFilters(period="7", now=NOW))
    assert row(last_week.times_by_urgency, "All urgencies")[1] == 3  # P4, P5, P6


def test_ccc_staff_see_the_dashboard_with_links_from_figures_to_packages(ccc_client: Client, world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        response = ccc_client.get(reverse("ccc:home"), {"period": "91"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Deadline passed" in html
    assert "Gini coefficient of awarded hours" in html
    assert "figure=breached" in html
    assert 'hx-trigger="every 60s"' in html


def test_drill_down_page_lists_the_packages_behind_a_figure(ccc_client: Client, world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        response = ccc_client.get(reverse("ccc:brokerage:packages"), {"period": "91", "figure": "offers_expired"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "2 packages" in html
    assert world.packages["P2"].reference in html and world.packages["P4"].reference in html


def test_an_unknown_figure_is_not_found(ccc_client: Client, world: World) -> None:
    response = ccc_client.get(reverse("ccc:brokerage:packages"), {"figure": "nonsense"})
    assert response.status_code == 404


def test_other_audiences_cannot_see_the_dashboard(officer_client: Client, provider_client: Client) -> None:
    for client in (officer_client, provider_client):
        assert client.get(reverse("ccc:home")).status_code == 403


def test_the_live_fragment_renders_without_the_page_around_it(ccc_client: Client, world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        response = ccc_client.get(reverse("ccc:brokerage:live"), {"period": "91"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="ccc-live"' in html
