"""Periods over time: review baselines and pruning (logged), the change list of a version with known changes, the
trend per district and the city with its target and projected date, and the map coloured by the change in gaps."""

from __future__ import annotations

import hashlib
import json
import shutil

import duckdb
import pandas as pd
import pytest

from caremap import cli
from caremap.report import compare, maps, metrics
from caremap.store import accounts, build, startup, versions


def _sql(path, sql, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _publish_changed(live, as_of: str, statements: list[str]) -> str:
    """A new live version: the live one with `statements` applied, derived again and published."""
    source = versions.Layout(live).target()
    tmp = live.with_name(f".changed-{as_of}")
    shutil.copyfile(source, tmp)
    con = duckdb.connect(str(tmp))
    try:
        con.execute("begin transaction")
        for sql in statements:
            con.execute(sql)
        version = hashlib.sha256(f"changed:{as_of}".encode()).hexdigest()[:12]
        versions.set_meta(con, {"data_version": version, "as_of": as_of, "data_date": as_of,
                                "period_label": f"{as_of} 测试"})
        build.derive(con)
        con.execute("commit")
        con.execute("checkpoint")
    finally:
        con.close()
    versions.publish_built(tmp, version, live)
    return version


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    """The demo (2020-05-31), then a version (2020-08-31) with known changes: one workstation moved 0.005° east
    (~510 m), the only children's home of one community removed, the only in-post director of another community
    vacated, and a vacant director post in a community with none in post filled."""
    live = tmp_path_factory.mktemp("changed") / "caremap.duckdb"
    build.build(live)
    moved = _sql(live, "select id from service_point where category = 'workstation' order by id limit 1")[0][0]
    removed, home_unit = _sql(live, """
        select min(id), community_code from service_point where category = 'children_home'
            and community_code is not null
        group by community_code having count(*) = 1 order by community_code limit 1""")[0]
    vacated, vacated_unit = _sql(live, """
        select min(id), community_code from worker where role = '儿童主任' and status = '在岗'
            and community_code is not null and community_code != ?
        group by community_code having count(*) = 1 order by community_code limit 1""", [home_unit])[0]
    appointed, appointed_unit = _sql(live, """
        select min(id), community_code from worker where role = '儿童主任' and community_code is not null
            and community_code not in (?, ?)
        group by community_code having count(*) filter (where status = '在岗') = 0
        order by community_code limit 1""", [home_unit, vacated_unit])[0]
    _publish_changed(live, "2020-08-31", [
        f"update service_point set lon = lon + 0.005 where id = '{moved}'",
        f"delete from service_point where id = '{removed}'",
        f"update worker set status = '空缺', appointed_on = null where id = '{vacated}'",
        f"update worker set status = '在岗', appointed_on = date '2020-08-01' where id = '{appointed}'",
    ])
    return {"live": live, "moved": moved, "removed": removed, "home_unit": home_unit, "vacated": vacated,
            "vacated_unit": vacated_unit, "appointed": appointed, "appointed_unit": appointed_unit}


def _unmet(path, standard_id: str) -> set[str]:
    """Units short of a community standard, counted directly from the rows (not through the product's checks)."""
    if standard_id == "community_children_home":
        sql = ("select code from community where code not in (select community_code from service_point "
               "where category = 'children_home' and community_code is not null)")
    else:
        sql = ("select code from community where code not in (select community_code from worker "
               "where role = '儿童主任' and status = '在岗' and community_code is not null)")
    return {r[0] for r in _sql(path, sql)}


def test_the_change_list_names_exactly_the_changed_rows(changed):
    live = changed["live"]
    before, after = compare.resolve("previous", live), compare.resolve("live", live)
    assert (before.as_of, after.as_of) == ("2020-05-31", "2020-08-31")
    result = compare.compare(before, after)
    assert result.points[["change", "id"]].values.tolist() == [["moved", changed["moved"]],
                                                              ["removed", changed["removed"]]]
    assert result.points.set_index("id").at[changed["moved"], "moved_m"] == pytest.approx(513, abs=5)
    assert sorted(result.workers[["change", "id"]].values.tolist()) == [["appointed", changed["appointed"]],
                                                                       ["vacated", changed["vacated"]]]
    for sid in ("community_children_home", "community_director"):
        b, a = _unmet(before.path, sid), _unmet(after.path, sid)
        units = result.units[result.units["standard_id"] == sid]
        assert set(units.loc[units["change"] == "no_longer_met", "unit_code"]) == a - b
        assert set(units.loc[units["change"] == "newly_met", "unit_code"]) == b - a
        gaps = result.gaps[result.gaps["standard_id"] == sid].set_index("unit_code")["status"]
        assert set(gaps[gaps == "new"].index) == a - b and set(gaps[gaps == "still"].index) == a & b
        change = result.metrics.set_index("id").at[f"standard.{sid}.gaps", "change"]
        assert change == len(a) - len(b)
    assert _unmet(after.path, "community_children_home") - _unmet(before.path, "community_children_home") == {
        changed["home_unit"]}
    listed = compare.change_list(result, "zh")
    assert {changed["moved"], changed["removed"], changed["vacated"], changed["appointed"],
            changed["home_unit"]} <= set(listed["单位代码"])
    assert len(listed) == len(result.points) + len(result.workers) + len(result.units)


def test_the_change_figures_agree_at_district_scope_and_on_the_map(changed):
    live = changed["live"]
    before, after = compare.resolve("previous", live), compare.resolve("live", live)
    city = compare.compare(before, after)
    by_place = compare.gap_change_by_place(city)
    districts = {r[0] for r in _sql(after.path, "select code from district")}
    for code in districts:
        part = compare.compare(before, after, district=code)
        counted = part.metrics.set_index("id").at["gaps_total", "change"]
        assert by_place.get(code, 0) == counted == part.gap_counts()["new"] - part.gap_counts()["closed"]
    assert sum(by_place[c] for c in districts if c in by_place) == city.gap_counts()["new"] - city.gap_counts()[
        "closed"]


def test_the_map_colours_districts_and_streets_by_the_change():
    from caremap.store import db

    texts = maps.labels(lambda key: key)
    opts = maps.MapOptions(metric=maps.CHANGE, street_metric=maps.CHANGE, district="440306",
                           changes=(("440306", 2), ("440305", -3), ("440306017", 1)))
    result = maps.build_map(db.query, opts, texts)
    spec = maps.deck_spec(result.deck)
    fills = {f["properties"]["code"]: tuple(f["properties"]["fill"][:3])
             for f in next(layer for layer in spec["layers"] if maps.base_id(layer["id"]) == "districts")["data"]}
    assert fills["440306"] == maps.CHANGE_RGB[3] and fills["440305"] == maps.CHANGE_RGB[0]
    assert fills["440303"] == maps.CHANGE_RGB[2]   # no change: the neutral class
    streets = next(layer for layer in spec["layers"] if maps.base_id(layer["id"]) == "streets")["data"]
    lines = {s["code"]: tuple(s["line"][:3]) for s in streets}
    assert lines["440306017"] == maps.CHANGE_RGB[3] and lines["440306018"] == maps.CHANGE_RGB[2]
    districts = next(la for la in spec["layers"] if maps.base_id(la["id"]) == "districts")["data"]
    tip = next(f["properties"] for f in districts if f["properties"]["code"] == "440305")
    assert tip["tip_1"] == "map.gap_changemap.sep-3"   # label, separator (：or : ), value
    assert [c["label"] for c in result.legend] == list(maps.CHANGE_LABELS)


def test_the_trend_s_points_are_each_period_s_metrics_per_district(tmp_path, monkeypatch):
    live = tmp_path / "caremap.duckdb"
    startup.ensure_built(live)
    monkeypatch.setenv("CAREMAP_DB", str(live))
    rows = compare.progress()
    found = compare.periods()
    assert sorted(rows["as_of"].unique()) == [p.as_of for p in found]
    for period in found:
        con = duckdb.connect(str(period.path), read_only=True)
        try:
            for code in [None, *[r[0] for r in con.execute("select code from district").fetchall()]]:
                values = metrics.values(code, None, con=con)
                part = rows[(rows["as_of"] == period.as_of) & (rows["place_kind"] == ("city" if code is None
                                                                                      else "district"))]
                if code is not None:
                    part = part[part["place_code"] == code]
                for r in part.itertuples():
                    assert r.share == pytest.approx(values[f"standard.{r.standard_id}.share"])
                    assert r.met == values[f"standard.{r.standard_id}.met"]
        finally:
            con.close()


def test_the_projection_continues_the_least_squares_pace_to_the_target():
    pts = pd.DataFrame({"as_of": ["2020-01-01", "2021-01-01"], "share": [0.5, 0.6]})
    p = compare.projection(pts, "s", 1.0, "2025-12-31")
    assert p.reached_on == "2025-01-04" and p.status == "on_track"   # 0.4 left at 0.1 per 366 days: 1,464 days
    assert p.pace_per_year == pytest.approx(0.1 * 365.25 / 366)
    assert compare.projection(pts, "s", 1.0, "2024-12-31").status == "late"
    assert compare.projection(pts, "s", 1.0, None).status == "projected"
    assert compare.projection(pts, "s", 0.6, None).status == "met"
    flat = pd.DataFrame({"as_of": ["2020-01-01", "2021-01-01"], "share": [0.6, 0.6]})
    assert compare.projection(flat, "s", 1.0, None).status == "no_progress"
    assert compare.projection(pts.iloc[:1], "s", 1.0, None).status == "too_few"
    three = pd.DataFrame({"as_of": ["2020-01-01", "2020-07-01", "2021-01-01"], "share": [0.5, 0.58, 0.6]})
    slope = pd.Series([0.5, 0.58, 0.6]).cov(pd.Series([0, 182, 366])) / pd.Series([0, 182, 366]).var()
    got = compare.projection(three, "s", 1.0, None)
    assert got.pace_per_year == pytest.approx(slope * 365.25)


def test_the_coverage_trend_tab_draws_the_target_and_says_when(tmp_path, monkeypatch, downloads):
    from caremap.report import charts
    from conftest import app_test

    live = tmp_path / "caremap.duckdb"
    startup.ensure_built(live)
    monkeypatch.setenv("CAREMAP_DB", str(live))
    fig = charts.build("standard_progress")
    spec = fig.chart.to_dict()
    rules = [d for d in spec["datasets"].values() if d and set(d[0]) == {"share", "text"}]
    assert {r[0]["text"] for r in rules} >= {"目标 90%（2020-12-31）", "目标 100%"}
    at = app_test("pages/coverage.py", coverage_tab="trend")
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "预计达到日期" in d.value.columns)
    assert len(table) == 6
    home = table.set_index("标准").loc["儿童之家"]
    assert home["目标"] == 0.9 and home["目标日期"] == "2020-12-31"
    expected = {p.standard_id: p for p in compare.projections()}
    director = table.set_index("标准").loc["儿童主任"]
    assert director["预计达到日期"] == expected["community_director"].reached_on
    assert director["当前达标率"] == pytest.approx(metrics.values()["standard.community_director.share"])
    from conftest import xlsx_table
    filed = xlsx_table(downloads(at)["coverage_progress_xlsx"]).set_index("标准")   # the same table, as a file
    assert filed.at["儿童主任", "预计达到日期"] == director["预计达到日期"]
    assert filed.at["儿童主任", "当前达标率"] == pytest.approx(director["当前达标率"])


