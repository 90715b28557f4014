"""Reading, normalising and validating the bureau's own files (CSV, XLSX, XLS) before an import.

`check(data, file_name, kind, con)` reads what people really send (GBK CSV, title rows, notes, header
synonyms, full-width digits, variant place names, GCJ-02/BD-09 coordinates, swapped lat/lon) and returns
the rows ready for the table plus one Problem per row problem. Nothing here writes: see caremap.publish.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from shapely.geometry import Point

from caremap import crs as crsmod
from caremap import db, geo
from caremap.i18n import t
from caremap.paths import TEMPLATES

MAX_FILE_BYTES = 20 * 1024 * 1024          # the same limit as server.maxUploadSize
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024     # an XLSX is a zip: refuse bombs before openpyxl inflates them
MAX_ZIP_RATIO = 200
MAX_ROWS = 200_000
HEADER_SCAN_ROWS = 30
NEAR_DEG = 0.002                           # ~200 m: boundary polygons are coarse at the coast and borders
SZ_CODE = "4403"

KIND_NAMES = ("service_points", "workers", "projects", "sites")
ROLES = {"儿童督导员": "儿童督导员", "督导员": "儿童督导员", "supervisor": "儿童督导员",
         "childsupervisor": "儿童督导员", "儿童主任": "儿童主任", "主任": "儿童主任",
         "director": "儿童主任", "childdirector": "儿童主任"}
STATUSES = {"在岗": "在岗", "在职": "在岗", "inpost": "在岗", "active": "在岗",
            "空缺": "空缺", "空岗": "空缺", "缺员": "空缺", "vacant": "空缺"}
NOTE_MARKERS = ("注", "备注", "说明", "填表", "制表", "审核", "合计", "总计", "数据来源", "来源", "note", "*")


class Unreadable(Exception):
    """The file cannot be read at all (exit code 2); the message says why, in Chinese and English."""


@dataclass(frozen=True)
class Field:
    key: str
    names: tuple[str, ...]   # header synonyms; the first is the template's Chinese header
    required: bool = False


_PLACE = (Field("district", ("所属区", "district", "区", "所属区(新区)", "辖区"), True),
          Field("street", ("所属街道", "street", "街道"), True),
          Field("community", ("所属社区", "community", "社区")))
_COORDS = (Field("lon", ("经度", "lon", "lng", "longitude")), Field("lat", ("纬度", "lat", "latitude")),
           Field("crs", ("坐标系", "crs", "坐标系统")))
FIELDS: dict[str, tuple[Field, ...]] = {
    "service_points": (
        Field("id", ("编号", "id", "点位编号")),
        Field("name", ("名称", "name", "机构名称", "点位名称", "服务点名称"), True),
        Field("category", ("类别", "category", "类型", "服务点类别"), True),
        *_PLACE,
        Field("address", ("地址", "address", "详细地址"), True),
        Field("phone", ("联系电话", "phone", "电话", "tel")),
        Field("lon", _COORDS[0].names, True), Field("lat", _COORDS[1].names, True), _COORDS[2],
        Field("updated_on", ("更新日期", "updated_on", "更新时间")),
    ),
    "workers": (
        Field("id", ("编号", "id", "人员编号")),
        Field("role", ("角色", "role", "岗位"), True),
        Field("name", ("姓名", "name")),
        Field("phone", ("联系电话", "phone", "电话", "手机")),
        *_PLACE,
        Field("status", ("状态", "status", "在岗状态"), True),
        Field("appointed_on", ("任职日期", "appointed_on", "聘任日期")),
        Field("training_hours", ("培训学时", "training_hours", "培训时长")),
        Field("certificate", ("证书", "certificate", "资格证书")),
    ),
    "projects": (
        Field("id", ("项目编号", "project_id", "id", "编号")),
        Field("org", ("机构", "org", "机构名称", "承接机构", "社工机构", "org_id"), True),
        Field("name", ("项目名称", "name", "project", "名称"), True),
        Field("domain", ("服务领域", "domain")),
        Field("target_group", ("服务对象", "target_group")),
        Field("district", _PLACE[0].names),
        Field("start_on", ("开始日期", "start_on", "start")),
        Field("end_on", ("结束日期", "end_on", "end")),
        Field("funding_wan", ("资金(万元)", "funding_wan", "资金", "funding")),
        Field("social_workers", ("社工人数", "social_workers")),
    ),
    "sites": (
        Field("id", ("项目点编号", "site_id", "id", "编号")),
        Field("project", ("项目编号", "project_id", "项目"), True),
        Field("name", ("项目点名称", "name", "名称"), True),
        _PLACE[0], Field("street", _PLACE[1].names), _PLACE[2], *_COORDS,
    ),
}
ID_PREFIX = {"service_points": ("SP", 7), "workers": ("W", 5), "projects": ("P", 5), "sites": ("S", 5)}


@dataclass(frozen=True)
class Problem:
    """One problem in one cell (or the whole file when row is None), rendered from labels/ingest.toml."""
    file: str
    row: int | None
    column: str | None      # the spreadsheet column letter, as Excel shows it
    header: str | None      # the header text as written in the file
    value: str
    code: str               # label key in ingest.toml: what is wrong; <code>_fix: how to fix it
    params: tuple = ()
    severity: str = "error"

    def text(self, language: str = "zh") -> str:
        p = dict(self.params)
        what = t(f"ingest.{self.code}", language, **p)
        fix = t(f"ingest.{self.code}_fix", language, **p)
        sev = t(f"ingest.{self.severity}", language)
        if self.row is None:
            return t("ingest.file_line", language, severity=sev, file=self.file, what=what, fix=fix)
        return t("ingest.row_line", language, severity=sev, file=self.file, row=self.row, col=self.column,
                 header=self.header, value=self.value, what=what, fix=fix)


@dataclass
class Checked:
    """The outcome of check(): table-ready rows, problems, and the file as read for the preview."""
    kind: str
    file_name: str
    sha256: str
    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    data_rows: int = 0
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    new_orgs: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors and self.data_rows > 0

    @property
    def rows_rejected(self) -> int:
        return len({p.row for p in self.errors if p.row is not None})


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


# ---------------------------------------------------------------- normalising

def nfkc(text: str) -> str:
    """Full-width digits, letters and punctuation to half-width; trimmed; inner whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip()


