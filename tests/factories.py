"""Tiny fixture databases made in code: the real schema (caremap/store/schema.sql) and only the given rows.

Each test builds the handful of rows whose answer it knows by construction, instead of reading the demo data.
"""

from __future__ import annotations

import json
import math
import shutil

import duckdb
import numpy as np
import pandas as pd

from caremap.common.paths import DEMO, REFERENCE
from caremap.common.places import english_name
from caremap.store import build


def schema_db(path=None, rows: dict[str, list[dict]] | None = None, derive: bool = False) -> duckdb.DuckDBPyConnection:
    """A writable connection to a new database (in memory without a path) with the real schema, the given rows
    ({table: [{column: value}, ...]}) and, when `derive`, the derived tables every published version carries."""
    con = duckdb.connect(str(path) if path else ":memory:")
    con.execute(build.SCHEMA.read_text(encoding="utf-8"))
    for table, records in (rows or {}).items():
        insert(con, table, records)
    if derive:
        build.derive(con)
    return con


def insert(con: duckdb.DuckDBPyConnection, table: str, records: list[dict]) -> None:
    """Insert rows given as dicts, by column name (values as parameters)."""
    if table not in build.TABLES:
        raise ValueError(f"unknown table {table!r}")
    for rec in records:
        cols = ", ".join(rec)
        con.execute(f"insert into {table} ({cols}) values ({', '.join('?' * len(rec))})", list(rec.values()))


def read_only(path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)

# --- the coverage fixture: a tiny data set written as CSV files and built with the real build --------------------
# One district 测试区 (990001) with three streets:
#   甲 (…001): supervisor, workstation; communities A1 (children's home 100 m south, workstation on its point,
#             director) and A2 (300 m north of A1, director post vacant);
#   乙 (…002): supervisor, workstation 400 m north of B1; community B1 (director) 5 km east of A1;
#   丙 (…003): supervisor post vacant, NO workstation; communities C1 (children's home on its point, director),
#             C2, C3, C4 at 1,200, 2,100 and 3,000 m due north of C1 (no director, nothing nearer).

R = 6371008.8
M_PER_DEG = R * math.pi / 180  # metres per degree of latitude on the sphere
LON_A, LON_B, LON_C, LAT0 = 114.00, 114.05, 114.10, 22.50
D, S1, S2, S3 = "990001", "990001001", "990001002", "990001003"


def north(metres: float) -> float:
    return LAT0 + metres / M_PER_DEG


COMMUNITIES = [  # code, name, street, lon, lat
    (S1 + "001", "甲一社区", S1, LON_A, LAT0), (S1 + "002", "甲二社区", S1, LON_A, north(300)),
    (S2 + "001", "乙一社区", S2, LON_B, LAT0),
    (S3 + "001", "丙一社区", S3, LON_C, LAT0), (S3 + "002", "丙二社区", S3, LON_C, north(1200)),
    (S3 + "003", "丙三社区", S3, LON_C, north(2100)), (S3 + "004", "丙四社区", S3, LON_C, north(3000)),
]
POINTS = [  # id, category, street, community, lon, lat
    ("P1", "rescue_centre", S1, S1 + "001", LON_A, north(-1112)),
    ("P2", "workstation", S1, S1 + "001", LON_A, LAT0),
    ("P3", "children_home", S1, S1 + "001", LON_A, north(-100)),
    ("P4", "workstation", S2, S2 + "001", LON_B, north(400)),
    ("P5", "children_home", S3, S3 + "001", LON_C, LAT0),
]
WORKERS = [  # id, role, street, community, status
    ("W1", "儿童督导员", S1, "", "在岗"), ("W2", "儿童督导员", S2, "", "在岗"), ("W3", "儿童督导员", S3, "", "空缺"),
    ("W4", "儿童主任", S1, S1 + "001", "在岗"), ("W5", "儿童主任", S1, S1 + "002", "空缺"),
    ("W6", "儿童主任", S2, S2 + "001", "在岗"), ("W7", "儿童主任", S3, S3 + "001", "在岗"),
]


def haversine(lon1, lat1, lon2, lat2):
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(np.asarray(lon2) - lon1)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * R * np.arcsin(np.sqrt(np.minimum(1.0, a)))


def make_fixture(folder, standards_text: str | None = None, population: int | str = 100000):
    """Write the tiny reference and data set under folder and build it; returns the database path."""
    ref, data = folder / "reference", folder / "data"
    shutil.copytree(REFERENCE, ref)
    data.mkdir()
    ring = [[113.9, 22.4], [114.2, 22.4], [114.2, 22.6], [113.9, 22.6], [113.9, 22.4]]
    (ref / "districts.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": D, "name": "测试区"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}), encoding="utf-8")
    pd.DataFrame([{"code": D, "name": "测试区", "name_en": "Testing", "is_official_code": "false",
                   "population_2020": population, "population_source": "构造" if population else "",
                   "label_lon": 114.05, "label_lat": 22.5,
                   "boundary_note": "构造"}]).to_csv(ref / "districts.csv", index=False)
    pd.DataFrame([{"code": s, "name": n, "name_en": english_name(n), "district_code": D, "lon": lon, "lat": LAT0,
                   "point_note": ""}
                  for s, n, lon in ((S1, "甲街道", LON_A), (S2, "乙街道", LON_B), (S3, "丙街道", LON_C))]
                 ).to_csv(ref / "streets.csv", index=False)
    pd.DataFrame([{"code": c, "name": n, "name_en": english_name(n), "official_name": n, "street_code": s}
                  for c, n, s, _, _ in COMMUNITIES]
                 ).to_csv(ref / "communities.csv", index=False)
    pd.DataFrame(columns=["code", "name", "district_code"]).to_csv(ref / "special_zones.csv", index=False)
    if standards_text is not None:
        (ref / "coverage_standards.toml").write_text(standards_text, encoding="utf-8")
    pd.DataFrame([{"community_code": c, "lon": lon, "lat": lat, "location_note": ""}
                  for c, _, _, lon, lat in COMMUNITIES]).to_csv(data / "community_points.csv", index=False)
    pd.DataFrame([{"id": i, "name": f"点{i}", "category": cat, "district_code": D, "street_code": s,
                   "community_code": c, "address": "", "phone": "", "lon": lon, "lat": lat, "source_crs": "WGS84",
                   "updated_on": "2020-05-31"} for i, cat, s, c, lon, lat in POINTS]
                 ).to_csv(data / "service_points.csv", index=False)
    pd.DataFrame([{"id": i, "role": r, "name": "", "phone": "", "district_code": D, "street_code": s,
                   "community_code": c, "status": st, "appointed_on": "", "training_hours": "", "certificate": ""}
                  for i, r, s, c, st in WORKERS]).to_csv(data / "workers.csv", index=False)
    for _, name in build.DATASET_TABLES:  # the social-work tables stay empty: header only
        if not (data / name).exists():
            (data / name).write_text((DEMO / name).read_text(encoding="utf-8").splitlines()[0] + "\n",
                                     encoding="utf-8")
    path = folder / "fixture.duckdb"
    build.build(path, dataset=data, reference=ref)
    return path
