"""The bureau's geography and children: boundary and location imports (GeoJSON in GCJ-02, a zipped Shapefile in
EPSG:4547, a GeoPackage), every refusal with its message, a kill mid-import, and the figures they drive
(locations, walking distances, the map's boundaries, children per 10,000, 2SFCA) against hand-computed values."""
# ruff: noqa: E501  (expected report lines are long Chinese sentences, kept whole)

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import geofixtures as gf
import pytest
import shapely
import shapely.affinity
from shapely.geometry import Polygon, box, shape

import factories
from caremap import cli, ingest
from caremap.common.crs import haversine_m
from caremap.ingest import load
from caremap.report import maps, metrics
from caremap.store import build, db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("geo-base") / "caremap.duckdb"
    build.build(path)
    return path


@pytest.fixture()
def live(base_db, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "db" / "caremap.duckdb"
    path.parent.mkdir()
    shutil.copyfile(base_db, path)
    monkeypatch.setenv("CAREMAP_DB", str(path))
    return path


@pytest.fixture(scope="module")
def truth():
    return gf.street_truth()


def _sql(path: Path, sql: str, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def _check(path: Path, data: bytes, name: str, kind: str, **kw) -> ingest.Checked:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return ingest.check(data, name, kind, con, **kw)
    finally:
        con.close()


def _lines(checked) -> str:
    return "\n".join(ingest.report_lines(checked))


def _publish(path, checked, data, mode="replace"):
    return load.publish_import(checked, data, mode, path, who="test")


def _vertex_error_m(path: Path, code: str, level: str, expected: shapely.Geometry) -> float:
    """The largest distance in metres between an imported boundary's vertices and the truth's."""
    wkt = _sql(path, "select st_astext(geom) from unit_geometry where level = $l and unit_code = $c",
               {"l": level, "c": code})[0][0]
    got_xy = shapely.get_coordinates(shapely.from_wkt(wkt))
    want_xy = shapely.get_coordinates(expected)
    assert len(got_xy) == len(want_xy)
    # every vertex to the nearest true vertex, and back: the farthest of these, in metres
    there = max(min(haversine_m(a[0], a[1], b[0], b[1]) for b in want_xy) for a in got_xy)
    back = max(min(haversine_m(a[0], a[1], b[0], b[1]) for b in got_xy) for a in want_xy)
    return max(there, back)


# --- each format lands on the truth --------------------------------------------------------------------------


def test_a_gcj02_geojson_of_streets_lands_within_5_m_and_moves_the_street_locations(live, truth):
    data = gf.geojson_gcj02(truth)
    checked = _check(live, data, "街道边界.geojson", "streets", crs="GCJ02")
    assert checked.ok and len(checked.rows) == len(truth) == 9, _lines(checked)
    assert "导入后仍有 65/74 个街道没有局方边界" in _lines(checked)
    _publish(live, checked, data)
    for code, g in truth.items():
        assert _vertex_error_m(live, code, "street", g) < 5
        lon, lat, method, note = _sql(live, "select lon, lat, location_method, point_note from street where code = $c",
                                      {"c": code})[0]
        assert method == "centroid" and note == "局方边界的质心"
        assert haversine_m(lon, lat, g.centroid.x, g.centroid.y) < 5
    # a street without a boundary keeps its approximate point
    assert _sql(live, "select location_method from street where code = '440303001'")[0][0] == "approximate"
    # the same file read as WGS-84 would sit ~500 m off: the conversion is what puts it right
    unconverted = _check(live, data, "街道边界.geojson", "streets")
    row = unconverted.rows.set_index("unit_code").loc[next(iter(truth))]
    assert haversine_m(row.lon, row.lat, *next(iter(truth.values())).centroid.coords[0]) > 200


def test_a_zipped_shapefile_in_epsg_4547_with_its_prj_lands_within_5_m(live, truth, tmp_path):
    data = gf.shapefile_zip_4547(truth, tmp_path / "shp")
    checked = _check(live, data, "jd.zip", "streets")
    assert checked.ok and checked.rows["source_crs"].iloc[0].endswith("(EPSG:4547)"), _lines(checked)
    _publish(live, checked, data)
    for code, g in truth.items():
        assert _vertex_error_m(live, code, "street", g) < 5


def test_the_cli_reads_a_shapefile_on_disk_with_its_siblings(live, truth, tmp_path, capsys):
    zipped = gf.shapefile_zip_4547(truth, tmp_path / "shp")
    assert zipped
    shp = tmp_path / "shp" / "boundaries.shp"
    assert cli.main(["import", str(shp), "--kind", "streets", "--db", str(live), "--who", "t"]) == 0
    out = capsys.readouterr().out
    assert "已发布" in out or "published" in out.lower()
    assert _sql(live, "select count(*) from unit_geometry where level = 'street'")[0][0] == 9
    assert _sql(live, "select kind, file_name from import_log")[-1] == ("streets", "boundaries.zip")


def test_a_geopackage_of_community_boundaries_drives_their_walking_distances(live, truth, tmp_path):
    street = next(iter(truth))
    units = gf.community_truth(street)
    data = gf.geopackage(units, tmp_path / "gpkg")
    checked = _check(live, data, "社区.gpkg", "communities")
    assert checked.ok and len(checked.rows) == 3, _lines(checked)
    _publish(live, checked, data)
    points = _sql(live, "select lon, lat from service_point where category = 'children_home' and lon is not null")
    for code, g in units.items():
        assert _vertex_error_m(live, code, "community", g) < 5
        lon, lat, method = _sql(live, "select lon, lat, location_method from community where code = $c",
                                {"c": code})[0]
        assert method == "centroid" and haversine_m(lon, lat, g.centroid.x, g.centroid.y) < 5
        nearest = _sql(live, "select nearest_m from community_nearest where community_code = $c "
                             "and category = 'children_home'", {"c": code})[0][0]
        assert nearest == pytest.approx(min(haversine_m(lon, lat, x, y) for x, y in points), abs=0.5)
    con = duckdb.connect(str(live), read_only=True)
    try:
        assert db.read_meta(con)["demo_tables"].split(",")[-1] == "community"   # 780 units still on demo points
        located = db.run(con, "metric_values", district=None, street=street)["units_located_bureau"].iloc[0]
    finally:
        con.close()
    assert located == 3


def test_community_locations_as_a_table_of_points(live, tmp_path):
    text = "社区代码,经度,纬度,坐标系\n440304002016,114.0925,22.555,WGS84\n"
    checked = _check(live, text.encode(), "社区位置.csv", "communities")
    assert checked.ok, _lines(checked)
    _publish(live, checked, text.encode(), mode="append")
    assert _sql(live, "select lon, lat, location_method, location_note from community where code = '440304002016'"
                )[0] == (114.0925, 22.555, "given_point", "局方导入的位置")


def test_boundaries_drive_the_map_choropleth_and_the_point_check(live, truth):
    data = gf.geojson_gcj02(truth)
    _publish(live, _check(live, data, "s.geojson", "streets", crs="GCJ02"), data)
    con = duckdb.connect(str(live), read_only=True)
    try:
        streets = db.run(con, "map_streets", district="440304", categories=None, system=None, level=None)
        with_area = set(streets.dropna(subset=["boundary"])["code"])
        assert with_area == set(truth)
        texts = {k: k for k in maps.LABEL_KEYS} | {"bin_title": "{n}", "site_bin_title": "{n}", "bin_note": "{m}"}
        result = maps.build_map(lambda name, **p: db.run(con, name, **p), maps.MapOptions(district="440304"), texts)
        mismatches = db.run(con, "place_mismatches", district=None)
    finally:
        con.close()
    layers = {layer.id: layer for layer in result.deck.layers}
    assert "street-areas" in layers
    drawn = {f["properties"]["code"] for f in layers["street-areas"].data}
    assert drawn == set(truth)
    # the streets with a boundary are drawn as areas, the others (none in 福田区 here) as symbols
    assert {r["code"] for r in layers["streets"].data} == set(streets["code"]) - set(truth)
    # every listed mismatch is a point whose stated street is not the one whose boundary holds it
    for row in mismatches.itertuples():
        assert row.found_street_code in truth and row.found_street_code != row.street_code
    assert len(mismatches) == _sql(live, "select count(*) from point_place as pp join service_point as p using (id) "
                                         "where pp.street_code <> p.street_code")[0][0] > 0


# --- refusals, each with its message ------------------------------------------------------------------------


def test_a_shapefile_without_its_prj_asks_for_the_crs_then_reads_with_it(live, truth, tmp_path):
    data = gf.shapefile_zip_4547(truth, tmp_path / "noprj", with_prj=False)
    refused = _check(live, data, "jd.zip", "streets")
    assert not refused.ok
    assert _lines(refused) == ("[错误] jd.zip：文件没有坐标系信息（Shapefile 缺少 .prj 文件） → 请把 .prj 文件一起压缩，"
                               "或用 --crs 给出坐标系，如 --crs EPSG:4547（CGCS2000 3度带 114°E）或 --crs EPSG:4490")
    wrong = _check(live, data, "jd.zip", "streets", crs="WGS84")
    assert "按 EPSG:4326 读取后坐标不在中国范围内" in _lines(wrong) and not wrong.ok
    assert _check(live, data, "jd.zip", "streets", crs="EPSG:4547").ok


def _features(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(g) if g is not None else None}
        for props, g in features]}, ensure_ascii=False).encode()


