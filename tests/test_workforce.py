"""Workforce page (儿童工作队伍): headline, deployment, distributions; figures equal the named queries'."""

import io

import duckdb
import pandas as pd
import pytest

import factories
from caremap.common import facts
from caremap.report import charts
from caremap.report import files as file_bytes
from caremap.store import db
from conftest import app_test, xlsx_table


def tiny_db(path, rows: dict) -> duckdb.DuckDBPyConnection:
    """A database with the real schema and only the given rows ({table: [dict, ...]}), opened read-only."""
    factories.schema_db(path, rows, derive=True).close()
    return factories.read_only(path)


def _fixture(tmp_path):
    """Two streets, four community units: one director in post, one vacant post, two units with no record."""
    worker = [
        {"id": "S1", "role": "儿童督导员", "district_code": "D1", "street_code": "ST1", "status": "在岗",
         "appointed_on": "2018-06-01", "training_hours": 40, "name": "张三明", "phone": "13812345678"},
        {"id": "W1", "role": "儿童主任", "district_code": "D1", "street_code": "ST1", "community_code": "C1",
         "status": "在岗", "appointed_on": "2019-06-01", "training_hours": 30, "certificate": "无"},
        {"id": "W2", "role": "儿童主任", "district_code": "D1", "street_code": "ST2", "community_code": "C3",
         "status": "空缺", "training_hours": 0},
        {"id": "W3", "role": "儿童主任", "district_code": "D1", "street_code": "ST2", "community_code": "C4",
         "status": "在岗", "appointed_on": "2020-01-01", "training_hours": 6, "certificate": "无"},
    ]
    return tiny_db(tmp_path / "w.duckdb", {
        "meta": [{"key": "data_date", "value": "2020-06-01"}],
        "district": [{"code": "D1", "name": "甲区"}],
        "street": [{"code": "ST1", "name": "一街道", "district_code": "D1"},
                   {"code": "ST2", "name": "二街道", "district_code": "D1"}],
        "community": [{"code": c, "name": f"{c}社区", "street_code": s, "district_code": "D1"}
                      for c, s in [("C1", "ST1"), ("C2", "ST1"), ("C3", "ST2"), ("C4", "ST2"), ("C5", "ST2")]],
        "service_point": [{"id": "P1", "name": "之家", "category": "children_home", "district_code": "D1",
                           "street_code": "ST1", "community_code": "C2"}],
        "worker": worker})


def test_workforce_queries_on_a_fixture_known_by_construction(tmp_path):
    con = _fixture(tmp_path)
    head = db.run(con, "metric_values", district=None, street=None).astype(object).iloc[0]
    assert {k: int(head[k]) for k in ("supervisors_in_post", "directors_in_post", "director_posts_vacant",
                                      "community_units", "units_director_no_record")} == {
        "supervisors_in_post": 1, "directors_in_post": 2, "director_posts_vacant": 1, "community_units": 5,
        "units_director_no_record": 2}
    streets = db.run(con, "workforce_by_street", district="D1", street=None).set_index("street_code")
    assert streets.loc["ST1", ["units", "posts", "filled", "vacant", "no_record", "units_with_home"]].tolist() == \
        [2, 1, 1, 0, 1, 1]
    assert streets.loc["ST2", ["units", "posts", "filled", "vacant", "no_record", "units_with_home"]].tolist() == \
        [3, 2, 1, 1, 1, 0]
    assert streets.loc["ST1", "home_coverage"] == 0.5
    district = db.run(con, "workforce_by_district", district=None).iloc[0]
    assert (district["units"], district["filled"], district["no_record"], district["supervisors"]) == (5, 2, 2, 1)
    tenure = db.run(con, "workforce_roster", district=None, street=None).set_index("id")["tenure_years"]
    assert tenure["S1"] == 2.0 and tenure["W1"] == 1.0 and tenure["W3"] == pytest.approx(0.4)
    least = db.run(con, "workforce_least_trained", district=None, street=None, k=1)
    assert least["street_name"].tolist() == ["二街道"] and least["avg_training_hours"].iloc[0] == 6
    assert "name" not in db.run(con, "workforce_profile", district=None, street=None).columns


@pytest.mark.parametrize("district", [None, "440305"])
def test_workforce_page_shows_the_query_figures(district):
    at = app_test("pages/workforce.py", district=district)
    assert not at.exception, at.exception
    row = db.query("metric_values", district=district, street=None).astype(object).iloc[0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"在岗儿童督导员": f"{int(row['supervisors_in_post']):,}",
                       "在岗儿童主任": f"{int(row['directors_in_post']):,}",
                       "儿童主任岗位空缺的社区级单位": f"{int(row['units_director_vacant']):,}",
                       "无在册儿童主任记录的社区级单位": f"{int(row['units_director_no_record']):,}"}
    captions = [c.value for c in at.caption]
    assert facts.UNITS_CAVEAT_ZH in captions  # units without a record always carry the 662-vs-783 caveat
    published = [c for c in captions if c.startswith("公布数")]
    assert published == (["公布数：74名儿童督导员", "公布数：662名儿童主任", "公布数：662个社区（810个居委）"]
                         if district is None else [])
    by_street = db.query("workforce_by_street", district=district, street=None)
    shown = next(f.value for f in at.dataframe if "街道" in f.value.columns and "儿童之家覆盖率" in f.value.columns)
    assert shown["在岗"].tolist() == by_street["filled"].tolist()
    assert shown["无在册儿童主任"].tolist() == by_street["no_record"].tolist()
    assert shown["儿童之家覆盖率"].tolist() == by_street["home_coverage"].tolist()


