"""The geography part of `python -m caremap bench`: importing the 74 street and 783 community boundaries, the
point-in-polygon assignment of every service point (DuckDB's spatial join, an R-tree over the boundaries) and
the map payload once boundaries are drawn.

The boundaries are generated for the measurement only (a Voronoi tessellation of the reference street points
inside each district, and of the demo community points inside each street cell): they are never shown, stored
in data/ or offered as real lines."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import duckdb
import numpy as np
import shapely
from shapely.geometry import MultiPoint, mapping

from caremap.ingest import checks, load
from caremap.store import build, geo, spatial


def _cells(points: dict[str, tuple[float, float]], within) -> dict[str, shapely.Geometry]:
    """Voronoi cells of the points clipped to `within` (one cell per point; a point alone gets all of it)."""
    if len(points) == 1:
        return {next(iter(points)): within}
    codes = list(points)
    diagram = shapely.voronoi_polygons(MultiPoint([points[c] for c in codes]), extend_to=within.envelope)
    out = {}
    for cell in diagram.geoms:
        for c in codes:
            if cell.contains(shapely.Point(points[c])):
                clipped = cell.intersection(within)
                if not clipped.is_empty and clipped.geom_type in ("Polygon", "MultiPolygon"):
                    out[c] = clipped
                break
    return out


def synthetic_boundaries(db: Path) -> tuple[dict[str, shapely.Geometry], dict[str, shapely.Geometry]]:
    """(street cells, community cells) for the units of the database at `db`."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        streets = con.execute("select code, district_code, ref_lon, ref_lat from street").fetchall()
        units = con.execute("select code, street_code, ref_lon, ref_lat from community "
                            "where ref_lon is not null").fetchall()
    finally:
        con.close()
    districts = geo.district_shapes()
    street_cells: dict[str, shapely.Geometry] = {}
    taken = shapely.Polygon()   # the district outlines overlap a little at their borders: each area goes once
    for d, shape in districts.items():
        pts = {c: (lon, lat) for c, dc, lon, lat in streets if dc == d}
        area = shapely.make_valid(shape).difference(taken)
        taken = taken.union(area)
        if pts:
            street_cells |= _cells(pts, area)
    unit_cells: dict[str, shapely.Geometry] = {}
    for s, cell in street_cells.items():
        pts = {c: (lon, lat) for c, sc, lon, lat in units if sc == s and cell.contains(shapely.Point(lon, lat))}
        if pts:
            unit_cells |= _cells(pts, cell)
    return street_cells, unit_cells


def _geojson(cells: dict[str, shapely.Geometry]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": c}, "geometry": mapping(g)} for c, g in cells.items()]}).encode()


def _import(db: Path, data: bytes, name: str, kind: str) -> tuple[float, float, int]:
    """(seconds to check, seconds to publish, units loaded) for one boundary file."""
    con = duckdb.connect(str(db), read_only=True)
    t0 = time.perf_counter()
    try:
        checked = checks.check(data, name, kind, con)
    finally:
        con.close()
    check_s = time.perf_counter() - t0
    if not checked.ok:
        raise RuntimeError(f"synthetic {kind} refused: {[p.code for p in checked.errors][:5]}")
    t0 = time.perf_counter()
    load.publish_import(checked, data, "replace", db, who="bench")
    return check_s, time.perf_counter() - t0, len(checked.rows)


def _derivation_seconds(db: Path, table: str, repeat: int, prepare=None) -> tuple[float, int]:
    """Median seconds of one derivation (build.DERIVED[table]) re-run on a copy of `db`, and the rows it gives;
    `prepare(con)` sets up its inputs first."""
    work = db.with_name(f"{db.stem}-{table}.duckdb")
    shutil.copyfile(Path(db).resolve(), work)
    con = duckdb.connect(str(work))
    try:
        if prepare:
            prepare(con)
        sql = build.DERIVED[table].read_text(encoding="utf-8")
        times = []
        for _ in range(repeat):
            con.execute(f"delete from {table}")  # noqa: S608 (a fixed table name of build.DERIVED)
            t0 = time.perf_counter()
            con.execute(sql)
            times.append(time.perf_counter() - t0)
        rows = con.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608 (as above)
    finally:
        con.close()
        work.unlink(missing_ok=True)
    return float(np.median(times)), int(rows)


def point_in_polygon_seconds(db: Path, repeat: int = 3) -> tuple[float, int]:
    """The point_place derivation alone (spatial join of every point), and the points placed."""
    return _derivation_seconds(db, "point_place", repeat, spatial.load)


def access_seconds(db: Path, repeat: int = 3) -> tuple[float, int]:
    """The 2SFCA derivation (community_access) with a child count for every community unit (1,000 each: a
    measurement input, never stored), and the rows it gives."""
    def children(con):
        con.execute("delete from population")
        con.execute("insert into population select 'community', code, '0-17', 1000, 2025, 'bench', null "
                    "from community")
    return _derivation_seconds(db, "community_access", repeat, children)


def measure(db: Path, folder: Path, repeat: int = 3) -> dict:
    """Import both boundary files into a copy of `db` (its versions beside it in `folder`) and time each step."""
    folder.mkdir(parents=True, exist_ok=True)
    live = folder / "geo.duckdb"
    shutil.copyfile(db, live)
    street_cells, unit_cells = synthetic_boundaries(live)
    s_check, s_publish, s_units = _import(live, _geojson(street_cells), "streets.geojson", "streets")
    c_check, c_publish, c_units = _import(live, _geojson(unit_cells), "communities.geojson", "communities")
    pip_s, placed = point_in_polygon_seconds(live, repeat)
    access_s, access_rows = access_seconds(live, repeat)
    return {"live": live, "street_units": s_units, "street_check_seconds": s_check,
            "street_publish_seconds": s_publish, "community_units": c_units, "community_check_seconds": c_check,
            "community_publish_seconds": c_publish, "point_in_polygon_seconds": pip_s, "points_placed": placed,
            "access_2sfca_seconds": access_s, "access_rows": access_rows}
