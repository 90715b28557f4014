"""Validating one file of a kind (service points, workers, projects, sites) against the reference and the live
data: the rows ready for the table plus one Problem per row problem. Nothing here writes: see ingest.load."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pandas as pd
from shapely.geometry import Point

from caremap.common import crs as crsmod
from caremap.common.dates import iso_date
from caremap.ingest.normalise import (
    Field,
    Reference,
    clean_text,
    find_header,
    is_note,
    match_key,
    nfkc,
    parse_number,
    parse_phone,
)
from caremap.ingest.problems import Checked, Problem
from caremap.ingest.read import col_letter, read_rows
from caremap.store import geo

NEAR_DEG = 0.002                           # ~200 m: boundary polygons are coarse at the coast and borders

TABLE_KINDS = ("service_points", "workers", "projects", "sites", "population")
KIND_NAMES = ("service_points", "workers", "projects", "sites", "streets", "communities", "population")
AGE_BANDS = ("0-2", "3-5", "6-11", "12-17")
# The largest plausible number of children (0-17) in one unit: above it a figure is refused as a typo.
CHILDREN_BOUND = {"district": 2_000_000, "street": 400_000, "community": 100_000}
ROLES = {"儿童督导员": "儿童督导员", "督导员": "儿童督导员", "supervisor": "儿童督导员",
         "childsupervisor": "儿童督导员", "儿童主任": "儿童主任", "主任": "儿童主任",
         "director": "儿童主任", "childdirector": "儿童主任"}
STATUSES = {"在岗": "在岗", "在职": "在岗", "inpost": "在岗", "active": "在岗",
            "空缺": "空缺", "空岗": "空缺", "缺员": "空缺", "vacant": "空缺"}

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
        Field("capacity", ("容量", "capacity", "服务容量", "名额", "学位", "places")),
        Field("hours", ("开放时间", "hours", "服务时间", "opening_hours", "营业时间")),
        Field("services", ("服务内容", "services", "服务项目")),
        Field("ages", ("服务对象年龄", "ages", "服务年龄", "适用年龄")),
        Field("service_forms", ("服务形式", "service_forms", "service_form", "服务方式")),
        Field("appointment", ("是否需预约", "appointment", "预约", "需预约")),
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
FIELDS["population"] = (
    Field("code", ("区划代码", "统计用区划代码", "code", "单位代码", "编码")),
    Field("district", _PLACE[0].names), Field("street", _PLACE[1].names), Field("community", _PLACE[2].names),
    Field("age_band", ("年龄段", "age_band", "年龄组", "年龄")),
    Field("children", ("儿童人数", "children", "人数", "儿童数", "未成年人数"), True),
    Field("year", ("年份", "year", "统计年度", "年度"), True),
    Field("source", ("来源", "source", "数据来源"), True),
)
ID_PREFIX = {"service_points": ("SP", 7), "workers": ("W", 5), "projects": ("P", 5), "sites": ("S", 5)}


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
    lon, lat = parse_number(lon_t), parse_number(lat_t)
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
    value = iso_date(text) if text else None
    if text and value is None:
        r.add(key, "bad_date")
    r.out[key] = value


def _count(r: _Row, key: str, integer: bool) -> None:
    text = r.raw(key)
    v = parse_number(text) if text else None
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
    _count(r, "capacity", True)
    r.out["hours"] = clean_text(r.raw("hours")) or None
    r.out["services"] = clean_text(r.raw("services")) or None
    _ages(r)
    _forms(r)
    _yes_no(r, "appointment")


_FORMS = {"到站": "到站", "到店": "到站", "现场": "到站", "线下": "到站", "onsite": "到站", "上门": "上门",
          "入户": "上门", "home": "上门", "homevisit": "上门", "线上": "线上", "在线": "线上", "网上": "线上",
          "online": "线上"}
_YES = {"是", "需要", "需", "要", "yes", "y", "true", "1", "需预约"}
_NO = {"否", "不需要", "不需", "无需", "no", "n", "false", "0", "免预约"}


def _ages(r: _Row) -> None:
    """'3-6岁、6-12岁', '0~17', '全部' → the bands served ('3-5,6-11,12-17'): every band a given range touches."""
    text = nfkc(r.raw("ages")).replace("～", "-").replace("~", "-").replace("至", "-").replace("—", "-")
    r.out["ages"] = None
    if not text:
        return
    if re.sub(r"[\s岁周]", "", text) in ("全部", "不限", "all", "0-18", "0-17"):
        r.out["ages"] = ",".join(AGE_BANDS)
        return
    bounds = {"0-2": (0, 2), "3-5": (3, 5), "6-11": (6, 11), "12-17": (12, 17)}
    served = set()
    for part in re.split(r"[、,;/，；]", text):
        m = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*岁?\s*", part)
        if not m or int(m.group(1)) > int(m.group(2)) or int(m.group(2)) > 18:
            r.add("ages", "bad_ages")
            return
        lo, hi = int(m.group(1)), min(int(m.group(2)), 17)
        served |= {b for b, (a, z) in bounds.items() if a <= hi and lo <= z}
    r.out["ages"] = ",".join(b for b in AGE_BANDS if b in served)


def _forms(r: _Row) -> None:
    text = nfkc(r.raw("service_forms"))
    r.out["service_forms"] = None
    if not text:
        return
    forms = []
    for part in re.split(r"[、,;/，；\s]+", text):
        if not part:
            continue
        form = _FORMS.get(part.lower().replace("-", "").replace(" ", ""))
        if form is None:
            r.add("service_forms", "bad_forms")
            return
        if form not in forms:
            forms.append(form)
    r.out["service_forms"] = ",".join(f for f in ("到站", "上门", "线上") if f in forms)


def _yes_no(r: _Row, key: str) -> None:
    text = nfkc(r.raw(key)).strip().lower()
    r.out[key] = True if text in _YES else False if text in _NO else None
    if text and r.out[key] is None:
        r.add(key, "bad_yes_no")


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
        by_name = projects[projects["name"].map(match_key) == match_key(text)]
        if len(by_name) == 1:
            text = by_name["id"].iloc[0]
        else:
            r.add("project", "project_unknown")
    r.out.update(project_id=text, name=clean_text(r.raw("name")))
    _place(r)
    _coords(r, False)


def _age_band(text: str) -> str | None:
    k = re.sub(r"[\s岁周]", "", nfkc(text)).replace("～", "-").replace("~", "-").replace("至", "-").replace("—", "-")
    if not k or k in ("合计", "全部", "0-18", "total", "all"):
        return "0-17"
    k = re.sub(r"-+", "-", k)
    return k if k in (*AGE_BANDS, "0-17") else None


def _check_population(r: _Row) -> None:
    ref, code = r.ctx.ref, nfkc(r.raw("code"))
    level = unit = None
    if code:
        for lv, matcher in (("district", ref.districts), ("street", ref.streets), ("community", ref.communities)):
            if code in matcher.display:
                level, unit = lv, code
        if unit is None:
            r.add("code", "pop_unknown_code")
    elif r.raw("district") or r.raw("street") or r.raw("community"):
        if not r.raw("district") and r.raw("street"):   # a street on its own: its district follows from it
            scode, err, params = ref.streets.match(r.raw("street"))
            if err:
                r.add("street", f"street_{err}", **dict(params))
                return
            r.out.update(district_code=ref.street_district[scode], street_code=scode, community_code=None)
            if r.raw("community"):
                ccode, err, params = ref.communities.match(
                    r.raw("community"), {c for c, s in ref.community_street.items() if s == scode})
                if err:
                    r.add("community", f"community_{err}", **dict(params))
                    return
                r.out["community_code"] = ccode
        else:
            _place(r)
        if r.out.get("community_code"):
            level, unit = "community", r.out["community_code"]
        elif r.out.get("street_code"):
            level, unit = "street", r.out["street_code"]
        elif r.out.get("district_code"):
            level, unit = "district", r.out["district_code"]
    else:
        r.add("code", "pop_no_unit")
    band = _age_band(r.raw("age_band"))
    if band is None:
        r.add("age_band", "bad_age_band")
    text = r.raw("children")
    v = parse_number(text) if text else None
    if text and (v is None or v < 0 or not float(v).is_integer()):
        r.add("children", "bad_children")
        v = None
    elif v is not None and level and v > CHILDREN_BOUND[level]:
        r.add("children", f"pop_too_large_{level}", value=text, bound=f"{CHILDREN_BOUND[level]:,}")
        v = None
    year_text = nfkc(r.raw("year")).rstrip("年")
    year = int(year_text) if re.fullmatch(r"\d{4}", year_text) else None
    if r.raw("year") and (year is None or not 1990 <= year <= dt.date.today().year):
        r.add("year", "bad_year")
    r.out.update(level=level, unit_code=unit, age_band=band, children=int(v) if v is not None else None, year=year,
                 source=clean_text(r.raw("source")) or None)


CHECKS = {"service_points": _check_service_point, "workers": _check_worker, "projects": _check_project,
          "sites": _check_site, "population": _check_population}
COLUMNS = {
    "service_points": ["id", "name", "category", "district_code", "street_code", "community_code", "address",
                       "phone", "lon", "lat", "source_crs", "updated_on", "capacity", "hours", "services", "ages",
                       "service_forms", "appointment"],
    "workers": ["id", "role", "name", "phone", "district_code", "street_code", "community_code", "status",
                "appointed_on", "training_hours", "certificate"],
    "projects": ["id", "org_id", "name", "domain", "target_group", "district_code", "start_on", "end_on",
                 "funding_wan", "social_workers"],
    "sites": ["id", "project_id", "name", "district_code", "street_code", "community_code", "lon", "lat"],
    "population": ["level", "unit_code", "age_band", "children", "year", "source", "file_name"],
}


def _dup_key(kind: str, out: dict) -> tuple | None:
    if kind == "population":
        return (out.get("level"), out.get("unit_code"), out.get("age_band"))
    if kind == "service_points":
        return (match_key(out.get("name") or ""), match_key(out.get("address") or ""))
    if kind == "workers":
        return (out.get("role"), out.get("street_code"), out.get("community_code"), match_key(out["name"])) \
            if out.get("name") else None
    if kind == "projects":
        return (match_key(out.get("org") or ""), match_key(out.get("name") or ""))
    return (out.get("project_id"), match_key(out.get("name") or ""))


def _existing_keys(kind: str, ref: Reference) -> set:
    ex = ref.existing
    if kind == "population":
        p = ex["population"]
        return set(zip(p["level"], p["unit_code"], p["age_band"]))
    if kind == "service_points":
        return {(match_key(n or ""), match_key(a or "")) for n, a in zip(ex["points"]["name"], ex["points"]["address"])}
    if kind == "workers":
        w = ex["workers"].dropna(subset=["name"])
        return {(ro, s if s == s else None, c if c == c else None, match_key(n))
                for ro, s, c, n in zip(w["role"], w["street_code"], w["community_code"], w["name"])}
    if kind == "projects":
        orgs = dict(zip(ex["orgs"]["id"], ex["orgs"]["name"]))
        return {(match_key(orgs.get(o, o)), match_key(n))
                for o, n in zip(ex["projects"]["org_id"], ex["projects"]["name"])}
    return {(p, match_key(n or "")) for p, n in zip(ex["sites"]["project_id"], ex["sites"]["name"])}


_EXISTING_IDS = {"service_points": "points", "workers": "workers", "projects": "projects", "sites": "sites",
                 "population": None}


def check(data: bytes, file_name: str, kind: str, con, crs: str | None = None, mode: str = "replace") -> Checked:
    """Read and validate one file of `kind` against the database on `con`; raises Unreadable (exit 2)."""
    if kind not in FIELDS:
        raise ValueError(f"unknown kind {kind!r}")
    name = Path(file_name).name
    rows = read_rows(data, name)
    ref = Reference.load(con)
    ctx = _Context(name, kind, ref, crsmod.normalise_system(crs or "WGS84") if kind != "population" else "WGS84",
                   mode)
    sha = hashlib.sha256(data).hexdigest()
    empty = Checked(kind, name, sha, pd.DataFrame(columns=COLUMNS[kind]), ctx.problems)
    fields = FIELDS[kind]
    found = find_header(rows, fields)
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
        if is_note(cells):
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
    if kind == "population":
        _bands(ctx, records)
    checked.rows, checked.new_orgs = _table(ctx, records)
    return checked


def _cross_checks(ctx: _Context, records: list[_Row]) -> None:
    """Duplicates within the file, against existing rows (append mode), and ids given twice."""
    existing = _existing_keys(ctx.kind, ctx.ref) if ctx.mode == "append" else set()
    existing_ids = set(ctx.ref.existing[_EXISTING_IDS[ctx.kind]]["id"]) if ctx.mode == "append" and \
        _EXISTING_IDS[ctx.kind] else set()
    first_key: dict[tuple, int] = {}
    first_id: dict[str, int] = {}
    for r in records:
        key = _dup_key(ctx.kind, r.out)
        dup_col = "children" if ctx.kind == "population" else "name"
        if key is not None and all(key):
            if key in first_key:
                r.add(dup_col, "pop_duplicate" if ctx.kind == "population" else "duplicate_in_file",
                      first=first_key[key])
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


def _bands(ctx: _Context, records: list[_Row]) -> None:
    """Population: age bands that exceed the unit's 0-17 total (an error) or leave it without one (a warning)."""
    units: dict[tuple, dict[str, _Row]] = {}
    for r in records:
        if r.out.get("unit_code") and r.out.get("age_band") and r.out.get("children") is not None:
            units.setdefault((r.out["level"], r.out["unit_code"]), {})[r.out["age_band"]] = r
    for bands in units.values():
        parts = {b: r.out["children"] for b, r in bands.items() if b != "0-17"}
        if "0-17" in bands and parts and sum(parts.values()) > bands["0-17"].out["children"]:
            bands["0-17"].add("children", "pop_bands_exceed", bands=sum(parts.values()),
                              total=bands["0-17"].out["children"])
        elif "0-17" not in bands and set(parts) != set(AGE_BANDS):
            first = min(bands.values(), key=lambda r: r.row)
            first.add("age_band", "pop_bands_partial", "warning", bands="、".join(sorted(parts)))


