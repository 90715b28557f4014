"""What the user feels, measured in headless Chromium: click (or page open) to a settled page.

Settled means Streamlit's script is not running (`data-test-script-state` on stApp) and the DOM has not changed
for 300 ms; the time counted ends at the last change, not after the quiet wait. What is inside a <canvas> element
is not counted: it is the canvas's fallback content, which a browser that draws the canvas never shows (the data
grid keeps an accessibility copy of its cells there and refreshes it about 250 ms after it has drawn them); a
canvas's own attributes (its size) are counted. Each figure also keeps the time to the last change of any kind
(`all_dom`), the measure before 2026-12-07's second run. Each interaction is timed the
given number of times (median) beside the same measure on a trivial one-line app in the same run: a page open
against opening the trivial page, an interaction against clicking the trivial app's button. The ratios are what
the targets speak of, because the machine is shared and its absolute speed varies (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from caremap.common import chromium
from caremap.common.i18n import t
from caremap.common.paths import ROOT

QUIET_MS = 300
TRIVIAL_APP = ("import streamlit as st\n"
               "st.write('ok')\n"
               "if st.button('go', key='trivial_go'):\n"
               "    st.write('clicked')\n")
# Resolves (in page time, ms) to [the last shown DOM change, the last change of any kind] once the script has stopped
# and QUIET_MS passed without any change (so the first can only be later than a wait for shown changes alone).
_SETTLED_JS = """async (quiet) => {
  const app = () => document.querySelector('[data-testid="stApp"]');
  let last = performance.now(), lastAny = last;
  const hidden = r => {   // a change in a canvas's fallback content: never shown while the canvas is drawn
    const n = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    if (!n || (r.type === 'attributes' && n.tagName === 'CANVAS')) return false;
    return n.closest('canvas') !== null;
  };
  const seen = new MutationObserver(records => {
    const now = performance.now();
    lastAny = now;
    if (records.some(r => !hidden(r))) last = now;
  });
  seen.observe(document.documentElement, {subtree: true, childList: true, attributes: true, characterData: true});
  const deadline = performance.now() + 120000;
  while (performance.now() < deadline) {
    await new Promise(r => setTimeout(r, 25));
    const a = app();
    const state = a ? a.getAttribute('data-test-script-state') : 'initial';
    // a map draws into a canvas that deck.gl adds once its WebGL device is ready, which can be well after the
    // rest of the page has stopped changing: a map without its canvas is not settled
    const maps = [...document.querySelectorAll('[data-testid="stDeckGlJsonChart"]')];
    const busy = !a || state === 'running' || state === 'rerunRequested' || state === 'initial'
      || maps.some(m => m.querySelector('canvas') === null);
    if (!busy && performance.now() - lastAny >= quiet) { seen.disconnect(); return [last, lastAny]; }
  }
  seen.disconnect();
  throw new Error('the page did not settle within 120 s');
}"""

PAGE_LINKS = {  # page path → its navigation label
    "coverage": "coverage.title", "map": "map.title", "workforce": "workforce.title",
    "social_work": "social_work.title", "directory": "directory.title", "policies": "policies.title",
    "glossary": "glossary.title", "briefing": "briefing.title", "presenter": "presenter.title",
}
PAGE_OPENS = ("overview", *PAGE_LINKS)
INTERACTIONS = ("link_new_session", "scope_change", "coverage_drilldown", "coverage_tab", "map_metric",
                "map_filter", "map_search", "map_click", "directory_search", "directory_paging", "language_switch",
                "deck_build", "presenter_next")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(script: str, db: Path | None) -> Iterator[str]:
    """`streamlit run <script>` on a free loopback port with $CAREMAP_DB set; yields its URL once it answers."""
    port = free_port()
    env = {**os.environ, **({"CAREMAP_DB": str(db)} if db else {})}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false",
                             "--server.fileWatcherType", "none"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:  # noqa: S310 (loopback)
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


Timing = tuple[float, float]   # seconds to the last shown DOM change, and to the last change of any kind


def _settle(page) -> tuple[float, float]:
    """Page times (ms since navigation start) of the settled page's last shown DOM change and last change of any
    kind."""
    shown, anything = page.evaluate(_SETTLED_JS, QUIET_MS)
    return shown, anything


def _timed(page, action: Callable[[], None], prepare: Callable[[], None] | None = None) -> Timing:
    """Seconds from the action to the settled page. What the user does before the action that asks for the change
    (opening a dropdown, typing a text: `prepare`) is done first and not counted: the clock starts at the click or
    key that commits it, as it does for the trivial button click."""
    if prepare is not None:
        prepare()
    _settle(page)
    start = page.evaluate("performance.now()")
    action()
    shown, anything = _settle(page)
    return max(0.0, (shown - start) / 1000), max(0.0, (anything - start) / 1000)


def _opened(browser, url: str, phone: bool = False, frames: list | None = None) -> tuple[object, Timing]:
    """A new session opened at url (on a 375×667 phone screen when `phone`); seconds from navigation to the
    settled page. The WebSocket frames the server sends are appended to `frames` when given."""
    if phone:
        context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    else:
        context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    if frames is not None:
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))))
    page.goto(url, timeout=120_000)
    shown, anything = _settle(page)
    return page, (shown / 1000, anything / 1000)


def _pick(page, key: str, option: str) -> Timing:
    """Seconds from choosing an option of the selectbox or multiselect with this widget key (its list opened first,
    not counted) to the settled page."""
    choice = page.get_by_role("option", name=option, exact=True).first

    def open_list():
        page.locator(f".st-key-{key}").click()
        choice.wait_for()
    return _timed(page, choice.click, open_list)


CLICKED_DISTRICT = "440304"   # 福田区: the map click drills down to it


def district_pixel(db: Path, code: str, box: dict) -> tuple[float, float]:
    """Page coordinates of the point of district `code` on the city map drawn in `box` (the canvas's bounding box)
    furthest from every service point and street symbol (those answer a click first). The map opens at the city's
    fitted view, whose centre is the canvas's centre whatever its width."""
    import duckdb
    import numpy as np
    import pandas as pd
    import shapely

    from caremap.report import maps
    from caremap.store import db as store

    con = duckdb.connect(str(db), read_only=True)
    try:
        everything = dict(categories=None, system=None, level=None)
        districts = store.run(con, "map_districts", **everything)
        symbols = pd.concat([store.run(con, "map_streets", district=None, **everything)[["lon", "lat"]],
                             store.run(con, "map_points", district=None, street=None, **everything,
                                       max_rows=1_000_000)[["lon", "lat"]]])
    finally:
        con.close()
    view = maps.scope_view(districts, districts.iloc[0:0], None, None)
    w, h = box["width"], box["height"]
    area = shapely.from_geojson(districts.loc[districts["code"] == code, "geojson"].iloc[0])
    west, south, east, north = area.bounds
    # only the symbols near the district, one per pixel (at ×100 there are 151,300 points, 18,400 in 福田区)
    near = symbols[symbols["lon"].between(west - 0.05, east + 0.05)
                   & symbols["lat"].between(south - 0.05, north + 0.05)]
    taken = np.unique(np.round([maps.view_pixel(view, lon, lat, w, h) for lon, lat in zip(near["lon"], near["lat"])]),
                      axis=0).reshape(-1, 2)
    lons, lats = (g.ravel() for g in np.meshgrid(np.linspace(west, east, 80), np.linspace(south, north, 80)))
    inside = shapely.contains_xy(area, lons, lats)
    spots = np.array([maps.view_pixel(view, lon, lat, w, h) for lon, lat in zip(lons[inside], lats[inside])])
    clear = np.sqrt(((spots[:, None, :] - taken[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    x, y = spots[int(clear.argmax())]
    return box["x"] + float(x), box["y"] + float(y)


def _interactions(browser, url: str, db: Path) -> dict[str, Callable[[], Timing]]:
    """Each interaction: prepare its page (not timed), then time the one click or entry."""

    def at(path: str):
        page, _ = _opened(browser, f"{url}/{path}")
        return page

    def link_new_session():
        page, seconds = _opened(browser, f"{url}/coverage?district=440305")
        page.context.close()
        return seconds

    def scope_change():
        page = at("")
        return _pick(page, "sidebar_district", "南山区")

    def coverage_drilldown():
        page = at("coverage")
        return _pick(page, "coverage_drill", "南山区")

    def coverage_tab():
        page = at("coverage")
        return _timed(page, lambda: page.get_by_role("tab", name=t("coverage.tab_gaps", "zh")).click())

    def map_metric():
        page = at("map")
        return _pick(page, "map_metric", t("map.gaps", "zh"))

    def map_filter():
        page = at("map")

        def choose():
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
        return _timed(page, choose, lambda: page.locator(".st-key-map_category input").fill("儿童之家"))

    def map_search():
        page = at("map")
        box = page.get_by_role("textbox", name=t("map.search", "zh"))
        return _timed(page, lambda: box.press("Enter"), lambda: box.fill("粤海"))

    def map_click():
        page = at("map")
        canvas = page.locator("[data-testid=stDeckGlJsonChart] canvas").first
        canvas.wait_for(timeout=120_000)
        x, y = district_pixel(db, CLICKED_DISTRICT, canvas.bounding_box())
        return _timed(page, lambda: page.mouse.click(x, y))

    def directory_search():
        page = at("directory")
        box = page.get_by_role("textbox", name=t("directory.search", "zh"))
        return _timed(page, lambda: box.press("Enter"), lambda: box.fill("儿童之家"))

    def directory_paging():
        page = at("directory?directory_q=儿童之家")
        return _timed(page, lambda: page.get_by_role("button", name=t("directory.next", "zh")).click())

    def language_switch():
        page = at("")
        return _timed(page, lambda: page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click())

    def deck_build():
        page = at("briefing")
        return _timed(page, lambda: page.get_by_role("button", name=t("briefing.build", "zh")).click())

    def presenter_next():
        page = at("presenter")
        return _timed(page, lambda: page.get_by_role("button", name=t("presenter.next", "zh")).first.click())

    return {name: fn for name, fn in locals().items() if name in INTERACTIONS}


def measure(db: Path, repeat: int = 5) -> dict:
    """{interaction: {"seconds": median, "ratio": to the trivial floor, "all_dom": the same two to the last DOM change
    of any kind}} for page opens and interactions, plus the two floors themselves (trivial_open, trivial_click)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # a test tool (requirements-dev.txt): without it there is nothing to drive the browser
        return {}
    executable = chromium.executable()
    if executable is None:
        return {}
    trivial_script = Path(db).parent / "bench_trivial_app.py"
    trivial_script.write_text(TRIVIAL_APP, encoding="utf-8")
    times: dict[str, list[Timing]] = {}
    payloads: list[int] = []
    with app_server(str(trivial_script), None) as trivial_url, app_server("dashboard.py", db) as url, \
            app_server("public/app.py", db) as public_url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=chromium.ARGS + chromium.WEBGL_ARGS)
        try:
            _opened(browser, url)[0].context.close()  # warm-up: the first session pays for imports and caches
            for _ in range(max(1, repeat)):
                page, seconds = _opened(browser, trivial_url)
                times.setdefault("trivial_open", []).append(seconds)
                times.setdefault("trivial_click", []).append(
                    _timed(page, lambda p=page: p.get_by_role("button", name="go").click()))
                page.context.close()
                for name in PAGE_OPENS:
                    home, seconds = _opened(browser, url)  # the overview: a new session's first page
                    if name != "overview":  # another page: chosen in the navigation of a settled overview
                        label = t(PAGE_LINKS[name], "zh")
                        seconds = _timed(home, lambda h=home, lb=label: h.get_by_test_id("stSidebarNav")
                                         .get_by_text(lb, exact=True).click())
                    times.setdefault(f"open_{name}", []).append(seconds)
                    home.context.close()
                for name, fn in _interactions(browser, url, db).items():
                    times.setdefault(name, []).append(fn())
                frames: list[int] = []   # the citizens' view on a phone: its open time and what it sends
                page, seconds = _opened(browser, f"{public_url}/?public_district=440304&public_place=440304002",
                                        phone=True, frames=frames)
                times.setdefault("open_public", []).append(seconds)
                payloads.append(sum(frames))
                page.context.close()
                for context in browser.contexts:
                    context.close()
        finally:
            browser.close()
    medians = {k: statistics.median(shown for shown, _ in v) for k, v in times.items()}
    all_dom = {k: statistics.median(anything for _, anything in v) for k, v in times.items()}
    out = {}
    for name, seconds in medians.items():
        trivial = "trivial_open" if name.startswith("open_") or name == "link_new_session" else "trivial_click"
        out[name] = {"seconds": seconds, "ratio": None if name.startswith("trivial_") else seconds / medians[trivial],
                     # the same to the last DOM change of any kind, a canvas's fallback content included
                     "all_dom": {"seconds": all_dom[name],
                                 "ratio": None if name.startswith("trivial_") else all_dom[name] / all_dom[trivial]}}
    if payloads:
        out["open_public"]["payload_bytes"] = statistics.median(payloads)
    return out