def test_every_geometry_problem_is_refused_with_its_own_message(live, truth):
    (a, ga), (b, gb) = list(truth.items())[:2]
    bowtie = Polygon([(ga.bounds[0], ga.bounds[1]), (ga.bounds[2], ga.bounds[3]), (ga.bounds[2], ga.bounds[1]),
                      (ga.bounds[0], ga.bounds[3])])
    far = box(113.0, 23.5, 113.01, 23.51)   # inside China, far from 福田区
    data = _features(({"code": a, "name": "园岭"}, bowtie), ({"code": b}, far), ({"code": "440304999"}, gb), ({"code": a}, ga), ({"code": "440304010"}, shapely.Point(114.05, 22.54)),
                     ({"code": "440304011"}, None))
    checked = _check(live, data, "bad.geojson", "streets")
    text = _lines(checked)
    assert not checked.ok
    assert "第1个要素（name）“园岭”：边界无效（Self-intersection[" in text and "或加 --make-valid 自动修复" in text
    assert f"第2个要素（code）“{b}”：不在所属的福田区内（区内面积占 0%" in text
    assert "第3个要素（code）“440304999”：不是本系统的街道 → 请填写统计用区划代码或规范名称；相近的有：" in text
    assert "第4个要素（code）“" + a + "”：" in text and "在文件中出现两次（第一次在第1个要素）" in text
    assert "第5个要素（code）“440304010”：几何类型为 Point，应为面（Polygon）" in text
    assert "第6个要素（code）“440304011”：要素没有几何（空边界）" in text
    # sibling boundaries overlapping: the second of two squares shifted 100 m onto the first (5/6 of it shared)
    pair = _features(({"code": a}, ga), ({"code": b}, shapely.affinity.translate(ga, 0.001, 0)))
    overlap = _check(live, pair, "overlap.geojson", "streets")
    assert not overlap.ok and "第2个要素" in _lines(overlap)
    assert "与第1个要素（园岭街道）重叠 83.3%，超过允许的 1%" in _lines(overlap)


