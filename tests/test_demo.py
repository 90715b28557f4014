"""Demo data: deterministic, reproduces the published figures, every point inside its district."""

import filecmp

import pandas as pd
import pytest

from caremap.common.paths import DEMO
from caremap.ingest import demo
from caremap.store import geo


def test_same_seed_gives_byte_identical_files_equal_to_the_committed_ones(tmp_path):
    demo.generate(seed=2020, out=tmp_path / "a")
    demo.generate(seed=2020, out=tmp_path / "b")
    names = sorted(p.name for p in DEMO.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "a").iterdir())
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", names, shallow=False)
    assert not mismatch and not errors
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", DEMO, names, shallow=False)
    assert not mismatch and not errors, "data/demo differs from `python -m caremap demo --seed 2020`"
    demo.generate(seed=7, out=tmp_path / "c")
    assert not filecmp.cmp(tmp_path / "a" / "service_points.csv", tmp_path / "c" / "service_points.csv", False)


def test_demo_reproduces_the_published_figures(con):
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    assert 1500 <= one("select count(*) from service_point") < 1600
    assert one("select count(*) from worker where role = '儿童督导员' and status = '在岗'") == 74
    assert one("select count(distinct street_code) from worker where role = '儿童督导员'") == 74
    assert one("select count(*) from worker where role = '儿童主任' and status = '在岗'") == 662
    assert one("select count(*) from sw_org") == 33
    assert one("select sum(social_workers) from sw_project") == 1097
    assert one("select count(*) from sw_project") == 191
    assert one("select count(*) from sw_site") == 378
    assert one("select sum(person_times) from sw_service_month") == 3_300_000
    assert one("select count(distinct system) from service_point join service_category on category = code") == 7
    assert one("select count(distinct level) from service_point join service_category on category = code") == 4
    # deliberate gaps for the coverage analysis to find
    assert 0 < one("select 74 - count(distinct street_code) from service_point where category = 'workstation'") < 15
    assert 0 < one("select 783 - count(distinct community_code) from service_point "
                   "where category = 'children_home'") < 100


def test_every_point_is_inside_its_district_and_tagged_consistently(con):
    sp = con.execute("""select p.district_code, p.lon, p.lat, s.district_code as s_district,
                              c.street_code as c_street, p.street_code
                       from service_point p join street s on s.code = p.street_code
                       join community c on c.code = p.community_code""").df()
    assert len(sp) == con.execute("select count(*) from service_point").fetchone()[0]
    assert (sp["district_code"] == sp["s_district"]).all()
    assert (sp["c_street"] == sp["street_code"]).all()
    for code, group in sp.groupby("district_code"):
        assert geo.inside(code, group["lon"], group["lat"]).all(), code
    sites = con.execute("select district_code, lon, lat from sw_site").df()
    for code, group in sites.groupby("district_code"):
        assert geo.inside(code, group["lon"], group["lat"]).all(), code


def test_people_and_phones_are_obviously_fictitious():
    workers = pd.read_csv(DEMO / "workers.csv", dtype=str).fillna("")
    named = workers[workers["name"] != ""]
    assert named["name"].str.endswith("示例").all()
    assert named["phone"].str.match(r"^100\d{8}$").all()  # 100 is no mobile prefix in China
    points = pd.read_csv(DEMO / "service_points.csv", dtype=str)
    assert points["phone"].str.startswith("0755-0000").all()
    assert points["address"].str.contains("示例路").all()


def test_scale_multiplies_points_sites_and_service_records(tmp_path):
    rows = demo.generate(seed=1, scale=3, out=tmp_path)
    base = pd.read_csv(DEMO / "MANIFEST.json".replace("MANIFEST.json", "service_points.csv"))
    assert rows["service_points"] == 3 * len(base)
    assert rows["sw_sites"] == 3 * 378
    assert rows["sw_service_month"] == 3 * 2292
    with pytest.raises(ValueError):
        demo.generate(scale=0, out=tmp_path)
