"""The bureau's own geography: street boundaries and community boundaries or locations, checked before an import.

Files: a zipped Shapefile (with its .prj), GeoPackage, GeoJSON or KML, read by DuckDB's spatial extension (GDAL),
reprojected from the EPSG code found in the file or given (`crs`, e.g. EPSG:4547) by PROJ (`ST_Transform`), or
from GCJ-02/BD-09 by caremap.common.crs; community locations may also come as a CSV/XLSX of points. Every feature
is matched to a unit (by code or loose name) and checked: geometry present, of the right type and valid (repaired
with make_valid only when asked), inside its district, not overlapping a sibling, each unit once. The outcome is a
Checked like any other import: one row per unit, WGS-84 WKB, its representative location and how it was found.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tempfile
import zipfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import shapely
import shapely.errors
from shapely.geometry import Point, mapping

from caremap.common import crs as crsmod
from caremap.ingest.normalise import Field, Reference, find_header, header_key, is_note, nfkc, parse_number
from caremap.ingest.problems import Checked, Problem
from caremap.ingest.read import MAX_ROWS, MAX_UNZIPPED_BYTES, Unreadable, col_letter, read_rows
from caremap.store import geo, spatial

GEO_KINDS = ("streets", "communities")
GEO_SUFFIXES = (".zip", ".gpkg", ".geojson", ".json", ".kml")
LEVEL = {"streets": "street", "communities": "community"}
COLUMNS = ["level", "unit_code", "wkb", "geojson", "kind", "lon", "lat", "method", "area_km2", "feature_no",
           "source_crs", "file_name"]
DRAW_TOLERANCE_DEG = 0.00005    # ~5 m: the boundary drawn on the map is simplified this far (topology kept)
DISTRICT_BUFFER_DEG = 0.005     # ~500 m: the district boundaries are coarse at the coast and the borders
MIN_SHARE_INSIDE = 0.5          # a boundary with less than half its area in its district is refused
POINT_NEAR_DEG = 0.002          # ~200 m, as for service points
OVERLAP_TOLERANCE = 0.01        # sibling boundaries may overlap by 1 % of the smaller one (digitising slivers)

_CODE = ("code", "编码", "代码", "区划代码", "统计用区划代码", "行政区划代码", "街道代码", "街道编码", "社区代码",
         "社区编码", "居委会代码", "adcode", "xzqdm", "jddm", "sqdm", "unit_code")
_NAME = {"streets": ("name", "名称", "街道", "街道名称", "街道办", "jdmc", "xzqmc", "street", "street_name"),
         "communities": ("name", "名称", "社区", "社区名称", "居委会", "居委会名称", "sqmc", "community",
                         "community_name")}
_STREET = ("所属街道", "街道", "街道名称", "jdmc", "street", "street_name")
POINT_FIELDS = (Field("code", _CODE), Field("name", _NAME["communities"]), Field("street", ("所属街道", "street")),
                Field("lon", ("经度", "lon", "lng", "longitude"), True),
                Field("lat", ("纬度", "lat", "latitude"), True), Field("crs", ("坐标系", "crs", "坐标系统")))
METHODS = {"centroid": "边界质心", "inner_point": "边界内点（质心落在边界外）", "given_point": "导入的位置点"}


def parse_crs(text: str | None) -> tuple[str, str] | None:
    """'EPSG:4547', '4547', 'CGCS2000', 'GCJ02', 'BD-09' … → ('epsg', 'EPSG:4547') or ('china', 'GCJ02');
    raises ValueError for anything else."""
    if not text or not str(text).strip():
        return None
    s = nfkc(str(text)).strip().upper().replace(" ", "")
    if m := re.fullmatch(r"(?:EPSG[:：]?)?(\d{4,5})", s):
        code = int(m.group(1))
        return ("epsg", "EPSG:4326") if code in (4326, 4490) else ("epsg", f"EPSG:{code}")
    try:
        system = crsmod.normalise_system(s)
    except ValueError:
        raise ValueError(f"未知坐标系 {text!r}：请填写 EPSG 代码（如 EPSG:4547、EPSG:4490）或 WGS84、GCJ02、BD09 / "
                         f"unknown CRS: give an EPSG code (e.g. EPSG:4547) or WGS84, GCJ02, BD09") from None
    return ("epsg", "EPSG:4326") if system == "WGS84" else ("china", system)


def _prob(file: str, code: str, row: int | None = None, header: str | None = None, value: str = "",
          severity: str = "error", **params) -> Problem:
    return Problem(file, row, "-" if row is not None else None, header, value, code,
                   tuple(sorted((k, str(v)) for k, v in params.items())), severity, unit="feature")


class _Source:
    """A geographic file opened with GDAL through DuckDB's spatial extension (in a temporary folder)."""

    def __init__(self, data: bytes, name: str):
        self.name = name
        self._tmp = tempfile.TemporaryDirectory(prefix="caremap-geo-")
        folder = Path(self._tmp.name)
        (folder / name).write_bytes(data)
        self.path = str(folder / name)
        if name.lower().endswith(".zip"):
            self.path = self._zip_member(data, folder / name)
        self.con = duckdb.connect()
        try:
            spatial.load(self.con)
        except (spatial.SpatialUnavailable, duckdb.Error) as exc:
            self.close()
            raise Unreadable(str(exc)) from None

    def _zip_member(self, data: bytes, path: Path) -> str:
        try:
            with zipfile.ZipFile(path) as z:
                infos = [i for i in z.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX")]
        except zipfile.BadZipFile:
            raise Unreadable("ZIP 文件已损坏 / the ZIP file is damaged") from None
        if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
            raise Unreadable("ZIP 解压后过大，为安全起见拒绝打开 / the ZIP inflates too far; refused for safety")
        shp = [i.filename for i in infos if i.filename.lower().endswith(".shp")]
        other = [i.filename for i in infos
                 if i.filename.lower().endswith((".gpkg", ".geojson", ".json", ".kml"))]
        members = shp or other
        if not members:
            raise Unreadable("ZIP 中没有 .shp、.gpkg、.geojson 或 .kml 文件；Shapefile 请把 .shp、.shx、.dbf、.prj "
                             "一起压缩 / the ZIP holds no .shp, .gpkg, .geojson or .kml file")
        if len(members) > 1:
            raise Unreadable(f"ZIP 中有多个图层文件（{'、'.join(members)}），请每次只导入一个 / the ZIP holds several "
                             f"layers ({', '.join(members)}); import one at a time")
        if shp:
            stem = members[0][:-4]
            names = {i.filename.lower() for i in infos}
            lacking = [s for s in (".shx", ".dbf") if f"{stem}{s}".lower() not in names]
            if lacking:
                raise Unreadable(f"Shapefile 缺少 {'、'.join(lacking)} 文件：请把同名的 .shp、.shx、.dbf、.prj "
                                 "一起压缩 "
                                 f"/ the Shapefile lacks its {', '.join(lacking)} file")
        return f"/vsizip/{path}/{members[0]}"

    def close(self) -> None:
        if getattr(self, "con", None) is not None:
            self.con.close()
            self.con = None
        self._tmp.cleanup()

    def layer(self) -> tuple[str, dict | None, list[str]]:
        """(layer name, its CRS as GDAL reports it or None, names of further layers left aside)."""
        try:
            # st_read first: on a file GDAL cannot open it raises, where st_read_meta (1.5.5) crashes the process
            self.con.execute("select 1 from st_read($p) limit 0", {"p": self.path})
            meta = self.con.execute("select layers from st_read_meta($p)", {"p": self.path}).fetchone()
        except duckdb.Error as exc:
            raise Unreadable(f"无法作为地理数据读取（{_gdal_message(exc)}）：请导出为 GeoJSON、GeoPackage 或压缩的 "
                             f"Shapefile / cannot be read as geographic data") from None
        layers = [lay for lay in (meta[0] if meta else []) if lay.get("geometry_fields")]
        if not layers:
            raise Unreadable("文件中没有含几何的图层 / the file has no layer with geometry")
        first = max(layers, key=lambda lay: lay.get("feature_count") or 0)
        crs = first["geometry_fields"][0].get("crs")
        return first["name"], crs, [lay["name"] for lay in layers if lay is not first]

    _AS_READ = "select * exclude (geom), st_aswkb(geom) as wkb from st_read($p, layer := $layer)"
    _REPROJECTED = ("select * exclude (geom), st_aswkb(st_transform(geom, $src, 'EPSG:4326', always_xy := true)) "
                    "as wkb from st_read($p, layer := $layer)")

    def features(self, layer: str, source_epsg: str | None) -> pd.DataFrame:
        """Attributes plus `wkb`: the geometry in the target frame (EPSG:4326 when source_epsg is given)."""
        params = {"p": self.path, "layer": layer}
        try:
            if source_epsg:
                return self.con.execute(self._REPROJECTED, params | {"src": source_epsg}).df()
            return self.con.execute(self._AS_READ, params).df()
        except duckdb.Error as exc:
            raise Unreadable(f"无法读取或转换坐标（{_gdal_message(exc)}）：请检查坐标系 / cannot read or reproject "
                             f"the features; check the coordinate system") from None


def _gdal_message(exc: Exception) -> str:
    text = str(exc).splitlines()[0]
    return re.sub(r"^[A-Za-z ]+Error: ", "", text)[:160]


def _file_crs(crs: dict | None) -> tuple[str | None, str]:
    """The file's CRS as an EPSG code for PROJ (or its WKT when it has no code) and a readable name."""
    if not crs:
        return None, ""
    name = crs.get("name") or ""
    if crs.get("auth_name") == "EPSG" and crs.get("auth_code"):
        code = int(crs["auth_code"])
        return ("EPSG:4326" if code in (4326, 4490) else f"EPSG:{code}"), f"{name} (EPSG:{code})"
    return (crs.get("wkt") or None), name or "WKT"


def _to_wgs(geoms: np.ndarray, system: str) -> np.ndarray:
    """GCJ-02/BD-09 boundaries to WGS-84, every vertex at once."""
    def fn(xy):
        lon, lat = crsmod.to_wgs84_arrays(xy[:, 0], xy[:, 1], system)
        return np.column_stack([lon, lat])
    return shapely.transform(geoms, fn)


def _area_km2(g) -> float:
    """Area on a local equirectangular projection (well under 1 % off at a street's size)."""
    lat0 = g.representative_point().y
    scaled = shapely.transform(g, lambda xy: xy * np.array([111.320 * math.cos(math.radians(lat0)), 110.574]))
    return float(scaled.area)


def _location(g) -> tuple[float, float, str]:
    if g.geom_type in ("Point", "MultiPoint"):
        p = g if g.geom_type == "Point" else g.geoms[0]
        return p.x, p.y, "given_point"
    c = g.centroid
    if g.contains(c):
        return c.x, c.y, "centroid"
    p = g.representative_point()   # GEOS point on surface: a C-shaped boundary's centroid may lie outside
    return p.x, p.y, "inner_point"


def _column(frame: pd.DataFrame, names: tuple[str, ...], exclude: set[str] = frozenset()) -> str | None:
    keys = {header_key(n) for n in names}
    for c in frame.columns:
        if c not in exclude and c != "wkb" and header_key(str(c)) in keys:
            return c
    return None


def _text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return nfkc(str(v)).strip()


def check_geography(data: bytes, file_name: str, kind: str, con, crs: str | None = None, mode: str = "replace",
                    make_valid: bool = False) -> Checked:
    """Read and check a boundary (or location) file of `kind` (streets, communities) against the database on
    `con`. Raises Unreadable when the file cannot be read at all (exit 2)."""
    if kind not in GEO_KINDS:
        raise ValueError(f"unknown geography kind {kind!r}")
    name = Path(file_name).name
    sha = hashlib.sha256(data).hexdigest()
    problems: list[Problem] = []
    empty = Checked(kind, name, sha, pd.DataFrame(columns=COLUMNS), problems)
    try:
        given = parse_crs(crs)
    except ValueError:
        problems.append(_prob(name, "geo_bad_crs", value=str(crs)))
        return empty
    ref = Reference.load(con)
    if not name.lower().endswith(GEO_SUFFIXES):
        if kind != "communities":
            raise Unreadable("街道边界请使用压缩的 Shapefile（.zip）、GeoPackage、GeoJSON 或 KML 文件 / street "
                             "boundaries must be a zipped Shapefile, GeoPackage, GeoJSON or KML file")
        frame, geoms, source_name = _point_table(data, name, given, problems)
        unit_word = "row"
    else:
        frame, geoms, source_name = _read_geo(data, name, given, problems)
        unit_word = "feature"
    if frame is None:
        return empty
    checked = Checked(kind, name, sha, pd.DataFrame(columns=COLUMNS), problems, len(frame),
                      frame.drop(columns=["wkb"], errors="ignore").head(2000).set_index("#"))
    if frame.empty:
        problems.append(_prob(name, "no_rows"))
        return checked
    rows = _match_and_check(frame, geoms, kind, ref, name, make_valid, problems, unit_word)
    for r in rows:
        r["source_crs"] = source_name
        r["file_name"] = name
    _overlaps(rows, name, problems, unit_word)
    _missing_units(rows, kind, ref, con, mode, name, problems)
    checked.rows = pd.DataFrame(rows, columns=COLUMNS)
    return checked


def _read_geo(data: bytes, name: str, given, problems) -> tuple[pd.DataFrame | None, np.ndarray, str]:
    source = _Source(data, name)
    try:
        layer, file_crs, others = source.layer()
        if others:
            problems.append(_prob(name, "geo_layers", severity="warning", layer=layer, others="、".join(others)))
        file_epsg, file_name_crs = _file_crs(file_crs)
        if given is None and file_epsg is None:
            problems.append(_prob(name, "geo_no_crs"))
            return None, np.array([]), ""
        if given is not None:
            system = given
            # GeoJSON and KML always declare WGS 84 (their specifications): GCJ-02 from web tools is only known
            # when said, so saying it is no override.
            implied = file_epsg == "EPSG:4326" and name.lower().endswith((".geojson", ".json", ".kml"))
            if file_epsg and given != ("epsg", file_epsg) and not implied:
                problems.append(_prob(name, "geo_crs_overridden", severity="warning", file_crs=file_name_crs,
                                      given=given[1]))
        else:
            system = ("epsg", file_epsg)
        epsg = system[1] if system[0] == "epsg" and system[1] != "EPSG:4326" else None
        frame = source.features(layer, epsg)
    finally:
        source.close()
    if len(frame) > MAX_ROWS:
        raise Unreadable(f"要素超过 {MAX_ROWS:,} 个上限 / more than {MAX_ROWS:,} features")
    wkb = [None if b is None or b is pd.NA or (isinstance(b, float) and math.isnan(b)) else bytes(b)
           for b in frame.pop("wkb")]
    geoms = shapely.from_wkb(np.array(wkb, dtype=object)) if wkb else np.array([])
    if system[0] == "china" and len(geoms):
        geoms = _to_wgs(geoms, system[1])
    frame = frame.drop(columns=["OGC_FID"], errors="ignore")
    frame.insert(0, "#", range(1, len(frame) + 1))
    label = file_name_crs if given is None else given[1]
    if len(geoms) and not _plausible(geoms):
        problems.append(_prob(name, "geo_out_of_range", crs=label))
        return None, np.array([]), label
    return frame, geoms, label


def _plausible(geoms: np.ndarray) -> bool:
    """Coordinates in China after reprojection (projected metres read as degrees are not)."""
    present = geoms[~shapely.is_empty(geoms) & ~pd.isna(geoms)] if len(geoms) else geoms
    if not len(present):
        return True
    minx, miny, maxx, maxy = shapely.total_bounds(present)
    return 72 <= minx and maxx <= 138 and 0.8 <= miny and maxy <= 56


def _point_table(data: bytes, name: str, given, problems) -> tuple[pd.DataFrame | None, np.ndarray, str]:
    """Community locations as a table: code or name (and street), lon, lat, optional crs column."""
    rows = read_rows(data, name)
    found = find_header(rows, POINT_FIELDS)
    if found is None:
        problems.append(_prob(name, "no_header", names="社区代码或名称、经度、纬度"))
        return None, np.array([]), ""
    hi, mapping = found
    header = rows[hi][1]
    cols = {f.key: c for c, f in sorted(mapping.items(), reverse=True)}
    if given is not None and given[0] == "epsg" and given[1] != "EPSG:4326":
        problems.append(_prob(name, "geo_points_epsg", given=given[1]))
        return None, np.array([]), ""
    default = given[1] if given else "WGS84"
    records, geoms = [], []
    for n, cells in rows[hi + 1:]:
        if not any(c.strip() for c in cells):
            continue
        if is_note(cells):
            break
        cell = {k: (cells[c].strip() if c < len(cells) else "") for k, c in cols.items()}
        records.append({"#": n, **{header[c]: cell[k] for k, c in cols.items()}})
        lon, lat = parse_number(cell.get("lon", "")), parse_number(cell.get("lat", ""))
        point = None
        if lon is not None and lat is not None:
            try:
                system = crsmod.normalise_system(cell.get("crs") or default)
            except ValueError:
                system = None
                problems.append(Problem(name, n, col_letter(cols["crs"]), header[cols["crs"]], cell["crs"],
                                        "bad_crs", ()))
            if system:
                if 18 <= lon <= 27 and 108 <= lat <= 120:
                    lon, lat = lat, lon
                point = Point(*crsmod.convert(lon, lat, system, "WGS84"))
        geoms.append(point)
    frame = pd.DataFrame(records)
    renamed = {header[c]: k for k, c in cols.items()}
    frame = frame.rename(columns={h: {"code": "code", "name": "name", "street": "street"}.get(k, h)
                                  for h, k in renamed.items()})
    return frame, np.array(geoms, dtype=object), default


def _match_and_check(frame, geoms, kind, ref: Reference, file, make_valid, problems, unit_word) -> list[dict]:
    level = LEVEL[kind]
    matcher = ref.streets if kind == "streets" else ref.communities
    code_col = _column(frame, _CODE)
    name_col = _column(frame, _NAME[kind], {code_col} if code_col else set())
    street_col = _column(frame, _STREET, {c for c in (code_col, name_col) if c}) if kind == "communities" else None
    if code_col is None and name_col is None:
        problems.append(_prob(file, "geo_no_identity", columns="、".join(str(c) for c in frame.columns if c != "#"),
                              names="code/编码/区划代码、name/名称"))
        return []
    district_of = ref.street_district if kind == "streets" else {
        c: ref.street_district[s] for c, s in ref.community_street.items()}
    shapes = geo.district_shapes()
    first: dict[str, int] = {}
    out = []
    for i, g in enumerate(geoms):
        no = int(frame["#"].iloc[i])
        code_text = _text(frame[code_col].iloc[i]) if code_col else ""
        name_text = _text(frame[name_col].iloc[i]) if name_col else ""
        label = name_text or code_text
        header = name_col if name_text else code_col

        def add(code, severity="error", no=no, header=header, label=label, **params):
            problems.append(Problem(file, no, "-", header, label, code,
                                    tuple(sorted((k, str(v)) for k, v in params.items())), severity, unit=unit_word))
        unit = code_text if code_text in matcher.display else None
        if unit is None and (name_text or code_text):
            within = None
            if street_col and _text(frame[street_col].iloc[i]):
                scode, _, _ = ref.streets.match(_text(frame[street_col].iloc[i]))
                within = {c for c, s in ref.community_street.items() if s == scode} if scode else None
            unit, err, params = matcher.match(name_text or code_text, within)
            if unit is None:
                add(f"geo_unit_{err}_{level}", **dict(params))
                continue
        if unit is None:
            add("geo_no_identity_row")
            continue
        if unit in first:
            add("geo_duplicate_unit", first=first[unit], unit=matcher.display[unit])
            continue
        first[unit] = no
        if g is None or shapely.is_empty(g):
            add("geo_empty")
            continue
        allowed = ("Polygon", "MultiPolygon") + (("Point", "MultiPoint") if kind == "communities" else ())
        if g.geom_type not in allowed:
            add("geo_wrong_type", found=g.geom_type, wanted="面（Polygon）" + ("或点（Point）" if kind ==
                                                                              "communities" else ""))
            continue
        if g.geom_type in ("Polygon", "MultiPolygon") and not shapely.is_valid(g):
            reason = shapely.is_valid_reason(g)
            if not make_valid:
                add("geo_invalid", reason=reason)
                continue
            g = shapely.make_valid(g)
            if g.geom_type == "GeometryCollection":
                g = shapely.unary_union([p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")])
            add("geo_repaired", "warning", reason=reason)
        district = district_of.get(unit)
        shape = shapes.get(district)
        try:
            far, share = _outside(g, shape)
        except shapely.errors.GEOSException as exc:   # a geometry GEOS cannot intersect: refused, never raised
            add("geo_invalid", reason=str(exc)[:80])
            continue
        if far:
            add("geo_outside_district", district=ref.districts.display[district],
                share="—" if share is None else f"{share:.0%}",
                km=f"{shape.distance(g.representative_point()) * 111:.1f}")
            continue
        lon, lat, method = _location(g)
        drawn = None if g.geom_type in ("Point", "MultiPoint") else json.dumps(
            mapping(shapely.set_precision(g.simplify(DRAW_TOLERANCE_DEG, preserve_topology=True), 1e-6)))
        out.append({"level": level, "unit_code": unit, "wkb": shapely.to_wkb(g), "geojson": drawn, "kind":
                    "point" if g.geom_type in ("Point", "MultiPoint") else "polygon", "lon": round(lon, 6),
                    "lat": round(lat, 6), "method": method,
                    "area_km2": None if method == "given_point" else round(_area_km2(g), 4), "feature_no": no,
                    "_geom": g, "_name": matcher.display[unit]})
    return out


def _outside(g, shape) -> tuple[bool, float | None]:
    """(lies outside its district, share of its area inside): a point more than ~200 m out, a boundary with less
    than half its area inside the district (buffered ~500 m)."""
    if shape is None:
        return False, None
    if g.geom_type in ("Point", "MultiPoint"):
        return shape.distance(g) >= POINT_NEAR_DEG, None
    inside = g.intersection(shape.buffer(DISTRICT_BUFFER_DEG)).area
    share = inside / g.area if g.area else 0.0
    return share < MIN_SHARE_INSIDE, share


def _overlaps(rows: list[dict], file: str, problems, unit_word) -> None:
    """Sibling boundaries that overlap by more than the tolerance: the later feature is refused."""
    polys = [r for r in rows if r["kind"] == "polygon"]
    if len(polys) < 2:
        for r in rows:
            r.pop("_geom", None)
        return
    geoms = np.array([r["_geom"] for r in polys], dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    bad = set()
    for a, b in zip(left, right):
        if a >= b:
            continue
        shared = geoms[a].intersection(geoms[b]).area
        smaller = min(geoms[a].area, geoms[b].area)
        if smaller and shared / smaller > OVERLAP_TOLERANCE:
            ra, rb = polys[a], polys[b]
            later, other = (rb, ra) if rb["feature_no"] > ra["feature_no"] else (ra, rb)
            if id(later) in bad:
                continue
            bad.add(id(later))
            problems.append(Problem(file, later["feature_no"], "-", None, later["_name"], "geo_overlap",
                                    tuple(sorted({"other": other["_name"], "other_no": str(other["feature_no"]),
                                                  "share": f"{shared / smaller:.1%}",
                                                  "tolerance": f"{OVERLAP_TOLERANCE:.0%}"}.items())),
                                    unit=unit_word))
    rows[:] = [r for r in rows if id(r) not in bad]
    for r in rows:
        r.pop("_geom", None)


def _missing_units(rows, kind, ref: Reference, con, mode, file, problems) -> None:
    """Units that will have no boundary or location of the bureau's after this import: a warning, with names."""
    level = LEVEL[kind]
    units = set((ref.streets if kind == "streets" else ref.communities).display)
    have = {r["unit_code"] for r in rows}
    if mode == "append":
        have |= {c for (c,) in con.execute("select unit_code from unit_geometry where level = $l",
                                           {"l": level}).fetchall()}
    missing = sorted(units - have)
    for r in rows:
        r.pop("_name", None)
    if missing and rows:
        display = (ref.streets if kind == "streets" else ref.communities).display
        problems.append(_prob(file, f"geo_units_missing_{level}", severity="warning", n=len(missing),
                              total=len(units), names="、".join(display[c] for c in missing[:8])
                              + ("等" if len(missing) > 8 else "")))