def test_an_invalid_boundary_is_repaired_only_when_asked(live, truth):
    a, ga = next(iter(truth.items()))
    x0, y0, x1, y1 = ga.bounds
    bowtie = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    data = _features(({"code": a}, bowtie))
    assert not _check(live, data, "b.geojson", "streets").ok
    repaired = _check(live, data, "b.geojson", "streets", make_valid=True)
    assert repaired.ok and "已按要求用 make_valid 修复" in _lines(repaired)
    assert shapely.from_wkb(repaired.rows["wkb"].iloc[0]).is_valid


def test_a_file_that_is_not_geographic_data_cannot_be_read(live):
    with pytest.raises(ingest.Unreadable, match="无法作为地理数据读取"):
        _check(live, b"not a geojson", "x.geojson", "streets")
    with pytest.raises(ingest.Unreadable, match="ZIP 中没有 .shp"):
        import io
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("readme.txt", "x")
        _check(live, buf.getvalue(), "x.zip", "streets")


POP = "区划代码,年龄段,儿童人数,年份,来源\n"


def test_population_problems_are_refused_with_their_messages(live):
    text = POP + ("440304002,0-17,-5,2025,区民政局\n440304002016,0-17,250000,2025,区民政局\n"
                  "440304999,0-17,100,2025,区民政局\n440304004,3-6,100,2025,区民政局\n440304005,0-17,100,1890,x\n")
    checked = _check(live, text.encode(), "children.csv", "population")
    text_out = _lines(checked)
    assert not checked.ok and checked.rows_rejected == 5
    assert "第2行 C列（儿童人数）“-5”：儿童人数应为不小于0的整数" in text_out
    assert "第3行 C列（儿童人数）“250000”：儿童人数 250000 超过一个社区级单位的合理上限 100,000" in text_out
    assert "第4行 A列（区划代码）“440304999”：不是本系统的区划代码" in text_out
    assert "第5行 B列（年龄段）“3-6”：无法识别的年龄段" in text_out
    assert "第6行 D列（年份）“1890”：年份应为四位数字（1990年至今）" in text_out


