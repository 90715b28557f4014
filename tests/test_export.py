"""Every chart exports in every format; the files open, carry the title/scope/source and the query's data."""

import io
import re
import xml.etree.ElementTree as ET

import altair as alt
import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image

from caremap import cli
from caremap.common.i18n import fmt_int
from caremap.report import charts, files
from caremap.store import build, db
from conftest import app_test

CHART_IDS = sorted(charts.CHARTS)
MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
DISTRICT = "440305"


@pytest.fixture(scope="module")
def figures():
    return {cid: charts.build(cid, DISTRICT) for cid in CHART_IDS}


def _svg_text(svg: bytes) -> str:
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    return "".join(root.itertext())


def _xlsx_table(blob: bytes, fig) -> tuple[list, list, list]:
    """(metadata lines, header, rows) of an exported workbook."""
    ws = load_workbook(io.BytesIO(blob)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    head = len(files.header_lines(fig)) + 1  # a blank row between the metadata and the table
    return [r[0] for r in rows[:head - 1]], rows[head], rows[head + 1:]


@pytest.mark.parametrize("fmt", files.FORMATS)
@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_every_chart_exports_in_every_format(chart_id, fmt, figures):
    fig = figures[chart_id]
    blob = files.render(fig, fmt)
    if fmt == "png":
        img = Image.open(io.BytesIO(blob))
        img.load()
        assert img.width > 600 and img.height > 200
    elif fmt == "svg":
        text = _svg_text(blob)
        for part in (fig.title, "南山区", "来源", "示例数据"):  # title, scope and source are in the image
            assert part in text, part
        assert not MOBILE.search(text)
    elif fmt == "pdf":
        assert blob.startswith(b"%PDF") and re.search(rb"/Type\s*/Page\b", blob)
    elif fmt == "csv":
        assert blob.startswith("\ufeff".encode())
        read = pd.read_csv(io.BytesIO(blob), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert list(read.columns) == [str(c) for c in fig.data.columns]
        assert len(read) == len(fig.data)
        assert not MOBILE.search(blob.decode("utf-8-sig"))
    else:
        lines, header, rows = _xlsx_table(blob, fig)
        assert lines[0] == fig.title and header[:len(fig.data.columns)] == list(fig.data.columns)
        assert len(rows) == len(fig.data)
        assert not any(MOBILE.search(str(v)) for r in rows for v in r)


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_exported_data_equals_the_figure_data(chart_id, figures):
    fig = figures[chart_id]
    _, header, rows = _xlsx_table(files.to_xlsx(fig), fig)
    got = pd.DataFrame(rows, columns=header)
    want = files.table(fig)
    for col in want.columns:
        if pd.api.types.is_numeric_dtype(fig.data[col]) and not pd.api.types.is_bool_dtype(fig.data[col]):
            assert got[col].astype(float).fillna(-1).round(6).tolist() == \
                want[col].astype(float).fillna(-1).round(6).tolist(), col
        else:
            assert got[col].map(lambda v: "" if v is None else str(v)).tolist() == \
                want[col].map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)).tolist()


def test_points_by_system_export_holds_the_query_result():
    fig = charts.build("points_by_system", DISTRICT)
    query = db.query("points_by_system", district=DISTRICT, street=None)
    read = pd.read_csv(io.BytesIO(files.to_csv(fig)), encoding="utf-8-sig")
    assert read["服务点数"].sum() == query["points"].sum()
    assert sorted(zip(read["所属系统"], read["服务点数"])) == sorted(zip(query["system"], query["points"]))


def test_png_is_twice_the_svg_size():
    fig = charts.build("points_by_system")
    width = float(ET.fromstring(files.to_svg(fig)).get("width"))
    assert Image.open(io.BytesIO(files.to_png(fig))).width == pytest.approx(2 * width, abs=2)


def test_xlsx_carries_title_scope_units_source_version_and_number_formats():
    fig = charts.build("points_by_system", DISTRICT)
    meta = db.meta()
    ws = load_workbook(io.BytesIO(files.to_xlsx(fig))).active
    lines = [ws.cell(row=i, column=1).value for i in range(1, 7)]
    assert lines[0] == "各系统儿童服务点（按层级）"
    assert lines[1] == "范围：全市 › 南山区"
    assert lines[2].startswith("要点：") and lines[3] == "单位：服务点数：个"
    assert lines[4] == "来源：CareMap 服务点数据库（示例数据）"
    assert lines[5] == f"数据版本：{meta['data_version']} · 数据日期：{meta['data_date']}"
    assert ws.cell(row=1, column=1).font.b
    assert [c.value for c in ws[8]] == ["所属系统", "层级", "服务点数"]
    assert ws.cell(row=9, column=3).number_format == "#,##0" and isinstance(ws.cell(row=9, column=3).value, int)
    assert ws.freeze_panes == "A9"
    en = load_workbook(io.BytesIO(files.to_xlsx(charts.build("points_by_system", lang="en"), "en"))).active
    assert en.cell(row=2, column=1).value == "Scope: Whole city"