def _table(ctx: _Context, records: list[_Row]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows as the target table wants them, with generated ids where the file gave none."""
    if ctx.kind == "population":
        return pd.DataFrame([{**{c: r.out.get(c) for c in COLUMNS["population"]}, "file_name": ctx.file}
                             for r in records], columns=COLUMNS["population"]), pd.DataFrame()
    prefix, width = ID_PREFIX[ctx.kind]
    # Never reuse an id on record, even when replacing: sites, service records and old exports refer to them.
    ids = _new_ids(prefix, width, {nfkc(r.raw("id")) for r in records}
                   | set(ctx.ref.existing[_EXISTING_IDS[ctx.kind]]["id"]))
    new_orgs = []
    if ctx.kind == "projects":
        orgs = ctx.ref.existing["orgs"]
        by_id = set(orgs["id"])
        by_name = {match_key(n): i for i, n in zip(orgs["id"], orgs["name"])}
        org_ids = _new_ids("ORG", 2, set(by_id))
        for r in records:
            org = r.out.get("org") or ""
            if org in by_id:
                r.out["org_id"] = org
            elif match_key(org) in by_name:
                r.out["org_id"] = by_name[match_key(org)]
            elif org:   # an organisation not on record yet: created with the project, and said so
                oid = next(org_ids)
                by_name[match_key(org)] = oid
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
