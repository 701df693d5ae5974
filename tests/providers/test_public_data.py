"""fetch_public_data: the publishers' files (served by `responses` at their real URLs) become the product's files.

The bodies are small fixtures written here: a few postcode rows in the source's 7-character format, two
tiny adjacent Leeds wards, and a quantised TopoJSON with a square for each of the 8 LADs. No network.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from functools import partial
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from django.core.management import CommandError, call_command
from shapely.geometry import Polygon, shape

from config.settings import public_data_dir_default
from providers import public_data
from providers.management.commands import fetch_public_data as fetch_command
from providers.public_data import (
    BOUNDARIES_COMMIT,
    BOUNDARIES_REPO,
    GREAT_BRITAIN_AREAS,
    LAD_TOPOJSON_PATH,
    LEEDS_REGION_AREAS,
    LEEDS_WARDS_PATH,
    NEIGHBOUR_LADS,
    PublicDataError,
    PublicDataExpectations,
    postcode_area_url,
    public_data_fetch,
    raw_url,
    source_urls,
)
from tests.realdata import shared_data_file

WARDS_URL = raw_url(BOUNDARIES_REPO, BOUNDARIES_COMMIT, LEEDS_WARDS_PATH)
LADS_URL = raw_url(BOUNDARIES_REPO, BOUNDARIES_COMMIT, LAD_TOPOJSON_PATH)
POSTCODE_BODIES = {
    # The source pads outward codes to 4 characters ("LS1 1AA", "LS101AA"); one row has no coordinates.
    "LS": "Postcode,lat,long\nLS1 1AA,53.79617,-1.55254\nLS1 1AB,53.79609,-1.55364\nLS101AA,53.77000,-1.54000\n"
    "LS1 9ZZ,,0.0\n",
    "BD": "Postcode,lat,long\nBD1 1AA,53.79500,-1.75000\n",
    "M": "Postcode,lat,long\nM1  1AA,53.48000,-2.24000\nM1  1AB,53.48200,-2.24200\n",
}
FIXTURE_COUNTS = PublicDataExpectations(
    region_rows_per_area={area: {"LS": 3, "BD": 1}.get(area, 0) for area in LEEDS_REGION_AREAS},
    districts=4,  # LS1, LS10, BD1, M1
    wards=2,
)


def square(x: float, y: float, size: float) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


WARDS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"WD13CD": code, "WD13CDO": "00DA", "WD13NM": name, "WD13NMW": None},
            "geometry": {"type": "Polygon", "coordinates": [square(x, 53.8, 0.01)]},
        }
        for code, name, x in (("E05001430", "Weetwood", -1.6), ("E05001411", "Adel and Wharfedale", -1.59))
    ],
}


def quantised_topology() -> dict[str, Any]:
    """A quantised, delta-encoded TopoJSON: one square arc per LAD, plus one LAD the product does not want."""
    codes = [*NEIGHBOUR_LADS, "E09000001"]
    arcs = []
    for index in range(len(codes)):
        start = [index * 100, 0]  # grid units; each square is 10 x 10 units
        arcs.append([start, [10, 0], [0, 10], [-10, 0], [0, -10]])
    geometries: list[dict[str, Any]] = [
        {"type": "Polygon", "arcs": [[index]], "properties": {"LAD13CD": code, "LAD13NM": "anything"}}
        for index, code in enumerate(codes)
    ]
    geometries[-2] = {"type": "Polygon", "arcs": [[len(codes) - 2]], "id": codes[-2]}  # York: code as the id
    return {
        "type": "Topology",
        "transform": {"scale": [0.001, 0.002], "translate": [-2.0, 53.0]},
        "objects": {"lad": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }


def serve_publishers(mock: responses.RequestsMock, *, skip: str = "") -> None:
    for area in GREAT_BRITAIN_AREAS:
        if postcode_area_url(area) != skip:
            mock.get(postcode_area_url(area), body=POSTCODE_BODIES.get(area, "Postcode,lat,long\n"))
    if skip != WARDS_URL:
        mock.get(WARDS_URL, json=WARDS)
    if skip != LADS_URL:
        mock.get(LADS_URL, json=quantised_topology())


@pytest.fixture
def publishers() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def fetch(dest: Path, **kwargs: Any) -> public_data.FetchResult:
    return public_data_fetch(dest=dest, expected=kwargs.pop("expected", FIXTURE_COUNTS), retry_wait=0, **kwargs)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def features(path: Path) -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    return list(data["features"])


def test_every_download_is_pinned_to_the_commits_named_in_sources_md() -> None:
    urls = source_urls()
    assert len(urls) == 122  # 120 Great Britain postcode areas, the Leeds wards, the LAD TopoJSON
    raw = "https://raw.githubusercontent.com"
    assert f"{raw}/odileeds/Postcodes2LatLon/9322263c2470e322840428bd8c19aad26b9a2c55/postcodes/LS.csv" in urls
    commit = "88339000fc8711feb9c146d5cd7d145bf286350d"
    assert f"{raw}/martinjc/UK-GeoJSON/{commit}/json/electoral/eng/wards_by_lad/E08000035.json" in urls
    assert not {"BT", "GY", "JE", "IM"} & set(GREAT_BRITAIN_AREAS)


def test_postcodes_are_rebuilt_with_a_space_an_outward_code_and_an_area(
    tmp_path: Path, publishers: responses.RequestsMock
) -> None:
    serve_publishers(publishers)
    fetch(tmp_path / "data")
    rows = read_csv(tmp_path / "data" / "postcodes" / "leeds_region_postcodes.csv")
    assert list(rows[0]) == ["postcode", "outward", "area", "lat", "lon"]
    assert [(row["postcode"], row["outward"], row["area"]) for row in rows] == [
        ("LS1 1AA", "LS1", "LS"),
        ("LS1 1AB", "LS1", "LS"),
        ("LS10 1AA", "LS10", "LS"),
        ("BD1 1AA", "BD1", "BD"),
    ]  # the row without coordinates is dropped; M is not a Leeds-region area
    assert (rows[0]["lat"], rows[0]["lon"]) == ("53.79617", "-1.55254")


def test_district_centroids_are_the_plain_mean_of_their_postcodes_across_great_britain(
    tmp_path: Path, publishers: responses.RequestsMock
) -> None:
    serve_publishers(publishers)
    fetch(tmp_path / "data")
    rows = read_csv(tmp_path / "data" / "postcodes" / "uk_postcode_district_centroids.csv")
    assert list(rows[0]) == ["outward", "area", "lat", "lon", "n_postcodes"]
    by_outward = {row["outward"]: row for row in rows}
    assert [row["outward"] for row in rows] == ["BD1", "LS1", "LS10", "M1"]  # area files in alphabetical order
    assert by_outward["LS1"] == {
        "outward": "LS1",
        "area": "LS",
        "lat": "53.79613",
        "lon": "-1.55309",
        "n_postcodes": "2",
    }
    assert by_outward["M1"] == {"outward": "M1", "area": "M", "lat": "53.48100", "lon": "-2.24100", "n_postcodes": "2"}


def test_wards_are_renamed_and_sorted_and_dissolve_into_one_leeds_polygon(
    tmp_path: Path, publishers: responses.RequestsMock
) -> None:
    serve_publishers(publishers)
    fetch(tmp_path / "data")
    wards = features(tmp_path / "data" / "boundaries" / "leeds_wards_2013.geojson")
    assert [ward["properties"] for ward in wards] == [
        {"ward_code": "E05001411", "ward_name": "Adel and Wharfedale", "lad_code": "E08000035",
         "boundary_vintage": "Wards Dec 2013 (pre-2018 Leeds ward review)"},
        {"ward_code": "E05001430", "ward_name": "Weetwood", "lad_code": "E08000035",
         "boundary_vintage": "Wards Dec 2013 (pre-2018 Leeds ward review)"},
    ]  # fmt: skip
    (leeds,) = features(tmp_path / "data" / "boundaries" / "leeds_lad.geojson")
    assert leeds["properties"]["lad_code"] == "E08000035"
    assert leeds["properties"]["lad_name"] == "Leeds"
    outline = shape(leeds["geometry"])
    assert isinstance(outline, Polygon)
    both = Polygon(square(-1.6, 53.8, 0.01)).union(Polygon(square(-1.59, 53.8, 0.01)))
    assert outline.symmetric_difference(both).area < 1e-12  # coordinates are rounded to 6 places
    assert outline.area == pytest.approx(2 * 0.01 * 0.01)


def test_the_neighbouring_councils_are_decoded_from_quantised_topojson(
    tmp_path: Path, publishers: responses.RequestsMock
) -> None:
    serve_publishers(publishers)
    fetch(tmp_path / "data")
    lads = features(tmp_path / "data" / "boundaries" / "leeds_and_neighbours_lad_2013.geojson")
    assert [(lad["properties"]["lad_code"], lad["properties"]["lad_name"]) for lad in lads] == list(
        NEIGHBOUR_LADS.items()
    )  # the unwanted LAD is left out
    assert {lad["properties"]["boundary_vintage"] for lad in lads} == {"LAD Dec 2013"}
    bradford = shape(lads[1]["geometry"])  # the second arc: starts at grid (100, 0), 10 units each way
    assert bradford.equals(Polygon([(-1.9, 53.0), (-1.89, 53.0), (-1.89, 53.02), (-1.9, 53.02)]))


def test_a_manifest_records_each_download_with_its_checksum(tmp_path: Path, publishers: responses.RequestsMock) -> None:
    serve_publishers(publishers)
    result = fetch(tmp_path / "data")
    manifest = json.loads((tmp_path / "data" / "SOURCES.json").read_text(encoding="utf-8"))
    assert [download["url"] for download in manifest["downloads"]] == source_urls()
    ls = next(d for d in manifest["downloads"] if d["url"] == postcode_area_url("LS"))
    assert ls["bytes"] == len(POSTCODE_BODIES["LS"])
    assert len(ls["sha256"]) == 64
    assert "Open Government Licence" in manifest["attribution"]
    assert result.counts["postcodes/leeds_region_postcodes.csv"] == 4


def test_a_failed_download_leaves_no_folder_and_no_partial_files(
    tmp_path: Path, publishers: responses.RequestsMock
) -> None:
    serve_publishers(publishers, skip=LADS_URL)
    publishers.get(LADS_URL, status=404)
    with pytest.raises(PublicDataError, match=r"topo_lad\.json answered HTTP 404"):
        fetch(tmp_path / "data")
    assert list(tmp_path.iterdir()) == []


def test_a_server_error_is_retried_and_then_succeeds(tmp_path: Path, publishers: responses.RequestsMock) -> None:
    serve_publishers(publishers, skip=WARDS_URL)
    publishers.get(WARDS_URL, status=503)
    publishers.get(WARDS_URL, json=WARDS)
    fetch(tmp_path / "data")
    assert len(features(tmp_path / "data" / "boundaries" / "leeds_wards_2013.geojson")) == 2


def test_no_network_gives_a_clear_error_after_the_retries(tmp_path: Path, publishers: responses.RequestsMock) -> None:
    publishers.get(postcode_area_url("AB"), body=requests.ConnectionError("no route to host"))
    with pytest.raises(PublicDataError, match=r"Could not download .*/AB\.csv after 4 attempts.*no route to host"):
        fetch(tmp_path / "data")
    assert list(tmp_path.iterdir()) == []


def test_counts_that_differ_from_sources_md_are_refused(tmp_path: Path, publishers: responses.RequestsMock) -> None:
    serve_publishers(publishers)
    with pytest.raises(PublicDataError, match="Postcode rows per area"):
        fetch(tmp_path / "data", expected=public_data.SOURCES_MD_COUNTS)
    assert list(tmp_path.iterdir()) == []


def test_a_source_file_in_an_unexpected_shape_is_refused(tmp_path: Path, publishers: responses.RequestsMock) -> None:
    publishers.get(postcode_area_url("AB"), body="pcd,latitude,longitude\nAB1 0AA,57.1,-2.1\n")
    with pytest.raises(PublicDataError, match="expected the columns Postcode, lat, long"):
        fetch(tmp_path / "data")


def test_an_existing_folder_is_kept_unless_replace_is_asked_for(
    tmp_path: Path, publishers: responses.RequestsMock
) -> None:
    dest = tmp_path / "data"
    dest.mkdir()
    (dest / "old.txt").write_text("old", encoding="utf-8")
    with pytest.raises(PublicDataError, match="already exists"):
        fetch(dest)
    serve_publishers(publishers)
    fetch(dest, replace=True)
    assert not (dest / "old.txt").exists()
    assert (dest / "boundaries" / "leeds_lad.geojson").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data"]


def test_the_command_fetches_into_the_folder_given(
    tmp_path: Path, publishers: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_publishers(publishers)
    # The real fetch, told the fixtures' counts (the real files are far larger than these fixtures).
    monkeypatch.setattr(fetch_command, "public_data_fetch", partial(public_data_fetch, expected=FIXTURE_COUNTS))
    out = StringIO()
    call_command("fetch_public_data", "--dest", str(tmp_path / "data"), stdout=out)
    assert "Public data ready in" in out.getvalue()
    assert "postcodes/leeds_region_postcodes.csv: 4" in out.getvalue()
    assert (tmp_path / "data" / "postcodes" / "leeds_region_postcodes.csv").is_file()


def test_the_command_does_nothing_when_the_folder_exists_and_if_missing_is_given(tmp_path: Path) -> None:
    out = StringIO()
    with responses.RequestsMock():  # any request would fail the test
        call_command("fetch_public_data", "--dest", str(tmp_path), "--if-missing", stdout=out)
    assert f"Public data found in {tmp_path}" in out.getvalue()


def test_the_command_says_nothing_was_written_when_a_download_fails(
    tmp_path: Path, publishers: responses.RequestsMock
) -> None:
    publishers.get(postcode_area_url("AB"), status=404)
    with pytest.raises(CommandError, match=r"AB\.csv answered HTTP 404.*Nothing was written"):
        call_command("fetch_public_data", "--dest", str(tmp_path / "data"), stdout=StringIO())
    assert not (tmp_path / "data").exists()


def test_the_data_folder_defaults_to_shared_data_when_it_is_there(tmp_path: Path) -> None:
    shared, fetched = tmp_path / "shared" / "data", tmp_path / "var" / "public-data"
    assert public_data_dir_default(shared=shared, fetched=fetched) == fetched
    shared.mkdir(parents=True)
    assert public_data_dir_default(shared=shared, fetched=fetched) == shared


@pytest.mark.realdata
def test_rebuilding_from_the_shared_files_in_their_source_shape_reproduces_them(
    tmp_path: Path, publishers: responses.RequestsMock
) -> None:
    """The 8 areas' postcodes go back to the source's 7-character form, the wards to WD13 properties, the
    LADs to TopoJSON; the rebuild must give the shared postcode file byte for byte, the shared centroids of
    those districts (computed by SOURCES.md's authors from the full source) and the same geometries."""
    shared = shared_data_file("postcodes", "leeds_region_postcodes.csv").parents[1]
    rows = read_csv(shared / "postcodes" / "leeds_region_postcodes.csv")
    bodies: dict[str, list[str]] = {}
    for row in rows:
        outward, inward = row["postcode"].split(" ")
        bodies.setdefault(row["area"], []).append(f"{outward.ljust(4)}{inward},{row['lat']},{row['lon']}")
    for area in GREAT_BRITAIN_AREAS:
        publishers.get(postcode_area_url(area), body="\n".join(["Postcode,lat,long", *bodies.get(area, [])]) + "\n")
    wards = features(shared / "boundaries" / "leeds_wards_2013.geojson")
    publishers.get(WARDS_URL, json={"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": ward["geometry"],
         "properties": {"WD13CD": ward["properties"]["ward_code"], "WD13NM": ward["properties"]["ward_name"]}}
        for ward in reversed(wards)
    ]})  # fmt: skip
    lads = features(shared / "boundaries" / "leeds_and_neighbours_lad_2013.geojson")
    arcs: list[list[list[float]]] = []
    geometries = []
    for lad in lads:
        geometry = lad["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        parts = []
        for polygon in polygons:
            parts.append([[len(arcs) + number] for number in range(len(polygon))])
            arcs.extend(polygon)
        geometries.append(
            {"type": "MultiPolygon", "arcs": parts, "properties": {"LAD13CD": lad["properties"]["lad_code"]}}
        )
    topology = {
        "type": "Topology",
        "objects": {"lad": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }
    publishers.get(LADS_URL, json=topology)
    per_area = {area: len(bodies.get(area, [])) for area in LEEDS_REGION_AREAS}
    districts = len({row["outward"] for row in rows})
    fetch(tmp_path / "data", expected=PublicDataExpectations(per_area, districts, len(wards)))

    rebuilt = tmp_path / "data"
    assert (rebuilt / "postcodes" / "leeds_region_postcodes.csv").read_bytes() == (
        shared / "postcodes" / "leeds_region_postcodes.csv"
    ).read_bytes()
    published = {row["outward"]: row for row in read_csv(shared / "postcodes" / "uk_postcode_district_centroids.csv")}
    for row in read_csv(rebuilt / "postcodes" / "uk_postcode_district_centroids.csv"):
        assert row == published[row["outward"]]
    for name in ("leeds_wards_2013.geojson", "leeds_lad.geojson", "leeds_and_neighbours_lad_2013.geojson"):
        mine, theirs = features(rebuilt / "boundaries" / name), features(shared / "boundaries" / name)
        assert [f["properties"] for f in mine] == [f["properties"] for f in theirs]
        for a, b in zip(mine, theirs, strict=True):
            assert shape(a["geometry"]).symmetric_difference(shape(b["geometry"])).area < 1e-9
