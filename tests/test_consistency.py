"""The same figure from different pages' queries agrees: map choropleth, coverage page, overview, workforce."""

from caremap import db


def test_map_gaps_per_district_equal_the_coverage_compliance(con):
    coverage = db.run(con, "coverage_compliance", district=None, street=None)
    per_district = coverage.groupby("district_code").agg(checks=("met", "size"), met=("met", "sum"))
    districts = db.run(con, "map_districts", categories=None, level=None, system=None).set_index("code")
    assert (districts.loc[per_district.index, "checks"] == per_district["checks"]).all()
    assert (districts.loc[per_district.index, "checks_met"] == per_district["met"]).all()
    assert (districts["gaps"] == districts["checks"] - districts["checks_met"]).all()


def test_headline_counts_agree_across_pages(con):
    for district in (None, "440305"):
        head = db.run(con, "overview_headline", district=district, street=None).iloc[0]
        sw = db.run(con, "sw_headline", district=district, street=None).iloc[0]
        for key in ("sw_orgs", "social_workers", "sw_projects", "sw_sites", "person_times"):
            assert int(sw[key]) == int(head[key]), (district, key)
        points = db.run(con, "map_point_count", **{k: None for k in db.load_sql("map_point_count")[1]}
                        | {"district": district})
        assert int(points.iloc[0, 0]) == int(head["service_points"]), district


def test_derived_nearest_distances_equal_a_brute_force_measure(con):
    import numpy as np

    from caremap.crs import haversine_m

    units = con.execute("select code, lon, lat from community order by code").df()
    for category in ("rescue_centre", "children_home", "special_school"):
        pts = con.execute("select lon, lat from service_point where category = $c", {"c": category}).df()
        derived = dict(con.execute("select community_code, nearest_m from community_nearest where category = $c",
                                   {"c": category}).fetchall())
        assert len(derived) == len(units)
        for u in units.sample(40, random_state=1).itertuples():
            brute = min(haversine_m(u.lon, u.lat, p.lon, p.lat) for p in pts.itertuples())
            assert np.isclose(derived[u.code], brute, rtol=1e-9), (category, u.code)


def test_an_import_recomputes_the_derived_distances(tmp_path):
    import duckdb

    from caremap import build, ingest, publish

    live = tmp_path / "n.duckdb"
    build.build(live)
    header = "名称*,类别*,所属区*,所属街道*,所属社区,地址*,联系电话,经度*,纬度*,坐标系,更新日期"
    con = duckdb.connect(str(live.resolve()), read_only=True)
    code, lon, lat = con.execute("select c.code, c.lon, c.lat from community as c join community_nearest as n "
                                 "on n.community_code = c.code and n.category = 'special_school' "
                                 "where c.street_code = '440305007' order by n.nearest_m desc limit 1").fetchone()
    name = con.execute("select name from community where code = $c", {"c": code}).fetchone()[0]
    data = (f"{header}\n示例·新特殊教育学校,特殊教育学校,南山区,粤海街道,{name},示例路9号,0755-00000009,"
            f"{lon:.6f},{lat:.6f},WGS84,2024-01-01\n").encode()
    checked = ingest.check(data, "new.csv", "service_points", con, mode="append")
    con.close()
    assert checked.ok, ingest.report_lines(checked)
    publish.publish_import(checked, data, "append", live, who="test")
    con = duckdb.connect(str(live.resolve()), read_only=True)
    nearest = con.execute("select nearest_m from community_nearest where community_code = $c "
                          "and category = 'special_school'", {"c": code}).fetchone()[0]
    assert nearest < 1.0  # the new school stands at the unit's own point