def test_a_review_baseline_is_marked_audited_and_compared_with_by_default(tmp_path, monkeypatch, capsys):
    from conftest import app_test

    live = tmp_path / "caremap.duckdb"
    startup.ensure_built(live)
    monkeypatch.setenv("CAREMAP_DB", str(live))
    first = compare.periods()[0]   # 2018-12-31
    assert cli.main(["versions", "baseline", first.data_version, "--db", str(live)]) == 0
    assert "已标记为复盘基线" in capsys.readouterr().out
    assert compare.resolve("baseline").data_version == first.data_version
    assert compare.periods()[0].baseline
    assert accounts.audit_log(live, "baseline")["what"].tolist() == [first.data_version]
    at = app_test("pages/coverage.py")
    assert at.selectbox(key="coverage_compare").value == first.data_version
    assert cli.main(["compare", "--json", "--db", str(live)]) == 0   # --from defaults to the baseline
    assert json.loads(capsys.readouterr().out)["from"]["version"] == first.data_version
    assert cli.main(["versions", "list", "--json", "--db", str(live)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["as_of"], r["baseline"], r["live"]) for r in listed] == [   # newest publication first
        ("2019-12-31", False, False), ("2019-06-30", False, False), ("2018-12-31", True, False),
        ("2020-05-31", False, True)]
    assert cli.main(["versions", "baseline", "abcdef123456", "--db", str(live)]) == 2
    assert "没有保存的版本 abcdef123456" in capsys.readouterr().err
    monkeypatch.setenv("CAREMAP_ADMIN_PASSWORD", "wrong")
    assert cli.main(["versions", "baseline", first.data_version, "--unset", "--db", str(live)]) == 1
    assert compare.periods()[0].baseline   # refused: still marked