# --- all or nothing ------------------------------------------------------------------------------------------


def test_a_geography_import_killed_midway_leaves_the_previous_version(live, truth, tmp_path):
    f = tmp_path / "streets.geojson"
    f.write_bytes(gf.geojson_gcj02(truth))
    before = _sql(live, "select value from meta where key = 'data_version'")[0][0]
    env = {**os.environ, "CAREMAP_TEST_PAUSE_AT": "loaded"}
    proc = subprocess.Popen([sys.executable, "-m", "caremap", "import", str(f), "--kind", "streets", "--crs", "GCJ02",
                             "--db", str(live)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if line.startswith("PAUSED"):
                break
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert _sql(live, "select value from meta where key = 'data_version'")[0][0] == before
    assert _sql(live, "select count(*) from unit_geometry")[0][0] == 0
    assert _sql(live, "select count(*) from street where location_method <> 'approximate'")[0][0] == 0


# --- the figures on a small fixture, by hand -------------------------------------------------------------------


def test_children_per_10000_and_2sfca_equal_the_hand_computed_values():
    # 甲一 (1,000 children) and 甲二 (3,000) 1,900 m apart on a meridian; the catchment is 1,000 m. P1 (10 places)
    # 500 m north of 甲一 and P2 (20) 800 m north reach only 甲一; P3 (30) 1,700 m north, 200 m from 甲二, only 甲二.
    m = factories.M_PER_DEG
    lat0, lon = 22.5, 114.0
    con = factories.schema_db(rows={
        "district": [{"code": "990001", "name": "测试区"}],
        "street": [{"code": "990001001", "name": "甲街道", "district_code": "990001", "lon": lon, "lat": lat0,
                    "ref_lon": lon, "ref_lat": lat0}],
        "community": [{"code": c, "name": n, "street_code": "990001001", "district_code": "990001", "lon": lon,
                       "lat": lat0 + d / m, "ref_lon": lon, "ref_lat": lat0 + d / m}
                      for c, n, d in (("990001001001", "甲一", 0), ("990001001002", "甲二", 1900))],
        "service_category": [{"code": "children_home", "name": "儿童之家", "system": "民政", "level": "社区"}],
        "service_point": [{"id": i, "name": i, "category": "children_home", "district_code": "990001",
                           "street_code": "990001001", "community_code": c, "lon": lon, "lat": lat0 + d / m,
                           "capacity": cap}
                          for i, c, d, cap in (("P1", "990001001001", 500, 10), ("P2", "990001001001", 800, 20),
                                               ("P3", "990001001002", 1700, 30))],
        "population": [{"level": "community", "unit_code": "990001001001", "age_band": "0-17", "children": 1000,
                        "year": 2025, "source": "测试"}]
                      + [{"level": "community", "unit_code": "990001001002", "age_band": b, "children": n,
                          "year": 2025, "source": "测试"}     # 甲二 by its four bands: 3,000
                         for b, n in (("0-2", 500), ("3-5", 500), ("6-11", 1000), ("12-17", 1000))],
    }, derive=True)
    # P1 and P2 reach only 甲一 (1,000 children): R1 = 10/1000, R2 = 20/1000; P3 reaches only 甲二 (3,000): 30/3000
    access = dict(con.execute("select community_code, places_per_10k from community_access").fetchall())
    assert access["990001001001"] == pytest.approx((10 + 20) / 1000 * 10000)   # 300 places per 10,000 children
    assert access["990001001002"] == pytest.approx(30 / 3000 * 10000)          # 100
    assert con.execute("select distinct supply_basis from community_access").fetchall() == [("capacity",)]
    values = db.run(con, "metric_values", district="990001", street=None).iloc[0]
    assert values["children"] == 4000                       # the street has no figure: its two units add up
    assert values["points_per_10k_children"] == pytest.approx(3 * 10000 / 4000)   # 7.5
    assert values["homes_per_10k_children"] == pytest.approx(7.5)
    # a point 950 m from both units shares its places among all their children
    factories.insert(con, "service_point", [{"id": "P4", "name": "P4", "category": "children_home",
                                            "district_code": "990001", "lon": lon, "lat": lat0 + 950 / m,
                                            "capacity": 40}])
    build.derive(con)
    access = dict(con.execute("select community_code, places_per_10k from community_access").fetchall())
    assert access["990001001001"] == pytest.approx((10 / 1000 + 20 / 1000 + 40 / 4000) * 10000)   # 400
    assert access["990001001002"] == pytest.approx((30 / 3000 + 40 / 4000) * 10000)              # 200


# --- the pages, once the bureau's geography and children are in ---------------------------------------------


@pytest.fixture()
def bureau_street(live, truth, tmp_path):
    """One street of 福田区 with the bureau's boundary, three of its units with boundaries, and children for every
    one of its units (1,000, 1,100, … in code order): (street code, {unit: children})."""
    street = next(iter(truth))
    data = gf.geojson_gcj02(truth)
    _publish(live, _check(live, data, "s.geojson", "streets", crs="GCJ02"), data)
    gpkg = gf.geopackage(gf.community_truth(street), tmp_path / "gpkg")
    _publish(live, _check(live, gpkg, "c.gpkg", "communities"), gpkg)
    codes = [r[0] for r in _sql(live, "select code from community where street_code = $s order by code", {"s": street})]
    children = {c: 1000 + 100 * i for i, c in enumerate(codes)}
    text = "区划代码,年龄段,儿童人数,年份,来源\n" + "".join(f"{c},0-17,{n},2025,测试来源\n" for c, n in children.items())
    checked = _check(live, text.encode(), "children.csv", "population")
    assert checked.ok, _lines(checked)
    _publish(live, checked, text.encode())
    return street, children


def test_the_coverage_page_shows_children_rates_2sfca_and_a_plan_weighed_by_children(bureau_street, live):
    from conftest import app_test

    street, children = bureau_street
    total = sum(children.values())
    points = _sql(live, "select count(*) from service_point where street_code = $s", {"s": street})[0][0]
    shown, captions, tables = {}, [], []
    for tab in ("points", "walk", "sites"):   # each tab is built only when open
        at = app_test("pages/coverage.py", district="440304", street=street, coverage_tab=tab)
        assert not at.exception
        shown |= {m.label: m.value for m in at.metric}
        captions += [c.value for c in at.caption]
        tables += [d.value for d in at.dataframe]
    assert shown["儿童人数（0–17岁）"] == metrics.fmt("children", total, "zh")
    assert shown["每万名儿童服务点"] == f"{points * 10000 / total:.2f}"
    rates = next(d for d in tables if "每万名儿童服务点" in d.columns)
    assert rates["儿童（0–17岁）"].sum() == total and len(rates) == len(children)
    con = duckdb.connect(str(live), read_only=True)
    try:   # one level up, the street's row adds its units up by the metrics' rule, like the street's own metric
        by_street = db.run(con, "children_rates", district="440304", street=None).set_index("code")
    finally:
        con.close()
    assert by_street.loc[street, "children"] == total and by_street["children"].notna().sum() == 1
    access = next(d for d in tables if "每万名儿童名额" in d.columns)
    assert len(access) == min(len(children), 30)
    # the plan weighs each unit by its children: the demand is counted in children, not units
    assert "待补齐单位的儿童" in shown
    assert any("按局方导入的0–17岁儿童人数加权" in c for c in captions)
    # the units still on demo locations are said, for this street: all but three
    assert any(f"{len(children) - 3} 个社区级单位仍使用示例位置，0 个街道仍使用近似位置" in c for c in captions)


def test_community_areas_and_the_searched_unit_are_outlined_on_the_map(bureau_street, live):
    street, _ = bureau_street
    first = next(iter(gf.community_truth(street)))
    con = duckdb.connect(str(live), read_only=True)
    try:
        texts = {k: k for k in maps.LABEL_KEYS} | {"bin_title": "{n}", "site_bin_title": "{n}", "bin_note": "{m}"}
        result = maps.build_map(lambda name, **p: db.run(con, name, **p),
                                maps.MapOptions(district="440304", street=street, focus_code=first), texts)
        found = db.run(con, "map_search", search=_sql(live, "select name from community where code = $c",
                                                      {"c": first})[0][0], district=None, max_rows=5)
    finally:
        con.close()
    layers = {layer.id: layer for layer in result.deck.layers}
    areas = {f["properties"]["code"]: f["properties"] for f in layers["community-areas"].data}
    assert set(areas) == set(gf.community_truth(street))
    assert areas[first]["line"] == maps.SEARCHED and areas[first]["width"] == 4
    streets = {f["properties"]["code"]: f["properties"] for f in layers["street-areas"].data}
    assert streets[street]["line"] == maps.GOLD   # the street in scope
    assert ("community", first) in set(zip(found["kind"], found["code"]))
    # the outlines: bands in a layer of their own above the fills (deck.gl draws a line one segment at a time without
    # a GPU, a polygon at once), the searched unit's 4 pixels wide and last (on top), the others 1 pixel
    order = [layer.id for layer in result.deck.layers]
    assert order.index("community-areas") < order.index("community-area-outlines") < order.index("district-outlines")
    assert order.index("street-areas") < order.index("street-area-outlines")
    assert not any(layers[k].stroked for k in ("community-areas", "street-areas"))
    bands = layers["community-area-outlines"]
    assert not bands.pickable and len(bands.data) == len(areas)
    assert [f["properties"]["line"] for f in bands.data][-1] == maps.SEARCHED
    zoom = result.deck.initial_view_state.zoom
    for feature, px in ((bands.data[-1], 4), (bands.data[0], 1)):
        band = shapely.transform(shape(feature["geometry"]), maps._to_mercator)
        assert band.is_valid
        # a thin band's area over half its perimeter is its width
        assert band.area / (band.length / 2) == pytest.approx(maps.band_width(zoom, px), rel=0.2)
    assert [f["properties"]["line"] for f in layers["street-area-outlines"].data][-1] == maps.GOLD


def test_a_kml_of_community_locations_reads_as_points(live, truth, tmp_path):
    street = next(iter(truth))
    points = {c: g.centroid for c, g in gf.community_truth(street).items()}
    # as Google Earth and web tools write it: lon,lat in <coordinates>, the code in <name>
    placemarks = "".join(f"<Placemark><name>{c}</name><Point><coordinates>{p.x},{p.y},0</coordinates></Point>"
                         "</Placemark>" for c, p in points.items())
    data = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            f"{placemarks}</Document></kml>").encode()
    checked = _check(live, data, "units.kml", "communities")
    assert checked.ok, _lines(checked)
    assert set(checked.rows["method"]) == {"given_point"} and set(checked.rows["kind"]) == {"point"}
    for row in checked.rows.itertuples():
        assert haversine_m(row.lon, row.lat, points[row.unit_code].x, points[row.unit_code].y) < 5


def test_service_point_capacity_is_imported_and_feeds_the_access_basis(live):
    text = ("名称,类别,所属区,所属街道,所属社区,地址,经度,纬度,容量\n"
            "示例·粤海儿童之家,儿童之家,南山区,粤海街道,科技园社区,南山区示例路1号,113.944,22.533,40\n"
            "示例·粤海二号,儿童之家,南山区,粤海街道,,南山区示例路2号,113.945,22.534,-3\n")
    checked = _check(live, text.encode(), "points.csv", "service_points")
    assert "第3行 I列（容量）“-3”" in _lines(checked) and not checked.ok
    good = text.replace(",-3\n", ",25\n").encode()
    checked = _check(live, good, "points.csv", "service_points")
    assert checked.ok and checked.rows["capacity"].tolist() == [40, 25]
