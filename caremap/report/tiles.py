"""Base-map tiles: none unless configured ([map] in .streamlit/secrets.toml, or $CAREMAP_TILES / $CAREMAP_TILES_KEY).

Without configuration the map uses no tiles and fetches nothing from the network: the district boundaries
are the base map. A configured source names its coordinate system: AMap tiles are GCJ-02, so the map
shifts every layer from the stored WGS-84 to GCJ-02 for them (caremap.common.crs).

Offline sources are read by the app itself and sent with the map, so the browser fetches nothing from
anywhere: a folder of {z}/{x}/{y}.png|jpg|webp tiles (an intranet Tianditu mirror's cache, a bureau's own
tiles), an MBTiles file (SQLite, TMS rows) or a PMTiles archive (raster). Each source may carry its 审图号
(review_no), shown under the map; a source without one says so.
"""

from __future__ import annotations

import base64
import gzip
import math
import os
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
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
    name: str  # a preset, "custom" (a URL template), or an offline kind: "folder", "mbtiles", "pmtiles"
    urls: tuple[str, ...]  # templates with {x}, {y}, {z}; drawn in order (base, then annotation); () offline
    crs: str  # "WGS84" or "GCJ02": the coordinate system the tiles are drawn in
    attribution: str
    max_zoom: int = 18
    review_no: str = ""  # 审图号 of the map the tiles show, as the source's owner published it
    path: str = ""       # an offline source's folder or file
    suffix: str = ""     # a folder's tile file type (png, jpg, jpeg, webp)

    @property
    def offline(self) -> bool:
        return bool(self.path)


OFFLINE = ("folder", "mbtiles", "pmtiles")
_IMAGE_SUFFIXES = ("png", "jpg", "jpeg", "webp")


def from_settings(section: Mapping | None, environ: Mapping | None = None) -> TileSource | None:
    """The tile source from a [map] settings section (tiles, key, crs, attribution), else from the environment.

    tiles = "osm" | "carto" | "tianditu" | "amap" | a URL template such as "https://host/{z}/{x}/{y}.png".
    None (no tiles) when nothing is configured.
    """
    section = dict(section or {})
    environ = os.environ if environ is None else environ
    tiles = str(section.get("tiles") or environ.get("CAREMAP_TILES") or "").strip()
    key = str(section.get("key") or environ.get("CAREMAP_TILES_KEY") or "").strip()
    review_no = str(section.get("review_no") or environ.get("CAREMAP_TILES_REVIEW_NO") or "").strip()
    if not tiles or tiles.lower() == "none":
        return None
    preset = PRESETS.get(tiles.lower())
    if preset:
        urls, crs, attribution, max_zoom, needs_key = preset
        if needs_key and not key:
            raise TileConfigError(f"底图 {tiles} 需要密钥：请在 .streamlit/secrets.toml 的 [map] 中填写 key = \"…\"")
        return TileSource(tiles.lower(), tuple(u.replace("{key}", key) for u in urls), crs,
                          str(section.get("attribution") or attribution), max_zoom, review_no)
    if not tiles.lower().startswith(("http://", "https://")):   # a folder or a file on this machine
        return _offline(Path(tiles.removeprefix("file://")).expanduser(), section, environ, review_no)
    parsed = urlparse(tiles)
    if parsed.scheme not in ("http", "https") or not all(p in tiles for p in ("{x}", "{y}", "{z}")):
        raise TileConfigError(f"无法识别的底图 {tiles!r}：请填写 osm、carto、tianditu、amap，"
                              "或含 {x}、{y}、{z} 的 http(s) 瓦片地址模板")
    crs = _crs(section, environ)
    return TileSource("custom", (tiles.replace("{key}", key),), crs,
                      str(section.get("attribution") or parsed.netloc), int(section.get("max_zoom") or 18), review_no)


def _crs(section: Mapping, environ: Mapping) -> str:
    crs = normalise_system(str(section.get("crs") or environ.get("CAREMAP_TILES_CRS") or "WGS84"))
    if crs == "BD09":
        raise TileConfigError("百度（BD-09）瓦片使用自有切片方案，不受支持；请使用 WGS-84 或 GCJ-02 瓦片")
    return crs


