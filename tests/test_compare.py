"""Comparing two published versions: every change figure equals an independent count, the change lists name
exactly the changed rows, a version compared with itself shows no change, an unknown version is a clear error,
and the command line says the same as the module."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from caremap import cli, ingest
from caremap.ingest import load
from caremap.report import compare
from caremap.store import build

HEADER = "名称*,类别*,所属区*,所属街道*,所属社区,地址*,联系电话,经度*,纬度*,坐标系,更新日期"


def _sql(path, sql, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def _import(live, text: str, kind: str, mode: str, as_of: str, label: str = ""):
    data = text.encode("utf-8")
    con = duckdb.connect(str(live.resolve()), read_only=True)
    try:
        checked = ingest.check(data, f"{kind}.csv", kind, con, mode=mode)
    finally:
        con.close()
    assert checked.ok, ingest.report_lines(checked)
    return load.publish_import(checked, data, mode, live, who="test", as_of=as_of, label=label)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """The demo as of 2020-05-31, then a children's home opened in one community that had none (2020-09-30)."""
    live = tmp_path_factory.mktemp("history") / "caremap.duckdb"
    build.build(live)
    code, name, street, district, lon, lat = _sql(live, """
        select c.code, c.name, s.name, d.name, c.lon, c.lat from community as c
        join street as s on c.street_code = s.code join district as d on c.district_code = d.code
        where c.lon is not null and c.code not in (select community_code from service_point
            where category = 'children_home' and community_code is not null)
        order by c.code limit 1""")[0]
    row = f"示例新儿童之家,儿童之家,{district},{street},{name},示例路1号,0755-00000009,{lon},{lat},WGS84,2020-09-01"
    _import(live, f"{HEADER}\n{row}\n", "service_points", "append", "2020-09-30", "2020年第三季度")
    return live, code


def test_periods_carry_their_as_of_dates_and_labels(history):
    live, _ = history
    found = compare.periods(live)
    assert [(p.as_of, p.label, p.live) for p in found] == [("2020-05-31", "", False),
                                                           ("2020-09-30", "2020年第三季度", True)]
    assert compare.resolve("2020-06-15", live).as_of == "2020-05-31"  # the newest on or before the date
    assert compare.resolve("previous", live).as_of == "2020-05-31" and compare.resolve("live", live).live


def test_each_change_equals_an_independent_count(history):
    live, code = history
    before, after = compare.resolve("previous", live), compare.resolve("live", live)
    result = compare.compare(before, after)
    figures = result.metrics.set_index("id")
    counts = [_sql(p.path, "select count(*) from service_point")[0][0] for p in (before, after)]
    assert figures.loc["service_points", "change"] == counts[1] - counts[0] == 1
    homes = [_sql(p.path, "select count(*) from community where code not in (select community_code from "
                          "service_point where category = 'children_home' and community_code is not null)")[0][0]
             for p in (before, after)]
    assert figures.loc["standard.community_children_home.gaps", "change"] == homes[1] - homes[0] == -1
    assert result.gap_counts()["closed"] == 1 and result.gap_counts()["new"] == 0
    closed = result.gaps[result.gaps["status"] == "closed"]
    assert closed[["unit_code", "standard_id"]].values.tolist() == [[code, "community_children_home"]]
    assert result.points[["change", "name"]].values.tolist() == [["added", "示例新儿童之家"]]
    assert result.units[["change", "unit_code"]].values.tolist() == [["newly_met", code]]
    assert result.workers.empty


def test_a_version_compared_with_itself_shows_no_change(history):
    live, _ = history
    same = compare.resolve("live", live)
    result = compare.compare(same, same, district="440305")
    assert result.unchanged and result.gap_counts()["new"] == result.gap_counts()["closed"] == 0


@pytest.mark.parametrize("ref", ["abcdef0", "2019-01-01", "不是日期"])
def test_an_unknown_version_or_date_is_a_clear_error(history, ref, capsys, monkeypatch):
    live, _ = history
    monkeypatch.setenv("CAREMAP_DB", str(live))  # the command points $CAREMAP_DB at --db: restored after the test
    with pytest.raises(compare.CompareError):
        compare.resolve(ref, live)
    assert cli.main(["compare", "--from", ref, "--db", str(live)]) == 2
    assert "错误 / error" in capsys.readouterr().err