def test_pruning_is_explicit_logged_and_spares_the_live_version_and_baselines(tmp_path, monkeypatch, capsys):
    live = tmp_path / "caremap.duckdb"
    startup.ensure_built(live)
    monkeypatch.setenv("CAREMAP_DB", str(live))
    _publish_changed(live, "2020-08-31", [])   # publishing keeps every earlier version: nothing pruned on its own
    found = versions.versions(live)
    assert len(found) == 5
    oldest = found["data_version"].iloc[-1]
    assert cli.main(["versions", "baseline", oldest, "--db", str(live)]) == 0
    assert cli.main(["versions", "prune", "--db", str(live)]) == 2   # says what it needs
    assert cli.main(["versions", "prune", "--keep", "1", "--dry-run", "--db", str(live)]) == 0
    assert "将删除" in capsys.readouterr().out and len(versions.versions(live)) == 5
    assert cli.main(["versions", "prune", "--keep", "2", "--db", str(live)]) == 0
    left = versions.versions(live)
    assert left["data_version"].tolist() == [found["data_version"].iloc[0], found["data_version"].iloc[1], oldest]
    assert bool(left["live"].iloc[0]) and bool(left["baseline"].iloc[-1])
    pruned = accounts.audit_log(live, "prune")
    assert len(pruned) == 2 and all(w.startswith(("0002-", "0003-")) for w in pruned["what"])
    assert cli.main(["versions", "prune", "--before", "2030-01-01", "--db", str(live)]) == 0
    assert versions.versions(live)["data_version"].tolist() == [found["data_version"].iloc[0], oldest]
    assert cli.main(["versions", "prune", "--before", "not-a-date", "--db", str(live)]) == 2


