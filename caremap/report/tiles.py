"""Base-map tiles: none unless configured ([map] in .streamlit/secrets.toml, or $CAREMAP_TILES / $CAREMAP_TILES_KEY).

Without configuration the map uses no tiles and fetches nothing from the network: the district boundaries
are the base map. A configured source names its coordinate system: AMap tiles are GCJ-02, so the map
shifts every layer from the stored WGS-84 to GCJ-02 for them (caremap.common.crs).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from caremap.common.crs import normalise_system

PRESETS = {
    # name: (url templates, coordinate system, attribution, max zoom, needs a key)
    "osm": (("https://tile.openstreetmap.org/{z}/{x}/{y}.png",), "WGS84", "© OpenStreetMap contributors", 19, False),
    "carto": (("https://basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",), "WGS84",
              "© OpenStreetMap contributors © CARTO", 19, False),
    # 天地图: vector map plus its annotation layer, Web Mercator (_w), CGCS2000 ≈ WGS-84; a key (tk) is required.
    "tianditu": (("https://t0.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk={key}",
                  "https://t0.tianditu.gov.cn/DataServer?T=cva_w&x={x}&y={y}&l={z}&tk={key}"), "WGS84",
                 "© 天地图 国家地理信息公共服务平台", 18, True),
    "amap": (("https://webrd01.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",),
             "GCJ02", "© 高德地图 AutoNavi", 18, False),
}


class TileConfigError(ValueError):
    """The [map] settings are present but unusable; the message says what to fix."""


@dataclass(frozen=True)
class TileSource:
    name: str
    urls: tuple[str, ...]  # templates with {x}, {y}, {z}; drawn in order (base, then annotation)
    crs: str  # "WGS84" or "GCJ02": the coordinate system the tiles are drawn in
    attribution: str
    max_zoom: int = 18


def from_settings(section: Mapping | None, environ: Mapping | None = None) -> TileSource | None:
    """The tile source from a [map] settings section (tiles, key, crs, attribution), else from the environment.

    tiles = "osm" | "carto" | "tianditu" | "amap" | a URL template such as "https://host/{z}/{x}/{y}.png".
    None (no tiles) when nothing is configured.
    """
    section = dict(section or {})
    environ = os.environ if environ is None else environ
    tiles = str(section.get("tiles") or environ.get("CAREMAP_TILES") or "").strip()
    key = str(section.get("key") or environ.get("CAREMAP_TILES_KEY") or "").strip()
    if not tiles or tiles.lower() == "none":
        return None
    preset = PRESETS.get(tiles.lower())
    if preset:
        urls, crs, attribution, max_zoom, needs_key = preset
        if needs_key and not key:
            raise TileConfigError(f"底图 {tiles} 需要密钥：请在 .streamlit/secrets.toml 的 [map] 中填写 key = \"…\"")
        return TileSource(tiles.lower(), tuple(u.replace("{key}", key) for u in urls), crs,
                          str(section.get("attribution") or attribution), max_zoom)
    parsed = urlparse(tiles)
    if parsed.scheme not in ("http", "https") or not all(p in tiles for p in ("{x}", "{y}", "{z}")):
        raise TileConfigError(f"无法识别的底图 {tiles!r}：请填写 osm、carto、tianditu、amap，"
                              "或含 {x}、{y}、{z} 的 http(s) 瓦片地址模板")
    crs = normalise_system(str(section.get("crs") or environ.get("CAREMAP_TILES_CRS") or "WGS84"))
    if crs == "BD09":
        raise TileConfigError("百度（BD-09）瓦片使用自有切片方案，不受支持；请使用 WGS-84 或 GCJ-02 瓦片")
    return TileSource("custom", (tiles.replace("{key}", key),), crs,
                      str(section.get("attribution") or parsed.netloc), int(section.get("max_zoom") or 18))


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The Web-Mercator (XYZ) tile containing a point."""
    lat = max(min(lat, 85.0511), -85.0511)
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_bounds(x: int, y: int, z: int) -> tuple[float, float, float, float]:
    """[west, south, east, north] of an XYZ tile in degrees."""
    n = 2 ** z

    def lat(yy: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yy / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def tiles_covering(bbox: tuple[float, float, float, float], z: int) -> list[tuple[int, int, int]]:
    """The (z, x, y) tiles covering bbox = (west, south, east, north)."""
    x0, y0 = tile_xy(bbox[0], bbox[3], z)
    x1, y1 = tile_xy(bbox[2], bbox[1], z)
    return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def tile_url(template: str, z: int, x: int, y: int) -> str:
    return template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
