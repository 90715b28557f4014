"""The map in a real browser: the app under `streamlit run`, headless chromium (SwiftShader WebGL), pixels drawn.

Screenshots go to test-artifacts/ (git-ignored). Skipped, saying why, when /usr/bin/chromium is absent. The tests
share one app server and one browser (the tile test needs its own server, configured for tiles).
"""

from __future__ import annotations

import io
import math
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from browser import ARTIFACTS, ConsoleLog, chromium, free_port, streamlit_app
from caremap.common.i18n import t
from caremap.report import maps

pytestmark = pytest.mark.browser

DECK = "[data-testid=stDeckGlJsonChart]"
TILE_RGB = (30, 160, 90)  # the colour of the local test tile server's tiles


@pytest.fixture(scope="module")
def app_url(demo_db):
    with streamlit_app(db=demo_db, name="map") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def open_map(page, url: str) -> None:
    """Open the app and go to the map through the navigation, as a user does."""
    page.goto(url, timeout=120_000)
    page.get_by_role("link", name="资源地图").click(timeout=120_000)  # a busy machine's first session is slow
    page.wait_for_selector(f"{DECK} canvas", timeout=90_000)


def wait_for_pixels(page, path: Path, min_share: float = 0.2, timeout: float = 60):
    """Screenshot the deck until at least min_share of its pixels are not background; return the image."""
    from PIL import Image

    deadline = time.monotonic() + timeout
    while True:
        png = page.locator(DECK).screenshot(path=str(path))
        img = Image.open(io.BytesIO(png)).convert("RGB")
        if drawn_share(img) >= min_share or time.monotonic() > deadline:
            return img
        time.sleep(1)


def wait_until_still(page, path: Path, timeout: float = 30):
    """Screenshot the deck until two screenshots in a row are the same (a view transition has ended)."""
    deadline = time.monotonic() + timeout
    last = page.locator(DECK).screenshot(path=str(path))
    while time.monotonic() < deadline:
        now = page.locator(DECK).screenshot(path=str(path))
        if now == last:
            return
        last = now
    raise TimeoutError("the map kept changing")


def wait_for_change(page, before, path: Path, min_share: float, timeout: float = 60):
    """Screenshot the deck until at least min_share of its pixels differ from `before`; return the image."""
    from PIL import Image

    deadline = time.monotonic() + timeout
    while True:
        img = Image.open(io.BytesIO(page.locator(DECK).screenshot(path=str(path)))).convert("RGB")
        changed = sum(1 for a, b in zip(before.getdata(), img.getdata()) if a != b) if img.size == before.size else 0
        if changed >= min_share * img.width * img.height or time.monotonic() > deadline:
            return img
        time.sleep(0.5)


def drawn_share(img) -> float:
    """The share of pixels that are not (near-)white background."""
    px = img.getdata()
    return sum(1 for r, g, b in px if r < 235 or g < 235 or b < 235) / len(px)


def over_white(rgb, alpha: int = 235) -> tuple[int, ...]:
    return tuple(round(c * alpha / 255 + 255 * (1 - alpha / 255)) for c in rgb)


def count_near(img, rgb, tol: int = 12) -> int:
    return sum(1 for p in img.getdata() if all(abs(a - b) <= tol for a, b in zip(p, rgb)))


def test_map_draws_offline_with_no_console_errors_and_no_outside_requests(app_url, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    url = app_url
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    log = ConsoleLog(page)
    open_map(page, url)
    img = wait_for_pixels(page, ARTIFACTS / "map-city.png", min_share=0.1)   # the whole city, margins around it
    page.screenshot(path=str(ARTIFACTS / "map-city-page.png"), full_page=True)
    share = drawn_share(img)
    colours = len(set(img.getdata()))
    # the darkest and the lightest district classes are both on the canvas (drawn at alpha 235 over white)
    dark, light = count_near(img, over_white(maps.BLUES[-1])), count_near(img, over_white(maps.BLUES[0]), tol=4)
    errors, outside = list(log.errors), log.external_requests(url)
    assert share > 0.1, f"the map drew only {share:.0%} non-background pixels"
    assert colours > 50, f"only {colours} distinct colours: nothing but background?"
    assert dark > 2000 and light > 500, (dark, light)
    assert errors == [], errors
    assert outside == [], f"the map fetched from outside the app: {outside[:5]}"


def _tile_png(rgb) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * 256 for _ in range(256))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class _TileHandler(BaseHTTPRequestHandler):
    png = _tile_png(TILE_RGB)
    paths: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Access-Control-Allow-Origin", "*")  # WebGL textures need CORS
        self.end_headers()
        self.wfile.write(self.png)

    def log_message(self, *args):
        pass


