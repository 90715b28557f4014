"""The resource map: the deck JSON the page sends (layers, view, no network by default), tiles, clicks, queries."""

from __future__ import annotations

import functools
import io
import json
import math
import re

import duckdb
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

import factories
from caremap.common import crs, facts
from caremap.common.i18n import t
from caremap.common.paths import REFERENCE
from caremap.report import maps, tiles
from caremap.store import build, db, standards
from conftest import ROOT, app_test

ALL_FILTERS = {"categories": None, "system": None, "level": None}


def deck_of(at) -> dict:
    """The deck.gl JSON of the page's (only) pydeck chart, as the browser receives it."""
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def layer(spec: dict, layer_id: str) -> dict:
    found = [x for x in spec["layers"] if maps.base_id(x["id"]) == layer_id]
    assert found, f"no layer {layer_id!r} in {[x['id'] for x in spec['layers']]}"
    return found[0]


def run_with_secrets(secrets: dict, district: str | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/map.py"), default_timeout=60)
    for key, value in secrets.items():
        at.secrets[key] = value
    if district:
        at.query_params["district"] = district
    return at.run()


def click(at, layer_id: str, obj: dict):
    """Simulate a single-object click on the map: the selection the browser sends, then a rerun."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    chart = at.get("deck_gl_json_chart")[0]
    states = at._tree.get_widget_states()
    state = WidgetState(id=chart.proto.id)
    state.string_value = json.dumps({"selection": {"indices": {layer_id: [0]}, "objects": {layer_id: [obj]}}})
    states.widgets.append(state)
    return at._run(states)


# --- the page -------------------------------------------------------------------------------------------

def test_default_map_fetches_nothing_no_tiles_no_style_url():
    at = app_test("pages/map.py")
    assert not at.exception
    spec = deck_of(at)
    # pydeck's marker for "no base map": Streamlit drops it; a null style would make it load Carto instead.
    assert spec["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in spec
    assert not [x for x in spec["layers"] if x["@@type"] in ("TileLayer", "BitmapLayer", "TerrainLayer")]
    text = json.dumps(spec)
    assert "http" not in text and "cartocdn" not in text and "mapbox" not in text
    assert t("map.tiles_none") in [c.value for c in at.caption]


def test_boundary_layer_has_the_10_districts_with_their_polygons():
    spec = deck_of(app_test("pages/map.py"))
    features = layer(spec, "districts")["data"]
    assert sorted(f["properties"]["code"] for f in features) == sorted(db.query("districts")["code"])
    assert len(features) == 10
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}


def test_one_point_per_service_point_at_city_scope():
    at = app_test("pages/map.py")
    points = layer(deck_of(at), "points")["data"]
    expected = db.query("map_point_count", district=None, street=None, **ALL_FILTERS)["points"].iloc[0]
    assert len(points) == expected == db.query("metric_values", district=None, street=None)["service_points"][0]
    assert t("map.shown_points", n=f"{expected:,}") in [c.value for c in at.caption]


def test_filters_give_one_point_per_filtered_service_point():
    at = app_test("pages/map.py", district="440305")
    at.multiselect(key="map_category").set_value(["children_home", "workstation"]).run()
    ids = sorted(p["id"] for p in layer(deck_of(at), "points")["data"])
    want = db.query("map_points", district="440305", street=None, categories=("children_home", "workstation"),
                    system=None, level=None, max_rows=maps.MAX_RAW_POINTS)
    assert ids == sorted(want["id"]) and len(ids) > 10
    with duckdb.connect(db.db_path().as_posix(), read_only=True) as con:  # counted independently of the queries
        n = con.execute("select count(*) from service_point where district_code = '440305' "
                        "and category in ('children_home', 'workstation')").fetchone()[0]
    assert len(ids) == n
    at.selectbox(key="map_system").set_value("妇联").run()  # children's homes belong to 妇联, workstations to 民政
    assert len(layer(deck_of(at), "points")["data"]) == int((want["system"] == "妇联").sum())
    at.selectbox(key="map_level").set_value("street").run()  # no 妇联 children's home is a street-level point
    assert "points" not in [maps.base_id(x["id"]) for x in deck_of(at)["layers"]]


def test_district_scope_view_is_centred_inside_that_district_and_closer():
    city = deck_of(app_test("pages/map.py"))["initialViewState"]
    view = deck_of(app_test("pages/map.py", district="440305"))["initialViewState"]
    nanshan = shape(json.loads(db.query("map_districts", **ALL_FILTERS).set_index("code").at["440305", "geojson"]))
    west, south, east, north = nanshan.bounds
    assert west < view["longitude"] < east and south < view["latitude"] < north
    assert view["zoom"] > city["zoom"] + 0.5
    # the whole district fits in the map: its extent is within the area the view shows
    vw, vs, ve, vn = maps.view_bbox(maps.pdk.ViewState(**view))
    assert vw <= west and ve >= east and vs <= south and vn >= north


def test_street_scope_view_is_at_the_street_and_closer_still():
    at = app_test("pages/map.py", district="440305", street="440305007")
    spec = deck_of(at)
    view = spec["initialViewState"]
    street = db.query("streets", district="440305").set_index("code").loc["440305007"]
    assert abs(view["longitude"] - street["lon"]) < 0.03 and abs(view["latitude"] - street["lat"]) < 0.03
    assert view["zoom"] >= 12
    points = layer(spec, "points")["data"]
    assert len(points) == db.query("map_point_count", district="440305", street="440305007", **ALL_FILTERS)["points"][0]


def test_street_symbols_are_the_districts_streets_with_the_gap_counts():
    at = app_test("pages/map.py", district="440305")
    at.selectbox(key="map_street_metric").set_value("gaps").run()
    rows = layer(deck_of(at), "streets")["data"]
    streets = db.query("map_streets", district="440305", **ALL_FILTERS)
    assert [r["code"] for r in rows] == streets["code"].tolist()
    biggest = streets.loc[streets["gaps"].idxmax(), "code"]
    assert max(rows, key=lambda r: r["radius"])["code"] == biggest
    # the legend says these streets stand at approximate points, and which figures rest on them
    assert any("未导入局方边界的街道以近似代表点表示" in c.value for c in at.caption)
    assert any("107 个社区级单位仍使用示例位置，8 个街道仍使用近似位置" in c.value for c in at.caption)  # 南山区


def test_choropleth_legend_states_the_metric_and_its_classes():
    at = app_test("pages/map.py")
    at.selectbox(key="map_metric").set_value("gaps").run()
    markdown = " ".join(m.value for m in at.markdown)
    assert t("map.legend_metric", metric=t("map.gaps")) in markdown
    gaps = db.query("map_districts", **ALL_FILTERS)["gaps"]
    assert f"{gaps.min()}–" in markdown and f"–{gaps.max()}" in markdown   # whole-number classes, 5–8 … 18–84
    features = layer(deck_of(at), "districts")["data"]
    fills = {f["properties"]["code"]: f["properties"]["fill"] for f in features}
    worst = db.query("map_districts", **ALL_FILTERS).set_index("code")["gaps"].idxmax()
    assert tuple(fills[worst][:3]) == maps.REDS[-1]  # the district with most gaps in the darkest red


def test_search_flies_to_the_street_found():
    at = app_test("pages/map.py")
    at.text_input(key="map_search").input("粤海").run()
    view = deck_of(at)["initialViewState"]
    street = db.query("streets", district="440305").set_index("code").loc["440305007"]
    assert (view["longitude"], view["latitude"]) == (pytest.approx(street["lon"]), pytest.approx(street["lat"]))
    assert view["zoom"] == 13.5


def test_search_for_nothing_says_so():
    at = app_test("pages/map.py")
    at.text_input(key="map_search").input("不存在的地名xyz").run()
    assert at.info[0].value == t("map.search_none", q="不存在的地名xyz")


def test_clicking_a_district_drills_down_and_a_street_drills_further():
    at = app_test("pages/map.py")
    at = click(at, "districts", {"type": "Feature", "properties": {"code": "440305"}})
    assert not at.exception
    assert at.query_params["district"] == "440305"
    assert "范围：全市 › 南山区" in [c.value for c in at.caption]
    at = click(at, "streets", {"code": "440305007", "district_code": "440305"})
    assert at.query_params["street"] == "440305007"
    assert "范围：全市 › 南山区 › 粤海街道" in [c.value for c in at.caption]


def test_clicking_a_service_point_opens_its_detail_card():
    at = app_test("pages/map.py", district="440305")
    point = db.query("map_points", district="440305", street=None, max_rows=1, **ALL_FILTERS).iloc[0]
    at = click(at, "points", {"id": point["id"], "tip_title": point["name"]})
    texts = [x.value for x in at.text]
    assert f"{t('map.label_address')}{point['address']}" in texts
    assert f"{t('map.label_phone')}{point['phone']}" in texts
    assert any(point["name"] in m.value for m in at.markdown)


def test_optional_layers_sites_rings_density_and_community_gaps():
    at = app_test("pages/map.py", district="440305")
    at.multiselect(key="map_layers").set_value(list(maps.OPTIONAL_LAYERS)).run()
    assert not at.exception
    spec = deck_of(at)
    ids = [maps.base_id(x["id"]) for x in spec["layers"]]
    assert {"density", "rings", "sites", "community_gaps"} <= set(ids)
    sites = db.query("map_sites", district="440305", street=None, max_rows=maps.MAX_RAW_POINTS)
    assert len(layer(spec, "sites")["data"]) == len(sites)
    homes = db.query("map_points", district="440305", street=None, categories=("children_home",), system=None,
                     level=None, max_rows=maps.MAX_RAW_POINTS)
    rings = layer(spec, "rings")
    assert len(rings["data"]) == len(homes) and rings["getRadius"] == 1000
    gaps = [x for x in spec["layers"] if maps.base_id(x["id"]) == "community_gaps"]
    units = db.query("map_community_gaps", district="440305", street=None)
    assert sorted(len(g["data"]) for g in gaps) == sorted([int((~units["has_director"]).sum()),
                                                          int((~units["has_children_home"]).sum())])
    assert any(r["tip_1"] == "无在册儿童主任" for g in gaps for r in g["data"])
    assert facts.UNITS_CAVEAT_ZH in [c.value for c in at.caption]  # the 662-vs-783 caveat goes with that layer


def test_english_map_page():
    at = app_test("pages/map.py", lang="en")
    assert not at.exception
    assert at.title[0].value == "Child-care service resource map"
    point = layer(deck_of(at), "points")["data"][0]
    assert point["tip_1"].startswith("Category: ")


# --- tiles ----------------------------------------------------------------------------------------------

def test_configured_osm_tiles_are_drawn_under_the_layers_in_wgs84():
    at = run_with_secrets({"map": {"tiles": "osm"}})
    assert not at.exception
    spec = deck_of(at)
    bitmaps = [x for x in spec["layers"] if x["@@type"] == "BitmapLayer"]
    assert bitmaps and spec["layers"][: len(bitmaps)] == bitmaps  # tiles first: underneath everything
    assert all(x["image"].startswith("https://tile.openstreetmap.org/") for x in bitmaps)
    first = layer(spec, "points")["data"][0]
    row = db.query("map_points", district=None, street=None, max_rows=1, **ALL_FILTERS).iloc[0]
    assert (first["lon"], first["lat"]) == (pytest.approx(row["lon"]), pytest.approx(row["lat"]))  # not shifted
    # the tiles cover the whole view
    view = maps.view_bbox(maps.pdk.ViewState(**spec["initialViewState"]))
    fine = [x["bounds"] for x in bitmaps if x["id"].split("-")[2] == str(max(int(b["id"].split("-")[2])
                                                                                for b in bitmaps))]
    assert min(b[0] for b in fine) <= view[0] and max(b[2] for b in fine) >= view[2]
    assert min(b[1] for b in fine) <= view[1] and max(b[3] for b in fine) >= view[3]


def test_amap_tiles_shift_every_layer_to_gcj02():
    at = run_with_secrets({"map": {"tiles": "amap"}}, district="440305")
    spec = deck_of(at)
    assert any("autonavi.com" in x.get("image", "") for x in spec["layers"])
    row = db.query("map_points", district="440305", street=None, max_rows=1, **ALL_FILTERS).iloc[0]
    first = layer(spec, "points")["data"][0]
    glon, glat = crs.wgs84_to_gcj02(row["lon"], row["lat"])
    assert (first["lon"], first["lat"]) == (pytest.approx(glon, abs=1e-6), pytest.approx(glat, abs=1e-6))
    assert crs.haversine_m(row["lon"], row["lat"], first["lon"], first["lat"]) > 300  # the AMap offset
    ring = layer(spec, "districts")["data"]
    stored = json.loads(db.query("map_districts", **ALL_FILTERS).set_index("code").at[ring[0]["properties"]["code"],
                                                                                       "geojson"])
    assert shape(ring[0]["geometry"]).centroid.x == pytest.approx(
        crs.wgs84_to_gcj02(*shape(stored).centroid.coords[0])[0], abs=1e-4)
    assert "GCJ-02" in " ".join(c.value for c in at.caption)


def test_tianditu_without_key_is_refused_with_a_warning_and_no_tiles():
    at = run_with_secrets({"map": {"tiles": "tianditu"}})
    assert not at.exception
    assert "需要密钥" in at.warning[0].value
    assert not [x for x in deck_of(at)["layers"] if x["@@type"] == "BitmapLayer"]


def test_tile_settings():
    assert tiles.from_settings(None, {}) is None and tiles.from_settings({"tiles": "none"}, {}) is None
    tdt = tiles.from_settings({"tiles": "tianditu", "key": "abc123"}, {})
    assert len(tdt.urls) == 2 and all("tk=abc123" in u for u in tdt.urls) and tdt.crs == "WGS84"
    assert tiles.from_settings(None, {"CAREMAP_TILES": "amap"}).crs == "GCJ02"
    own = tiles.from_settings({"tiles": "https://tiles.example.gov.cn/{z}/{x}/{y}.png", "crs": "gcj-02"}, {})
    assert own.name == "custom" and own.crs == "GCJ02"
    for bad in ("ftp://x/{z}/{x}/{y}", "https://x/tiles.png", "javascript:alert(1)//{z}{x}{y}"):
        with pytest.raises(tiles.TileConfigError):
            tiles.from_settings({"tiles": bad}, {})
    with pytest.raises(tiles.TileConfigError, match="BD-09"):
        tiles.from_settings({"tiles": "https://x/{z}/{x}/{y}.png", "crs": "BD09"}, {})


def test_tile_arithmetic_round_trips():
    z, x, y = 12, *tiles.tile_xy(114.0579, 22.5431, 12)
    west, south, east, north = tiles.tile_bounds(x, y, z)
    assert west <= 114.0579 < east and south <= 22.5431 < north
    assert tiles.tiles_covering((west + 1e-6, south + 1e-6, east - 1e-6, north - 1e-6), z) == [(z, x, y)]


# --- pure functions -------------------------------------------------------------------------------------

HOSTILE = "<img src=x onerror=alert(1)>"


def test_tooltip_text_cannot_inject_html():
    points = pd.DataFrame([{
        "id": "X1", "name": HOSTILE, "category_name": "儿童之家", "system": "妇联",
        "address": 'A & B "路" \'1\' <b>号</b>', "phone": "<script>alert(2)</script>", "street_name": "粤海街道",
        "community_name": None, "color": "#2ca02c", "lon": 113.94, "lat": 22.53, "street_code": "440305007"}])
    texts = maps.labels(lambda k: t(k, "zh"))
    rows = maps.point_rows(points, texts)
    tip_values = [rows.at[0, f] for f in maps.TIP_FIELDS]
    # no markup character; & only as its entity (A &amp; B reads "A & B" in the HTML tooltip)
    assert not any(ch in v.replace("&amp;", "") for v in tip_values for ch in "<>&\"'`")
    assert any("A &amp; B" in v for v in tip_values)
    assert rows.at[0, "tip_title"] == "＜img src=x onerror=alert(1)＞"  # still readable, never markup
    assert rows.at[0, "tip_6"] == ""  # a missing community is an empty line, not "None"
    spec = maps.deck_spec(maps.deck([maps.point_layer(rows)], maps.point_view(113.94, 22.53, 12)))
    body = json.dumps(spec, ensure_ascii=False)
    assert "<img" not in body and "<script" not in body
    # the tooltip template is the only HTML, and it holds nothing but placeholders of escaped fields
    assert maps.TOOLTIP["html"] == "<b>{tip_title}</b>" + "".join(f"<div>{{{f}}}</div>" for f in maps.TIP_FIELDS[1:])
    districts = pd.DataFrame([{"code": "X", "name": HOSTILE, "geojson": json.dumps(
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}), "points": 1, "points_per_10k": 1.0,
        "compliance": 0.5, "gaps": 1}])
    feature = maps.deck_spec(maps.deck([maps.district_layer(districts, "points", texts, [0, 2])],
                                       maps.point_view(0, 0, 3)))["layers"][0]["data"][0]
    assert "<" not in json.dumps(feature["properties"], ensure_ascii=False)


def test_class_breaks_and_classes():
    breaks = maps.class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert breaks[0] == 1 and breaks[-1] == 10 and len(breaks) == 6
    assert maps.classify(1, breaks) == 0 and maps.classify(10, breaks) == 4 and maps.classify(None, breaks) is None
    assert maps.class_breaks([3, 3, 3]) == [3.0, 3.0] and maps.classify(3, [3.0, 3.0]) == 0
    legend = maps.legend_classes("compliance", [0.8, 0.9, 1.0])
    assert [x["label"] for x in legend] == ["80.0% – 90.0%", "90.0% – 100.0%"]


def test_fit_view_shows_the_whole_box():
    box = (113.75, 22.39, 114.63, 22.87)
    view = maps.fit_view(box)
    shown = maps.view_bbox(view)
    assert shown[0] <= box[0] and shown[2] >= box[2] and shown[1] <= box[1] and shown[3] >= box[3]
    # and not much more: one zoom level closer would cut it
    tighter = maps.view_bbox(maps.pdk.ViewState(longitude=view.longitude, latitude=view.latitude, zoom=view.zoom + 1))
    assert tighter[0] > box[0] or tighter[1] > box[1]


def test_picked_reads_the_streamlit_selection():
    assert maps.picked(None) is None
    assert maps.picked({"selection": {"indices": {}, "objects": {}}}) is None
    assert maps.picked({"selection": {"indices": {"points": [3]}, "objects": {"points": [{"id": "SP1"}]}}}) == (
        "points", {"id": "SP1"})


def test_above_the_threshold_points_are_binned_in_duckdb(con):
    texts = maps.labels(lambda k: t(k, "zh"))
    result = maps.build_map(functools.partial(db.run, con), maps.MapOptions(), texts, max_raw_points=500)
    spec = maps.deck_spec(result.deck)
    ids = [maps.base_id(x["id"]) for x in spec["layers"]]
    assert result.binned and "points" not in ids and "bins" in ids
    bins = db.run(con, "map_point_bins", district=None, street=None, cell_m=result.cell_m, **ALL_FILTERS)
    assert int(bins["points"].sum()) == result.n_points == 1513
    assert len(layer(spec, "bins")["data"]) == len(bins) < result.n_points
    raw = maps.build_map(functools.partial(db.run, con), maps.MapOptions(), texts)
    assert not raw.binned and len(layer(maps.deck_spec(raw.deck), "points")["data"]) == 1513
    assert len(result.deck.to_json().encode()) < 0.5 * len(raw.deck.to_json().encode())  # binning pays off


def test_above_the_threshold_project_sites_are_binned_in_duckdb(con):
    texts = maps.labels(lambda k: t(k, "zh"))
    opts = maps.MapOptions(layers=("sites",))
    n_sites = int(db.run(con, "map_site_count", district=None, street=None)["sites"].iloc[0])
    assert n_sites == 378
    raw = maps.deck_spec(maps.build_map(functools.partial(db.run, con), opts, texts).deck)
    assert len(layer(raw, "sites")["data"]) == n_sites
    assert "site_bins" not in [maps.base_id(x["id"]) for x in raw["layers"]]
    binned = maps.deck_spec(maps.build_map(functools.partial(db.run, con), opts, texts, max_raw_points=100).deck)
    ids = [maps.base_id(x["id"]) for x in binned["layers"]]
    assert "sites" not in ids and "site_bins" in ids
    bins = db.run(con, "map_site_bins", district=None, street=None, org_id=None, cell_m=maps.bin_size_m(None, None))
    assert int(bins["sites"].sum()) == n_sites and len(layer(binned, "site_bins")["data"]) == len(bins) < n_sites
    assert "社工项目点" in layer(binned, "site_bins")["data"][0]["tip_title"]
    in_district = db.run(con, "map_site_bins", district="440305", street=None, org_id=None, cell_m=250.0)
    assert int(in_district["sites"].sum()) == int(
        db.run(con, "map_site_count", district="440305", street=None)["sites"].iloc[0]) > 0


def test_default_payload_carries_only_the_needed_columns():
    at = app_test("pages/map.py")
    point = layer(deck_of(at), "points")["data"][0]
    assert set(point) == {"id", "lon", "lat", "color", *maps.TIP_FIELDS}
    sent = at.get("deck_gl_json_chart")[0].proto.json
    assert "\n" not in sent and "服务点" in sent  # compact, UTF-8: ~0.6 MB for 1,513 points
    assert len(sent.encode()) < 700_000


# --- the gap arithmetic, on a database whose answer is known by construction ------------------------------

@pytest.fixture()
def tiny_db(tmp_path):
    """One district, two streets, three community units; the coverage standards of data/reference.

    Checks: district 1 + streets 2×2 + communities 3×3 = 14. Met: rescue centre (1); S1 supervisor and
    workstation (2); S2 none (its supervisor post is vacant); C1 director, home, walk (3); C2 director only
    (the nearest point is 2 km away); C3 home and walk (director vacant) = 9, so 5 gaps: S1 has 2, S2 has 3.
    """
    con = factories.schema_db(str(tmp_path / "tiny.duckdb"))
    square = json.dumps({"type": "Polygon", "coordinates": [[[113.9, 22.4], [114.2, 22.4], [114.2, 22.6],
                                                              [113.9, 22.6], [113.9, 22.4]]]})
    con.execute("insert into district (code, name, population_2020, label_lon, label_lat, geojson) "
                "values ('D1', '测试区', 20000, 114.05, 22.5, ?)", [square])
    con.execute("insert into street (code, name, district_code, lon, lat) values "
                "('S1', '甲街道', 'D1', 114.0, 22.5), ('S2', '乙街道', 'D1', 114.1, 22.5)")
    con.execute("insert into community (code, name, street_code, district_code, lon, lat) values "
                "('C1', '一社区', 'S1', 'D1', 114.0, 22.5), ('C2', '二社区', 'S1', 'D1', 114.02, 22.5), "
                "('C3', '三社区', 'S2', 'D1', 114.1, 22.5)")
    con.execute("insert into service_category select * from read_csv(?)",
                [str(REFERENCE / "service_categories.csv")])
    con.execute("insert into service_point (id, name, category, district_code, street_code, community_code, lon, lat)"
                " values ('P1', '救助中心', 'rescue_centre', 'D1', 'S1', 'C1', 114.0, 22.5), "
                "('P2', '工作站', 'workstation', 'D1', 'S1', 'C1', 114.0, 22.5), "
                "('P3', '一儿童之家', 'children_home', 'D1', 'S1', 'C1', 114.0, 22.5), "
                "('P4', '三儿童之家', 'children_home', 'D1', 'S2', 'C3', 114.1, 22.5)")
    con.execute("insert into worker (id, role, district_code, street_code, community_code, status) values "
                "('W1', '儿童督导员', 'D1', 'S1', null, '在岗'), ('W2', '儿童督导员', 'D1', 'S2', null, '空缺'), "
                "('W3', '儿童主任', 'D1', 'S1', 'C1', '在岗'), ('W4', '儿童主任', 'D1', 'S1', 'C2', '在岗'), "
                "('W5', '儿童主任', 'D1', 'S2', 'C3', '空缺')")
    rows = standards.load(REFERENCE / "coverage_standards.toml")
    build.insert_standards(con, rows)
    build.derive(con)  # the tables a published version carries (nearest point per unit and category)
    yield con
    con.close()


def test_district_compliance_and_gaps_by_construction(tiny_db):
    row = db.run(tiny_db, "map_districts", **ALL_FILTERS).iloc[0]
    assert (row["checks"], row["checks_met"], row["gaps"]) == (14, 9, 5)
    assert row["compliance"] == pytest.approx(9 / 14, abs=1e-4)
    assert row["points"] == 4 and row["points_per_10k"] == pytest.approx(2.0)
    assert db.run(tiny_db, "map_districts", categories=["children_home"], system=None, level=None)["points"][0] == 2


def test_street_gaps_by_construction(tiny_db):
    streets = db.run(tiny_db, "map_streets", district=None, **ALL_FILTERS).set_index("code")
    assert streets.loc["S1", ["checks", "checks_met", "gaps"]].tolist() == [8, 6, 2]
    assert streets.loc["S2", ["checks", "checks_met", "gaps"]].tolist() == [5, 2, 3]
    assert streets.loc["S1", "points"] == 3 and streets.loc["S2", "points"] == 1


def test_community_gap_flags_by_construction(tiny_db):
    units = db.run(tiny_db, "map_community_gaps", district=None, street=None).set_index("code")
    assert units["has_director"].to_dict() == {"C1": True, "C2": True, "C3": False}
    assert units["has_children_home"].to_dict() == {"C1": True, "C2": False, "C3": True}


def test_search_passes_the_text_as_a_parameter(tiny_db):
    found = db.run(tiny_db, "map_search", search="甲", district=None, max_rows=10)
    assert found[["kind", "code"]].values.tolist() == [["street", "S1"]]
    assert db.run(tiny_db, "map_search", search="' or '1'='1", district=None, max_rows=10).empty
    assert db.run(tiny_db, "map_search", search="", district=None, max_rows=10).empty
    assert len(db.run(tiny_db, "map_search", search="儿童之家", district=None, max_rows=1)) == 1


def test_demo_district_gaps_add_up_to_the_street_gaps(con):
    districts = db.run(con, "map_districts", **ALL_FILTERS)
    streets = db.run(con, "map_streets", district=None, **ALL_FILTERS)
    district_level = int((districts["checks"] - districts["checks_met"]).sum() - streets["gaps"].sum())
    assert district_level == 0  # every demo district has its rescue centre; all gaps sit in streets
    assert int(districts["points"].sum()) == 1513
    assert shapely.is_valid(shape(json.loads(districts["geojson"][0])))


# --- the static map figure for export ---------------------------------------------------------------------

def _svg_and_spec(district=None, street=None, lang="zh"):
    import vl_convert

    from caremap.report import charts

    fig = charts.build("district_map", district, street, lang)
    return fig, vl_convert.vegalite_to_svg(fig.chart.to_json()), fig.chart.to_dict()


def test_static_map_has_legends_scale_bar_north_arrow_date_source_and_notice():
    fig, svg, spec = _svg_and_spec()
    data_date = dict(db.query("meta").itertuples(index=False, name=None))["data_date"]
    for text in ("仅供内部使用，非公开地图（公开使用需审图号）", f"数据日期：{data_date}", "来源：", "示例数据",
                 "每万常住人口服务点数", "服务点类别", "10 公里", "▲", ">N<"):
        assert text in svg, text
    assert fig.id == "district_map" and len(fig.data) == 10 and fig.data["服务点数"].sum() == 1513
    assert "大鹏新区最高" in fig.takeaway
    # the scale bar is as long as it says: 10 km on the ground at its latitude
    bar = next(rows[0] for rows in spec["datasets"].values() if rows and "lon2" in rows[0])
    assert crs.haversine_m(bar["lon"], bar["lat"], bar["lon2"], bar["lat"]) == pytest.approx(10_000, rel=0.01)
    # every service point of the city is drawn
    assert max(len(rows) for rows in spec["datasets"].values()) == 1513


def test_static_map_renders_to_png_with_the_choropleth_drawn():
    import vl_convert
    from PIL import Image

    from caremap.report import charts

    fig = charts.build("district_map", "440305", None, "zh")
    png = vl_convert.vegalite_to_png(fig.chart.to_json(), scale=1)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = list(img.getdata())
    assert img.width > 600 and img.height > 450
    assert sum(1 for p in pixels if p != (255, 255, 255)) > 0.3 * len(pixels)
    assert "全市 › 南山区" in fig.scope_label and "图中" in fig.takeaway


def test_static_map_with_more_points_than_it_can_draw_shows_grid_cells(monkeypatch):
    """Above STATIC_MAX_POINTS the report's map draws DuckDB's grid cells (coarser until few enough) instead of
    dots: at ×100 the 20,000 dots it drew before broke Altair's row limit, and with it the briefing's PPTX."""
    import vl_convert

    from caremap.report import charts

    charts._built.cache_clear()   # built figures are kept per scope and data version, not per threshold
    monkeypatch.setattr(charts, "STATIC_MAX_POINTS", 100)
    try:
        _static_map_as_cells(charts, vl_convert)
    finally:
        charts._built.cache_clear()


def _static_map_as_cells(charts, vl_convert):
    fig = charts.build("district_map", None, None, "zh")
    spec = fig.chart.to_dict()
    cells = next(rows for rows in spec["datasets"].values() if rows and "points" in rows[0])
    located = db.query("map_point_bins", district=None, street=None, categories=None, system=None, level=None,
                       cell_m=500.0)["points"].sum()
    assert len(cells) <= 100 and sum(c["points"] for c in cells) == located > 1000   # every located point counted
    assert {c["category_name"] for c in cells} <= set(db.query("map_categories")["name"])
    assert "米网格汇总" in fig.notes[-1] and "颜色为格内最多的类别" in fig.notes[-1]
    svg = vl_convert.vegalite_to_svg(fig.chart.to_json())
    assert "服务点类别（格内最多）" in svg and "10 公里" in svg
    fig = charts.build("district_map", "440306", None, "zh")   # 261 points: within a district, the takeaway says so
    assert re.search(r"图中 261 个，按 (250|500|1000|2000) 米网格汇总", fig.takeaway), fig.takeaway


def test_static_map_in_english_at_street_scope():
    fig, svg, _ = _svg_and_spec("440305", "440305007", "en")
    assert "For internal use only" in svg and "data date" in svg and "Service-point category" in svg
    assert re.search(r">(0\.5|1|2) km<", svg), "a street-sized scale bar"
    assert fig.takeaway.endswith("shown.")


def test_search_finds_a_service_point_flies_to_it_and_opens_its_card():
    at = app_test("pages/map.py", district="440303")
    at.text_input(key="map_search").input("罗湖区未成年人救助保护中心").run()
    point = db.query("map_search", search="罗湖区未成年人救助保护中心", district="440303", max_rows=5).iloc[0]
    view = deck_of(at)["initialViewState"]
    assert (view["longitude"], view["latitude"], view["zoom"]) == (pytest.approx(point["lon"]),
                                                                  pytest.approx(point["lat"]), 15.5)
    assert any("罗湖区未成年人救助保护中心" in m.value for m in at.markdown)  # the detail card
    # the search stays within the scope: a Nanshan street is not found from Luohu
    at.text_input(key="map_search").input("粤海").run()
    assert at.info[0].value == t("map.search_none", q="粤海")


def _pickable_rows(layer: dict) -> list[dict]:
    data = layer.get("data") or []
    if isinstance(data, dict):  # a FeatureCollection
        data = data.get("features", [])
    return [row.get("properties", row) if isinstance(row, dict) else row for row in data]


@pytest.mark.parametrize("district, street", [(None, None), ("440305", None), ("440305", "440305007")])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_tooltip_field_of_every_layer_is_filled(district, street, language):
    """The deck has one tooltip template: each pickable layer's rows carry every field it names (an empty one
    rather than none, which deck.gl would show as a raw {tip_6}), in both languages and at every scope."""
    opts = maps.MapOptions(district, street, layers=tuple(maps.OPTIONAL_LAYERS))
    result = maps.build_map(db.query, opts, maps.labels(lambda k: t(k, language)))
    spec = maps.deck_spec(result.deck)
    template = spec.get("tooltip") or maps.TOOLTIP
    fields = set(re.findall(r"\{(\w+)\}", template["html"] if "html" in template else template["text"]))
    pickable = [la for la in spec["layers"] if la.get("pickable")]
    assert pickable
    for layer in pickable:
        rows = _pickable_rows(layer)
        for row in rows:
            missing = fields - {k for k, v in row.items() if v is not None}
            assert not missing, (layer["id"], missing)
            assert not any("{" in str(row[f]) for f in fields), layer["id"]
        assert rows or layer["id"] in ("rings",), layer["id"]


def test_the_map_names_every_district_and_its_streets():
    spec = maps.deck_spec(maps.build_map(db.query, maps.MapOptions(), maps.labels(lambda k: t(k, "zh"))).deck)
    labels = next(la for la in spec["layers"] if maps.base_id(la["id"]) == "district-labels")
    names = db.query("districts")["name"].tolist()
    assert sorted(r["text"] for r in labels["data"]) == sorted(names) and len(names) == 10
    assert set("".join(names)) <= set(labels["characterSet"])  # the CJK glyphs are in the font atlas
    assert labels["sizeUnits"] == "pixels" and labels["fontFamily"].startswith("Noto Sans CJK SC")
    streets = next(la for la in spec["layers"] if maps.base_id(la["id"]) == "street-labels")
    assert len(streets["data"]) == 74 and streets["sizeUnits"] == "meters"  # readable from a district's zoom on
    assert maps.base_id(spec["layers"][-1]["id"]) == "district-labels"  # drawn above everything


def _ranges(legend: list[dict]) -> list[tuple[int, int]]:
    """The whole numbers each count class holds, read back from its label ("14" or "15–19")."""
    out = []
    for entry in legend:
        ends = [int(x.replace(",", "")) for x in entry["label"].split("–")]
        out.append((ends[0], ends[-1]))
    return out


@pytest.mark.parametrize("values", [[42, 47, 58, 69, 184, 201, 208, 218, 225, 261],
                                    [5, 7, 9, 13, 14, 14, 17, 17, 18, 84], [0, 0, 0, 0, 1, 1, 1, 2, 3, 3],
                                    [14, 15, 15, 16, 16, 16], [3, 3, 3], list(range(1, 11)), [0, 1]])
def test_count_legend_classes_are_whole_number_ranges_that_do_not_overlap(values):
    """#18: counts showed classes "14 – 15", "15 – 16" (which holds 15?). Now each class names the whole numbers it
    holds, a single one alone, none shared, and every value lies in the class it is coloured by."""
    breaks = maps.class_breaks(values, whole=True)
    legend = maps.legend_classes("points", breaks)
    assert all(" – " not in e["label"] for e in legend)
    ranges = _ranges(legend)
    for (a, b), (c, d) in zip(ranges, ranges[1:]):
        assert a <= b < c <= d, ranges
    for label, (a, b) in zip([e["label"] for e in legend], ranges):
        assert (label == str(a)) == (a == b), label
    for v in values:
        lo, hi = ranges[maps.classify(v, breaks)]
        assert lo <= v <= hi, (v, ranges)
    assert ranges[0][0] == min(values) and ranges[-1][1] == max(values)


@pytest.mark.parametrize("metric", ["points", "gaps"])
def test_the_map_legend_holds_each_districts_tooltip_value_in_its_colours_class(metric):
    texts = maps.labels(lambda k: t(k, "zh"))
    result = maps.build_map(db.query, maps.MapOptions(metric=metric), texts)
    spec = maps.deck_spec(result.deck)
    features = next(layer for layer in spec["layers"] if maps.base_id(layer["id"]) == "districts")["data"]
    colours = ["#{:02x}{:02x}{:02x}".format(*f["properties"]["fill"][:3]) for f in features]
    assert all(" – " not in e["label"] for e in result.legend)
    ranges = dict(zip([e["color"] for e in result.legend], _ranges(result.legend)))
    ends = list(ranges.values())
    assert all(b < c for (_, b), (c, _) in zip(ends, ends[1:])), ends   # no number in two classes
    for feature, colour in zip(features, colours):
        first = feature["properties"]["tip_1"]   # the chosen metric first: "<label><sep><value>"
        assert first.startswith(texts[metric] + texts["sep"])
        value = int(first.removeprefix(texts[metric] + texts["sep"]).replace(",", ""))
        lo, hi = ranges[colour]
        assert lo <= value <= hi, (feature["properties"]["tip_title"], value, lo, hi)


@pytest.mark.parametrize("values", [
    ["<b>x</b>", "O'Brien & Co", None, float("nan"), "", 12, 3.5, "粤海街道", "`t`", '"q"', pd.NA],
    ["粤海街道", "桂园街道", None, "", "Yuehai Subdistrict (粤海街道)"],   # nothing to replace: the fast path
    [],
])
def test_a_tooltip_column_is_written_as_each_of_its_values_would_be(values):
    """The map writes its tooltips a column at a time; each value must read as safe_text() writes it alone (no markup
    can get through), and a label goes only before a value that is there."""
    column = pd.Series(values, dtype=object)
    assert maps._safe(column).tolist() == [maps.safe_text(v) for v in values]
    expected = ["" if v is None or v is pd.NA or (isinstance(v, float) and v != v) or v == "" else f"地址：{v}"
                for v in values]
    assert maps._labelled("地址：", column).tolist() == expected


def test_a_layer_s_rows_are_sent_as_pandas_would_write_them():
    frame = pd.DataFrame({"id": ["SP1", "SP2"], "lon": [114.1, float("nan")], "n": [3, 4],
                          "color": [[1, 2, 3, 220], [4, 5, 6, 220]], "ok": [True, False]})
    ours, theirs = maps._records(frame), frame.to_dict(orient="records")
    assert json.dumps(ours) == json.dumps(theirs)
    assert [type(v) for v in ours[0].values()] == [type(v) for v in theirs[0].values()]   # Python ints, not numpy


def test_the_district_outlines_are_drawn_for_the_zoom_the_view_opens_at():
    """At the city's view an outline is simplified to half a pixel one zoom level in (fewer vertices to draw, each
    within that distance of the stored boundary); at a district's view, where a pixel is a few metres, as stored."""
    stored = {r.code: shape(json.loads(r.geojson)) for r in db.query(
        "map_districts", categories=None, system=None, level=None).itertuples()}
    labels = maps.labels(lambda k: t(k, "zh"))
    shares = {}
    for scope, opts in (("city", maps.MapOptions()), ("district", maps.MapOptions(district="440305"))):
        spec = maps.deck_spec(maps.build_map(db.query, opts, labels).deck)
        tolerance = maps.draw_tolerance(spec["initialViewState"]["zoom"])
        drawn = {f["properties"]["code"]: shape(f["geometry"]) for f in layer(spec, "districts")["data"]}
        assert drawn.keys() == stored.keys()
        for code, outline in drawn.items():
            assert outline.is_valid, code
            assert shapely.hausdorff_distance(outline, stored[code]) <= tolerance * 1.001, (scope, code)
        shares[scope] = (sum(shapely.get_num_coordinates(g) for g in drawn.values())
                         / sum(shapely.get_num_coordinates(g) for g in stored.values()))
    assert 0.3 < shares["city"] < 0.7 and shares["district"] > 0.95, shares
    assert 60 < maps.draw_tolerance(8.79) * maps.M_PER_DEGREE < 100   # ~80 m at the city's zoom, ~3 m at a street's
    assert maps.draw_tolerance(13.5) * maps.M_PER_DEGREE < 4


