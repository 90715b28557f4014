"""Coordinate conversion between WGS-84, GCJ-02 (AMap, Tencent) and BD-09 (Baidu)."""

from __future__ import annotations

import math

# Krasovsky 1940 ellipsoid parameters used by the published GCJ-02 obfuscation.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

SYSTEMS = ("WGS84", "GCJ02", "BD09")


def normalise_system(name: str) -> str:
    """Map the spellings people use ('wgs-84', 'gcj02', '火星坐标', '百度') to WGS84/GCJ02/BD09."""
    key = (name or "").strip().upper().replace("-", "").replace("_", "").replace(" ", "")
    aliases = {
        "": "WGS84", "WGS84": "WGS84", "WGS": "WGS84", "GPS": "WGS84", "CGCS2000": "WGS84",
        "EPSG4326": "WGS84", "GCJ02": "GCJ02", "GCJ": "GCJ02", "AMAP": "GCJ02", "高德": "GCJ02",
        "火星坐标": "GCJ02", "腾讯": "GCJ02", "BD09": "BD09", "BD": "BD09", "BAIDU": "BD09",
        "百度": "BD09", "BD09LL": "BD09",
    }
    if key not in aliases:
        raise ValueError(f"未知坐标系 {name!r}：请填写 WGS84、GCJ02 或 BD09")
    return aliases[key]


def out_of_china(lon: float, lat: float) -> bool:
    """GCJ-02 leaves coordinates outside this box untouched."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj_delta(lon: float, lat: float) -> tuple[float, float]:
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _gcj_delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Inverse by fixed-point iteration: converges to well under a centimetre in a few steps."""
    if out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if abs(dlon) < 1e-10 and abs(dlat) < 1e-10:
            break
    return wlon, wlat


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def convert(lon: float, lat: float, source: str, target: str = "WGS84") -> tuple[float, float]:
    """Convert one point between any two of WGS84, GCJ02 and BD09."""
    source, target = normalise_system(source), normalise_system(target)
    if source == target:
        return lon, lat
    to_wgs = {"WGS84": lambda a, b: (a, b), "GCJ02": gcj02_to_wgs84, "BD09": bd09_to_wgs84}
    from_wgs = {"WGS84": lambda a, b: (a, b), "GCJ02": wgs84_to_gcj02, "BD09": wgs84_to_bd09}
    return from_wgs[target](*to_wgs[source](lon, lat))


def convert_geometry(coords, fn):
    """Apply fn(lon, lat) to every position of a GeoJSON coordinates array (any nesting)."""
    if coords and isinstance(coords[0], (int, float)):
        return list(fn(coords[0], coords[1]))
    return [convert_geometry(c, fn) for c in coords]


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres on a sphere of radius 6,371,008.8 m (IUGG mean radius)."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def wgs84_to_gcj02_arrays(lon, lat):
    """Vectorised wgs84_to_gcj02 for numpy arrays (or sequences) of longitudes and latitudes."""
    import numpy as np

    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x, y = lon - 105.0, lat - 35.0
    pi = math.pi
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * pi) + 320 * np.sin(y * pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    outside = ~((lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271))
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def to_wgs84_arrays(lon, lat, source: str):
    """Vectorised conversion of GCJ02 or BD09 (or WGS84) arrays to WGS84: the inverse of GCJ-02 by the same
    fixed-point iteration as gcj02_to_wgs84, every vertex of a boundary at once."""
    import numpy as np

    source = normalise_system(source)
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if source == "WGS84":
        return lon, lat
    if source == "BD09":
        x, y = lon - 0.0065, lat - 0.006
        z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
        theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
        lon, lat = z * np.cos(theta), z * np.sin(theta)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(30):
        glon, glat = wgs84_to_gcj02_arrays(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if dlon.size == 0 or (np.abs(dlon).max() < 1e-10 and np.abs(dlat).max() < 1e-10):
            break
    return wlon, wlat