def test_configured_tiles_are_fetched_from_the_configured_server_only_and_drawn(demo_db, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _TileHandler)
    _TileHandler.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    tile_base = f"http://127.0.0.1:{server.server_port}"
    try:
        env = {"CAREMAP_TILES": tile_base + "/{z}/{x}/{y}.png"}
        with streamlit_app(db=demo_db, env=env, name="map-tiles") as url:  # its own server, configured for tiles
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            log = ConsoleLog(page)
            open_map(page, url)
            img = wait_for_pixels(page, ARTIFACTS / "map-tiles.png", min_share=0.6)
            green = count_near(img, TILE_RGB, tol=6)
            errors, outside = list(log.errors), log.external_requests(url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert _TileHandler.paths, "no tile was requested"
    zooms = {int(p.split("/")[1]) for p in _TileHandler.paths}
    assert all(1 <= z <= 18 for z in zooms)
    assert outside and all(u.startswith(tile_base) for u in outside), outside[:5]
    assert green > 0.05 * img.width * img.height, "the tiles (sea and land around the districts) are not drawn"
    assert errors == [], errors


def test_hovering_a_service_point_shows_its_chinese_tooltip(app_url, browser):
    from caremap.store import db

    points = db.query("map_points", district="440305", street=None, categories=("children_home",), system=None,
                      level=None, max_rows=5000)
    streets = db.query("map_streets", district="440305", categories=None, system=None, level=None)
    # the point farthest from every street symbol, so that nothing is drawn over it
    far = max(points.itertuples(), key=lambda p: min(math.hypot(p.lon - s.lon, p.lat - s.lat)
                                                     for s in streets.itertuples()))
    url = app_url
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    log = ConsoleLog(page)
    open_map(page, url)
    page.get_by_label("区（新区）").first.click()
    page.get_by_role("option", name="南山区").click()
    page.wait_for_function("() => location.search.includes('district=440305')", timeout=30_000)
    wait_for_pixels(page, ARTIFACTS / "map-nanshan.png")
    wait_until_still(page, ARTIFACTS / "map-nanshan.png")  # the fly-to Nanshan has ended
    # the view the server fitted to Nanshan, computed the same way
    spec_view = maps.scope_view(db.query("map_districts", categories=None, system=None, level=None),
                                streets, "440305", None)
    box = page.locator(f"{DECK} canvas").first.bounding_box()
    x, y = _project(far.lon, far.lat, spec_view, box["width"], box["height"])
    page.mouse.move(box["x"] + x, box["y"] + y)
    tip = page.locator(".deck-tooltip")
    tip.wait_for(state="visible", timeout=15_000)
    text = tip.inner_text()
    page.screenshot(path=str(ARTIFACTS / "map-tooltip.png"))
    errors = list(log.errors)
    assert far.name in text and "类别：儿童之家" in text and "所属系统：妇联" in text, text
    assert errors == [], errors


def _project(lon: float, lat: float, view, width: float, height: float) -> tuple[float, float]:
    """Pixel position of (lon, lat) in a width × height Web-Mercator view (deck.gl: 512 · 2^zoom px world)."""
    scale = 512 * 2 ** view.zoom / (2 * math.pi)

    def merc(lo, la):
        return math.radians(lo), math.log(math.tan(math.pi / 4 + math.radians(la) / 2))

    (x, y), (cx, cy) = merc(lon, lat), merc(view.longitude, view.latitude)
    return width / 2 + (x - cx) * scale, height / 2 - (y - cy) * scale


def test_clicking_a_district_on_the_map_drills_down_to_it(app_url, browser):
    from caremap.store import db

    districts = db.query("map_districts", categories=None, system=None, level=None)
    streets = db.query("map_streets", district=None, categories=None, system=None, level=None)
    view = maps.scope_view(districts, streets, None, None)
    url = app_url
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    log = ConsoleLog(page)
    runs, asked = [], []   # when the server finished a script run (and whether the whole page); when asked for one
    whole = []

    def received(payload) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            msg.ParseFromString(payload)
            # a run stopped before drawing anything, for the run that replaces it, is not a run drawn
            early = msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN
            if msg.WhichOneof("type") == "script_finished" and not early:
                runs.append(time.monotonic())
                whole.append(msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY)

    def sent(payload) -> None:
        if isinstance(payload, bytes):
            msg = BackMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "rerun_script":
                asked.append(time.monotonic())

    page.on("websocket", lambda ws: (ws.on("framereceived", received), ws.on("framesent", sent)))
    open_map(page, url)
    wait_for_pixels(page, ARTIFACTS / "map-before-click.png")
    box = page.locator(f"{DECK} canvas").first.bounding_box()
    x, y = _project(114.52, 22.55, view, box["width"], box["height"])  # 大鹏新区, away from any symbol
    first_click = time.monotonic()
    for _ in range(6):  # software WebGL is slow: a click landing mid-frame may be taken for a drag
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            page.wait_for_function("() => location.search.includes('district=4403DP')", timeout=5_000)
            break
        except Exception:  # noqa: BLE001 (playwright's TimeoutError): click again
            continue
    page.get_by_text("范围：全市 › 大鹏新区").wait_for(timeout=30_000)
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
    page.get_by_text("范围：全市 › 大鹏新区").wait_for(timeout=30_000)
    # the page can show the new scope before its run has ended: wait for the app to be idle, then for Playwright to
    # hand over the frames the browser has received (it delivers them to Python only while it waits)
    page.wait_for_function("document.querySelector('[data-testid=stApp]')"
                           "?.getAttribute('data-test-script-state') === 'notRunning'", timeout=60_000)
    deadline = time.monotonic() + 30
    while (len([r for r in runs if r >= first_click]) < len([a for a in asked if a >= first_click])
           and time.monotonic() < deadline):
        page.wait_for_timeout(100)
    page.screenshot(path=str(ARTIFACTS / "map-after-click.png"))
    query, errors = page.evaluate("() => location.search"), list(log.errors)
    assert "district=4403DP" in query
    clicks = [a for a in asked if a >= first_click]   # every click the map took sends one request for a run
    assert clicks and len([r for r in runs if r >= first_click]) == len(clicks), (clicks, runs)   # one run each
    # the map is a part of the page that reruns alone, but a click that changes the scope runs the whole page
    assert [w for r, w in zip(runs, whole) if r >= first_click][-1], whole
    assert errors == [], errors


def test_optional_heat_and_ring_layers_draw_without_errors(app_url, browser):
    url = app_url
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    log = ConsoleLog(page)
    open_map(page, url)
    before = wait_for_pixels(page, ARTIFACTS / "map-before-layers.png")
    for name in ("步行可达圈", "服务点密度（热力）"):
        page.locator(".st-key-map_layers").click()
        page.get_by_role("option", name=name).click()
        page.locator(".st-key-map_layers").get_by_text(name).wait_for(timeout=30_000)  # the choice is shown
    page.keyboard.press("Escape")
    page.get_by_text("绿色圆圈：所选类别服务点周围 1,000 米步行圈").wait_for(timeout=60_000)
    after = wait_for_change(page, before, ARTIFACTS / "map-layers.png", min_share=0.05)
    errors, outside = list(log.errors), log.external_requests(url)
    assert before.size == after.size
    changed = sum(1 for a, b in zip(before.getdata(), after.getdata()) if a != b)
    assert changed > 0.05 * before.width * before.height, f"the extra layers changed only {changed} pixels"
    assert errors == [] and outside == [], (errors, outside[:3])


def test_the_bureau_s_street_boundaries_are_drawn_and_answer_a_hover(tmp_path, browser):
    """Boundaries imported for 福田区's streets: the map draws them as areas and hovering one names the street and
    where its location comes from."""

    import duckdb
    import geofixtures as gf

    from caremap import ingest
    from caremap.ingest import load
    from caremap.store import build, db

    live = tmp_path / "db" / "caremap.duckdb"
    live.parent.mkdir()
    build.build(live)
    truth = gf.street_truth()
    data = gf.geojson_gcj02(truth)
    con = duckdb.connect(str(live), read_only=True)
    try:
        checked = ingest.check(data, "streets.geojson", "streets", con, crs="GCJ02")
        districts = db.run(con, "map_districts", categories=None, system=None, level=None)
        streets = db.run(con, "map_streets", district="440304", categories=None, system=None, level=None)
        points = db.run(con, "map_points", district="440304", street=None, categories=None, system=None, level=None,
                        max_rows=20_000)
    finally:
        con.close()
    load.publish_import(checked, data, "replace", live, who="test")
    view = maps.scope_view(districts, streets, "440304", None)
    # the spot inside a street square farthest from every service point and from the other streets' symbols
    others = [(s.lon, s.lat) for s in streets.itertuples() if s.code not in truth]
    marks = [(p.lon, p.lat) for p in points.itertuples()] + others

    def clearance(x, y):
        return min(math.hypot(x - a, y - b) for a, b in marks)
    candidates = [(code, x0 + (x1 - x0) * i / 6, y0 + (y1 - y0) * j / 6)
                  for code, (x0, y0, x1, y1) in ((c, g.bounds) for c, g in truth.items())
                  for i in range(1, 6) for j in range(1, 6)]
    code, lon, lat = max(candidates, key=lambda c: clearance(c[1], c[2]))
    name = streets.set_index("code").loc[code, "name"]
    with streamlit_app(db=live, name="map-boundaries") as url:
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        log = ConsoleLog(page)
        page.goto(f"{url}/map?district=440304", timeout=120_000)
        page.wait_for_selector(f"{DECK} canvas", timeout=90_000)
        wait_for_pixels(page, ARTIFACTS / "map-boundaries.png")
        wait_until_still(page, ARTIFACTS / "map-boundaries.png")
        page.get_by_text("街道面：").first.wait_for(timeout=30_000)   # the legend says they are areas
        box = page.locator(f"{DECK} canvas").first.bounding_box()
        x, y = _project(lon, lat, view, box["width"], box["height"])
        tip = page.locator(".deck-tooltip")
        for dx in (0, 2, -2):   # software WebGL may miss a first hover mid-frame
            page.mouse.move(box["x"] + x + dx, box["y"] + y)
            try:
                tip.wait_for(state="visible", timeout=5_000)
                break
            except Exception:  # noqa: BLE001 (playwright's TimeoutError): move again
                continue
        text = tip.inner_text()
        page.screenshot(path=str(ARTIFACTS / "map-boundary-tooltip.png"))
        errors = list(log.errors)
    assert name in text and "局方边界的质心" in text, text
    assert errors == [], errors


OVERLAP_JS = """() => {
  const boxes = (sel) => [...document.querySelectorAll(sel)].map(e => e.getBoundingClientRect()).filter(r => r.width);
  const out = [];
  for (const a of boxes('[data-testid=stElementToolbar]'))
    for (const b of boxes('input, [data-baseweb=select], button:not([data-testid=stElementToolbar] button)'))
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) out.push([a.top, b.top]);
  return out;
}"""


@pytest.mark.parametrize("width,height", [(1440, 900), (1920, 1080)])
def test_the_first_view_holds_all_ten_districts_at_a_laptop_s_and_a_projector_s_size(app_url, browser, width,
                                                                                     height):
    """The map's size as the browser lays it out, and the view the page sends (the same at any screen size: read
    here from the page's AppTest): every district's boundary is inside the first view (宝安's coast, 大鹏's east);
    and the map's toolbar covers no control (the search results stand right above the map)."""
    import json

    from shapely.geometry import shape

    from caremap.store import db
    from conftest import app_test

    page = browser.new_page(viewport={"width": width, "height": height})
    open_map(page, app_url)
    box = page.evaluate("() => { const r = document.querySelector('[data-testid=stDeckGlJsonChart]')"
                        ".getBoundingClientRect(); return [r.width, r.height]; }")
    page.goto(f"{app_url}/map?map_search=粤海", timeout=120_000)   # with search results right above the map
    page.wait_for_selector(f"{DECK} canvas", timeout=90_000)
    page.get_by_text(t("map.search_results", "zh", n=1)[:4]).first.wait_for(timeout=60_000)
    page.hover(DECK)   # the chart's toolbar shows
    page.locator("[data-testid=stElementToolbar]").first.wait_for(timeout=30_000)
    overlaps, (bar, deck) = page.evaluate(OVERLAP_JS), page.evaluate(
        "() => [document.querySelector('[data-testid=stElementToolbar]'), document.querySelector("
        f"'{DECK}')].map(e => {{ const r = e.getBoundingClientRect(); return [r.top, r.bottom]; }})")
    page.close()
    assert overlaps == [], overlaps   # controls never covered by the map's toolbar
    assert deck[0] <= bar[0] and bar[1] <= deck[1], (bar, deck)   # it stands inside the map, not above it
    spec = json.loads(app_test("pages/map.py").get("deck_gl_json_chart")[0].proto.json)
    west, south, east, north = maps.view_bbox(maps.pdk.ViewState(**spec["initialViewState"]), *box)
    outside = []
    for row in db.query("map_districts", categories=None, system=None, level=None).itertuples():
        w, s, e, n = shape(json.loads(row.geojson)).bounds
        if not (west <= w and e <= east and south <= s and n <= north):
            outside.append(row.name)
    assert outside == [], (box, outside)


def test_a_search_and_the_ring_options_update_the_map_in_place_instead_of_building_it_again(app_url, browser):
    """What only some runs show above the map (search results, the rings' options) must not move the map in the
    page's tree: Streamlit keys a block by its position, and a moved map is built anew (a new WebGL context whose
    shaders are all compiled again: 1.2-1.7 s of a frozen page without a GPU, measured 2026-12-07)."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    log = ConsoleLog(page)
    open_map(page, app_url)
    before = wait_for_pixels(page, ARTIFACTS / "map-before-search.png")
    page.evaluate(f"document.querySelector('{DECK} canvas').caremapMark = 'first'")
    box = page.get_by_role("textbox", name=t("map.search", "zh"))
    box.fill("粤海")
    box.press("Enter")
    # the results' selectbox, above the map
    page.get_by_text(t("map.search_results", "zh", n=1)[:4]).first.wait_for(timeout=60_000)
    wait_for_change(page, before, ARTIFACTS / "map-after-search.png", min_share=0.05)   # flown to the street
    assert page.evaluate(f"document.querySelector('{DECK} canvas').caremapMark") == "first"
    page.locator(".st-key-map_layers").click()
    page.get_by_role("option", name="步行可达圈").click()
    page.keyboard.press("Escape")
    page.locator(".st-key-map_ring_cats").wait_for(timeout=60_000)   # the rings' options, above the map too
    assert page.evaluate(f"[...document.querySelectorAll('{DECK} canvas')].map(c => c.caremapMark)") == ["first"]
    assert log.errors == []


def test_a_filter_redraws_the_points_it_leaves_and_only_those(app_url, browser):
    """The browser keeps a layer whose id (a digest of its content) is unchanged; a filter changes the points layer,
    which must then be drawn anew: the orange 未成年人保护工作站 (68 points) go, the green 儿童之家 stay."""
    from PIL import Image

    def orange(img) -> int:   # #ff7f0e at alpha 220 over any light fill
        return sum(1 for r, g, b in img.getdata() if r > 200 and 90 < g < 165 and b < 80)

    def green(img) -> int:    # #2ca02c at alpha 220
        return sum(1 for r, g, b in img.getdata() if r < 110 and g > 140 and b < 110)

    page = browser.new_page(viewport={"width": 1440, "height": 900})
    log = ConsoleLog(page)
    open_map(page, app_url)
    before = wait_for_pixels(page, ARTIFACTS / "map-before-filter.png")
    wait_until_still(page, ARTIFACTS / "map-before-filter.png")
    before = Image.open(io.BytesIO(page.locator(DECK).screenshot())).convert("RGB")
    assert orange(before) > 20 and green(before) > 50, (orange(before), green(before))
    page.locator(".st-key-map_category input").fill("儿童之家")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_text(t("map.shown_points", "zh", n="716")).wait_for(timeout=60_000)   # the page says it
    after = wait_for_change(page, before, ARTIFACTS / "map-after-filter.png", min_share=0.01)
    wait_until_still(page, ARTIFACTS / "map-after-filter.png")
    after = Image.open(io.BytesIO(page.locator(DECK).screenshot())).convert("RGB")
    assert orange(after) == 0 and green(after) > 50, (orange(after), green(after))
    assert log.errors == []
