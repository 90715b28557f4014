"""Coverage analysis: compliance, gap list, walking distances, greedy site proposals and the page.

A tiny data set is written as CSV files and built with the real build, so the right answers are known by
construction. One district 测试区 (990001) with three streets:
  甲 (…001): supervisor, workstation; communities A1 (children's home 100 m south, workstation on its point,
            director) and A2 (300 m north of A1, director post vacant);
  乙 (…002): supervisor, workstation 400 m north of B1; community B1 (director) 5 km east of A1;
  丙 (…003): supervisor post vacant, NO workstation; communities C1 (children's home on its point, director),
            C2, C3, C4 at 1,200, 2,100 and 3,000 m due north of C1 (no director, nothing nearer).
"""

from __future__ import annotations

import io
import json
import tomllib

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caremap.common.i18n import fmt_int
from caremap.common.paths import REFERENCE
from caremap.report import charts, coverage, files, maps, planner
from caremap.store import db
from conftest import app_test
from factories import COMMUNITIES, LAT0, LON_B, LON_C, S1, S2, S3, D, haversine, make_fixture


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    return make_fixture(tmp_path_factory.mktemp("coverage"))


@pytest.fixture()
def fx(fixture_db):
    c = duckdb.connect(str(fixture_db), read_only=True)
    yield c
    c.close()


def comp_of(con, district=None, street=None):
    return db.run(con, "coverage_compliance", district=district, street=street)


def totals(comp):
    t = coverage.standard_totals(comp)
    return {r.standard_id: (int(r.standard_met), int(r.standard_units)) for r in t.itertuples()}


def test_compliance_counts_are_known_by_construction(fx):
    assert totals(comp_of(fx)) == {
        "district_rescue_centre": (1, 1), "street_supervisor": (2, 3), "street_workstation": (2, 3),
        "community_director": (3, 7), "community_children_home": (2, 7), "community_walking_access": (4, 7)}
    # street scope: only the street and its communities
    assert totals(comp_of(fx, D, S3)) == {
        "street_supervisor": (0, 1), "street_workstation": (0, 1), "community_director": (1, 4),
        "community_children_home": (1, 4), "community_walking_access": (1, 4)}


def test_matrix_cells_per_street_and_the_takeaway(fx, fixture_db, monkeypatch):
    cells = coverage.matrix(comp_of(fx, D), "zh").set_index(["row_name", "standard_id"])["cell"]
    assert cells[("丙街道", "street_workstation")] == "✗" and cells[("甲街道", "street_workstation")] == "✓"
    assert cells[("甲街道", "community_director")] == "1/2 个社区"
    assert cells[("丙街道", "community_walking_access")] == "1/4 个社区"
    assert cells[("测试区", "district_rescue_centre")] == "✓"
    city = coverage.matrix(comp_of(fx), "en").set_index(["row_name", "standard_id"])["cell"]
    assert city[("测试区", "street_workstation")] == "2/3 streets"
    monkeypatch.setenv("CAREMAP_DB", str(fixture_db))
    fig = charts.build("gap_matrix", district=D)
    assert fig.takeaway == "测试区 7 个社区中 5 个缺少儿童之家。"
    assert list(fig.data.columns) == ["街道", "标准", "达标单位数", "单位数", "达标率", "达标情况"]
    assert fig.notes and "无在册儿童主任" in fig.notes[0]


def test_gap_list_rows_and_wording(fx, fixture_db, monkeypatch):
    monkeypatch.setenv("CAREMAP_DB", str(fixture_db))  # the worker states of the same database
    gaps = coverage.gap_list(comp_of(fx), "zh")
    assert list(gaps.columns) == ["层级", "区", "街道", "单位代码", "单位", "标准", "缺少"]
    assert len(gaps) == 14
    rows = set(zip(gaps["单位"], gaps["缺少"]))
    assert ("丙街道", "缺少未成年人保护工作站") in rows and ("丙街道", "儿童督导员岗位空缺（有岗位记录）") in rows
    assert ("甲二社区", "儿童主任岗位空缺（有岗位记录）") in rows  # a vacant post on record says so
    for unit in ("丙二社区", "丙三社区", "丙四社区"):  # no post on record at all: never called a vacancy
        assert (unit, "无在册儿童主任记录") in rows
    assert ("丙二社区", "1,000 米内无所列类别的儿童服务点") in rows
    only = coverage.gap_list(comp_of(fx), "en", ("street_workstation",))
    # in English the places by their English names, with the Chinese (the fixture's district is "Testing")
    assert only.to_dict("records") == [{"Level": "Street", "District": "Testing District (测试区)",
                                        "Street": "Bing Subdistrict (丙街道)", "Unit code": S3,
                                        "Unit": "Bing Subdistrict (丙街道)", "Standard": "Minor-protection workstation",
                                        "Missing": "No minor-protection workstation"}]


