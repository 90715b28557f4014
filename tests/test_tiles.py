"""Offline base maps: a tile folder, an MBTiles file or a PMTiles archive configured by path is read by the app and
sent inside the map (the browser fetches nothing), each tile where it belongs; bad settings are refused in plain
words; the 审图号 is shown, or its absence said."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest
import tilefixtures as tf
from PIL import Image

from caremap.common.i18n import t
from caremap.report import maps, tiles
from conftest import ROOT

KINDS = {"folder": tf.folder, "mbtiles": tf.mbtiles, "pmtiles": tf.pmtiles}


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("tiles")
    return {"folder": tf.folder(base / "folder"), "mbtiles": tf.mbtiles(base / "shenzhen.mbtiles"),
            "pmtiles": tf.pmtiles(base / "shenzhen.pmtiles")}


def _map_page(settings: dict, district: str | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/map.py"), default_timeout=60)
    at.secrets["map"] = settings
    if district:
        at.query_params["district"] = district
    return at.run()


def _bitmaps(at) -> list[dict]:
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    return [x for x in spec["layers"] if x["@@type"] == "BitmapLayer"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_offline_source_is_read_from_its_path(sources, kind):
    found = tiles.from_settings({"tiles": str(sources[kind]), "review_no": "GS(示例)0001"}, {})
    assert (found.name, found.offline, found.crs, found.max_zoom, found.review_no) == (
        kind, True, "WGS84", 13, "GS(示例)0001")
    assert found.urls == () and found.path == str(sources[kind])
    read, close = tiles.tile_reader(found)
    try:
        z, x, y = tf.covering()[-1]
        assert read(z, x, y) == tf.tile_png(z, x, y)   # the right tile (MBTiles rows flipped back)
        assert read(3, 0, 0) is None                    # far away: the source has none
    finally:
        close()


@pytest.mark.parametrize("kind", KINDS)
def test_the_map_page_sends_the_tiles_inside_the_map_each_where_it_belongs(sources, kind):
    at = _map_page({"tiles": str(sources[kind]), "review_no": "GS(示例)0001"}, district="440305")
    assert not at.exception
    bitmaps = _bitmaps(at)
    assert len(bitmaps) >= 4
    for b in bitmaps:
        assert b["image"].startswith("data:image/png;base64,")   # nothing for the browser to fetch
        image = Image.open(io.BytesIO(base64.b64decode(b["image"].split(",", 1)[1])))
        z, x, y = map(int, maps.base_id(b["id"]).split("-")[2:])
        assert image.info["zxy"] == f"{z}/{x}/{y}"
        assert b["bounds"] == pytest.approx(list(tiles.tile_bounds(x, y, z)))
    caption = " ".join(c.value for c in at.caption)
    assert t(f"map.tiles_kind_{kind}", "zh") in caption and "审图号：GS(示例)0001" in caption


def test_a_source_without_its_review_number_says_so(sources):
    at = _map_page({"tiles": str(sources["mbtiles"])})
    assert t("map.review_no_missing", "zh") in " ".join(c.value for c in at.caption)
    assert "测试瓦片（示例）" in " ".join(c.value for c in at.caption)   # the file's own attribution


def test_unusable_offline_settings_are_refused_in_plain_words(tmp_path):
    cases = {tmp_path / "nowhere.mbtiles": "不存在", tmp_path / "empty": "没有",
             tmp_path / "vector.mbtiles": "矢量瓦片", tmp_path / "broken.mbtiles": "不是可读的 MBTiles",
             tmp_path / "broken.pmtiles": "不是可读的 PMTiles", tmp_path / "tiles.tif": "无法识别的底图文件"}
    (tmp_path / "empty").mkdir()
    tf.mbtiles(tmp_path / "vector.mbtiles", max_zoom=2, tile_format="pbf")
    for name in ("broken.mbtiles", "broken.pmtiles", "tiles.tif"):
        (tmp_path / name).write_bytes(b"not tiles at all")
    for path, words in cases.items():
        with pytest.raises(tiles.TileConfigError, match=re.escape(words)):
            tiles.from_settings({"tiles": str(path)}, {})
    at = _map_page({"tiles": str(tmp_path / "nowhere.mbtiles")})
    assert not at.exception and "不存在" in at.warning[0].value and not _bitmaps(at)


@pytest.mark.browser
def test_offline_tiles_are_drawn_and_nothing_is_fetched_from_outside(sources, demo_db):
    """In Chromium: the MBTiles' magenta tiles are drawn under the map, and every request goes to the app."""
    from browser import ARTIFACTS, chromium, streamlit_app

    env = {"CAREMAP_TILES": str(sources["mbtiles"]), "CAREMAP_TILES_REVIEW_NO": "GS(示例)0001"}
    with streamlit_app(db=demo_db, env=env, name="tiles-offline") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}/map", timeout=120_000)
        page.locator("canvas").first.wait_for(timeout=120_000)
        magenta = """() => { const c = document.querySelector('[data-testid=stDeckGlJsonChart] canvas');
          if (!c || !c.width) return 0; const g = document.createElement('canvas'); g.width = c.width;
          g.height = c.height; const x = g.getContext('2d'); x.drawImage(c, 0, 0);
          const d = x.getImageData(0, 0, g.width, g.height).data; let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] > 230 && d[i + 1] < 40 && d[i + 2] > 230) n++;
          return n / (g.width * g.height); }"""
        page.wait_for_function(f"({magenta})() > 0.02", timeout=120_000, polling=500)
        share = page.evaluate(magenta)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "tiles-offline.png"))
        page.get_by_text("审图号：GS(示例)0001", exact=False).first.wait_for(timeout=60_000)
    outside = [r for r in requests if not r.startswith((url, "data:", "blob:"))]
    assert share > 0.02 and outside == [], (share, outside[:5])
