"""Report-ready files: every table's XLSX carries its title, scope, data date and version, definition and source
(示例数据) above a frozen, filtered header, with widths fitted and numbers as numbers; file names say what, where
and as of when; CSV stays data only; 导出本页 puts every table and chart of a page in one workbook."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from caremap.report import coverage, metrics
from caremap.store import db
from conftest import app_test, xlsx_table


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def test_the_gap_list_file_is_ready_for_a_report(downloads):
    at = app_test("pages/coverage.py", district="440306", coverage_tab="gaps")
    assert not at.exception, at.exception
    got, names = downloads(at), downloads.names(at)
    data_date = db.meta()["data_date"]
    assert names["coverage_gaps_xlsx"] == f"缺口清单_宝安区_{data_date}.xlsx"
    assert names["coverage_gaps_csv"] == f"缺口清单_宝安区_{data_date}.csv"
    ws = openpyxl.load_workbook(io.BytesIO(got["coverage_gaps_xlsx"])).active
    header = [ws.cell(row=r, column=1).value for r in range(1, 6)]
    assert header[0] == "缺口清单" and header[1] == "范围：全市 › 宝安区"
    assert header[2] == f"数据版本：{db.meta()['data_version']} · 数据日期：{data_date}"
    gap = metrics.terms("zh").set_index("key").at["gap", "definition"]
    assert header[3] == f"口径：{gap}" and header[4].startswith("来源：") and header[4].endswith("（示例数据）")
    assert ws.freeze_panes == "A8" and ws.cell(row=7, column=1).font.bold   # header row 7, frozen under it
    shown = next(d.value for d in at.dataframe if "缺少" in d.value.columns)
    assert ws.auto_filter.ref == f"A7:{openpyxl.utils.get_column_letter(len(shown.columns))}{7 + len(shown)}"
    table = xlsx_table(got["coverage_gaps_xlsx"])
    assert table.columns.tolist() == shown.columns.tolist() and len(table) == len(shown)
    col = openpyxl.utils.get_column_letter(shown.columns.get_loc("缺少") + 1)
    longest = max(_width(v) for v in shown["缺少"].astype(str))
    assert ws.column_dimensions[col].width >= min(longest + 2, 60)   # the 缺少 column is not cut off
    csv = pd.read_csv(io.BytesIO(got["coverage_gaps_csv"]), encoding="utf-8-sig")   # data only
    assert csv.columns.tolist() == shown.columns.tolist() and got["coverage_gaps_csv"].startswith(b"\xef\xbb\xbf")


def test_numbers_stay_numbers_and_english_files_are_english(downloads):
    at = app_test("pages/workforce.py", lang="en")
    assert not at.exception, at.exception
    got, names = downloads(at), downloads.names(at)
    assert names["workforce_district_xlsx"].startswith("By-district_Whole-city_")
    ws = openpyxl.load_workbook(io.BytesIO(got["workforce_district_xlsx"])).active
    assert ws.cell(row=2, column=1).value == "Scope: Whole city"
    first = int(ws.freeze_panes[1:])
    numbers = [c.value for c in ws[first] if isinstance(c.value, (int, float))]
    assert numbers and all(not isinstance(v, str) for v in numbers)
    from caremap.common.i18n import t
    assert ws.cell(row=4, column=1).value == f"Source: CareMap workforce database{t('common.demo_suffix', 'en')}"


def test_export_this_page_holds_every_table_and_chart_in_one_workbook(downloads):
    at = app_test("dashboard.py", district="440305", coverage_tab="gaps")   # the button is the app's
    at.switch_page("pages/coverage.py").run()
    assert not at.exception, at.exception
    got, names = downloads(at), downloads.names(at)
    assert names["export_page_all"].startswith("导出本页_") and names["export_page_all"].endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(got["export_page_all"]))
    offered = {k for k in got if k.endswith("_xlsx")}   # every table and chart offers its own XLSX too
    assert len(book.sheetnames) == len(offered)
    titles = [book[name].cell(row=1, column=1).value for name in book.sheetnames]
    assert "缺口清单" in titles and len(titles) >= 1   # the open tab's tables (a tab is built only when open)
    for name in book.sheetnames:
        ws = book[name]
        assert ws.cell(row=2, column=1).value == "范围：全市 › 南山区" and ws.freeze_panes and ws.auto_filter.ref
    gaps = book[book.sheetnames[titles.index("缺口清单")]]
    comp = coverage.compliance(district="440305", street=None)
    assert gaps.max_row - int(gaps.freeze_panes[1:]) + 1 == len(coverage.gap_list(comp, "zh", tuple(
        comp["standard_id"].unique())))
