"""The citizens' view (public.py): every page runs, the near-me list is ordered by distance from the chosen place,
the call and direction links carry correctly converted coordinates, and nothing of the workforce is reachable —
not in the pages' imports, their queries, their output, nor (in the browser, at 375×667) the WebSocket payload."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from caremap.common import crs
from caremap.common.paths import QUERIES
from caremap.report import public
from caremap.store import db

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_FILES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "public").glob("*.py"))
PUBLIC_PAGES = [p for p in PUBLIC_FILES if p != "public/app.py"]
# What a public file may import from caremap: nothing that reaches the workforce or the admin functions.
ALLOWED = {"caremap.app.urlstate", "caremap.app.session", "caremap.app.geolocate", "caremap.common.i18n",
           "caremap.report.public", "caremap.report.maps", "caremap.store.db", "caremap.store.startup",
           "caremap.app.heap"}   # the garbage collector's freeze: imports nothing of the project


def _page(script: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _workers() -> tuple[set[str], set[str]]:
    con = db.connect()
    names = {n for (n,) in con.execute("select name from worker where name is not null").fetchall()}
    phones = {p for (p,) in con.execute("select phone from worker where phone is not null").fetchall()}
    assert names and phones   # the demo roster has names and phones to look for
    return names, phones


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("caremap"):
            found |= {f"{node.module}.{a.name}" if node.module.count(".") < 2 else node.module for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("caremap")}
    return found


@pytest.mark.parametrize("script", PUBLIC_FILES)
def test_the_public_files_import_nothing_that_reaches_the_workforce(script):
    assert _imports(ROOT / script) <= ALLOWED, _imports(ROOT / script) - ALLOWED


def test_the_public_queries_never_read_the_workforce():
    for name in public.PUBLIC_QUERIES:
        text = (QUERIES / f"{name}.sql").read_text(encoding="utf-8").lower()
        assert not re.search(r"\b(worker|worker_states|community_tally|import_log)\b", text), name
    with pytest.raises(ValueError):
        public._query("workforce_by_district")


@pytest.mark.parametrize("script", PUBLIC_PAGES)
@pytest.mark.parametrize("lang", [None, "en"])
def test_every_public_page_runs_labelled_and_shows_no_worker(script, lang):
    at = _page(script, **({"lang": lang} if lang else {}))
    assert not at.exception
    shown = str([e.proto for e in at.main])
    if script != "public/about.py":
        assert "示例数据" in shown
    names, phones = _workers()
    assert not [n for n in names if n in shown] and not [p for p in phones if p in shown]


def test_the_near_list_is_ordered_by_straight_line_distance_from_the_chosen_place():
    at = _page("public/find.py", public_district="440304", public_place="440304002")
    assert not at.exception
    origin = public.origin_of_place("440304002")
    rows = public.near(origin)
    assert len(rows) == public.NEAR_ROWS
    d = [crs.haversine_m(origin.lon, origin.lat, lon, lat) for lon, lat in zip(rows["lon"], rows["lat"])]
    assert d == sorted(d) and rows["distance_m"].round(3).tolist() == pytest.approx([round(x, 3) for x in d])
    titles = [m.value[4:].replace("\\", "") for m in at.markdown if m.value.startswith("### ")]
    assert titles == rows["name"].tolist()
    assert any(f"从 {origin.label} 出发，按直线距离由近到远（不是步行路程）" in m.value for m in at.markdown)


def test_call_and_direction_links_carry_each_map_s_coordinates():
    at = _page("public/find.py", public_district="440305", public_place="440305006")
    first = public.near(public.origin_of_place("440305006")).iloc[0]
    urls = [b.proto.url for b in at.get("link_button")]
    tel, amap, baidu, tencent = urls[:4]
    assert tel == "tel:" + re.sub(r"\D", "", first["phone"].split("、")[0])
    glon, glat = crs.wgs84_to_gcj02(first["lon"], first["lat"])
    blon, blat = crs.wgs84_to_bd09(first["lon"], first["lat"])
    q = parse_qs(urlparse(amap).query)
    assert q["position"] == [f"{glon:.6f},{glat:.6f}"] and q["coordinate"] == ["gaode"] and q["name"] == [first["name"]]
    q = parse_qs(urlparse(baidu).query)
    assert q["location"] == [f"{blat:.6f},{blon:.6f}"] and q["coord_type"] == ["bd09ll"]
    marker = parse_qs(urlparse(tencent).query)["marker"][0]
    assert marker.startswith(f"coord:{glat:.6f},{glon:.6f};title:{first['name']}")
    # against the published reference pairs (coordtransform's, as in test_crs): a WGS-84 point whose GCJ-02 is
    # (116.404, 39.915) must be sent to AMap and Tencent as that, and to Baidu as its published BD-09
    from test_crs import REF_GCJ02_TO_BD09, REF_IN
    links = public.nav_links(*crs.gcj02_to_wgs84(*REF_IN), "天安门")
    assert parse_qs(urlparse(links["amap"]).query)["position"] == [f"{REF_IN[0]:.6f},{REF_IN[1]:.6f}"]
    assert parse_qs(urlparse(links["baidu"]).query)["location"] == [
        f"{REF_GCJ02_TO_BD09[1]:.6f},{REF_GCJ02_TO_BD09[0]:.6f}"]
    assert parse_qs(urlparse(links["tencent"]).query)["marker"][0].startswith(f"coord:{REF_IN[1]:.6f},{REF_IN[0]:.6f};")


def test_a_typed_place_starts_the_list_at_that_place():
    name = db.query("public_near", lon=114.05, lat=22.54, category="children_home", age=None, form=None,
                    max_rows=1)["name"].iloc[0]
    at = _page("public/find.py", public_how="landmark", public_q=name)
    assert not at.exception
    titles = [m.value[4:].replace("\\", "") for m in at.markdown if m.value.startswith("### ")]
    assert titles[0] == name and "直线 0 米" in [m.value for m in at.markdown][2]
    at = _page("public/find.py", public_how="landmark", public_q="不存在的地方xyz")
    assert [i.value for i in at.info] == ["没有找到“不存在的地方xyz”：请换一个地名，或改用选择街道或社区。"]


def test_hostile_text_stays_text():
    assert public.plain("[点此](javascript:alert(1)) <img src=x onerror=alert(1)> **粗**") == (
        "\\[点此\\]\\(javascript:alert\\(1\\)\\) &lt;img src=x onerror=alert\\(1\\)&gt; \\*\\*粗\\*\\*")
    assert public.tel_link("138****5678") is None and public.tel_link(None) is None
    assert public.tel_link("0755-8888 0000、12345") == "tel:075588880000"


def test_the_child_s_age_and_the_form_of_service_filter_the_list():
    origin = public.origin_of_place("440304002")
    young = public.near(origin, age="0-2", n=200)
    assert len(young) == 200 and "children_home" not in set(young["category"])   # homes serve 3 and over (示例)
    assert all("0-2" in a.split(",") for a in young["ages"].dropna())
    online = public.near(origin, form="线上", n=50)
    assert all("线上" in f.split(",") for f in online["service_forms"].dropna())
    at = _page("public/find.py", public_district="440304", public_place="440304002", public_age="0-2")
    assert not at.exception
    shown = [m.value for m in at.markdown]
    assert not any("儿童之家 ·" in v for v in shown) and any("服务对象：0–2岁" in v for v in shown)


def test_the_new_service_fields_are_imported_and_checked():
    from caremap import ingest

    con = db.connect()
    text = ("名称,类别,所属区,所属街道,地址,经度,纬度,开放时间,服务内容,服务对象年龄,服务形式,是否需预约\n"
            "示例·甲,儿童之家,南山区,粤海街道,南山区示例路1号,113.944,22.533,周一 9:00,阅读,3-6岁、6-12,到店、网上,"
            "需要\n"
            "示例·乙,儿童之家,南山区,粤海街道,南山区示例路2号,113.945,22.534,,,十岁,飞行,也许\n")
    checked = ingest.check(text.encode(), "p.csv", "service_points", con)
    row = checked.rows.iloc[0]
    assert (row["hours"], row["services"], row["ages"], row["service_forms"], row["appointment"]) == (
        "周一 9:00", "阅读", "3-5,6-11,12-17", "到站,线上", True)
    lines = "\n".join(ingest.report_lines(checked))
    assert "第3行 J列（服务对象年龄）“十岁”：无法识别的服务对象年龄" in lines
    assert "第3行 K列（服务形式）“飞行”：无法识别的服务形式" in lines
    assert "第3行 L列（是否需预约）“也许”：应填“是”或“否”" in lines


# --- 纠错 / 提问: the review queue ------------------------------------------------------------------------------


@pytest.fixture()
def own_queue(tmp_path, monkeypatch, demo_db):
    """This test's own database folder, so its feedback.sqlite is its own."""
    import shutil

    path = tmp_path / "db" / "caremap.duckdb"
    path.parent.mkdir()
    shutil.copyfile(demo_db.resolve(), path)
    monkeypatch.setenv("CAREMAP_DB", str(path))
    return path


