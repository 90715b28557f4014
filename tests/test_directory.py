"""Service directory (服务目录): substring and pinyin-initials search, paging, map pins, downloads."""

import io
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import factories
from caremap import cli
from caremap.report import search
from caremap.store import build, db, initials, versions
from conftest import app_test


def _all(con, **filters):
    return search.search_all("", con=con, **filters)


def test_substring_matches_name_address_category_and_places(con):
    result = search.search("福田街道", con=con)
    rows = search.search_all("福田街道", con=con)
    assert result.total == len(rows) > 20 and len(result.rows) == search.PAGE_SIZE
    haystack = rows[["name", "address", "street_name", "community_name"]].fillna("").agg(" ".join, axis=1)
    assert haystack.str.contains("福田街道").all()
    assert search.search("儿童之家", con=con).total == (_all(con)["category"] == "children_home").sum()
    assert search.search("妇联", con=con).total == (_all(con)["system"] == "妇联").sum()
    assert search.search("children's HOME", con=con).total == search.search("儿童之家", con=con).total


def test_pinyin_initials_find_the_street_category_and_names(con):
    assert initials.initials("福田街道") == ("ftjd",)
    assert "cl" in {v[:2] for v in initials.initials("长岭社区")}  # polyphones: every reading
    everything = _all(con)
    futian_street = everything[everything["street_name"] == "福田街道"]
    found = search.search_all("ftjd", con=con)
    assert set(futian_street["id"]) <= set(found["id"])
    assert {"福田街道"} <= set(found["street_name"])
    assert search.search("FT JD", con=con).total == len(found)  # case and spaces ignored
    homes = search.search_all("etzj", con=con)
    assert (homes["category"] == "children_home").sum() == (everything["category"] == "children_home").sum()


def test_no_result_and_sql_metacharacters_find_nothing_and_break_nothing(con):
    before = len(_all(con))
    for text in ["zzqxw没有这个", "'; drop table service_point; --", "' or '1'='1", "%", "_", "\\", "%%__"]:
        result = search.search(text, con=con)
        assert result.total == 0 and result.rows.empty and result.pages == 1, text
    assert len(_all(con)) == before == con.execute("select count(*) from service_point").fetchone()[0]


def test_like_wildcards_are_escaped_on_a_fixture(tmp_path):
    path = tmp_path / "d.duckdb"
    c = factories.schema_db(str(path))
    c.execute("insert into meta values ('data_version', 'fixture-d')")
    c.execute("insert into service_category values ('children_home', '儿童之家', 'Children''s home', '妇联', "
              "'community', true, '#2ca02c')")
    for i, name in enumerate(["满分100%之家", "a_b之家", "aXb之家", "普通之家"]):
        c.execute("insert into service_point (id, name, category, district_code, address, phone) "
                  "values (?, ?, 'children_home', 'D1', ?, '0755-1')", [f"P{i}", name, f"路{i}号"])
    build.derive(c)  # what every publish does: the initials and the search profiles
    c.close()
    fixture = duckdb.connect(str(path), read_only=True)
    assert search.search_all("%", con=fixture)["name"].tolist() == ["满分100%之家"]
    assert search.search_all("a_b", con=fixture)["name"].tolist() == ["a_b之家"]  # not aXb
    assert search.search_all("mf", con=fixture)["name"].tolist() == ["满分100%之家"]  # pinyin initials
    assert len(search.search_all("", con=fixture)) == 4


def test_initials_are_derived_at_build(con):
    patterns = dict(con.execute("select name_key, initials from name_initials").fetchall())
    assert patterns["福田街道"] == "ftjd" == initials.pattern("福田街道")  # a street
    assert patterns["儿童之家"] == initials.pattern("儿童之家") == "[ER][TZ]z[GJ]"  # a category: polyphones
    keys = dict(con.execute("select id, name_key from service_point_initials").fetchall())
    names = dict(con.execute("select id, name from service_point").fetchall())
    assert keys.keys() == names.keys()  # every point, once
    numbered = next(i for i, n in names.items() if "（1）" in n)
    assert keys[numbered] == names[numbered].replace("（1）", "（0）") and keys[numbered] in patterns


