"""Reading the bureau's files safely: CSV (UTF-8, BOM, GBK), XLSX and XLS as rows of text cells, with size, row and
zip-bomb limits."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from caremap.common.i18n import t

MAX_FILE_BYTES = 20 * 1024 * 1024          # the same limit as server.maxUploadSize
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024     # an XLSX is a zip: refuse bombs before openpyxl inflates them
MAX_ZIP_RATIO = 200
MAX_ROWS = 200_000
HEADER_SCAN_ROWS = 30

class Unreadable(Exception):
    """The file cannot be read at all (exit code 2); the message says why, in Chinese and English."""



# ---------------------------------------------------------------- reading

def col_letter(index: int) -> str:
    """0 → A, 26 → AA: the column as Excel shows it."""
    out, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def cell_text(value) -> str:
    """Any cell (str, int, float, date) as the text a user would type; whole floats lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise Unreadable(t("ingest.binary", "zh") + " / " + t("ingest.binary", "en"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable(t("ingest.bad_encoding", "zh") + " / " + t("ingest.bad_encoding", "en"))


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(data)
    sample = text[:4096]
    delimiter = max([",", "\t", ";"], key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(n, row) for n, row in enumerate(reader, 1)]


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise Unreadable(t("ingest.bad_xlsx", "zh") + " / " + t("ingest.bad_xlsx", "en")) from exc
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
        raise Unreadable(t("ingest.zip_bomb", "zh", mb=total // 2**20) + " / " + t("ingest.zip_bomb", "en",
                                                                                   mb=total // 2**20))


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl

    _check_zip(data)
    try:
        # read_only streams rows; data_only takes cached values, never formulas; macros are never run.
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise Unreadable(t("ingest.bad_xlsx", "zh") + " / " + t("ingest.bad_xlsx", "en")) from exc
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # some writers store a wrong sheet size; read every row that is there
        rows = []
        for n, row in enumerate(ws.iter_rows(min_row=1, min_col=1, values_only=True), 1):
            if n > MAX_ROWS:
                raise Unreadable(t("ingest.too_many_rows", "zh", n=MAX_ROWS) + " / "
                                 + t("ingest.too_many_rows", "en", n=MAX_ROWS))
            rows.append((n, [cell_text(v) for v in row]))
        return rows
    finally:
        wb.close()


def _read_xls(data: bytes) -> list[tuple[int, list[str]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct errors...
        raise Unreadable(t("ingest.bad_xls", "zh") + " / " + t("ingest.bad_xls", "en")) from exc
    rows = []
    for r in range(min(sheet.nrows, MAX_ROWS + 1)):
        cells = []
        for c in range(sheet.ncols):
            cell = sheet.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                cells.append(cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
            else:
                cells.append(cell_text(cell.value))
        rows.append((r + 1, cells))
    return rows


def read_rows(data: bytes, file_name: str) -> list[tuple[int, list[str]]]:
    """Every row of the first sheet as (Excel row number, cell texts); raises Unreadable."""
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(t("ingest.too_big", "zh", mb=MAX_FILE_BYTES // 2**20) + " / "
                         + t("ingest.too_big", "en", mb=MAX_FILE_BYTES // 2**20))
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xlsm":
        raise Unreadable(t("ingest.macro", "zh") + " / " + t("ingest.macro", "en"))
    if data.startswith(b"PK\x03\x04"):   # by content, not name: people rename files
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return _read_xls(data)
    if suffix in (".xlsx", ".xls"):
        raise Unreadable(t("ingest.bad_xlsx", "zh") + " / " + t("ingest.bad_xlsx", "en"))
    return _read_csv(data)
