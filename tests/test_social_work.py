"""Social-work page (社工服务): headline, projects by domain and group, trend, organisations, sites, gaps."""

import json

import pandas as pd
import pytest

from caremap.report import charts
from caremap.store import db
from conftest import app_test

DOMAINS = ["人际交往与学习能力提升", "自我管理能力增进", "兴趣范围拓展", "亲子关系促进", "心理服务网络搭建",
           "安全知识增进与能力提升", "反家暴宣导", "校园欺凌预防", "性安全保护促进", "儿童友好型社区打造"]


def test_city_headline_reproduces_the_published_figures():
    row = db.query("metric_values", district=None, street=None).astype(object).iloc[0]
    assert (row["sw_orgs"], row["social_workers"], row["sw_projects"], row["sw_sites"], row["person_times"]) == \
        (33, 1097, 191, 378, 3_300_000)


@pytest.mark.parametrize(("district", "street"), [("440305", None), ("440305", "440305007"), ("440306", None)])
def test_headline_agrees_with_the_overview_at_every_scope(district, street):
    sw = db.query("metric_values", district=district, street=street).astype(object).iloc[0]
    overview = db.query("metric_values", district=district, street=street).astype(object).iloc[0]
    for key in ("sw_orgs", "social_workers", "sw_projects", "sw_sites", "person_times"):
        assert sw[key] == overview[key], key
    trend = db.query("sw_service_trend", district=district, street=street)
    assert trend["person_times"].sum() == sw["person_times"]
    assert trend["online_person_times"].sum() == sw["online_person_times"]


@pytest.mark.parametrize("district", [None, "440305"])
def test_social_work_page_shows_the_query_figures(district):
    at = app_test("pages/social_work.py", district=district)
    assert not at.exception, at.exception
    row = db.query("metric_values", district=district, street=None).astype(object).iloc[0]
    metrics = {m.label: m.value for m in at.metric}
    def zh(n):
        return f"{n / 10_000:.1f}".rstrip("0").rstrip(".") + "万" if n >= 10_000 else f"{n:,}"

    assert metrics["社工机构"] == zh(row["sw_orgs"]) and metrics["儿童服务社工"] == zh(row["social_workers"])
    assert metrics["社工项目"] == zh(row["sw_projects"]) and metrics["项目点"] == zh(row["sw_sites"])
    assert metrics["服务人次"] == zh(row["person_times"])
    assert metrics["线上服务人次"] == zh(row["online_person_times"])
    presence = db.query("sw_street_presence", district=district, street=None)
    assert metrics["缺工作站或儿童之家且无社工项目点的街道"] == str(int(presence["gap_without_project"].sum()))
    published = [c.value for c in at.caption if c.value.startswith("公布数")]
    assert published == (["公布数：33家", "公布数：1097人", "公布数：191个", "公布数：378个", "公布数：330余万人次"]
                         if district is None else [])
    ranking = next(f.value for f in at.dataframe if "机构所在区" in f.value.columns)
    expected = db.query("sw_org_ranking", district=district, street=None)
    assert sorted(ranking["服务人次"]) == sorted(expected["person_times"])
    assert ranking["服务人次"].is_monotonic_decreasing  # ranked by person-times by default


def test_projects_by_domain_lists_the_ten_published_domains():
    fig = charts.build("projects_by_domain")
    assert fig.data["服务领域"].tolist() == DOMAINS
    assert fig.data["项目数"].sum() == 191 and fig.data["社工人数"].sum() == 1097
    most = fig.data["项目数"].max()
    tops = fig.data.loc[fig.data["项目数"] == most, "服务领域"].tolist()
    assert fig.takeaway.endswith(f"{'、'.join(tops)}领域最多（{'各' if len(tops) > 1 else ''}{most}个）。")
    district = charts.build("projects_by_domain", district="440308")
    assert district.data["服务领域"].tolist() == DOMAINS  # all ten even where some have no project


def test_service_trend_marks_the_epidemic_online_months():
    fig = charts.build("service_trend")
    assert fig.data["服务人次"].sum() == 3_300_000
    online = fig.data[fig.data["线上服务人次"] > 0]["月份"].tolist()
    assert online == ["2020-02", "2020-03", "2020-04", "2020-05"]
    spec = fig.chart.to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks[0] == "rect" and "line" in marks
    rect_data = next(v for k, v in spec["datasets"].items() if v and "start" in v[0])
    assert rect_data[0]["start"].startswith("2020-01-17") and rect_data[0]["end"].startswith("2020-05-16")
    assert "疫情期间线上服务63.1万人次" in fig.takeaway and "全期共330万人次" in fig.takeaway  # 万, as the figures