def test_a_bureau_s_dense_street_boundary_is_drawn_with_few_vertices_at_the_city_s_zoom():
    """A boundary imported to ~5 m (thousands of vertices) is drawn at the city's view with a few dozen, within the
    tolerance, its properties (the code a click drills down by) unchanged."""
    dense = shapely.Point(114.05, 22.55).buffer(0.01, quad_segs=500)   # 2,001 vertices, ~3 m apart
    streets = pd.DataFrame({"code": ["440304001"], "name": ["示例街道"], "district_code": ["440304"],
                            "district_name": ["福田区"], "points": [3], "gaps": [1], "compliance": [0.5],
                            "point_note": [None], "boundary": [json.dumps(shapely.geometry.mapping(dense))]})
    texts = maps.labels(lambda k: t(k, "zh"))
    tolerance = maps.draw_tolerance(8.79)
    as_stored = maps.street_area_layer(streets, "points", texts).data[0]
    at_city = maps.street_area_layer(streets, "points", texts, tolerance=tolerance).data[0]
    drawn = shape(at_city["geometry"])
    assert shapely.get_num_coordinates(shape(as_stored["geometry"])) == 2001
    assert shapely.get_num_coordinates(drawn) < 100 and drawn.is_valid
    assert shapely.hausdorff_distance(drawn, dense) <= tolerance * 1.001
    assert at_city["properties"] == as_stored["properties"]