def test_the_command_line_prints_the_same_changes(history, capsys, monkeypatch):
    live, code = history
    monkeypatch.setenv("CAREMAP_DB", str(live))  # the command points $CAREMAP_DB at --db: restored after the test
    assert cli.main(["compare", "--from", "2020-05-31", "--to", "live", "--json", "--db", str(live)]) == 0
    out = json.loads(capsys.readouterr().out)
    result = compare.compare(compare.resolve("2020-05-31", live), compare.resolve("live", live))
    assert {m["id"]: m["change"] for m in out["metrics"]} == {
        r.id: (None if pd.isna(r.change) else pytest.approx(r.change, abs=1e-6)) for r in result.metrics.itertuples()}
    assert out["gaps"] == result.gap_counts() and out["to"]["label"] == "2020年第三季度"
    assert [p["name"] for p in out["points"]] == ["示例新儿童之家"]
    assert cli.main(["compare", "--from", "previous", "--db", str(live)]) == 0
    text = capsys.readouterr().out
    assert "▲ 儿童服务点: 1,513 → 1,514" in text and "已补齐 1" in text
    assert "nan" not in text and "儿童人数" not in text   # the demo has no child counts: no figure, no change
    assert out["metrics"][[m["id"] for m in out["metrics"]].index("children")]["before"] is None


def test_the_coverage_page_shows_what_changed_since_the_previous_period(history, monkeypatch):
    from conftest import app_test

    live, code = history
    monkeypatch.setenv("CAREMAP_DB", str(live))
    at = app_test("pages/coverage.py", coverage_tab="gaps")
    assert not at.exception, at.exception
    previous = compare.resolve("previous", live)
    assert at.selectbox(key="coverage_compare").value == previous.data_version  # the default: the period before
    home = next(m for m in at.metric if m.label == "儿童之家")
    met = compare.compare(previous, compare.resolve("live", live)).metrics.set_index("id").loc[
        "standard.community_children_home.met"]
    assert met["change"] == 1 and met["before"] > 0
    assert home.proto.delta == f"+1 ({1 / met['before']:+.1%})"  # one more community meets the standard
    assert any("已补齐 1 个" in i.value and "服务点新增 1 个" in i.value for i in at.info)
    gaps = next(d.value for d in at.dataframe if "与上期相比" in d.value.columns)
    assert set(gaps["与上期相比"]) == {"仍缺"}  # nothing got worse; the closed gap is gone from the list
    changes = next(d.value for d in at.dataframe if "对象" in d.value.columns)
    assert sorted(changes["变化"]) == ["新增服务点", "新达标"] and code in set(changes["单位代码"])
    at.selectbox(key="coverage_compare").set_value("").run()  # no comparison: no deltas, no status column
    assert not any(m.proto.delta for m in at.metric if m.label == "儿童之家")
    assert not any("与上期相比" in d.value.columns for d in at.dataframe)


def test_the_demo_comes_with_earlier_periods_to_compare_with(tmp_path):
    """A first start's demo database has three earlier periods (示例数据); the live one keeps the 2020 figures."""
    from caremap.store import startup

    live = tmp_path / "caremap.duckdb"
    assert startup.ensure_built(live).outcome is startup.Outcome.FIRST_START
    found = compare.periods(live)
    assert [(p.as_of, p.live) for p in found] == [("2018-12-31", False), ("2019-06-30", False), ("2019-12-31", False),
                                                  ("2020-05-31", True)]
    assert all("示例" in p.label for p in found if not p.live)
    assert _sql(live, "select count(*) from service_point")[0][0] == 1513  # the published figure stays with 2020
    result = compare.compare(compare.resolve("previous", live), compare.resolve("live", live))
    figures = result.metrics.set_index("id")["change"]
    assert figures["service_points"] > 0 and figures["standard.community_children_home.gaps"] < 0
    assert figures["units_director_in_post"] > 0 and result.gap_counts()["closed"] > 0
    assert set(result.points["change"]) == {"added"} and set(result.workers["change"]) == {"appointed"}