def test_gap_list_downloads_have_chinese_headers(fx):
    gaps = coverage.gap_list(comp_of(fx), "zh")
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx_bytes(gaps, "缺口清单")))
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["层级", "区", "街道", "单位代码", "单位", "标准", "缺少"]
    assert sheet.max_row == 15
    back = pd.read_csv(io.BytesIO(files.csv_bytes(gaps)), encoding="utf-8-sig", dtype=str)
    assert back["单位"].tolist() == gaps["单位"].tolist()


def test_street_gap_score_follows_the_formula(fx):
    ranking = coverage.street_ranking(comp_of(fx), "zh")
    assert ranking["街道"].tolist()[0] == "丙街道"
    scores = dict(zip(ranking["街道"], ranking["缺口分"]))
    # 丙: 2 street standards + 3/4 without director + 3/4 without home + 3/4 beyond 1,000 m
    assert scores == {"丙街道": 4.25, "甲街道": 1.0, "乙街道": 1.0}
    assert "儿童之家 3/4" in ranking.loc[0, "缺少"]


def test_walking_distances_within_one_percent(fx):
    walk = db.run(fx, "walking_nearest", district=None, street=None, categories=("children_home",))
    got = dict(zip(walk["unit_code"], walk["nearest_m"]))
    expect = {S1 + "001": 100, S1 + "002": 400, S3 + "001": 0, S3 + "002": 1200, S3 + "003": 2100,
              S3 + "004": 3000, S2 + "001": float(haversine(LON_B, LAT0, LON_C, LAT0))}
    for code, metres in expect.items():
        assert got[code] == pytest.approx(metres, rel=0.01, abs=0.5), code
    assert 5000 < got[S2 + "001"] < 5200  # beyond the 2 km grid: found by the fallback scan
    first = walk.iloc[0]
    assert first["unit_code"] == S2 + "001"  # farthest first
    assert (first["within_500"], first["within_1000"], first["within_1500"], first["units_located"]) == (3, 3, 4, 7)
    assert first["share_1500"] == pytest.approx(4 / 7)
    none = db.run(fx, "walking_nearest", district=None, street=None, categories=())
    assert none["nearest_m"].isna().all() and none["within_1500"].iloc[0] == 0


def test_planner_walking_access_on_the_fixture(fixture_db, monkeypatch):
    """Children's homes within 1,000 m: 3 of 7 units before; a home at 丙三 reaches 丙二, 丙三, 丙四 (900 m either
    side); with more sites the rest is 乙一, and the planner stops when nothing is left."""
    monkeypatch.setenv("CAREMAP_DB", str(fixture_db))
    one = planner.plan(None, None, "walk", 1, 1000.0, ("children_home",))
    assert (one.units_total, one.units_met_before, one.demand_total) == (7, 3, 4)
    assert one.chosen["name"].tolist() == ["丙三社区"] and one.closed_exact == one.closed_greedy == 3
    many = planner.plan(None, None, "walk", 10, 1000.0, ("children_home",))
    assert set(many.chosen["code"]) == {S3 + "003", S2 + "001"} and many.closed_exact == 4  # none that closes nothing
    assert many.greedy["closed_so_far"].tolist() == [3, 4]
    assert planner.plan(D, S1, "walk", 3, 1000.0, ("children_home",)).chosen.empty  # 甲's units are already covered