def test_the_browser_keeps_a_layer_while_it_is_unchanged_and_builds_it_anew_when_it_changes():
    """Each layer's id carries a digest of what it is sent with: a change of metric renews the districts' id and keeps
    the points', streets' and names' (deck.gl keeps their buffers: `dataComparator`); a filter renews the points'. The
    deck is otherwise what the compact deck sends, and a click reads the layer's own id back."""
    texts = maps.labels(lambda k: t(k, "zh"))

    def build(**opts):
        result = maps.build_map(db.query, maps.MapOptions(**opts), texts)
        plain = json.loads(maps.CompactDeck.to_json(result.deck))
        return {maps.base_id(x["id"]): x["id"] for x in maps.deck_spec(result.deck)["layers"]}, result.deck, plain

    first, deck, plain = build()
    spec = maps.deck_spec(deck)
    assert [maps.base_id(x["id"]) for x in spec["layers"]] == [x["id"] for x in plain["layers"]]
    assert all(x.pop("dataComparator") == "@@=true" for x in spec["layers"])
    for x in (*spec["layers"], *plain["layers"]):
        x.pop("id")
    assert spec == plain                                   # nothing else differs
    again, _, _ = build()
    assert again == first                                  # the same content, the same ids
    gaps, _, _ = build(metric="gaps")
    assert gaps["districts"] != first["districts"]
    assert all(gaps[k] == first[k] for k in ("points", "streets", "street-labels", "district-labels"))
    homes, _, _ = build(categories=("children_home",))
    assert homes["points"] != first["points"] and homes["district-labels"] == first["district-labels"]
    selection = {"selection": {"objects": {first["points"]: [{"id": "SP0000001"}]}}}
    assert maps.picked(selection) == ("points", {"id": "SP0000001"})


