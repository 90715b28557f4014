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