def test_planner_children_s_homes_answers_the_standard_it_names(fixture_db, monkeypatch):
    """Mode home: the demand is exactly the units the matrix counts without a children's home (5 of 7)."""
    monkeypatch.setenv("CAREMAP_DB", str(fixture_db))
    comp = comp_of(duckdb.connect(str(fixture_db), read_only=True))
    failing = set(comp[(comp["standard_id"] == "community_children_home") & ~comp["met"].astype(bool)]["unit_code"])
    own = planner.plan(None, None, "home", 3)
    assert set(own.units.loc[own.units["demand"], "code"]) == failing and own.demand_total == 5
    assert own.closed_exact == 3 and all(len(c) == 1 and c[0] == s for s, c in zip(own.chosen["code"],
                                                                                  own.chosen["closes"]))
    near = planner.plan(None, None, "home", 2, 1000.0)  # within 1,000 m: 丙三 closes three, one more site one
    assert near.closed_exact == 4 and S3 + "003" in set(near.chosen["code"])


def test_the_exact_solution_beats_greedy_where_greedy_is_short():
    """A known optimum: greedy takes the big site A (4) and then adds 1; the best pair is B + C (6)."""
    covers = {"A": {1, 2, 3, 4}, "B": {1, 2, 5}, "C": {3, 4, 6}}
    weight = dict.fromkeys(range(1, 7), 1.0)
    greedy = planner.greedy_covering(covers, weight, 2)
    exact, solver = planner.maximal_covering(covers, weight, 2)
    closed = len(set().union(*(covers[c] for c in exact)))
    assert greedy[0] == "A" and len(set().union(*(covers[c] for c in greedy))) == 5
    assert sorted(exact) == ["B", "C"] and closed == 6 and solver


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdefgh"), st.sets(st.integers(0, 12), min_size=1, max_size=6),
                       min_size=1, max_size=8), st.integers(1, 4))
def test_the_exact_solver_is_never_worse_than_greedy(covers, k):
    weight = dict.fromkeys(range(13), 1.0)
    exact, _ = planner.maximal_covering(covers, weight, k)
    greedy = planner.greedy_covering(covers, weight, k)
    value = lambda sites: len(set().union(set(), *(covers[c] for c in sites)))  # noqa: E731
    assert len(exact) <= k and value(exact) >= value(greedy)