def test_the_district_outlines_answer_no_hover_and_lie_between_the_fills_and_the_points():
    """Picking draws every pickable layer again at each move of the mouse: the outlines are a layer of their own that
    is not pickable; the fill below answers hovers and clicks."""
    spec = maps.deck_spec(maps.build_map(db.query, maps.MapOptions(), maps.labels(lambda k: t(k, "zh"))).deck)
    fill, outlines = layer(spec, "districts"), layer(spec, "district-outlines")
    assert fill["pickable"] and fill["filled"] and not fill["stroked"]
    assert not outlines["pickable"] and not outlines["stroked"] and outlines["getFillColor"] == maps.OUTLINE_RGBA
    assert [f["properties"]["code"] for f in outlines["data"]] == [f["properties"]["code"] for f in fill["data"]]
    order = [maps.base_id(x["id"]) for x in spec["layers"]]
    assert order.index("districts") < order.index("district-outlines") < order.index("points")


def _mercator(geometry) -> shapely.Geometry:
    return shapely.transform(geometry, maps._to_mercator)


@pytest.mark.parametrize("opts", [maps.MapOptions(), maps.MapOptions(district="440305")], ids=["city", "district"])
def test_an_outline_is_a_band_of_polygon_one_and_a_half_pixels_wide_along_the_drawn_boundary(opts):
    """Without a GPU deck.gl draws a line one segment at a time (the city's outlines: 64 ms of a 117 ms frame) and a
    polygon's triangles at once (13 ms): the outline is a polygon along the drawn boundary, centred on it, 1.5 pixels
    wide at the zoom the view opens at."""
    spec = maps.deck_spec(maps.build_map(db.query, opts, maps.labels(lambda k: t(k, "zh"))).deck)
    width = maps.band_width(spec["initialViewState"]["zoom"])
    assert width == pytest.approx(1.5 * 2 * math.pi / (512 * 2 ** spec["initialViewState"]["zoom"]))
    areas = {f["properties"]["code"]: _mercator(shape(f["geometry"])) for f in layer(spec, "districts")["data"]}
    for feature in layer(spec, "district-outlines")["data"]:
        band, boundary = _mercator(shape(feature["geometry"])), areas[feature["properties"]["code"]].boundary
        assert band.is_valid and not band.is_empty
        assert band.buffer(width * 0.01).covers(boundary), feature["properties"]["code"]   # the whole line, covered
        # centred and as wide as asked: the area is the line's length times the width (corners aside), and no part
        # of the band lies further from the line than a mitred corner allows (cut at twice the half width, its two
        # ends up to a tenth further)
        assert band.area == pytest.approx(boundary.length * width, rel=0.15), feature["properties"]["code"]
        corners = shapely.points(shapely.get_coordinates(band))
        assert shapely.distance(corners, boundary).max() <= width * 1.2, feature["properties"]["code"]


