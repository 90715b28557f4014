"""Export a chart Figure: the image (PNG at 2×, SVG, PDF via vl-convert) and its data (CSV, XLSX).

The image is the chart the page shows, with its title, scope and 来源/示例数据 footer. The data files hold
Figure.data (the named query's result with Chinese column names), with personal data masked and cells
that a spreadsheet would run as a formula (= + - @) neutralised by a leading single quote.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass

import altair as alt
import pandas as pd
import vl_convert

from caremap.common.i18n import t
from caremap.report import charts, fonts, masking
from caremap.report.charts import Figure
from caremap.store import db

FORMATS = ("png", "svg", "pdf", "csv", "xlsx")
MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PNG_SCALE = 2.0  # slides and print
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _vl_version() -> str | None:
    """The Vega-Lite version Altair writes (v6.4.1 → 6.4), if vl-convert bundles it."""
    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return version if version in vl_convert.get_vegalite_versions() else None


def spec(fig: Figure) -> dict:
    """The Vega-Lite spec of the chart; when the machine's CJK font is not Noto, it is added as a fallback."""
    status = fonts.cjk_font_status()
    text = json.dumps(fig.chart.to_dict(), ensure_ascii=False)
    if status.ok and status.family != charts.CJK_FONT:
        text = text.replace(f'"{charts.CJK_FONT}"', json.dumps(f"{charts.CJK_FONT}, {status.family}"))
    return json.loads(text)


def to_png(fig: Figure, scale: float = PNG_SCALE) -> bytes:
    return vl_convert.vegalite_to_png(spec(fig), vl_version=_vl_version(), scale=scale)


def to_svg(fig: Figure) -> bytes:
    return spec_svg(spec(fig))


def spec_svg(vega_lite: dict) -> bytes:
    """SVG of a Vega-Lite spec (a chart's spec() restyled for a screen)."""
    return vl_convert.vegalite_to_svg(vega_lite, vl_version=_vl_version()).encode("utf-8")


def to_pdf(fig: Figure) -> bytes:
    return vl_convert.vegalite_to_pdf(spec(fig), vl_version=_vl_version())