def test_editing_the_standards_file_and_rebuilding_changes_the_analysis(tmp_path):
    text = (REFERENCE / "coverage_standards.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text)["standard"][-1]["max_m"] == 1000
    edited = text.replace("max_m = 1000", "max_m = 2500").replace(
        'level = "street"\nkind = "category"\ncategory = "workstation"',
        'level = "street"\nkind = "category"\ncategory = "children_home"')
    con = duckdb.connect(str(make_fixture(tmp_path, edited)), read_only=True)
    try:
        got = totals(comp_of(con))
    finally:
        con.close()
    assert got["community_walking_access"] == (6, 7)  # C2 (1,200 m) and C3 (2,100 m) now within 2,500 m
    assert got["street_workstation"] == (2, 3)  # now "a children's home in the street": 甲 and 丙 have one


def test_grid_search_equals_brute_force_on_the_demo_data(con):
    cats = tuple(coverage.walking_default())
    assert cats
    walk = db.run(con, "walking_nearest", district=None, street=None, categories=cats)
    pts = con.execute("select lon, lat from service_point where list_contains($c, category)", {"c": cats}).df()
    brute = [haversine(lon, lat, pts["lon"].to_numpy(), pts["lat"].to_numpy()).min()
             for lon, lat in zip(walk["lon"], walk["lat"])]
    np.testing.assert_allclose(walk["nearest_m"].to_numpy(), brute, rtol=1e-9)
    comp = db.run(con, "coverage_compliance", district=None, street=None)
    access = comp[comp["standard_id"] == "community_walking_access"].set_index("unit_code")["met"]
    by_unit = dict(zip(walk["unit_code"], np.array(brute) <= 1000))
    assert {u: bool(m) for u, m in access.items()} == by_unit


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def _tabs(*tabs, **kwargs):
    """The Coverage page opened once per tab (only the open tab's content is built): the metrics, captions and
    tables of all of them, as (metrics, captions, tables, infos)."""
    metrics, captions, tables, infos = {}, [], [], []
    for tab in tabs:
        at = app_test("pages/coverage.py", coverage_tab=tab, **kwargs)
        assert not at.exception, at.exception
        metrics |= _metrics(at)
        captions += [c.value for c in at.caption]
        tables += [d.value for d in at.dataframe]
        infos += [i.value for i in at.info]
    return metrics, captions, tables, infos


@pytest.mark.parametrize("district,street", [(None, None), ("440305", None), ("440305", "440305007")])
def test_page_shows_the_query_numbers(district, street):
    metrics, captions, tables, _ = _tabs("matrix", "gaps", "walk", "sites", district=district, street=street)
    comp = db.query("coverage_compliance", district=district, street=street)
    for r in coverage.standard_totals(comp).itertuples():
        assert metrics[r.label_zh] == f"{int(r.standard_met)}/{int(r.standard_units)}"
    crumbs = {None: "范围：全市", "440305": "范围：全市 › 南山区"}
    assert (crumbs.get(street, "范围：全市 › 南山区 › 粤海街道") if street else crumbs[district]) in captions
    gaps = coverage.gap_list(comp, "zh")
    assert f"共 {len(gaps)} 条缺口记录" in captions
    assert any(t.shape == gaps.shape and t.equals(gaps) for t in tables)
    walk = coverage.walking(district, street, tuple(coverage.walking_default()))
    assert metrics["1,000 米内"] == f"{100 * walk['share_1000'].iloc[0]:.1f}%"
    plan = planner.plan(district, street, "home", 3)
    assert metrics["待补齐的单位"] == fmt_int(plan.demand_total) and metrics["新增 3 处后补齐"] == fmt_int(
        plan.closed_exact)
    assert any("无在册儿童主任" in c and "783" in c for c in captions)


def test_page_on_the_fixture_shows_the_constructed_figures(fixture_db, monkeypatch):
    monkeypatch.setenv("CAREMAP_DB", str(fixture_db))
    metrics, _, tables, infos = _tabs("walk", "rank", district=D)
    at = app_test("pages/coverage.py", district=D, coverage_tab="sites")   # the planner's own tab
    assert not at.exception, at.exception
    metrics |= _metrics(at)
    assert metrics["未成年人保护工作站"] == "2/3" and metrics["儿童之家"] == "2/7"
    assert metrics["500 米内"] == "57.1%" and metrics["1,500 米内"] == "71.4%"
    # the planner opens on "every unit a children's home": 5 units without one, 3 new homes close 3
    assert metrics["待补齐的单位"] == "5" and metrics["新增 3 处后补齐"] == "3"
    sites = next(d.value for d in at.dataframe if "建议位置（社区点位）" in d.value.columns)
    assert len(sites) == 3 and set(sites["区"]) == {"测试区"} and sites["补齐的单位"].tolist() == sites[
        "建议位置（社区点位）"].tolist()  # each new home closes its own unit
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layer = next(la for la in deck["layers"] if maps.base_id(la["id"]) == "planner-sites")
    where = {c: (round(lon, 6), round(lat, 6)) for c, _, _, lon, lat in COMMUNITIES}
    chosen = {where[c] for c in sites["单位代码"]}
    assert {(d["lon"], d["lat"]) for d in layer["data"]} == chosen  # the map holds the chosen sites
    ranking = next(d for d in tables if "缺口分" in d.columns)
    assert ranking["街道"].tolist()[0] == "丙街道"
    assert any("缺口分 =" in i for i in infos)


def test_drill_down_from_city_to_district_to_street():
    at = app_test("pages/coverage.py")
    at.selectbox(key="coverage_drill").select("440305").run()
    assert at.query_params["district"] == "440305" and at.session_state["sidebar_district"] == "440305"
    assert "范围：全市 › 南山区" in [c.value for c in at.caption]
    at.selectbox(key="coverage_drill").select("440305007").run()
    assert "范围：全市 › 南山区 › 粤海街道" in [c.value for c in at.caption]
    assert at.query_params["street"] == "440305007"
    at.button(key="coverage_up").click().run()
    assert "范围：全市 › 南山区" in [c.value for c in at.caption]


def test_page_speaks_english():
    at = app_test("pages/coverage.py", district="440305", lang="en")
    assert not at.exception, at.exception
    assert "Child director" in _metrics(at)
    assert any("No child director on record" in c.value for c in at.caption)


def test_points_per_10k_residents_and_the_note_where_no_population_exists(fixture_db, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREMAP_DB", str(fixture_db))
    table, missing = coverage.per_10k(None, "zh")
    assert table.to_dict("records") == [
        {"区": "测试区", "服务点数": 5, "常住人口（2020）": 100000, "每万人服务点": 0.5}]
    assert missing == []
    monkeypatch.setenv("CAREMAP_DB", str(make_fixture(tmp_path, population="")))
    table, missing = coverage.per_10k(None, "zh")
    assert missing == ["测试区"] and table["每万人服务点"].isna().all()
    at = app_test("pages/coverage.py", coverage_tab="points")
    assert not at.exception, at.exception
    assert "以下区没有有来源的人口数，未计算每万人指标：测试区" in [c.value for c in at.caption]


@pytest.mark.browser
def test_browser_click_on_the_matrix_drills_down(fixture_db):
    """Real app and chromium: the heatmap is drawn, and a click on a district's row drills to that district."""
    from PIL import Image

    from browser import ARTIFACTS, ConsoleLog, chromium, streamlit_app

    with streamlit_app(db=fixture_db, name="coverage") as url, chromium(webgl=False) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        log = ConsoleLog(page)
        page.goto(url)
        page.get_by_text("覆盖分析", exact=True).first.click()
        chart = page.locator("[data-testid=stVegaLiteChart]").first
        chart.wait_for(timeout=60_000)
        shot = ARTIFACTS / "coverage-matrix.png"
        chart.locator("canvas, svg").first.wait_for(timeout=60_000)
        for _ in range(60):  # vega draws after its element appears: poll until the cells are there
            chart.screenshot(path=str(shot))
            img = Image.open(shot).convert("RGB")
            # Cells are filled from the red-yellow-green scale: find the strongly coloured pixels.
            coloured = [(x, y) for y in range(img.height) for x in range(0, img.width - 120, 3)
                        if (lambda r, g, b: max(r, g, b) - min(r, g, b) > 90)(*img.getpixel((x, y)))]
            if len(coloured) > 2000:
                break
            page.wait_for_timeout(500)
        assert len(coloured) > 2000, "the heatmap cells were not drawn"
        y0 = min(y for _, y in coloured)
        xs = [x for x, y in coloured if y == y0 + 6]
        box = chart.bounding_box()
        page.mouse.click(box["x"] + (min(xs) + max(xs)) / 2, box["y"] + y0 + 6)
        page.get_by_text("范围：全市 › 测试区", exact=True).wait_for(timeout=30_000)
        assert "district=990001" in page.url
        assert not page.locator("[data-testid=stException]").count()
        assert not log.external_requests(url)


def test_each_standard_links_to_the_policy_it_rests_on():
    from conftest import app_test

    at = app_test("pages/coverage.py")
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    for basis in ("minor_protection_law_2020", "ten_ministries_opinion_2019", "child_development_outline_2021",
                  "gb50180_2018"):
        assert f"(policies?policy={basis})" in text, basis
    assert "《中华人民共和国未成年人保护法（2020年修订）》" in text


@pytest.mark.parametrize("lang,words", [("zh", "直线距离"), ("en", "straight-line distance")])
def test_walking_caption_says_straight_line_in_plain_words(lang, words):
    """Officials read the walking tab: the distance is the straight line, not the route; no radius, no DuckDB."""
    at = app_test("pages/coverage.py", coverage_tab="walk", lang=lang)
    assert not at.exception, at.exception
    method = [c.value for c in at.caption if words in c.value]
    assert method, [c.value for c in at.caption]
    assert ("步行路线" if lang == "zh" else "walking route") in method[0]
    for jargon in ("6371008.8", "6,371,008.8", "DuckDB", "球面", "大圆", "Great-circle", "R ="):
        assert jargon not in method[0]