def test_workforce_page_at_city_scope_matches_the_demo_facts():
    at = app_test("pages/workforce.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["在岗儿童督导员"] == "74" and metrics["在岗儿童主任"] == "662"
    district_table = next(f.value for f in at.dataframe if "街道数" in f.value.columns)
    assert district_table["社区级单位"].sum() == 783 and district_table["在岗"].sum() == 662
    least = next(f.value for f in at.dataframe if "培训不足20学时人数" in f.value.columns)
    expected = db.query("workforce_least_trained", district=None, street=None, k=10)
    assert least["街道"].tolist() == expected["street_name"].tolist() and len(least) == 10
    assert least["儿童主任平均培训学时"].is_monotonic_increasing


def test_workforce_page_speaks_english_and_follows_the_street_scope():
    at = app_test("pages/workforce.py", district="440305", street="440305007", lang="en")
    assert not at.exception, at.exception
    row = db.query("metric_values", district="440305", street="440305007").astype(object).iloc[0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Child directors in post"] == str(int(row["directors_in_post"]))
    assert facts.UNITS_CAVEAT_EN in [c.value for c in at.caption]
    # place names in English with their Chinese: "Yuehai Subdistrict (粤海街道)"
    scope_line = "Scope: Whole city › Nanshan District (南山区) › Yuehai Subdistrict (粤海街道)"
    assert scope_line in [c.value for c in at.caption]


def test_workforce_chart_data_and_takeaway_come_from_the_query():
    fig = charts.build("workforce_by_district")
    data = db.query("workforce_by_district", district=None)
    assert fig.data["在岗"].sum() == data["filled"].sum() == 662
    assert f"{int(data['no_record'].sum())}个无在册儿童主任" in fig.takeaway
    assert fig.notes == [facts.UNITS_CAVEAT_ZH]
    street_fig = charts.build("workforce_by_district", district="440305", lang="en")
    assert len(street_fig.data) == len(db.query("streets", district="440305"))
    for chart_id in ("workforce_tenure", "workforce_training", "workforce_certificates"):
        fig = charts.build(chart_id, district="440305")
        assert fig.takeaway and not fig.data.empty
        assert not any(c in fig.data.columns for c in ("name", "phone", "姓名", "电话"))


def test_table_files_are_written_only_when_a_download_button_is_clicked(monkeypatch, downloads):
    """Writing the roster's XLSX took longer than the rest of the page: the six files are deferred to the click."""
    written = []
    for name in ("csv_bytes", "table_xlsx"):
        real = getattr(file_bytes, name)
        monkeypatch.setattr(file_bytes, name,
                            lambda df, *a, _real=real, _name=name: written.append(_name) or _real(df, *a))
    at = app_test("pages/workforce.py", district="440305")
    assert not at.exception, at.exception
    assert written == [], "no CSV or XLSX is written until its button is clicked"

    buttons = {b.proto.id.rsplit("-", 1)[-1]: b.proto for b in at.get("download_button")}
    keys = [f"workforce_{t}_{fmt}" for t in ("district", "street", "roster") for fmt in ("csv", "xlsx")]
    assert set(keys) <= buttons.keys() and all(buttons[k].deferred_file_id for k in keys)
    files = downloads(at)  # now the callables run, as a click would
    assert written.count("csv_bytes") == 3 and written.count("table_xlsx") == 3  # one per table button
    roster = next(f.value for f in at.dataframe if "姓名" in f.value.columns)
    for key in ("workforce_roster_csv", "workforce_roster_xlsx"):  # the table exactly as shown (masked)
        got = pd.read_csv(io.BytesIO(files[key]), encoding="utf-8-sig", dtype=str) if key.endswith("csv") else \
            xlsx_table(files[key], dtype=str)
        assert list(got.columns) == list(roster.columns) and len(got) == len(roster)
        assert got["姓名"].fillna("").tolist() == roster["姓名"].fillna("").tolist()
    by_street = xlsx_table(files["workforce_street_xlsx"])
    expected = db.query("workforce_by_street", district="440305", street=None)
    assert by_street["在岗"].tolist() == expected["filled"].tolist()
    by_district = pd.read_csv(io.BytesIO(files["workforce_district_csv"]), encoding="utf-8-sig")
    assert by_district["区（新区）"].tolist() == ["南山区"]
