"""The same figure from different pages' queries agrees: map choropleth, coverage page, overview, workforce."""

import factories
from caremap.store import db


def test_map_gaps_per_district_equal_the_coverage_compliance(con):
    coverage = db.run(con, "coverage_compliance", district=None, street=None)
    per_district = coverage.groupby("district_code").agg(checks=("met", "size"), met=("met", "sum"))
    districts = db.run(con, "map_districts", categories=None, level=None, system=None).set_index("code")
    assert (districts.loc[per_district.index, "checks"] == per_district["checks"]).all()
    assert (districts.loc[per_district.index, "checks_met"] == per_district["met"]).all()
    assert (districts["gaps"] == districts["checks"] - districts["checks_met"]).all()


def test_headline_counts_agree_across_pages(con):
    for district in (None, "440305"):
        head = db.run(con, "metric_values", district=district, street=None).astype(object).iloc[0]
        sw = db.run(con, "metric_values", district=district, street=None).astype(object).iloc[0]
        for key in ("sw_orgs", "social_workers", "sw_projects", "sw_sites", "person_times"):
            assert int(sw[key]) == int(head[key]), (district, key)
        points = db.run(con, "map_point_count", **{k: None for k in db.load_sql("map_point_count")[1]}
                        | {"district": district})
        assert int(points.iloc[0, 0]) == int(head["service_points"]), district


def test_derived_nearest_distances_equal_a_brute_force_measure(con):
    import numpy as np

    from caremap.common.crs import haversine_m

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

    from caremap import ingest
    from caremap.ingest import load
    from caremap.store import build

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
    load.publish_import(checked, data, "append", live, who="test")
    con = duckdb.connect(str(live.resolve()), read_only=True)
    nearest = con.execute("select nearest_m from community_nearest where community_code = $c "
                          "and category = 'special_school'", {"c": code}).fetchone()[0]
    assert nearest < 1.0  # the new school stands at the unit's own point


def _schema_only():
    return factories.schema_db()


def test_nearest_derivation_is_exact_for_sparse_and_clustered_points():
    """Random units and points over 60 km: the near (3 × 3 cells) and far (bounded cell scan) paths both
    give the brute-force nearest point and name, for lone points far away and for tight clusters."""
    import numpy as np

    from caremap.common.crs import haversine_m
    from caremap.store import build

    rng = np.random.default_rng(7)
    con = _schema_only()
    units = [(f"C{i:03d}", 113.8 + rng.uniform(0, 0.6), 22.45 + rng.uniform(0, 0.3)) for i in range(60)]
    con.executemany("insert into community (code, name, street_code, district_code, lon, lat) "
                    "values ($1, $1, 'S', 'D', $2, $3)", units)
    points = [(f"P{i:04d}", "lone", 113.8 + rng.uniform(0, 0.6), 22.45 + rng.uniform(0, 0.3)) for i in range(7)]
    centre = (114.1, 22.6)  # a cluster of 300 points within ~300 m, and a few of them elsewhere
    points += [(f"Q{i:04d}", "cluster", centre[0] + rng.normal(0, 0.002), centre[1] + rng.normal(0, 0.002))
               for i in range(300)]
    points += [(f"R{i:04d}", "cluster", 113.8 + rng.uniform(0, 0.6), 22.45 + rng.uniform(0, 0.3)) for i in range(5)]
    con.executemany("insert into service_point (id, name, category, district_code, lon, lat) "
                    "values ($1, $1, $2, 'D', $3, $4)", points)
    build.derive(con)
    derived = {(c, k): (m, n) for c, k, m, n in con.execute("select * from community_nearest").fetchall()}
    assert len(derived) == 2 * len(units)
    far = 0
    for code, lon, lat in units:
        for category in ("lone", "cluster"):
            dist, name = min((haversine_m(lon, lat, x, y), pid) for pid, k, x, y in points if k == category)
            got_m, got_name = derived[(code, category)]
            assert np.isclose(got_m, dist, rtol=1e-9) and got_name == name, (code, category)
            far += dist > 2000
    assert far > 60  # the far path was exercised, not only the 3 × 3 cells


def test_derived_tallies_equal_the_rows_they_count(con):
    import pandas as pd

    direct = con.execute("select district_code, street_code, community_code, category, "
                         "lon is not null and lat is not null as located, count(*) as points from service_point "
                         "group by all order by all").df()
    tally = con.execute("select * from point_tally order by all").df()
    pd.testing.assert_frame_equal(tally, direct, check_dtype=False)
    assert int(tally["points"].sum()) == 1513
    for scope, where in (("city", "true"), ("440305", "s.district_code = '440305'"),
                         ("440305007", "s.street_code = '440305007'")):
        sql = ("select p.id, p.org_id, coalesce(p.social_workers, 0), "  # noqa: S608 (fixed test filters)
               "(select count(*) from sw_site as s where s.project_id = p.id and " + where + "), "
               "(select coalesce(sum(m.person_times), 0) from sw_service_month as m where m.project_id = p.id) "
               "from sw_project as p where " + ("true" if scope == "city" else
                                                 "p.id in (select s.project_id from sw_site as s where " + where + ")")
               + " order by p.id")
        derived = con.execute("select project_id, org_id, social_workers, sites, person_times from sw_project_scope "
                              "where scope_code = $s order by project_id", {"s": scope}).fetchall()
        assert derived == con.execute(sql).fetchall() and derived, scope
    for scope, where in (("city", "true"), ("440305", "s.district_code = '440305'"),
                         ("440305007", "s.street_code = '440305007'")):
        direct = con.execute("select m.month, sum(m.person_times), sum(m.online_person_times) "  # noqa: S608
                             "from sw_service_month as m where m.project_id in "
                             f"(select s.project_id from sw_site as s where {where}) group by m.month order by 1"
                             ).fetchall()
        derived = con.execute("select month, person_times, online_person_times from sw_scope_month "
                              "where scope_code = $s order by month", {"s": scope}).fetchall()
        assert derived == direct and derived, scope


def test_an_import_recomputes_the_derived_tallies(tmp_path):
    import duckdb

    from caremap import ingest
    from caremap.ingest import load
    from caremap.store import build

    live = tmp_path / "t.duckdb"
    build.build(live)
    con = duckdb.connect(str(live.resolve()), read_only=True)
    before = db.run(con, "metric_values", district="440305", street=None).astype(object).iloc[0]
    lon, lat = con.execute("select lon, lat from street where code = '440305007'").fetchone()
    header = "名称*,类别*,所属区*,所属街道*,所属社区,地址*,联系电话,经度*,纬度*,坐标系,更新日期"
    data = (f"{header}\n示例·新儿童之家,儿童之家,南山区,粤海街道,,示例路9号,0755-00000009,"
            f"{lon:.6f},{lat:.6f},WGS84,2024-01-01\n").encode()
    checked = ingest.check(data, "new.csv", "service_points", con, mode="append")
    con.close()
    assert checked.ok, ingest.report_lines(checked)
    load.publish_import(checked, data, "append", live, who="test")
    con = duckdb.connect(str(live.resolve()), read_only=True)
    after = db.run(con, "metric_values", district="440305", street=None).astype(object).iloc[0]
    assert int(after["service_points"]) == int(before["service_points"]) + 1
    assert con.execute("select sum(points) from point_tally").fetchone()[0] == con.execute(
        "select count(*) from service_point").fetchone()[0]
