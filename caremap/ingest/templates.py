"""The import templates users fill in (data/templates/, CSV and XLSX), generated from the field definitions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from caremap.common.paths import TEMPLATES
from caremap.ingest.read import col_letter
from caremap.ingest.validate import FIELDS


def template_path(kind: str, fmt: str) -> Path:
    if kind not in FIELDS or fmt not in ("xlsx", "csv"):
        raise ValueError(f"no template {kind}.{fmt}")
    return TEMPLATES / f"{kind}.{fmt}"


def template_bytes(kind: str, fmt: str) -> bytes:
    """The template file users download from the data page."""
    return template_path(kind, fmt).read_bytes()



TEMPLATE_EXAMPLES = {  # one filled, fictitious example row per kind (示例 in every name; 0755-0000000x phones)
    "service_points": ["", "示例·粤海街道儿童之家", "儿童之家", "南山区", "粤海街道", "科技园社区",
                       "深圳市南山区粤海街道示例路1号", "0755-00000000", "113.944000", "22.533000", "WGS84",
                       "2024-01-01", "30", "周二至周日 9:00–17:00", "课后托管、亲子阅读", "3-5、6-11", "到站、线上",
                       "否"],
    "workers": ["", "儿童主任", "张示例", "0755-00000001", "南山区", "粤海街道", "科技园社区", "在岗", "2020-05-01",
                "24", "社会工作者职业资格（初级）"],
    "projects": ["P90001", "示例·阳光社会工作服务中心", "示例·亲子关系促进项目", "亲子关系促进", "儿童家庭", "南山区",
                 "2020-01-01", "2020-12-31", "30.5", "3"],
    "sites": ["S90001", "P00001", "示例·科技园社区项目点", "南山区", "粤海街道", "科技园社区", "113.944000",
              "22.533000", "WGS84"],
    # a count of 0 and a source saying so: a template never carries a real-looking population figure
    "population": ["", "南山区", "粤海街道", "科技园社区", "0-17", "0", "2025", "示例：请改为实际人数与来源"],
}


def template_rows(kind: str) -> list[list[str]]:
    """Header (required columns marked *) and the example row."""
    header = [f.names[0] + ("*" if f.required else "") for f in FIELDS[kind]]
    return [header, TEMPLATE_EXAMPLES[kind]]


def write_templates(folder: Path = TEMPLATES) -> list[Path]:
    """Write <kind>.csv (UTF-8 with BOM, so Excel opens it right) and <kind>.xlsx with a 填写说明 sheet."""
    import openpyxl
    from openpyxl.styles import Font

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in FIELDS:
        rows = template_rows(kind)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(rows)
        (folder / f"{kind}.csv").write_bytes(buf.getvalue().encode("utf-8-sig"))
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "数据"
        for row in rows:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for i, f in enumerate(FIELDS[kind]):
            ws.column_dimensions[col_letter(i)].width = max(12, 2 * len(f.names[0]) + 4)
        notes = wb.create_sheet("填写说明")
        notes.append(["列 / column", "必填 / required", "可用列名 / accepted headers"])
        for f in FIELDS[kind]:
            notes.append([f.names[0], "是 / yes" if f.required else "", " / ".join(f.names)])
        notes.append([])
        notes.append(["第一张工作表为数据；示例行请替换为实际数据。"
                      "坐标系可填 WGS84、GCJ02（高德/腾讯）或 BD09（百度）。"])
        wb.properties.creator = "CareMap"
        wb.properties.created = wb.properties.modified = dt.datetime(2024, 1, 1)
        wb.save(folder / f"{kind}.xlsx")
        written += [folder / f"{kind}.csv", folder / f"{kind}.xlsx"]
    return written