def test_a_small_map_keeps_its_district_outlines_from_one_page_of_results_to_the_next():
    """The directory's map is sent again at each page: its outlines (lines: a band would be twice the vertices to
    send at each page) keep their id while the view's zoom is the same, so the browser keeps them and builds only the
    new page's points."""
    boundaries = db.query("sw_district_boundaries", district="440304")
    first, second = (maps.deck_spec(maps.points_deck(pd.DataFrame({"name": [name], "lon": [lon], "lat": [22.55]}),
                                                     boundaries, "{name}"))
                     for name, lon in (("甲", 114.06), ("乙", 114.07)))
    assert first["initialViewState"]["zoom"] == second["initialViewState"]["zoom"]
    ids = [{maps.base_id(x["id"]): x["id"] for x in spec["layers"]} for spec in (first, second)]
    assert ids[0]["district-boundaries"] == ids[1]["district-boundaries"] and ids[0]["points"] != ids[1]["points"]
    areas = layer(first, "district-boundaries")
    assert areas["stroked"] and areas["filled"] and areas["dataComparator"] == "@@=true"
    assert len(areas["data"]["features"]) == len(boundaries)


def test_a_point_s_pixel_on_the_map_is_where_the_view_s_bounds_put_it():
    """view_pixel is the inverse of view_bbox: the bounds' corners fall on the map's corners, the centre on its
    centre (the browser bench clicks a district where view_pixel puts it)."""
    view = maps.fit_view((113.75, 22.39, 114.63, 22.87))
    west, south, east, north = maps.view_bbox(view, 700, 600)
    assert maps.view_pixel(view, west, north, 700, 600) == pytest.approx((0, 0), abs=1e-6)
    assert maps.view_pixel(view, east, south, 700, 600) == pytest.approx((700, 600), abs=1e-6)
    assert maps.view_pixel(view, view.longitude, view.latitude, 700, 600) == (350, 300)