def _hostile_figure():
    data = pd.DataFrame({"名称": ["=HYPERLINK(\"http://x\",\"点我\")", "+1+2", "-3+4", "@SUM(A1)", "普通", "\t=1"],
                         "姓名": ["张三明"] * 6, "电话": ["13812345678"] * 6,
                         "备注": ["联系 13912345678", "", "", "", "", ""], "数值": [-5, 1, 2, 3, 4, 5]})
    chart = alt.Chart(data).mark_bar().encode(x="数值:Q", y="名称:N")
    return charts.Figure("hostile", "=标题", chart, data, "测试", "全市")


def test_formula_cells_are_neutralised_in_csv_and_xlsx():
    fig = _hostile_figure()
    read = pd.read_csv(io.BytesIO(files.to_csv(fig)), encoding="utf-8-sig", keep_default_na=False)
    assert read["名称"].tolist()[:4] == ["'=HYPERLINK(\"http://x\",\"点我\")", "'+1+2", "'-3+4", "'@SUM(A1)"]
    assert read["名称"].tolist()[4] == "普通" and read["数值"].tolist()[0] == -5  # numbers stay numbers
    ws = load_workbook(io.BytesIO(files.to_xlsx(fig))).active
    assert ws.cell(row=1, column=1).value == "'=标题"
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any(c.data_type == "f" for c in cells), "no cell may be a formula"
    first = len(files.header_lines(fig)) + 3  # metadata, a blank row, the header, then the data
    names = [c.value for c in cells if c.column == 1 and c.row >= first]
    assert len(names) == 6 and all(not str(v).startswith(("=", "+", "-", "@", "\t")) for v in names)
    assert [c.value for c in cells if c.column == 5 and c.row >= first][:1] == [-5]


def test_personal_data_is_masked_in_every_data_export():
    fig = _hostile_figure()
    for blob in (files.to_csv(fig), files.to_xlsx(fig)):
        text = blob.decode("utf-8-sig") if blob[:3] == b"\xef\xbb\xbf" else "".join(
            str(c) for r in load_workbook(io.BytesIO(blob)).active.iter_rows(values_only=True) for c in r)
        assert not MOBILE.search(text)
        assert "138****5678" in text and "139****5678" in text and "张*明" in text and "张三明" not in text


def test_filename_names_chart_and_scope():
    fig = charts.build("points_by_system", DISTRICT)
    assert files.filename(fig, "xlsx") == "各系统儿童服务点（按层级）_南山区_2020-05-31.xlsx"
    assert files.filename(charts.build("points_by_system"), "png") == "各系统儿童服务点（按层级）_全市_2020-05-31.png"
    assert files.stem("缺口清单", "全市 › 宝安区 › 新安街道", {"as_of": "2020-05-31"}) == "缺口清单_新安街道_2020-05-31"
    assert files.stem("a/b: c", "全市", {"data_date": "2021-01-01"}) == "ab-c_全市_2021-01-01"   # safe on every system
    with pytest.raises(ValueError):
        files.render(fig, "docx")