_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}


def clean_text(text: str) -> str:
    """Free text (names, addresses): full-width digits and letters to half-width, Chinese punctuation kept."""
    return re.sub(r"\s+", " ", (text or "").translate(_FULLWIDTH_ALNUM).replace("\u3000", " ")).strip()


def header_key(text: str) -> str:
    return re.sub(r"[\s*]|\(必填\)|\(选填\)", "", nfkc(text).lower())


def _key(text: str) -> str:
    """Loose key for duplicate checks: NFKC, no spaces, lower case."""
    return re.sub(r"\s", "", nfkc(text).lower())


def _find_header(rows, fields) -> tuple[int, dict[int, Field]] | None:
    synonyms = {header_key(n): f for f in fields for n in f.names}
    best = None
    for i, (_, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping = {c: synonyms[header_key(v)] for c, v in enumerate(cells) if header_key(v) in synonyms}
        score = len({f.key for f in mapping.values()})
        if score >= 2 and (best is None or score > best[0]):
            best = (score, i, mapping)
    return (best[1], best[2]) if best else None


def _is_note(cells: list[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    return len(filled) == 1 and nfkc(filled[0]).lower().startswith(NOTE_MARKERS)


class Matcher:
    """Names in variant forms (南山, 南山区, 南山街道办事处, 440305, Nanshan) to one reference code."""

    def __init__(self, entries: list[tuple[str, str, list[str]]], suffixes: tuple[str, ...], prefixes=()):
        self.suffixes, self.prefixes = suffixes, prefixes
        self.entries = entries  # (code, display name, [names])
        self.keys: dict[str, set[str]] = {}
        for code, _, names in entries:
            for n in names:
                if n:
                    self.keys.setdefault(self.key(n), set()).add(code)
        self.display = {code: name for code, name, _ in entries}

    def key(self, text: str) -> str:
        k = re.sub(r"\s", "", nfkc(text)).lower()
        for p in ("广东省", "深圳市", "深圳", *self.prefixes):
            if k.startswith(p) and len(k) > len(p):
                k = k[len(p):]
        for s in self.suffixes:
            if k.endswith(s) and len(k) > len(s):
                k = k[: -len(s)]
                break
        return k

    def match(self, text: str, within: set[str] | None = None) -> tuple[str | None, str | None, tuple]:
        """(code, None, ()) or (None, 'ambiguous'|'unknown', params)."""
        def allowed(codes):
            return {c for c in codes if within is None or c in within}
        raw = nfkc(text)
        if raw in self.display and allowed({raw}):
            return raw, None, ()
        k = self.key(text)
        codes = allowed(self.keys.get(k, set()))
        if not codes and k:
            codes = allowed({c for key, cs in self.keys.items() if key.startswith(k) for c in cs})
        if len(codes) == 1:
            return codes.pop(), None, ()
        if codes:
            return None, "ambiguous", (("names", "、".join(sorted(self.display[c] for c in codes))),)
        pool = {key: c for key, cs in self.keys.items() for c in allowed(cs)}
        close = difflib.get_close_matches(k, list(pool), n=3, cutoff=0.3)
        names = list(dict.fromkeys(self.display[pool[c]] for c in close))
        if not names:
            names = sorted({self.display[c] for c in pool.values()})[:5]
        return None, "unknown", (("names", "、".join(names)),)


@dataclass
class Reference:
    """What the current database already holds: places, categories, existing rows for duplicate checks."""
    districts: Matcher
    streets: Matcher
    communities: Matcher
    categories: Matcher
    street_district: dict
    community_street: dict
    existing: dict

    @classmethod
    def load(cls, con) -> Reference:
        d = db.run(con, "import_districts")
        s = db.run(con, "import_streets")
        c = db.run(con, "import_communities")
        k = db.run(con, "import_categories")
        districts = Matcher([(r.code, r.name, [r.name, r.name_en or ""]) for r in d.itertuples()], ("新区", "区"))
        dnames = tuple(re.sub(r"\s", "", n).lower() for n in d["name"])
        streets = Matcher([(r.code, r.name, [r.name]) for r in s.itertuples()],
                          ("街道办事处", "街道办", "办事处", "街道"), dnames)
        communities = Matcher([(r.code, r.name, [r.name, r.official_name or ""]) for r in c.itertuples()],
                              ("社区居民委员会", "社区居委会", "居民委员会", "居委会", "社区工作站", "社区"), dnames)
        categories = Matcher([(r.code, r.name, [r.code, r.name, r.name_en or ""]) for r in k.itertuples()], ())
        existing = {name: db.run(con, f"import_existing_{name}") for name in
                    ("points", "workers", "projects", "orgs", "sites")}
        return cls(districts, streets, communities, categories, dict(zip(s["code"], s["district_code"])),
                   dict(zip(c["code"], c["street_code"])), existing)


def parse_date(text: str) -> str | None:
    """'2020-05-01', '2020/5/1', '2020.5.1', '2020年5月1日', '20200501' → '2020-05-01'; None if not a date."""
    if re.fullmatch(r"[2-7]\d{4}", nfkc(text)):  # an Excel date serial that lost its date format
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(nfkc(text)))).isoformat()
    s = nfkc(text).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    s = s.split(" ")[0].strip("-")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    if not m:
        return None
    try:
        return dt.date(*map(int, m.groups())).isoformat()
    except ValueError:
        return None


def parse_phone(text: str) -> tuple[str | None, bool]:
    """Mainland mobile, landline with area code, Shenzhen 8-digit local, 400/800 and 5-digit hotlines.

    Returns (normalised text, area code added) or (None, False). Several numbers may be separated by 、,;/.
    """
    out, added = [], False
    for part in re.split(r"[、,;/]", nfkc(text)):
        d = re.sub(r"[\s\-()]", "", part)
        if not d:
            continue
        if m := re.fullmatch(r"(?:\+?86)?(1[3-9]\d{9})", d):
            out.append(m.group(1))
        elif re.fullmatch(r"0(?:[12]\d)\d{7,8}", d):
            out.append(f"{d[:3]}-{d[3:]}")
        elif re.fullmatch(r"0[3-9]\d{2}\d{7,8}", d):
            out.append(f"{d[:4]}-{d[4:]}")
        elif re.fullmatch(r"(?:755)?[2-8]\d{7}", d):   # no area code, or Excel dropped the leading 0 of 0755
            out.append(f"0755-{d[-8:]}")
            added = True
        elif re.fullmatch(r"[48]00\d{7}", d):
            out.append(f"{d[:3]}-{d[3:6]}-{d[6:]}")
        elif re.fullmatch(r"1\d{4}", d):
            out.append(d)
        else:
            return None, False
    return ("、".join(out) or None), added


def _number(text: str) -> float | None:
    try:
        v = float(nfkc(text).replace(",", ""))
    except ValueError:
        return None
    return v if v == v and abs(v) != float("inf") else None


# ---------------------------------------------------------------- checking

class _Row:
    """One data row while it is checked: its cells by field and the problems found."""

    def __init__(self, ctx: _Context, row: int, cells: dict[str, tuple[int, str, str]]):
        self.ctx, self.row, self.cells, self.out = ctx, row, cells, {}

    def raw(self, key: str) -> str:
        return self.cells[key][2] if key in self.cells else ""

    def add(self, key: str, code: str, severity: str = "error", **params) -> None:
        col, header, value = self.cells.get(key, (None, self.ctx.header_of(key), ""))
        self.ctx.problems.append(Problem(self.ctx.file, self.row, col_letter(col) if col is not None else "-",
                                         header, value, code, tuple(sorted(params.items())), severity))


class _Context:
    def __init__(self, file_name: str, kind: str, ref: Reference, default_crs: str, mode: str):
        self.file, self.kind, self.ref, self.crs, self.mode = file_name, kind, ref, default_crs, mode
        self.problems: list[Problem] = []
        self.headers: dict[str, str] = {}

    def errors_so_far(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def header_of(self, key: str) -> str:
        return self.headers.get(key) or next(f.names[0] for f in FIELDS[self.kind] if f.key == key)


def _place(r: _Row) -> None:
    ref = r.ctx.ref
    district, street, community = r.raw("district"), r.raw("street"), r.raw("community")
    dcode = scode = ccode = None
    if district:
        dcode, err, params = ref.districts.match(district)
        if err:
            as_street, _, _ = ref.streets.match(district)  # a street written in the district column
            if err == "unknown" and as_street:
                params = (("names", ref.districts.display[ref.street_district[as_street]]),)
            r.add("district", f"district_{err}", **dict(params))
            return
    if street and dcode:
        scode, err, params = ref.streets.match(street, {c for c, d in ref.street_district.items() if d == dcode})
        if err:
            other, _, _ = ref.streets.match(street)
            actual = ref.street_district.get(other) if other else None
            if actual == "4403DP" and dcode == "440307":   # 葵涌/大鹏/南澳 carry 龙岗区 codes: accept, say so
                scode, dcode = other, actual
                r.add("street", "dapeng", "warning", street=ref.streets.display[other])
            elif actual:
                r.add("street", "street_other_district", street=ref.streets.display[other],
                      actual=ref.districts.display[actual], district=ref.districts.display[dcode])
                return
            else:
                r.add("street", f"street_{err}", **dict(params))
                return
    if community and dcode:
        within = {c for c, s in ref.community_street.items()
                  if (s == scode if scode else ref.street_district.get(s) == dcode)}
        ccode, err, params = ref.communities.match(community, within)
        if err:
            r.add("community", f"community_{err}", **dict(params))
            return
        scode = ref.community_street[ccode]
    r.out.update(district_code=dcode, street_code=scode, community_code=ccode)


def _coords(r: _Row, required: bool) -> None:
    lon_t, lat_t = r.raw("lon"), r.raw("lat")
    r.out.update(lon=None, lat=None, source_crs=None)
    if not lon_t and not lat_t and not required:
        return
    lon, lat = _number(lon_t), _number(lat_t)
    for key, text, v in (("lon", lon_t, lon), ("lat", lat_t, lat)):
        if text and v is None:
            r.add(key, "bad_number")
        elif not text and not required:   # a required one is already reported as missing
            r.add(key, "missing_coord")
    if lon is None or lat is None:
        return
    try:
        system = crsmod.normalise_system(r.raw("crs") or r.ctx.crs)
    except ValueError:
        r.add("crs", "bad_crs")
        return
    if 18 <= lon <= 27 and 108 <= lat <= 120:
        lon, lat = lat, lon
        r.add("lat", "swapped", "warning")
    wlon, wlat = crsmod.convert(lon, lat, system, "WGS84")
    found = geo.locate_district(wlon, wlat)
    shapes = geo.district_shapes()
    pt = Point(wlon, wlat)
    if found is None:
        near = [c for c, g in shapes.items() if g.distance(pt) < NEAR_DEG]
        if not near:
            r.add("lon", "outside_city", lon=f"{wlon:.6f}", lat=f"{wlat:.6f}")
            return
        found = near[0]
    stated = r.out.get("district_code")
    if stated and found != stated and shapes[stated].distance(pt) >= NEAR_DEG:
        r.add("lon", "outside_district", lon=f"{wlon:.6f}", lat=f"{wlat:.6f}",
              actual=r.ctx.ref.districts.display[found], district=r.ctx.ref.districts.display[stated])
        return
    r.out.update(lon=round(wlon, 6), lat=round(wlat, 6), source_crs=system)


def _phone(r: _Row) -> None:
    text = r.raw("phone")
    if not text:
        r.out["phone"] = None
        return
    phone, added = parse_phone(text)
    if phone is None:
        r.add("phone", "bad_phone")
    elif added:
        r.add("phone", "phone_area_added", "warning", phone=phone)
    r.out["phone"] = phone


def _date(r: _Row, key: str) -> None:
    text = r.raw(key)
    value = parse_date(text) if text else None
    if text and value is None:
        r.add(key, "bad_date")
    r.out[key] = value


def _count(r: _Row, key: str, integer: bool) -> None:
    text = r.raw(key)
    v = _number(text) if text else None
    if text and (v is None or v < 0 or (integer and not float(v).is_integer())):
        r.add(key, "bad_count" if integer else "bad_amount")
        v = None
    r.out[key] = (int(v) if integer else round(v, 1)) if v is not None else None


def _check_service_point(r: _Row) -> None:
    code = None
    if r.raw("category"):
        code, err, params = r.ctx.ref.categories.match(r.raw("category"))
        if err:
            r.add("category", "category_unknown", **dict(params))
    r.out.update(name=clean_text(r.raw("name")), category=code, address=clean_text(r.raw("address")))
    _place(r)
    _phone(r)
    _coords(r, True)
    _date(r, "updated_on")
    r.out["updated_on"] = r.out["updated_on"] or dt.date.today().isoformat()


def _check_worker(r: _Row) -> None:
    role = ROLES.get(re.sub(r"\s", "", nfkc(r.raw("role"))).lower())
    status = STATUSES.get(re.sub(r"\s", "", nfkc(r.raw("status"))).lower())
    if role is None and r.raw("role"):
        r.add("role", "bad_role")
    if status is None and r.raw("status"):
        r.add("status", "bad_status")
    name = clean_text(r.raw("name"))
    if status == "在岗" and not name:
        r.add("name", "name_in_post")
    if role == "儿童主任" and not r.raw("community"):
        r.add("community", "director_community")
    r.out.update(role=role, status=status, name=name or None, certificate=clean_text(r.raw("certificate")) or None)
    _place(r)
    _phone(r)
    _date(r, "appointed_on")
    _count(r, "training_hours", True)


def _check_project(r: _Row) -> None:
    r.out.update(name=clean_text(r.raw("name")), domain=clean_text(r.raw("domain")) or None,
                 target_group=clean_text(r.raw("target_group")) or None, org=clean_text(r.raw("org")))
    if r.raw("district"):
        _place(r)
    else:
        r.out["district_code"] = None
    _date(r, "start_on")
    _date(r, "end_on")
    if r.out["start_on"] and r.out["end_on"] and r.out["end_on"] < r.out["start_on"]:
        r.add("end_on", "end_before_start")
    _count(r, "funding_wan", False)
    _count(r, "social_workers", True)


def _check_site(r: _Row) -> None:
    text = nfkc(r.raw("project"))
    projects = r.ctx.ref.existing["projects"]
    if text and text not in set(projects["id"]):
        by_name = projects[projects["name"].map(_key) == _key(text)]
        if len(by_name) == 1:
            text = by_name["id"].iloc[0]
        else:
            r.add("project", "project_unknown")
    r.out.update(project_id=text, name=clean_text(r.raw("name")))
    _place(r)
    _coords(r, False)


CHECKS = {"service_points": _check_service_point, "workers": _check_worker, "projects": _check_project,
          "sites": _check_site}
COLUMNS = {
    "service_points": ["id", "name", "category", "district_code", "street_code", "community_code", "address",
                       "phone", "lon", "lat", "source_crs", "updated_on"],
    "workers": ["id", "role", "name", "phone", "district_code", "street_code", "community_code", "status",
                "appointed_on", "training_hours", "certificate"],
    "projects": ["id", "org_id", "name", "domain", "target_group", "district_code", "start_on", "end_on",
                 "funding_wan", "social_workers"],
    "sites": ["id", "project_id", "name", "district_code", "street_code", "community_code", "lon", "lat"],
}


def _dup_key(kind: str, out: dict) -> tuple | None:
    if kind == "service_points":
        return (_key(out.get("name") or ""), _key(out.get("address") or ""))
    if kind == "workers":
        return (out.get("role"), out.get("street_code"), out.get("community_code"), _key(out["name"])) \
            if out.get("name") else None
    if kind == "projects":
        return (_key(out.get("org") or ""), _key(out.get("name") or ""))
    return (out.get("project_id"), _key(out.get("name") or ""))


def _existing_keys(kind: str, ref: Reference) -> set:
    ex = ref.existing
    if kind == "service_points":
        return {(_key(n or ""), _key(a or "")) for n, a in zip(ex["points"]["name"], ex["points"]["address"])}
    if kind == "workers":
        w = ex["workers"].dropna(subset=["name"])
        return {(ro, s if s == s else None, c if c == c else None, _key(n))
                for ro, s, c, n in zip(w["role"], w["street_code"], w["community_code"], w["name"])}
    if kind == "projects":
        orgs = dict(zip(ex["orgs"]["id"], ex["orgs"]["name"]))
        return {(_key(orgs.get(o, o)), _key(n)) for o, n in zip(ex["projects"]["org_id"], ex["projects"]["name"])}
    return {(p, _key(n or "")) for p, n in zip(ex["sites"]["project_id"], ex["sites"]["name"])}


_EXISTING_IDS = {"service_points": "points", "workers": "workers", "projects": "projects", "sites": "sites"}


def check(data: bytes, file_name: str, kind: str, con, crs: str | None = None, mode: str = "replace") -> Checked:
    """Read and validate one file of `kind` against the database on `con`; raises Unreadable (exit 2)."""
    if kind not in FIELDS:
        raise ValueError(f"unknown kind {kind!r}")
    name = Path(file_name).name
    rows = read_rows(data, name)
    ref = Reference.load(con)
    ctx = _Context(name, kind, ref, crsmod.normalise_system(crs or "WGS84"), mode)
    sha = hashlib.sha256(data).hexdigest()
    empty = Checked(kind, name, sha, pd.DataFrame(columns=COLUMNS[kind]), ctx.problems)
    fields = FIELDS[kind]
    found = _find_header(rows, fields)
    if found is None:
        ctx.problems.append(Problem(name, None, None, None, "", "no_header",
                                    (("names", "、".join(f.names[0] for f in fields if f.required)),)))
        return empty
    hi, mapping = found
    header_cells = rows[hi][1]
    seen: dict[str, int] = {}
    for c, f in sorted(mapping.items()):
        if f.key in seen:
            ctx.problems.append(Problem(name, rows[hi][0], col_letter(c), header_cells[c], header_cells[c],
                                        "duplicate_column", (("other", col_letter(seen[f.key])),)))
        else:
            seen[f.key] = c
            ctx.headers[f.key] = header_cells[c]
    for f in fields:
        if f.required and f.key not in seen:
            ctx.problems.append(Problem(name, None, None, None, "", "missing_column",
                                        (("header", f.names[0]), ("names", "/".join(f.names)))))
    if ctx.errors_so_far():
        return empty

    records, preview_rows = [], []
    for n, cells in rows[hi + 1:]:
        if not any(c.strip() for c in cells):
            continue
        if _is_note(cells):
            break
        row_cells = {key: (c, header_cells[c], cells[c].strip() if c < len(cells) else "")
                     for key, c in seen.items()}
        preview_rows.append({"行": n, **{header_cells[c]: (cells[c] if c < len(cells) else "")
                                         for c in sorted(seen.values())}})
        r = _Row(ctx, n, row_cells)
        for f in fields:
            if f.required and not r.raw(f.key):
                r.add(f.key, "missing_required")
        CHECKS[kind](r)
        records.append(r)
    checked = Checked(kind, name, sha, pd.DataFrame(columns=COLUMNS[kind]), ctx.problems, len(records),
                      pd.DataFrame(preview_rows).set_index("行") if preview_rows else pd.DataFrame())
    if not records:
        ctx.problems.append(Problem(name, None, None, None, "", "no_rows", ()))
        return checked
    _cross_checks(ctx, records)
    checked.rows, checked.new_orgs = _table(ctx, records)
    return checked


def _cross_checks(ctx: _Context, records: list[_Row]) -> None:
    """Duplicates within the file, against existing rows (append mode), and ids given twice."""
    existing = _existing_keys(ctx.kind, ctx.ref) if ctx.mode == "append" else set()
    existing_ids = set(ctx.ref.existing[_EXISTING_IDS[ctx.kind]]["id"]) if ctx.mode == "append" else set()
    first_key: dict[tuple, int] = {}
    first_id: dict[str, int] = {}
    for r in records:
        key = _dup_key(ctx.kind, r.out)
        dup_col = "name"
        if key is not None and all(key):
            if key in first_key:
                r.add(dup_col, "duplicate_in_file", first=first_key[key])
            elif key in existing:
                r.add(dup_col, "duplicate_existing")
            else:
                first_key[key] = r.row
        given = nfkc(r.raw("id"))
        if given:
            if given in first_id:
                r.add("id", "duplicate_id", first=first_id[given])
            elif given in existing_ids:
                r.add("id", "id_exists")
            else:
                first_id[given] = r.row


def _new_ids(prefix: str, width: int, used: set):
    """PREFIX0001, PREFIX0002, … skipping ids already taken."""
    n = 0
    while True:
        n += 1
        candidate = f"{prefix}{n:0{width}d}"
        if candidate not in used:
            used.add(candidate)
            yield candidate


def _table(ctx: _Context, records: list[_Row]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows as the target table wants them, with generated ids where the file gave none."""
    prefix, width = ID_PREFIX[ctx.kind]
    # Never reuse an id on record, even when replacing: sites, service records and old exports refer to them.
    ids = _new_ids(prefix, width, {nfkc(r.raw("id")) for r in records}
                   | set(ctx.ref.existing[_EXISTING_IDS[ctx.kind]]["id"]))
    new_orgs = []
    if ctx.kind == "projects":
        orgs = ctx.ref.existing["orgs"]
        by_id = set(orgs["id"])
        by_name = {_key(n): i for i, n in zip(orgs["id"], orgs["name"])}
        org_ids = _new_ids("ORG", 2, set(by_id))
        for r in records:
            org = r.out.get("org") or ""
            if org in by_id:
                r.out["org_id"] = org
            elif _key(org) in by_name:
                r.out["org_id"] = by_name[_key(org)]
            elif org:   # an organisation not on record yet: created with the project, and said so
                oid = next(org_ids)
                by_name[_key(org)] = oid
                new_orgs.append({"id": oid, "name": org, "district_code": r.out.get("district_code"),
                                 "founded_year": None})
                r.add("org", "org_created", "warning", org_id=oid)
                r.out["org_id"] = oid
    out = []
    for r in records:
        rid = nfkc(r.raw("id")) or next(ids)
        out.append({**{c: r.out.get(c) for c in COLUMNS[ctx.kind]}, "id": rid})
    return pd.DataFrame(out, columns=COLUMNS[ctx.kind]), pd.DataFrame(
        new_orgs, columns=["id", "name", "district_code", "founded_year"])


# ---------------------------------------------------------------- reporting and templates

def report_lines(checked: Checked, language: str = "zh") -> list[str]:
    """One line per problem, file-level first, then by row; errors before warnings within a row."""
    order = sorted(checked.problems, key=lambda p: (p.row or 0, p.severity != "error", p.column or ""))
    return [p.text(language) for p in order]


def summary(checked: Checked, language: str = "zh") -> str:
    return t("ingest.summary", language, file=checked.file_name, rows=checked.data_rows,
             accepted=checked.data_rows - checked.rows_rejected if checked.ok else 0,
             rejected=checked.rows_rejected, errors=len(checked.errors), warnings=len(checked.warnings))


def problems_table(checked: Checked, language: str = "zh") -> pd.DataFrame:
    """The problems as a table for the data page: row, column, header, value, what, fix, severity."""
    rows = []
    for p in sorted(checked.problems, key=lambda p: (p.row or 0, p.severity != "error")):
        params = dict(p.params)
        rows.append({t("ingest.col_severity", language): t(f"ingest.{p.severity}", language),
                     t("ingest.col_row", language): p.row, t("ingest.col_column", language): p.column,
                     t("ingest.col_header", language): p.header, t("ingest.col_value", language): p.value,
                     t("ingest.col_what", language): t(f"ingest.{p.code}", language, **params),
                     t("ingest.col_fix", language): t(f"ingest.{p.code}_fix", language, **params)})
    return pd.DataFrame(rows)


def styled_preview(checked: Checked):
    """The rows as read, cells with an error in red and with a warning in amber (a pandas Styler)."""
    marks = {}
    for p in checked.problems:
        if p.row is not None and p.header:
            if marks.get((p.row, p.header)) != "error":
                marks[(p.row, p.header)] = p.severity
    colours = {"error": "background-color: #f8d7da", "warning": "background-color: #fff3cd"}

    def style(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame([[colours.get(marks.get((i, c)), "") for c in frame.columns] for i in frame.index],
                            index=frame.index, columns=frame.columns)
    return checked.preview.style.apply(style, axis=None)


def template_path(kind: str, fmt: str) -> Path:
    if kind not in FIELDS or fmt not in ("xlsx", "csv"):
        raise ValueError(f"no template {kind}.{fmt}")
    return TEMPLATES / f"{kind}.{fmt}"


def template_bytes(kind: str, fmt: str) -> bytes:
    """The template file users download from the data page."""
    return template_path(kind, fmt).read_bytes()


def check_current(data: bytes, file_name: str, kind: str, crs: str | None = None, mode: str = "replace",
                  db_file=None) -> Checked:
    """check() against the live database (the data page's entry point); raises Unreadable."""
    return check(data, file_name, kind, db.connect(db_file), crs=crs, mode=mode)


TEMPLATE_EXAMPLES = {  # one filled, fictitious example row per kind (示例 in every name; 0755-0000000x phones)
    "service_points": ["", "示例·粤海街道儿童之家", "儿童之家", "南山区", "粤海街道", "科技园社区",
                       "深圳市南山区粤海街道示例路1号", "0755-00000000", "113.944000", "22.533000", "WGS84",
                       "2024-01-01"],
    "workers": ["", "儿童主任", "张示例", "0755-00000001", "南山区", "粤海街道", "科技园社区", "在岗", "2020-05-01",
                "24", "社会工作者职业资格（初级）"],
    "projects": ["P90001", "示例·阳光社会工作服务中心", "示例·亲子关系促进项目", "亲子关系促进", "儿童家庭", "南山区",
                 "2020-01-01", "2020-12-31", "30.5", "3"],
    "sites": ["S90001", "P00001", "示例·科技园社区项目点", "南山区", "粤海街道", "科技园社区", "113.944000",
              "22.533000", "WGS84"],
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