def neutralise(value):
    """'=SUM(A1)' → "'=SUM(A1)": text a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def table(fig: Figure) -> pd.DataFrame:
    """Figure.data as exported: personal data masked, no mobile number in any text, formulas neutralised."""
    out = masking.mask_personal(fig.data)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(masking.mask_mobiles).map(neutralise).astype(object)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def safe_table(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as formulas ('=…', '+…') are kept as text (neutralise)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(neutralise)
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    return safe_table(df).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        safe_table(df).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buf.getvalue()


def to_csv(fig: Figure) -> bytes:
    """The data as CSV in UTF-8 with a BOM (so Excel opens Chinese correctly); the header holds the column names."""
    return table(fig).to_csv(index=False).encode("utf-8-sig")


# Units by a word in the column name, first match wins, for the XLSX 单位 row. A unit in brackets at the end
# of the name (任职年限（年）) wins over these, and a note "单位：…" on the Figure wins over everything.
_UNITS_ZH = (("人次", "人次"), ("万元", "万元"), ("学时", "学时"), ("年限", "年"), ("单位", "个"), ("距离", "米"),
             ("率", "%"), ("占比", "%"), ("比例", "%"), ("人数", "人"), ("社工", "人"), ("督导员", "人"),
             ("主任", "人"), ("在岗", "人"), ("人员", "人"))
_UNITS_EN = (("person-times", "person-times"), ("10k yuan", "10k yuan"), ("hours", "hours"), ("years", "years"),
             ("units", "count"), ("distance", "m"), ("rate", "%"), ("share", "%"), ("workers", "persons"),
             ("supervisors", "persons"), ("directors", "persons"), ("people", "persons"))
_BRACKETED = re.compile(r"[（(]([^（()）]{1,6})[)）]$")
_KNOWN_UNITS = {"年", "月", "天", "米", "公里", "人", "个", "%", "万元", "元", "人次", "学时", "小时",
                "m", "km", "years", "months", "days", "hours", "persons", "yuan", "10k yuan"}


def units(fig: Figure, lang: str = "zh") -> str:
    """'服务点数：个' for each numeric column (or the Figure's own 单位/Units note)."""
    for note in fig.notes:
        if note.startswith(("单位", "Unit")):
            return note.split("：", 1)[-1].split(":", 1)[-1].strip()
    words = _UNITS_ZH if lang == "zh" else _UNITS_EN
    parts = []
    for col in fig.data.columns:
        if not pd.api.types.is_numeric_dtype(fig.data[col]) or pd.api.types.is_bool_dtype(fig.data[col]):
            continue
        name = str(col)
        bracketed = _BRACKETED.search(name)
        unit = bracketed.group(1) if bracketed and bracketed.group(1) in _KNOWN_UNITS else next(
            (u for word, u in words if word in name.lower()), "个" if lang == "zh" else "count")
        parts.append(f"{col}：{unit}" if lang == "zh" else f"{col}: {unit}")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def header_lines(fig: Figure, lang: str = "zh", meta_: dict | None = None) -> list[str]:
    """Title, scope, takeaway, units, source (with 示例数据) and data version: the XLSX rows above the table."""
    m = meta_ if meta_ is not None else db.meta()
    demo = t("common.demo_suffix", lang) if m.get("is_demo") == "true" else ""
    lines = [fig.title, t("export.scope", lang, scope=fig.scope_label)]
    if fig.takeaway:
        lines.append(t("export.takeaway", lang, text=fig.takeaway))
    lines += [t("export.units", lang, units=units(fig, lang) or "—"),
              t("export.source", lang, source=fig.source, demo=demo),
              t("export.version", lang, version=m.get("data_version", "?"), date=m.get("data_date", "?"))]
    return lines


def _number_format(series: pd.Series, name: str) -> str | None:
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return "#,##0"
    if pd.api.types.is_float_dtype(series):
        share = any(w in name.lower() for w in ("率", "占比", "比例", "rate", "share", "%"))
        if share and series.dropna().between(0, 1).all():
            return "0.0%"
        whole = series.dropna().eq(series.dropna().round()).all()
        return "#,##0" if whole else "#,##0.0"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "yyyy-mm-dd"
    return None


def _cell(value):
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar → Python
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


@dataclass
class Sheet:
    """One table of a report-ready workbook: its title, the lines above it and the table itself."""
    title: str
    lines: list[str]
    data: pd.DataFrame
    formats: list[str | None] | None = None   # number formats per column (default: from the column types)


def table_lines(title: str, scope_label: str, lang: str = "zh", definition: str | None = None,
                source: str | None = None, meta_: dict | None = None) -> list[str]:
    """The header block of a table's workbook: title, scope, data date and version, definition, source (示例数据)."""
    m = meta_ if meta_ is not None else db.meta()
    demo = t("common.demo_suffix", lang) if m.get("is_demo") == "true" else ""
    lines = [title, t("export.scope", lang, scope=scope_label),
             t("export.version", lang, version=m.get("data_version", "?"),
               date=m.get("as_of") or m.get("data_date", "?"))]
    if definition:
        lines.append(t("export.definition", lang, text=definition))
    lines.append(t("export.source", lang, source=source or t("export.source_app", lang), demo=demo))
    return lines


def _write_sheet(ws, sheet: Sheet) -> None:
    """Title and header lines, a blank row, then the table: a bold header row frozen under the lines, an autofilter,
    numbers as numbers with their formats, text never a formula, widths fitted to the text (CJK counts double)."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    data = safe_table(sheet.data)
    for i, line in enumerate(sheet.lines, start=1):
        cell = ws.cell(row=i, column=1)
        cell.value = neutralise(line)
        cell.data_type = "s"  # never a formula
        cell.font = Font(bold=True, size=14) if i == 1 else Font(color="555555")
    head = len(sheet.lines) + 2
    for j, col in enumerate(data.columns, start=1):
        cell = ws.cell(row=head, column=j, value=str(col))
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    formats = sheet.formats or [_number_format(sheet.data[c], str(c)) for c in sheet.data.columns]
    for i, row in enumerate(data.itertuples(index=False, name=None), start=head + 1):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j, value=_cell(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"
            if formats[j - 1]:
                cell.number_format = formats[j - 1]
    for j, col in enumerate(data.columns, start=1):
        texts = [str(col)] + [str(v) for v in data.iloc[:, j - 1].head(500)]
        width = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in s) for s in texts)
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
    if len(data.columns):
        last = get_column_letter(len(data.columns))
        ws.auto_filter.ref = f"A{head}:{last}{head + max(len(data), 1)}"
    ws.freeze_panes = ws.cell(row=head + 1, column=1)


def _sheet_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\：]", "_", title)[:28] or "data"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:25]}_{n}", n + 1
    taken.add(name)
    return name


def workbook(sheets: list[Sheet]) -> bytes:
    """A workbook with one report-ready sheet per table (导出本页: every table and chart of a page)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for sheet in sheets:
        _write_sheet(wb.create_sheet(_sheet_name(sheet.title, taken)), sheet)
    if not sheets:
        wb.create_sheet("data")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def figure_sheet(fig: Figure, lang: str = "zh", meta_: dict | None = None) -> Sheet:
    return Sheet(fig.title, header_lines(fig, lang, meta_), table(fig),
                 [_number_format(fig.data[c], str(c)) for c in fig.data.columns])


def to_xlsx(fig: Figure, lang: str = "zh", meta_: dict | None = None) -> bytes:
    """One sheet: title and metadata rows, then the table with its column names and number formats."""
    return workbook([figure_sheet(fig, lang, meta_)])


def table_xlsx(df: pd.DataFrame, lines: list[str]) -> bytes:
    """A table as a report-ready workbook: the header block (table_lines), then the table."""
    return workbook([Sheet(lines[0], lines, df)])


def render(fig: Figure, fmt: str, lang: str = "zh", meta_: dict | None = None) -> bytes:
    """The file bytes of a Figure in one of FORMATS."""
    if fmt == "png":
        return to_png(fig)
    if fmt == "svg":
        return to_svg(fig)
    if fmt == "pdf":
        return to_pdf(fig)
    if fmt == "csv":
        return to_csv(fig)
    if fmt == "xlsx":
        return to_xlsx(fig, lang, meta_)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def stem(title: str, scope_label: str, meta_: dict | None = None) -> str:
    """缺口清单_宝安区_2020-05-31: what, where (the place, not the breadcrumb) and the data date, safe for every file
    system."""
    m = meta_ if meta_ is not None else db.meta()
    place = scope_label.split("›")[-1]
    parts = [title, place, m.get("as_of") or m.get("data_date") or ""]
    safe = (re.sub(r"\s+", "-", re.sub(r"[/\\:*?\"<>|：]+", "", str(x)).strip()) for x in parts)
    return "_".join(p for p in safe if p)


def filename(fig: Figure, fmt: str, meta_: dict | None = None) -> str:
    """各区儿童服务点数_南山区_2020-05-31.png: the chart's title, the place and the data date."""
    return f"{stem(fig.title, fig.scope_label, meta_)}.{fmt}"