def test_the_deck_says_whether_each_standard_is_on_track(tmp_path, monkeypatch):
    import io

    from pptx import Presentation

    from caremap.report import briefing, charts

    live = tmp_path / "caremap.duckdb"
    startup.ensure_built(live)
    monkeypatch.setenv("CAREMAP_DB", str(live))
    deck = briefing.outline(lazy=True)
    ids = [s.chart_id for s in deck.slides]
    assert ids.index("progress") == ids.index("since_review") + 1
    slide = deck.slides[ids.index("progress")]
    table = charts.progress_table()
    assert slide.table["预计达到日期"].tolist() == table["预计达到日期"].tolist()
    assert slide.table["当前达标率"].tolist() == [f"{v:.1%}" for v in table["当前达标率"]]
    assert "最小二乘" in slide.notes
    pptx = Presentation(io.BytesIO(briefing.to_pptx(briefing.outline())))
    texts = ["\n".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in pptx.slides]
    assert any("能否按期达标" in text for text in texts)


def test_the_map_page_colours_by_the_change_since_the_chosen_period(tmp_path, monkeypatch):
    from conftest import app_test

    live = tmp_path / "caremap.duckdb"
    startup.ensure_built(live)   # the demo with its earlier periods
    monkeypatch.setenv("CAREMAP_DB", str(live))
    at = app_test("pages/map.py", map_metric="gap_change")
    assert not at.exception, at.exception
    before = compare.default_before(compare.periods())
    assert at.selectbox(key="map_compare").value == before.data_version
    assert any(f"缺口变化：{before.as_of} 至 2020-05-31" in c.value for c in at.caption)
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    fills = {f["properties"]["code"]: tuple(f["properties"]["fill"][:3])
             for f in next(la for la in deck["layers"] if maps.base_id(la["id"]) == "districts")["data"]}
    change = compare.gap_change_by_place(compare.compare(before, compare.resolve("live", live)))
    for code, rgb in fills.items():
        assert rgb == maps.CHANGE_RGB[maps.classify(change.get(code, 0), maps.CHANGE_BREAKS)]
    assert any(change.get(code, 0) < 0 for code in fills)   # the demo's later period closed gaps somewhere