def test_cli_lists_and_exports(tmp_path, capsys):
    assert cli.main(["export", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed] == CHART_IDS
    out = tmp_path / "nanshan.xlsx"
    assert cli.main(["export", "points_by_system", "--format", "xlsx", "--out", str(out), "--district", DISTRICT]) == 0
    assert load_workbook(out).active.cell(row=2, column=1).value == "范围：全市 › 南山区"
    assert cli.main(["export", "no_such_chart", "--format", "png", "--out", str(tmp_path / "x.png")]) == 2
    assert cli.main(["export", "points_by_system", "--format", "png", "--out", str(tmp_path / "x.png"),
                     "--district", "999999"]) == 2
    assert "unknown district" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_overview_offers_every_format_and_renders_nothing_until_clicked(monkeypatch):
    calls = []
    monkeypatch.setattr(files, "render", lambda *a, **k: calls.append(a) or b"")
    at = app_test("pages/overview.py", district=DISTRICT)
    assert not at.exception
    buttons = {b.key: b.label for b in at.get("download_button")}
    assert {f"export_points_by_system_{fmt}" for fmt in files.FORMATS} <= buttons.keys()
    assert buttons["export_points_by_system_png"] == "PNG 图片（2倍）"
    assert calls == [], "files are rendered only when a download button is clicked"


@pytest.mark.browser
def test_download_in_a_real_browser_gives_the_files(demo_db, tmp_path):
    """The lazy download buttons work end to end: the browser receives a 2× PNG and an XLSX of the chart."""
    from browser import ConsoleLog, chromium, streamlit_app

    fig = charts.build("points_by_system")
    with streamlit_app(db=demo_db, name="export") as url, chromium(webgl=False) as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        log = ConsoleLog(page)
        page.goto(url, timeout=120_000)
        page.get_by_test_id("stMain").get_by_text(fig.title).first.wait_for(timeout=120_000)
        page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
        got = {}
        for label, fmt in (("PNG 图片（2倍）", "png"), ("Excel 数据", "xlsx")):
            button = page.get_by_role("button", name=label)
            if not button.is_visible():
                page.get_by_test_id("stPopover").get_by_role("button").first.click()
            with page.expect_download(timeout=120_000) as download:
                button.click(timeout=60_000)
            got[fmt] = download.value.suggested_filename
            download.value.save_as(tmp_path / got[fmt])
        assert not log.errors, log.errors
    assert got == {fmt: files.filename(fig, fmt) for fmt in ("png", "xlsx")}
    png = Image.open(tmp_path / got["png"])
    assert png.size == Image.open(io.BytesIO(files.to_png(fig))).size
    _, header, rows = _xlsx_table((tmp_path / got["xlsx"]).read_bytes(), fig)
    assert header[:3] == list(fig.data.columns) and len(rows) == len(fig.data)


def test_units_row_from_column_names_or_the_figures_note():
    data = pd.DataFrame({"街道": ["甲"], "服务人次": [10], "任职年限（年）": [2.5], "达标率": [0.5],
                         "空缺（有岗位记录）": [1], "社工人数": [3]})
    fig = charts.Figure("u", "单位测试", alt.Chart(data).mark_bar(), data, "测试", "全市")
    assert files.units(fig) == "服务人次：人次；任职年限（年）：年；达标率：%；空缺（有岗位记录）：个；社工人数：人"
    fig.notes = ["单位：所"]
    assert files.units(fig) == "所"
    ws = load_workbook(io.BytesIO(files.to_xlsx(fig))).active
    formats = {ws.cell(row=7, column=j).value: ws.cell(row=8, column=j).number_format for j in range(1, 7)}
    assert formats["达标率"] == "0.0%" and formats["服务人次"] == "#,##0" and formats["任职年限（年）"] == "#,##0.0"


def publish_one_more_point(live) -> int:
    """Publish a new data version as the data-admin page does: append the template's one service point (南山区)."""
    import duckdb

    from caremap import ingest
    from caremap.common.paths import TEMPLATES
    from caremap.ingest import load

    data = (TEMPLATES / "service_points.csv").read_bytes()
    con = duckdb.connect(str(live.resolve()), read_only=True)
    try:
        checked = ingest.check(data, "points.csv", "service_points", con, mode="append")
    finally:
        con.close()
    return load.publish_import(checked, data, "append", live, who="test").rows


def test_built_charts_are_cached_per_scope_language_and_published_version(tmp_path, monkeypatch):
    """charts.build builds a chart once per scope, language and published version, and hands out copies."""
    live = tmp_path / "live.duckdb"
    build.build(live)
    monkeypatch.setenv("CAREMAP_DB", str(live))
    calls = []
    real = charts.CHARTS["points_by_system"]
    monkeypatch.setitem(charts.CHARTS, "points_by_system", lambda **kw: calls.append(kw) or real(**kw))

    city = charts.build("points_by_system")
    city.data.iloc[0, -1] = -1  # a caller changing its copy does not change the cached figure
    again = charts.build("points_by_system")
    assert len(calls) == 1, "the second build is served from the cache"
    assert again.data.equals(real().data) and again.takeaway == city.takeaway

    nanshan, english = charts.build("points_by_system", DISTRICT), charts.build("points_by_system", lang="en")
    street = charts.build("points_by_system", DISTRICT, "440305007")
    assert len(calls) == 4
    assert city.scope_label == "全市" and nanshan.scope_label == "全市 › 南山区"
    assert street.scope_label == "全市 › 南山区 › 粤海街道"
    assert street.data["服务点数"].sum() < nanshan.data["服务点数"].sum() < again.data["服务点数"].sum()
    assert english.title == "Service points by owning system and level" and english.takeaway.startswith("Whole city")

    total = int(again.data["服务点数"].sum())
    added = publish_one_more_point(live)
    assert added == 1
    fresh = charts.build("points_by_system")
    assert len(calls) == 5, "a newly published version is never served the old version's figure"
    assert int(fresh.data["服务点数"].sum()) == total + added
    assert f"共有儿童服务点 {fmt_int(total + added)} 个" in fresh.takeaway
    assert int(charts.build("points_by_system", DISTRICT).data["服务点数"].sum()) == \
        int(nanshan.data["服务点数"].sum()) + added