def _one_point_db(tmp_path, name: str) -> duckdb.DuckDBPyConnection:
    path = tmp_path / "one.duckdb"
    c = factories.schema_db(str(path))
    c.execute("insert into meta values ('data_version', 'fixture-one')")
    c.execute("insert into service_category values ('children_home', '儿童之家', 'Children''s home', '妇联', "
              "'community', true, '#2ca02c')")
    c.execute("insert into service_point (id, name, category, district_code) values ('P1', ?, 'children_home', "
              "'D1')", [name])
    build.derive(c)  # as at build and at every import: the initials and the search profiles
    c.close()
    return duckdb.connect(str(path), read_only=True)


def test_a_polyphonic_name_is_found_by_each_reading(tmp_path):
    fixture = _one_point_db(tmp_path, "长乐重行社区会所12号")  # 长 c/z, 乐 l/y, 重 c/t/z, 行 h/x, 区 o/q, 会 h/k
    for text in ["cl", "zl", "cy", "zy", "zh", "cx", "tx", "sq", "so", "hs", "ks", "clzh", "zycx"]:
        assert search.search_all(text, con=fixture)["name"].tolist() == ["长乐重行社区会所12号"], text
    # every combination counts: 6 polyphones give 96, more than the 16 readings initials() lists
    assert "zytxsqks" not in initials.initials("长乐重行社区会所12号")
    assert len(search.search_all("zytxsqks", con=fixture)) == 1
    assert search.search_all("ZY TX", con=fixture)["id"].tolist() == ["P1"]  # case and spaces ignored
    for text in ["ls", "zs", "qs", "clq", "s12", "zl12"]:  # not a reading; digits are not initials-like
        assert search.search_all(text, con=fixture).empty, text


def test_a_point_imported_later_is_found_by_its_initials(demo_db, tmp_path):
    live = tmp_path / "db" / "caremap.duckdb"
    live.parent.mkdir()
    shutil.copyfile(demo_db, live)
    before = duckdb.connect(str(live), read_only=True)
    assert search.search_all("lhclzj", con=before).empty
    before.close()
    csv = tmp_path / "服务点.csv"
    csv.write_text("名称,类别,所属区,所属街道,所属社区,地址,联系电话,经度,纬度,坐标系\n"
                   "示例·鹭湖长岭之家,儿童之家,南山区,粤海街道,科技园社区,南山区示例路1号,0755-00000000,113.944,"
                   "22.533,WGS84\n", encoding="utf-8")
    assert cli.main(["import", str(csv), "--kind", "service_points", "--db", str(live), "--append"]) == 0
    after = duckdb.connect(str(live), read_only=True)
    try:
        for text in ["lhclzj", "lhzlzj", "LH CL"]:  # 长: both readings
            assert search.search_all(text, con=after)["name"].tolist() == ["示例·鹭湖长岭之家"], text
        assert search.search("ftjd", con=after).total == 21  # the demo's points keep theirs
    finally:
        after.close()


