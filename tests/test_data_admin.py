"""The data page (数据管理): locked without configuration, a password gate, and its history and rollback."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.errors import AppTestError

from caremap import cli, ingest
from caremap.app import auth
from caremap.common.i18n import t
from caremap.store import access, build, versions

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
SECRET = {"password_sha256": hashlib.sha256(PASSWORD.encode()).hexdigest()}
GOOD = ("名称,类别,所属区,所属街道,所属社区,地址,联系电话,经度,纬度\n"
        "示例·粤海儿童之家,儿童之家,南山区,粤海街道,科技园社区,南山区示例路1号,0755-00000000,113.944,22.533\n")


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("admin_base") / "caremap.duckdb"
    build.build(path)
    return path


@pytest.fixture()
def own_db(base_db, tmp_path, monkeypatch) -> Path:
    """The page reads this test's own database (never the shared session one)."""
    path = tmp_path / "db" / "caremap.duckdb"
    path.parent.mkdir()
    shutil.copyfile(base_db, path)
    monkeypatch.setenv("CAREMAP_DB", str(path))
    return path


def _page(secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/data_admin.py"), default_timeout=60)
    if secrets is not None:
        at.secrets["admin"] = secrets
    return at.run()


def _login(at: AppTest, password: str, who: str = "测试员") -> AppTest:
    at.text_input(key="data_admin_who").input(who)
    at.text_input(key="data_admin_password").input(password)
    return at.button[0].click().run()


def test_without_configuration_the_page_says_how_to_enable_it_and_allows_nothing(own_db):
    at = _page()
    assert not at.exception
    assert [i.value for i in at.info] == [t("data_admin.not_configured", "zh")]
    assert "password_sha256" in at.code[0].value
    assert not at.text_input and not at.button and not at.tabs and not at.get("file_uploader")
    assert any("示例数据" in c.value for c in at.caption)


def test_a_malformed_hash_counts_as_not_configured(own_db):
    at = _page({"password_sha256": "secret"})
    assert [i.value for i in at.info] == [t("data_admin.not_configured", "zh")]
    assert not at.text_input


def test_a_wrong_password_is_refused_and_the_session_locks_after_five(own_db):
    at = _page(SECRET)
    assert [ti.label for ti in at.text_input] == ["姓名（记入导入日志）", "管理员密码"]
    assert not at.tabs and not at.get("file_uploader")
    at = _login(at, "wrong")
    assert [e.value for e in at.error] == ["密码不正确，还可尝试 4 次。"]
    assert not at.tabs
    for _ in range(4):
        at = _login(at, "wrong")
    assert [e.value for e in at.error] == ["尝试次数过多，本会话已锁定。请刷新页面后重试。"]
    assert at.run().button[0].disabled
    with pytest.raises(AppTestError):
        _login(at, PASSWORD)


def test_a_locked_session_is_refused_even_with_the_right_password(monkeypatch):
    state = {"data_admin_attempts": auth.MAX_ATTEMPTS}  # as a crafted request past the disabled button would find
    monkeypatch.setattr(auth.st, "session_state", state)
    monkeypatch.setattr(auth, "configured_hash", lambda: SECRET["password_sha256"])
    assert not auth.login(PASSWORD) and not auth.is_admin()
    state["data_admin_attempts"] = 0
    assert auth.login(PASSWORD, "甲") and auth.is_admin() and auth.user() == "web:甲"
    assert not access.verify("wrong", SECRET["password_sha256"]) and access.verify(PASSWORD, SECRET["password_sha256"])


def test_the_right_password_opens_import_history_and_templates(own_db):
    at = _login(_page(SECRET), PASSWORD)
    assert not at.exception and not at.error
    assert [tab.label for tab in at.tabs] == ["导入", "地理与儿童人数", "市民反馈", "导入记录与回滚", "数据模板",
                                             "审计日志"]
    assert t("data_admin.logged_in", "zh", who="web:测试员") in [c.value for c in at.caption]
    assert len(at.get("file_uploader")) == 1
    templates = [b for b in at.get("download_button") if b.key.startswith("data_admin_tpl_")]
    assert len(templates) == 2 * len(ingest.TABLE_KINDS)   # no template for boundary files
    assert [i.value for i in at.info] == [t("data_admin.population_none", "zh"), t("data_admin.mismatch_none", "zh"),
                                          "尚无市民反馈。", "尚无导入记录。", "没有可回滚的早期版本。"]
    status = at.dataframe[0].value   # where the geography comes from: all demo and approximate until imported
    assert status.to_dict("list") == {"层级": ["区", "街道", "社区级单位"], "单位数": [10, 74, 783],
                                      "局方边界": [10, 0, 0], "局方位置点": [0, 0, 0], "近似或示例位置": [0, 74, 783],
                                      "有儿童人数": [0, 0, 0]}
    assert any("783 个社区级单位仍使用示例位置，74 个街道仍使用近似位置" in c.value for c in at.caption)
    assert any(c.value.startswith("来源：本库导入日志（import_log）") for c in at.caption)
    at.button(key="data_admin_logout").click().run()
    assert not at.tabs and at.text_input


def test_history_shows_the_imports_and_the_page_rolls_back(own_db, tmp_path):
    demo_version = versions.versions(own_db)["data_version"].iloc[0]
    f = tmp_path / "points.csv"
    f.write_text(GOOD, encoding="utf-8")
    assert cli.main(["import", str(f), "--kind", "service_points", "--db", str(own_db), "--who", "cli"]) == 0
    at = _login(_page(SECRET), PASSWORD)
    history = next(d.value for d in at.dataframe if "kind" in d.value.columns)
    assert history[["kind", "file_name", "rows_accepted", "who"]].values.tolist() == [
        ["service_points", "points.csv", 1, "cli"]]
    assert at.warning[0].value.startswith("以下数据仍为示例数据：worker、")
    assert at.selectbox(key="data_admin_rollback_to").options == [f"{demo_version} (1 · build)"]
    assert at.button(key="data_admin_rollback").disabled       # not before the confirmation box is ticked
    at.checkbox(key="data_admin_rollback_sure").check().run()
    at.button(key="data_admin_rollback").click().run()
    assert not at.exception
    con = duckdb.connect(str(own_db), read_only=True)
    try:
        assert con.execute("select count(*) from service_point").fetchone()[0] == 1513
        version = con.execute("select value from meta where key = 'data_version'").fetchone()[0]
    finally:
        con.close()
    assert [s.value for s in at.success] == [f"已恢复版本 {demo_version}，发布为新版本 {version}。"]
    history = next(d.value for d in at.dataframe if "kind" in d.value.columns)
    assert history["kind"].tolist() == ["rollback", "service_points"]   # the page shows the new log
    kept = next(d.value for d in at.dataframe if "baseline" in d.value.columns)   # periods, with their marks
    assert {"as_of", "label", "baseline", "live"} <= set(kept.columns) and not kept["baseline"].any()
    at.selectbox(key="data_admin_baseline").set_value(demo_version).run()
    at.button(key="data_admin_baseline_go").click().run()
    assert [s.value for s in at.success] == [f"已将版本 {demo_version} 标记为复盘基线。"]
    assert versions.baselines(own_db) == {demo_version}
    kept = next(d.value for d in at.dataframe if "baseline" in d.value.columns)
    assert kept.set_index("data_version").at[demo_version, "baseline"]


def test_the_page_logic_checks_an_upload_against_the_live_database(own_db):
    checked = ingest.check_current(GOOD.encode("gb18030"), "上传.csv", "service_points", db_file=own_db)
    assert checked.ok and checked.rows["street_code"].tolist() == ["440305007"]
    bad = ingest.check_current(GOOD.replace("儿童之家,南山区", "儿童之家,南三区").encode(), "上传.csv",
                               "service_points", db_file=own_db)
    assert ingest.problems_table(bad, "en").to_dict("records") == [{
        "Severity": "error", "Row": 2, "Column": "C", "Header": "所属区", "Value": "南三区",
        "Problem": "unknown district", "How to fix": "use a valid district name; closest: 南山区"}]


def test_the_logged_in_page_speaks_english(own_db):
    at = AppTest.from_file(str(ROOT / "pages/data_admin.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.secrets["admin"] = SECRET
    at = _login(at.run(), PASSWORD, "tester")
    assert not at.exception
    assert [tab.label for tab in at.tabs] == ["Import", "Geography and children", "Citizens' reports",
                                              "History and rollback", "Templates", "Audit log"]
    assert at.selectbox(key="data_admin_kind").options == [
        "Service points", "Supervisors and directors", "Social-work projects", "Project sites",
        "Street boundaries (the bureau's geography)", "Community boundaries or locations (the bureau's geography)",
        "Children per unit"]


def test_the_geography_tab_lists_the_points_the_boundaries_contradict_with_a_download(own_db, tmp_path):
    import geofixtures as gf

    f = tmp_path / "streets.geojson"
    f.write_bytes(gf.geojson_gcj02(gf.street_truth()))
    assert cli.main(["import", str(f), "--kind", "streets", "--crs", "GCJ02", "--db", str(own_db), "--who", "t"]) == 0
    pop = tmp_path / "children.csv"
    pop.write_text("区划代码,年龄段,儿童人数,年份,来源\n440304002,0-17,5000,2025,测试来源（示例）\n", encoding="utf-8")
    assert cli.main(["import", str(pop), "--kind", "population", "--db", str(own_db), "--who", "t"]) == 0
    con = duckdb.connect(str(own_db), read_only=True)
    try:
        expected = con.execute("select count(*) from point_place as pp join service_point as p using (id) "
                               "where pp.street_code <> p.street_code").fetchone()[0]
    finally:
        con.close()
    at = _login(_page(SECRET), PASSWORD)
    assert not at.exception
    status = at.dataframe[0].value
    street_row = status.loc[status["层级"] == "街道", ["局方边界", "近似或示例位置", "有儿童人数"]]
    assert street_row.values.tolist() == [[9, 65, 1]]
    listed = next(d.value for d in at.dataframe if "found_street_code" in d.value.columns)
    assert len(listed) == expected > 0
    assert t("data_admin.mismatch_intro", "zh", n=expected) in [w.value for w in at.warning]
    assert any(b.label == t("data_admin.mismatch_download", "zh") for b in at.get("download_button"))
    population = next(d.value for d in at.dataframe if "age_band" in d.value.columns)
    assert population[["unit_name", "children", "year", "source"]].values.tolist() == [["园岭街道", 5000, 2025,
                                                                                       "测试来源（示例）"]]


def test_citizens_reports_show_as_text_and_are_accepted_or_rejected(own_db):
    from caremap.store import feedback

    hostile = "<script>alert('x')</script> =HYPERLINK(\"http://evil\") **粗体** [点我](javascript:alert(1))"
    first = feedback.submit("wrong_info", hostile, "s1", "10.0.0.1", point_id="SP0000001",
                            point_name="罗湖区未成年人救助保护中心")
    feedback.submit("question", "周末开放吗？", "s2", "10.0.0.2")
    at = _login(_page(SECRET), PASSWORD)
    assert not at.exception
    table = next(d.value for d in at.dataframe if "内容" in d.value.columns)
    assert table.loc[table["编号"] == first.id, "内容"].tolist() == [hostile]   # exactly as written: a text cell
    assert set(table["状态"]) == {"待处理"}
    assert not any("<script>" in m.value for m in at.markdown)
    at.selectbox(key="data_admin_feedback_pick").set_value(first.id)
    at.button(key="data_admin_feedback_rejected").click().run()
    assert feedback.queue("rejected")["id"].tolist() == [first.id]
    assert feedback.queue("rejected")["reviewed_by"].tolist() == ["web:测试员"]
    assert f"已不采纳第 {first.id} 条反馈。" in [s.value for s in at.success]