def test_reports_are_queued_limited_in_size_and_rate_and_reviewed(own_queue):
    import datetime as dt

    from caremap.store import feedback

    now = dt.datetime(2026, 12, 1, 10, 0, 0)
    for i in range(5):
        feedback.submit("wrong_info", f"电话不对 {i}", "session-a", "10.0.0.1", now=now + dt.timedelta(seconds=i))
    with pytest.raises(feedback.FeedbackRefused) as refused:   # the 6th within a minute, same session
        feedback.submit("question", "还有一个问题", "session-a", "10.0.0.9", now=now + dt.timedelta(seconds=30))
    assert refused.value.code == "too_many"
    with pytest.raises(feedback.FeedbackRefused):              # another session from the same address
        feedback.submit("question", "换个会话", "session-b", "10.0.0.1", now=now + dt.timedelta(seconds=31))
    feedback.submit("question", "一分钟后", "session-a", "10.0.0.1", now=now + dt.timedelta(seconds=65))
    for body, code in (("", "empty"), ("   \x00\x07 ", "empty"), ("长" * 501, "too_long")):
        with pytest.raises(feedback.FeedbackRefused) as refused:
            feedback.submit("question", body, "session-c", "10.0.0.3", now=now)
        assert refused.value.code == code
    queue = feedback.queue()
    assert len(queue) == 6 and set(queue["status"]) == {"new"} and "session_hash" not in queue.columns
    feedback.decide(int(queue["id"].iloc[0]), "accepted", "web:审核员")
    assert feedback.queue("accepted")["reviewed_by"].tolist() == ["web:审核员"]


def test_the_public_form_stores_a_report_and_refuses_the_sixth_in_a_minute(own_queue):
    from caremap.store import feedback

    at = _page("public/find.py", public_district="440304", public_place="440304002")
    first = public.near(public.origin_of_place("440304002")).iloc[0]
    for i in range(6):
        at.selectbox(key="public_fb_point").set_value(first["id"])
        at.text_area(key="public_fb_body").input(f"地址写错了，第{i + 1}次")
        at.get("form_submit_button")[0].click().run()
        assert not at.exception
        if i < 5:
            assert at.success[-1].value.startswith("已收到，谢谢！编号 ")
    assert at.error[-1].value == "提交太频繁：每分钟最多 5 条，请稍后再试。"
    queue = feedback.queue()
    assert len(queue) == 5 and set(queue["point_id"]) == {first["id"]} and set(queue["point_name"]) == {first["name"]}
    assert sorted(queue["body"]) == sorted(f"地址写错了，第{i + 1}次" for i in range(5))