def test_paging_covers_every_result_once(con):
    first = search.search("", con=con)
    assert first.pages == -(-first.total // search.PAGE_SIZE)
    ids = [i for p in range(1, first.pages + 1) for i in search.search("", page=p, con=con).rows["id"]]
    assert len(ids) == len(set(ids)) == first.total
    assert search.search("", page=first.pages + 5, con=con).page == 1  # past the end: back to the first page


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_any_text_never_raises(con, text):
    result = search.search(text, con=con)
    assert 0 <= len(result.rows) <= search.PAGE_SIZE and result.total >= len(result.rows)


def test_directory_page_searches_pages_and_downloads():
    at = app_test("pages/directory.py")
    at.text_input(key="directory_q").set_value("ftjd").run()
    assert not at.exception, at.exception
    expected = search.search("ftjd")
    assert f"**找到 {expected.total} 个服务点**" in [m.value for m in at.markdown]
    table = at.dataframe[0].value
    assert table["名称"].tolist() == expected.rows["name"].tolist()
    assert table["电话"].tolist() == expected.rows["phone"].tolist()  # institution phones are shown
    at.button(key="directory_next").click().run()
    page2 = search.search("ftjd", page=2)
    assert at.dataframe[0].value["名称"].tolist() == page2.rows["name"].tolist()
    sent = at.get("deck_gl_json_chart")[0].proto.json
    # compact, Chinese as UTF-8: pydeck's own JSON is indented and escapes every Chinese character (4.6× longer)
    assert "\n" not in sent and "\\u" not in sent and page2.rows["name"].iloc[0] in sent
    deck = json.loads(sent)
    dots = next(layer for layer in deck["layers"] if layer["@@type"] == "ScatterplotLayer")
    assert [d["name"] for d in dots["data"]] == page2.rows["name"].tolist()
    assert dots["data"][0]["dot_color"] == [int(page2.rows["color"].iloc[0][i:i + 2], 16) for i in (1, 3, 5)] + [255]


def _page_count(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith(("第 ", "Page ")))


def _directory(**params):
    """The directory page in the app's frame (the notices are the frame's), opened from a link with `params`."""
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("pages/directory.py").run()
    assert not at.exception, at.exception
    return at


def test_directory_pages_with_previous_and_next_disabled_at_the_ends():
    """Previous / next and "第 3 / 36 页" instead of a dropdown of every page; the page is in the link."""
    at = _directory(directory_q="儿童之家")
    pages = search.search("儿童之家").pages
    assert pages > 3 and "directory_page" not in [box.key for box in at.selectbox]
    assert _page_count(at) == f"第 1 / {pages} 页"
    assert at.button(key="directory_previous").disabled and not at.button(key="directory_next").disabled
    at.button(key="directory_next").click().run()
    at.button(key="directory_next").click().run()
    assert _page_count(at) == f"第 3 / {pages} 页" and at.query_params["directory_page"] == "~3"
    assert at.dataframe[0].value["名称"].tolist() == search.search("儿童之家", page=3).rows["name"].tolist()
    assert not at.button(key="directory_previous").disabled
    at.button(key="directory_previous").click().run()
    assert _page_count(at) == f"第 2 / {pages} 页" and at.query_params["directory_page"] == "~2"
    at.button(key="directory_previous").click().run()
    assert "directory_page" not in at.query_params  # page 1 is the default: the link leaves it out


def test_a_copied_directory_link_reopens_its_page_and_the_last_page_stops_next():
    pages = search.search("儿童之家").pages
    at = _directory(directory_q="儿童之家", directory_page=f"~{pages}", lang="en")
    assert _page_count(at) == f"Page {pages} of {pages}"
    assert at.button(key="directory_next").disabled and not at.button(key="directory_previous").disabled
    last = search.search("儿童之家", page=pages).rows["name"].tolist()
    assert at.dataframe[0].value["Name"].tolist() == last


@pytest.mark.parametrize("value", ["abc", "~0", "~-2", "~9999", "~2.5"])
def test_a_junk_directory_page_in_the_link_is_named_and_page_one_shown(value):
    from caremap.common.i18n import t

    at = _directory(directory_q="儿童之家", directory_page=value)
    notice = t("common.unknown_value", "zh", name="directory_page", value=value)
    assert notice in [w.value for w in at.warning]
    assert "directory_page" not in at.query_params and _page_count(at).startswith("第 1 / ")


def test_directory_page_with_a_hostile_search_shows_the_no_result_message():
    at = app_test("pages/directory.py", district="440305")
    at.text_input(key="directory_q").set_value("'; drop table service_point; --").run()
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == ["没有找到符合条件的服务点。请换个关键词，或清除类别与系统筛选。"]
    assert db.query("metric_values", district=None, street=None).astype(object).iloc[0]["service_points"] > 1500


def test_directory_filters_follow_scope_and_category(monkeypatch):
    at = app_test("pages/directory.py", district="440305", lang="en")
    at.selectbox(key="directory_category").set_value("children_home").run()
    expected = search.search_all("", district="440305", category="children_home")
    assert f"**{len(expected):,} service points found**" in [m.value for m in at.markdown]
    assert set(at.dataframe[0].value["District"]) == {"Nanshan District (南山区)"}


def test_directory_download_holds_the_full_result(downloads):
    at = app_test("pages/directory.py")
    at.text_input(key="directory_q").set_value("福田").run()
    content = downloads(at)["directory_csv"]
    frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")
    assert frame["名称"].tolist() == search.search_all("福田")["name"].tolist()
    assert len(frame) > search.PAGE_SIZE


@pytest.mark.parametrize("district", [None, "440305"])
def test_directory_page_total_equals_the_query(district):
    at = app_test("pages/directory.py", district=district)
    total = len(search.search_all("", district=district))
    assert f"**找到 {total:,} 个服务点**" in [m.value for m in at.markdown]


@pytest.mark.browser
def test_directory_in_a_real_browser_draws_coloured_pins_offline(demo_db):
    """`streamlit run`, headless chromium: search "ftjd", the pins of the result page are drawn in category colours."""
    from PIL import Image

    from browser import ARTIFACTS, ConsoleLog, chromium, streamlit_app

    ARTIFACTS.mkdir(exist_ok=True)
    green = (0x2C, 0xA0, 0x2C)  # children_home, the most frequent category in 福田街道's results
    with streamlit_app(db=demo_db, name="directory") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        log = ConsoleLog(page)
        page.goto(url)
        page.get_by_role("link", name="服务目录").click()
        page.get_by_test_id("stTextInputField").fill("ftjd")
        page.keyboard.press("Enter")
        page.get_by_text("找到 21 个服务点").wait_for(timeout=60_000)
        deck = page.locator("[data-testid=stDeckGlJsonChart]")
        deck.locator("canvas").first.wait_for(timeout=60_000)
        for _ in range(30):  # deck.gl draws asynchronously (software WebGL)
            img = Image.open(io.BytesIO(deck.screenshot(path=str(ARTIFACTS / "directory-map.png")))).convert("RGB")
            pins = sum(1 for p in img.getdata() if all(abs(a - b) <= 16 for a, b in zip(p, green)))
            if pins > 40:
                break
            page.wait_for_timeout(1000)
        errors, outside = list(log.errors), log.external_requests(url)
    assert pins > 40, f"only {pins} pixels in the children's-home green: no pins drawn?"
    assert errors == [], errors
    assert outside == [], outside[:5]


# ---------------------------------------------------------------- the search profiles against a full scan
# The search as it was before the profiles (issue #21): every name and address scanned for the substring. Kept
# here as the oracle: the indexed query must return the same rows, in the same order, with the same total.
SCAN_ORACLE = (Path(__file__).parent / "sql" / "directory_search_scan.sql").read_text(encoding="utf-8")
ORACLE_TEXTS = [
    "", " ", "南", "山", "童", "区", "南山", "福田", "儿童", "社区", "之家", "ftjd", "FT JD", "etzj", "sq", "cl", "hm",
    "南山区儿童之家", "长城社区儿童之家", "深圳市福田区福田街道示例路287号", "深圳市罗湖区清水河街道示例路8号",
    "示例路1", "示例路12", "12号", "8号", "路8", "2", "0", "99", "（1）", "（2）", "·1", "1·", "社区党群服务中心",
    "children's HOME", "Children", "home", "HoMe", "a", "e", "zzqxw没有这个", "没有这个", "%", "_", "\\", ".*",
    "[", "(", ")", "^", "$", "|", "'", "\"", "''", "%%__", "a_b", "a%", "\\%", "'; drop table service_point; --",
    "' or '1'='1", "深圳市", "深圳市南山区", "南山区", "粤海街道", "科技园社区", "妇联", "民政", "  南山  ",
    "ＡＢＣ", "１２", "ß", "İ", "12", "23", "（12", "2）", "1）", "（1", "路12号", "9号", "·12",
]
FILTERS = [{}, {"district": "440305"}, {"street": "440304004"}, {"category": "children_home"}, {"system": "民政"},
           {"district": "440303", "category": "children_home"}, {"district": "440305", "street": "440304004"}]


def _both(con, text, page_size=None, page_start=0, **filters):
    params = {"search": search.normalise(text), "district": None, "street": None, "category": None, "system": None,
              "page_size": page_size, "page_start": page_start} | filters
    return db.run(con, "directory_search", **params), con.execute(SCAN_ORACLE, params).df()


def test_the_indexed_search_returns_the_full_scans_rows(con):
    for text in ORACLE_TEXTS:
        for filters in FILTERS:
            got, want = _both(con, text, **filters)
            pd.testing.assert_frame_equal(got, want, obj=f"{text!r} {filters}")
    assert len(_both(con, "南山")[0]) > 20 and _both(con, "zzqxw没有这个")[0].empty  # the list holds both kinds


def test_the_indexed_search_pages_as_the_full_scan(con):
    for text in ["", "南山", "社区", "2", "ftjd", "示例路1"]:
        for start in (0, 20, 40, 100):
            for filters in ({}, {"district": "440305"}):
                got, want = _both(con, text, page_size=20, page_start=start, **filters)
                pd.testing.assert_frame_equal(got, want, obj=f"{text!r} from {start} {filters}")


def test_the_indexed_search_finds_what_the_full_scan_finds_for_any_piece_of_a_name(con):
    import random

    rng = random.Random(21)
    texts = [r[0] for r in con.execute("select name from service_point union all select address from service_point "
                                       "where address is not null").fetchall()]
    for _ in range(150):
        t = rng.choice(texts)
        a = rng.randrange(len(t))
        piece = t[a:a + rng.randint(1, 8)]
        got, want = _both(con, piece, page_size=20)
        pd.testing.assert_frame_equal(got, want, obj=repr(piece))


def test_search_profiles_are_derived_at_build(con):
    points, profiled, profiles = con.execute(
        "select (select count(*) from service_point), (select count(*) from search_point), "
        "(select sum(points) from search_profile)").fetchone()
    assert points == profiled == profiles
    row = con.execute("select p.name, s.name_text, f.name_key from service_point as p join search_point as s "
                      "using (id) join search_profile as f using (profile_id) where p.name like '%（1）%' "
                      "limit 1").fetchone()
    assert row[1] == row[0].lower() and row[2] == row[0].replace("（1）", "（0）")


def test_a_point_imported_later_is_found_by_a_piece_of_its_name(demo_db, tmp_path):
    live = tmp_path / "db" / "caremap.duckdb"
    live.parent.mkdir()
    shutil.copyfile(demo_db, live)
    csv = tmp_path / "服务点.csv"
    csv.write_text("名称,类别,所属区,所属街道,所属社区,地址,联系电话,经度,纬度,坐标系\n"
                   "示例·翠竹Kids之家7号楼,儿童之家,南山区,粤海街道,科技园社区,南山区示例路1号,0755-00000000,113.944,"
                   "22.533,WGS84\n"
                   "示例路1号儿童站,儿童之家,南山区,粤海街道,科技园社区,南山区示例路1号,0755-00000000,113.945,22.534,WGS84\n",
                   encoding="utf-8")
    before = duckdb.connect(str(live), read_only=True)
    assert search.search_all("翠竹kids", con=before).empty
    before.close()
    demo_version = db.file_meta(live)["data_version"]
    assert cli.main(["import", str(csv), "--kind", "service_points", "--db", str(live), "--append"]) == 0
    after = duckdb.connect(str(live), read_only=True)
    try:
        found = search.search_all("翠竹kids", con=after)["id"].tolist()
        for text in ["翠竹kids", "竹K", "KIDS之家7", "之家7号楼", "示例·翠竹"]:
            assert search.search_all(text, con=after)["name"].tolist() == ["示例·翠竹Kids之家7号楼"], text
            got, want = _both(after, text)
            pd.testing.assert_frame_equal(got, want, obj=text)
        # texts with digits that a name and an address both hold (each point once), in names only, in digits only
        for text in ["示例路1号", "路1号", "1号儿童站", "7号", "7号楼", "1", "7", "17", "号楼"]:
            for filters in ({}, {"district": "440305"}):
                got, want = _both(after, text, **filters)
                pd.testing.assert_frame_equal(got, want, obj=f"{text!r} {filters}")
        assert search.search_all("示例路1号", con=after)["name"].tolist().count("示例路1号儿童站") == 1
        assert "示例·翠竹Kids之家7号楼" not in search.search_all("翠竹", district="440303", con=after)["name"].tolist()
        assert search.search_all("kids之家", district="440305", con=after)["id"].tolist() == found  # its scope
    finally:
        after.close()
    versions.rollback(demo_version, live, who="test")  # the kept version comes back with its own profiles
    restored = duckdb.connect(str(live), read_only=True)
    try:
        assert search.search_all("翠竹kids", con=restored).empty
        pd.testing.assert_frame_equal(*_both(restored, "翠竹"))
    finally:
        restored.close()