def test_the_deck_has_a_since_the_last_review_slide_with_the_same_figures(history, monkeypatch):
    from caremap.report import briefing

    live, _ = history
    monkeypatch.setenv("CAREMAP_DB", str(live))
    deck = briefing.outline(lazy=True)
    since = next(s for s in deck.slides if s.chart_id == "since_review")
    assert deck.slides.index(since) == 2  # right after the headline figures
    result = compare.compare(compare.resolve("previous", live), compare.resolve("live", live))
    assert since.takeaway == ("与 2020-05-31相比，全市补齐缺口 1 个、新增缺口 0 个；新增服务点 1 个，岗位到岗 0 个、"
                              "新空缺 0 个。")
    rows = since.table.set_index("指标")
    assert rows.at["儿童服务点", "上期"] == "1,513" and rows.at["儿童服务点", "本期"] == "1,514"
    assert rows.at["儿童服务点", "变化"] == "▲1"
    assert rows.at["“儿童之家”缺口", "变化"] == "▼1" == "▼" + str(int(-result.metrics.set_index("id").at[
        "standard.community_children_home.gaps", "change"]))
    import io

    from pptx import Presentation
    pptx = Presentation(io.BytesIO(briefing.to_pptx(briefing.outline())))
    texts = ["\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame) for slide in pptx.slides]
    assert any("自上期以来" in text for text in texts)


@pytest.mark.parametrize("page, metric_id", [("pages/workforce.py", "directors_in_post"),
                                             ("pages/social_work.py", "sw_projects"),
                                             ("pages/overview.py", None)])
def test_workforce_and_social_work_show_the_change_since_the_previous_period(tmp_path, monkeypatch, page,
                                                                             metric_id):
    from caremap.report import metrics
    from caremap.store import startup
    from conftest import app_test

    live = tmp_path / "caremap.duckdb"
    startup.ensure_built(live)  # the demo with its two earlier periods
    monkeypatch.setenv("CAREMAP_DB", str(live))
    at = app_test(page)
    assert not at.exception, at.exception
    if metric_id is None:  # the Overview has no comparison
        assert not at.get("selectbox") or all(s.key != "overview_compare" for s in at.selectbox)
        return
    result = compare.compare(compare.resolve("previous", live), compare.resolve("live", live))
    change = result.metrics.set_index("id").at[metric_id, "change"]
    shown = next(m for m in at.metric if m.label == metrics.get(metric_id).text("label", "zh"))
    share = result.metrics.set_index("id").at[metric_id, "share_change"]
    assert shown.proto.delta == (f"{int(change):+,} ({share:+.1%})" if change else "")


def test_the_trend_chart_s_points_are_each_period_s_metrics(tmp_path, monkeypatch):
    from caremap.report import charts, metrics
    from caremap.store import startup

    live = tmp_path / "caremap.duckdb"
    startup.ensure_built(live)
    monkeypatch.setenv("CAREMAP_DB", str(live))
    fig = charts.build("standard_trend", "440305")
    for period in compare.periods(live):
        con = duckdb.connect(str(period.path), read_only=True)
        values = metrics.values("440305", None, con=con)
        con.close()
        shown = fig.data[fig.data["数据截止日期"].astype(str) == period.as_of].set_index("标准")["达标率"]
        assert shown["儿童之家"] == pytest.approx(values["standard.community_children_home.share"])
        assert shown["儿童主任"] == pytest.approx(values["standard.community_director.share"])
    assert fig.takeaway.startswith("2018-12-31 至 2020-05-31，")


CHANGE_POINTS_ORACLE = (Path(__file__).parent / "sql" / "change_points_full_join.sql").read_text(encoding="utf-8")


def test_the_point_changes_are_those_of_a_full_join_of_both_versions(demo_db, tmp_path):
    """change_points pairs ids and positions first and names only the changed points: the same rows, in the same
    order, as its first form (tests/sql), which joined every point of both versions with its name and places. The
    later version adds two points, removes two, moves three (10 m, 300 m, 2 km) and loses one position."""
    from caremap.store import db

    before, after = tmp_path / "before.duckdb", tmp_path / "after.duckdb"
    shutil.copy(demo_db.resolve(), before)
    shutil.copy(demo_db.resolve(), after)
    con = duckdb.connect(str(after))
    ids = [r[0] for r in con.execute("select id from service_point where district_code = '440305' "
                                     "and lat is not null order by id limit 8").fetchall()]
    con.execute("insert into service_point select * replace (id || 'N' as id) from service_point "
                "where id in (?, ?)", ids[:2])
    con.execute("delete from service_point where id in (?, ?)", ids[2:4])
    for point_id, metres in zip(ids[4:7], (10, 300, 2000)):
        con.execute("update service_point set lat = lat + ? / 111320.0 where id = ?", [metres, point_id])
    con.execute("update service_point set lat = null, lon = null where id = ?", [ids[7]])
    con.close()
    seen = set()
    for first, second in ((before, after), (after, before)):
        pair = db.pair(first, second)
        try:
            for district, street in ((None, None), ("440305", None), ("440304", "440304002")):
                for moved_m in (0.0, 50.0, 500.0):
                    params = {"district": district, "street": street, "moved_m": moved_m}
                    got = db.run(pair, "change_points", **params)
                    want = pair.execute(CHANGE_POINTS_ORACLE, params).df()
                    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False)
                    seen |= set(got["change"])
        finally:
            pair.close()
    assert seen == {"added", "removed", "moved"}
