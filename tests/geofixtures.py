"""Geographic fixture files made in the tests, from known WGS-84 truth: small square boundaries around the
reference locations of 福田区's streets and community units, written as GeoJSON in GCJ-02, a zipped Shapefile
with its .prj in EPSG:4547 and a GeoPackage, by DuckDB's spatial extension (GDAL) itself."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import duckdb
import shapely
from shapely.geometry import box, mapping

from caremap.common import crs
from caremap.common.paths import REFERENCE
from caremap.store import geo, spatial

DISTRICT = "440304"   # 福田区


def street_truth(half_deg: float = 0.003) -> dict[str, shapely.Geometry]:
    """{street code: a square of 2 × half_deg around its reference point}, inside 福田区 and not overlapping."""
    con = duckdb.connect()
    rows = con.execute("select code, lon, lat from read_csv($p, all_varchar = true) "
                       "where district_code = $d order by code",
                       {"p": str(REFERENCE / "streets.csv"), "d": DISTRICT}).fetchall()
    district = geo.district_shapes()[DISTRICT]
    out: dict[str, shapely.Geometry] = {}
    for code, lon, lat in rows:
        lon, lat = float(lon), float(lat)
        sq = box(lon - half_deg, lat - half_deg, lon + half_deg, lat + half_deg)
        if district.contains(sq) and not any(sq.intersects(o) for o in out.values()):
            out[code] = sq
    return out


def community_truth(street: str, half_deg: float = 0.0008) -> dict[str, shapely.Geometry]:
    """{community code: a small square} for the units of one street, laid out on a row inside its street square."""
    con = duckdb.connect()
    codes = [r[0] for r in con.execute("select code from read_csv($p, types = {'code': 'varchar', 'street_code': "
                                       "'varchar'}) where street_code = $s order by code",
                                       {"p": str(REFERENCE / "communities.csv"), "s": street}).fetchall()]
    centre = street_truth()[street].centroid
    return {c: box(centre.x - 0.0025 + i * 0.0018 - half_deg, centre.y - half_deg,
                   centre.x - 0.0025 + i * 0.0018 + half_deg, centre.y + half_deg)
            for i, c in enumerate(codes[:3])}


def _shift(g: shapely.Geometry, fn) -> shapely.Geometry:
    return shapely.transform(g, lambda xy: __import__("numpy").array([fn(x, y) for x, y in xy]))


def geojson_gcj02(truth: dict[str, shapely.Geometry], names: dict[str, str] | None = None) -> bytes:
    """A FeatureCollection whose coordinates are GCJ-02 (as web tools export), with code and name properties."""
    features = [{"type": "Feature", "properties": {"code": code, "name": (names or {}).get(code, "")},
                 "geometry": mapping(_shift(g, crs.wgs84_to_gcj02))} for code, g in truth.items()]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def _write(truth: dict[str, shapely.Geometry], folder: Path, name: str, driver: str, srs: str,
           props: dict[str, dict] | None = None) -> Path:
    con = duckdb.connect()
    spatial.load(con)
    con.execute("create table t (code varchar, name varchar, geom geometry)")
    for code, g in truth.items():
        con.execute("insert into t values ($c, $n, st_geomfromtext($w))",
                    {"c": code, "n": (props or {}).get(code, {}).get("name", ""), "w": g.wkt})
    target = folder / name
    geom = "geom" if srs == "EPSG:4326" else f"st_transform(geom, 'EPSG:4326', '{srs}', always_xy := true)"
    con.execute(f"copy (select code, name, {geom} as geom from t) to '{target}' "
                f"(format gdal, driver '{driver}', srs '{srs}')")
    return target


def shapefile_zip_4547(truth: dict[str, shapely.Geometry], folder: Path, with_prj: bool = True) -> bytes:
    """A zipped Shapefile projected to CGCS2000 / 3-degree Gauss-Krüger CM 114E, with (or without) its .prj."""
    folder.mkdir(parents=True, exist_ok=True)
    shp = _write(truth, folder, "boundaries.shp", "ESRI Shapefile", "EPSG:4547")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            part = shp.with_suffix(suffix)
            if part.exists() and (with_prj or suffix != ".prj"):
                z.write(part, part.name)
    return buf.getvalue()


def geopackage(truth: dict[str, shapely.Geometry], folder: Path, srs: str = "EPSG:4326") -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    return _write(truth, folder, "communities.gpkg", "GPKG", srs).read_bytes()