def _offline(path: Path, section: Mapping, environ: Mapping, review_no: str) -> TileSource:
    """An offline source checked once when configured: it exists, holds raster tiles, and its zoom range."""
    crs = _crs(section, environ)
    attribution = str(section.get("attribution") or "")
    if path.is_dir():
        levels = sorted(int(d.name) for d in path.iterdir() if d.is_dir() and d.name.isdigit())
        found = next((f for z in levels for d in _first(path / str(z), str.isdigit)   # one tile is enough:
                      for f in _first(d, lambda n: n.split(".")[-1].lower() in _IMAGE_SUFFIXES)), None)  # no full scan
        if found is None:
            raise TileConfigError(f"底图文件夹 {path} 中没有 {{z}}/{{x}}/{{y}}.png（或 .jpg、.webp）瓦片："
                                  "请指向瓦片目录的最上一级（其下为缩放级别文件夹 0、1、2…）")
        return TileSource("folder", (), crs, attribution or path.name, int(section.get("max_zoom") or max(levels)),
                          review_no, str(path), found.suffix.lstrip("."))
    if not path.is_file():
        raise TileConfigError(f"底图文件或文件夹不存在：{path}。请填写本机上 .mbtiles、.pmtiles 文件或瓦片文件夹的"
                              "完整路径，或 osm、carto、tianditu、amap、http(s) 瓦片地址模板")
    kind = path.suffix.lstrip(".").lower()
    if kind == "mbtiles":
        meta = _mbtiles_metadata(path)
        if meta.get("format", "png").lower() not in _IMAGE_SUFFIXES:
            raise TileConfigError(f"{path.name} 是矢量瓦片（format = {meta['format']}），地图只能显示栅格瓦片"
                                  "（png、jpg、webp）：请导出栅格 MBTiles")
        max_zoom = meta.get("maxzoom")
    elif kind == "pmtiles":
        header = _pmtiles_header(path)
        if header["tile_type"].name.lower() not in ("png", "jpeg", "webp", "avif"):
            raise TileConfigError(f"{path.name} 是矢量瓦片（{header['tile_type'].name}），地图只能显示栅格瓦片"
                                  "（png、jpg、webp）：请导出栅格 PMTiles")
        meta, max_zoom = {}, header["max_zoom"]
    else:
        raise TileConfigError(f"无法识别的底图文件 {path.name}：支持 .mbtiles、.pmtiles 或 {{z}}/{{x}}/{{y}} "
                              "瓦片文件夹")
    return TileSource(kind, (), crs, attribution or str(meta.get("attribution") or meta.get("name") or path.name),
                      int(section.get("max_zoom") or max_zoom or 18), review_no, str(path))


def _first(folder: Path, wanted) -> list[Path]:
    """The first entry of a folder whose name is `wanted` (a list of one, or none)."""
    return next(([e] for e in folder.iterdir() if wanted(e.name.split(".")[0] if e.is_dir() else e.name)), [])


def _mbtiles_metadata(path: Path) -> dict:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(con.execute("select name, value from metadata").fetchall())
            con.execute("select zoom_level, tile_column, tile_row, tile_data from tiles limit 1").fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise TileConfigError(f"{path.name} 不是可读的 MBTiles 文件（需含 metadata 与 tiles 表）：{exc}") from None
    return meta


def _pmtiles_header(path: Path) -> dict:
    from pmtiles.reader import MmapSource, Reader

    try:
        with open(path, "rb") as f:
            return Reader(MmapSource(f)).header()
    except Exception as exc:   # a file that is not a PMTiles v3 archive: the reader fails in many ways
        raise TileConfigError(f"{path.name} 不是可读的 PMTiles（v3）文件：{exc}") from None


def tile_reader(source: TileSource) -> tuple[Callable[[int, int, int], bytes | None], Callable[[], None]]:
    """For an offline source: a function (z, x, y) → the tile's bytes (None where the source has none), and
    one to close what it opened. Used for one map at a time."""
    path = Path(source.path)
    if source.name == "folder":
        def folder(z, x, y):
            f = path / str(z) / str(x) / f"{y}.{source.suffix}"
            return f.read_bytes() if f.is_file() else None
        return folder, lambda: None
    if source.name == "mbtiles":
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

        def mbtiles(z, x, y):   # MBTiles rows count from the south (TMS)
            row = con.execute("select tile_data from tiles where zoom_level = ? and tile_column = ? and tile_row = ?",
                              (z, x, 2 ** z - 1 - y)).fetchone()
            return bytes(row[0]) if row else None
        return mbtiles, con.close
    from pmtiles.reader import MmapSource, Reader
    from pmtiles.tile import Compression

    f = open(path, "rb")  # noqa: SIM115 (closed by the second function)
    reader = Reader(MmapSource(f))
    packed = reader.header()["tile_compression"] == Compression.GZIP

    def pmtiles(z, x, y):
        data = reader.get(z, x, y)
        return (gzip.decompress(data) if packed else data) if data else None
    return pmtiles, f.close


def data_uri(image: bytes) -> str:
    """A tile's bytes as a data: URI the map draws without fetching anything."""
    mime = ("image/png" if image[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg" if image[:3] == b"\xff\xd8\xff"
            else "image/webp" if image[:4] == b"RIFF" and image[8:12] == b"WEBP" else "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"


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
