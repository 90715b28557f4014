"""Hostile input: markup in names shows as text, formulas are neutralised, searches never reach SQL as text."""

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from browser import ConsoleLog, chromium, streamlit_app
from caremap import ingest
from caremap.ingest import load
from caremap.store import build, db

XSS = "<img src=x onerror=alert(1)>"
HEADER = "名称*,类别*,所属区*,所属街道*,所属社区,地址*,联系电话,经度*,纬度*,坐标系,更新日期"


def _hostile_db(tmp_path):
    live = tmp_path / "hostile.duckdb"
    build.build(live)
    rows = [
        f"{XSS}示例儿童之家,儿童之家,南山区,粤海街道,科技园社区,=HYPERLINK(\"http://x\")示例路1号,"
        "0755-00000001,113.944,22.533,WGS84,2024-01-01",
        "示例<script>alert(2)</script>站,儿童之家,南山区,粤海街道,科技园社区,+1 示例路2号,"
        "0755-00000002,113.945,22.534,WGS84,2024-01-01",
    ]
    data = ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")
    con = duckdb.connect(str(live.resolve()), read_only=True)
    try:
        checked = ingest.check(data, "hostile.csv", "service_points", con, mode="append")
    finally:
        con.close()
    assert checked.ok, ingest.report_lines(checked)
    load.publish_import(checked, data, "append", live, who="test")
    return live


@pytest.mark.browser
def test_markup_in_names_is_shown_as_text_in_the_browser(tmp_path):
    """The hostile names are found and shown, literally, as text; nothing of them runs as markup."""
    live = _hostile_db(tmp_path)
    dialogs = []
    with streamlit_app(db=live, name="hostile") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        log = ConsoleLog(page)
        page.goto(f"{url}/map?district=440305&street=440305007", timeout=120_000)
        search = page.get_by_label("搜索服务点或街道")
        for term, shown in (("onerror", XSS + "示例儿童之家"), ("alert(2)", "示例<script>alert(2)</script>站")):
            search.fill(term)
            search.press("Enter")
            page.get_by_text(shown).first.wait_for(timeout=60_000)  # the name itself, as text
            assert page.locator("img[src='x']").count() == 0
            assert page.locator("script:has-text('alert(2)')").count() == 0
        for path, ready in (("directory", "找到"), ("coverage", "缺口清单")):
            page.goto(f"{url}/{path}?district=440305&street=440305007", timeout=120_000)
            page.get_by_text(ready).first.wait_for(timeout=120_000)  # the page has drawn its results
            assert page.locator("img[src='x']").count() == 0, path
            assert page.locator("script:has-text('alert(2)')").count() == 0, path
        errors = [e for e in log.errors if "alert" in e]
    assert errors == [] and dialogs == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_every_search_query_takes_arbitrary_text_as_a_value(text, con):
    """Any string, quotes and SQL included, is a parameter value: no error, and the tables are unchanged."""
    before = con.execute("select count(*) from service_point").fetchone()[0]
    for name in db.query_names():
        _, wanted = db.load_sql(name)
        if "search" not in wanted:
            continue
        from test_queries import SAMPLE

        db.run(con, name, **{**{k: SAMPLE[k] for k in wanted}, "search": text})
    assert con.execute("select count(*) from service_point").fetchone()[0] == before
