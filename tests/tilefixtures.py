"""Small raster tile sets made in the tests, in the three offline forms a bureau may configure: a {z}/{x}/{y}.png
folder, an MBTiles file (SQLite, rows counted from the south) and a PMTiles archive. Every tile is a solid colour
and names its own z/x/y in a PNG text chunk, so a test can tell which tile the map drew where."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from caremap.report import tiles

SHENZHEN = (113.75, 22.39, 114.63, 22.87)   # west, south, east, north
COLOUR = (255, 0, 255)                       # magenta: nothing else on the map is


def tile_png(z: int, x: int, y: int, colour=COLOUR) -> bytes:
    info = PngInfo()
    info.add_text("zxy", f"{z}/{x}/{y}")
    out = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def covering(max_zoom: int = 13, margin: float = 3.0) -> list[tuple[int, int, int]]:
    """Every tile around Shenzhen (the city's box widened by `margin` times its size each way) up to max_zoom."""
    w, s, e, n = SHENZHEN
    dx, dy = (e - w) * margin, (n - s) * margin
    return [t for z in range(1, max_zoom + 1) for t in tiles.tiles_covering((w - dx, s - dy, e + dx, n + dy), z)]


def folder(path: Path, max_zoom: int = 13) -> Path:
    for z, x, y in covering(max_zoom):
        f = path / str(z) / str(x) / f"{y}.png"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(tile_png(z, x, y))
    return path


def mbtiles(path: Path, max_zoom: int = 13, tile_format: str = "png") -> Path:
    con = sqlite3.connect(path)
    con.execute("create table metadata (name text, value text)")
    con.execute("create table tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
    con.executemany("insert into metadata values (?, ?)", [
        ("name", "测试底图"), ("format", tile_format), ("maxzoom", str(max_zoom)), ("attribution", "测试瓦片（示例）")])
    con.executemany("insert into tiles values (?, ?, ?, ?)",
                    [(z, x, 2 ** z - 1 - y, tile_png(z, x, y)) for z, x, y in covering(max_zoom)])
    con.commit()
    con.close()
    return path


def pmtiles(path: Path, max_zoom: int = 13) -> Path:
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import write

    w, s, e, n = SHENZHEN
    with write(str(path)) as writer:
        for tile_id, (z, x, y) in sorted((zxy_to_tileid(*t), t) for t in covering(max_zoom)):
            writer.write_tile(tile_id, tile_png(z, x, y))
        writer.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE,
                         "min_lon_e7": int(w * 1e7), "min_lat_e7": int(s * 1e7), "max_lon_e7": int(e * 1e7),
                         "max_lat_e7": int(n * 1e7), "center_zoom": 10, "center_lon_e7": int((w + e) / 2 * 1e7),
                         "center_lat_e7": int((s + n) / 2 * 1e7)}, {"attribution": "测试瓦片（示例）"})
    return path