def test_a_click_on_the_map_is_not_held_back_to_wait_for_a_double_click():
    """deck.gl holds a click for 300 ms while double-click zoom is on (to see whether a second click follows); a
    click on this map drills down or shows a point, so the map's view turns double-click zoom off and keeps the other
    ways to move (Streamlit passes the deck's own views to deck.gl)."""
    spec = maps.deck_spec(maps.build_map(db.query, maps.MapOptions(), maps.labels(lambda k: t(k, "zh"))).deck)
    assert spec["views"] == [{"@@type": "MapView", "controller": {"doubleClickZoom": False}}]


def test_the_most_points_the_map_ships_one_by_one_stay_under_two_megabytes():
    """Each point goes with its tooltip; above MAX_RAW_POINTS the map ships grid bins. At 20,000 a district's
    drill-down at ×100 sent 6.8 MB and took 2.2 s in the browser; the cap keeps a deck's points under 2 MB."""
    spec = maps.deck_spec(maps.build_map(db.query, maps.MapOptions(), maps.labels(lambda k: t(k, "zh"))).deck)
    points = layer(spec, "points")["data"]
    per_point = len(json.dumps(points, ensure_ascii=False, separators=(",", ":")).encode()) / len(points)
    assert 200 < per_point < 400
    assert maps.MAX_RAW_POINTS * per_point < 2_000_000