def test_ranking_switches_measure_and_one_organisation_drills_to_its_projects_and_sites():
    at = app_test("pages/social_work.py")
    at.button_group(key="social_work_rank_by").set_value("projects").run()
    ranking = next(f.value for f in at.dataframe if "机构所在区" in f.value.columns)
    assert ranking["项目数"].is_monotonic_decreasing
    expected = db.query("sw_org_ranking", district=None, street=None)
    top = expected.sort_values(["projects", "org_id"], ascending=[False, True]).iloc[0]
    assert ranking["机构"].iloc[0] == top["org_name"]
    org = expected.sort_values("org_id").iloc[-1]
    at.selectbox(key="social_work_org").set_value(org["org_id"]).run()
    assert not at.exception, at.exception
    projects = next(f.value for f in at.dataframe if "资金（万元）" in f.value.columns)
    assert len(projects) == org["projects"] and projects["服务人次"].sum() == org["person_times"]
    sites = db.query("sw_org_sites", org_id=org["org_id"], district=None, street=None, max_rows=None)
    sent = at.get("deck_gl_json_chart")[0].proto.json
    assert "\n" not in sent and "\\u" not in sent   # compact, Chinese as UTF-8 (pydeck's own: indented, escaped)
    deck = json.loads(sent)
    layers = {layer["@@type"]: layer for layer in deck["layers"]}
    assert len(layers["ScatterplotLayer"]["data"]) == len(sites) == org["sites"]
    assert len(layers["GeoJsonLayer"]["data"]["features"]) == 10
    # no basemap: Streamlit reads pydeck's placeholder style as none (a null style would fetch Carto's)
    assert deck["mapStyle"] == "__MAP_STYLE__" and not deck.get("mapProvider")


def test_street_presence_flags_gaps_without_project_by_construction():
    presence = db.query("sw_street_presence", district=None, street=None)
    points = db.query("directory_search", search="", district=None, street=None, category=None,
                      system=None, page_size=None, page_start=0)
    ws_streets = set(points.loc[points["category"] == "workstation", "street_name"])
    for row in presence.itertuples():
        assert row.has_gap == ((row.street_name not in ws_streets) or row.units_without_home > 0)
        assert row.gap_without_project == (row.has_gap and row.sw_sites == 0)
    flagged = presence[presence["gap_without_project"]]
    assert not flagged.empty and (flagged["sw_projects"] == 0).all()
    assert presence.iloc[: len(flagged)]["gap_without_project"].all()  # listed first


def test_social_work_page_in_english_at_street_scope():
    at = app_test("pages/social_work.py", district="440305", street="440305007", lang="en")
    assert not at.exception, at.exception
    row = db.query("metric_values", district="440305", street="440305007").astype(object).iloc[0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Project sites"] == str(row["sw_sites"])
    assert metrics["Person-times served"] == f"{row['person_times']:,}"
    assert isinstance(db.query("sw_by_district", district="440305"), pd.DataFrame)


def test_an_organisation_with_more_sites_than_the_map_ships_is_drawn_as_duckdb_bins(monkeypatch):
    from caremap.app import downloads
    from caremap.report import maps

    monkeypatch.setattr(maps, "MAX_RAW_POINTS", 5)
    monkeypatch.setattr(downloads, "LIST_ROWS_BESIDE_BINS", 4)
    at = app_test("pages/social_work.py")
    org = at.selectbox(key="social_work_org").value
    sites = db.query("sw_org_sites", org_id=org, district=None, street=None, max_rows=None)
    assert len(sites) > 5
    sent = at.get("deck_gl_json_chart")[0].proto.json
    assert "\n" not in sent and "\\u" not in sent
    deck = json.loads(sent)
    bins = next(layer for layer in deck["layers"] if maps.base_id(layer["id"]) == "bins")
    assert sum(int(b["label"].split()[1]) for b in bins["data"]) == len(sites)  # "本网格 12 个项目点"
    assert len(bins["data"]) < len(sites)
    assert any("500 米网格汇总" in c.value for c in at.caption)
    assert any(f"（{len(sites)} 个）" in m.value for m in at.markdown)  # the heading counts every site
    listed = next(f.value for f in at.dataframe if "社区" in " ".join(f.value.columns))
    assert list(listed.iloc[:, 0]) == list(sites["name"].head(4))  # the first 4 by id, as the caption says
    assert any(f"前 4 个，共 {len(sites)} 个" in c.value for c in at.caption)
