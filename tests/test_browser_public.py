"""The citizens' view in a real browser on a phone screen (375×667): the near-me cards ordered by distance, the
call and direction links, no sideways scrolling, and no worker's name or phone in anything the server sends
(every WebSocket frame of a visit to all four pages is scanned)."""

from __future__ import annotations

import re

import pytest

from browser import ARTIFACTS, ConsoleLog, chromium, streamlit_app
from caremap.common import crs
from caremap.report import public
from caremap.store import db

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 667}


@pytest.fixture(scope="module")
def public_db(demo_db, tmp_path_factory):
    """The demo data in a folder of its own: the visit's reports land in its own feedback.sqlite."""
    import shutil

    path = tmp_path_factory.mktemp("public") / "caremap.duckdb"
    shutil.copyfile(demo_db.resolve(), path)
    return path


@pytest.fixture(scope="module")
def public_url(public_db):
    with streamlit_app("public/app.py", db=public_db, name="public") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium(webgl=True) as b:
        yield b


def _metres(text: str) -> float:
    m = re.search(r"直线 ([\d.]+) (米|公里)", text)
    assert m, text
    return float(m.group(1)) * (1000 if m.group(2) == "公里" else 1)


def test_a_parent_on_a_phone_finds_the_nearest_services_calls_and_gets_directions(public_url, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log = ConsoleLog(page)
    frames: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
        payload if isinstance(payload, bytes) else payload.encode())))
    page.goto(f"{public_url}/?public_district=440304&public_place=440304002", timeout=120_000)
    cards = page.locator("[class*='st-key-public_card_']")
    cards.nth(public.NEAR_ROWS - 1).wait_for(timeout=90_000)   # every card, not only the first ones
    page.get_by_role("button", name="提交").wait_for(timeout=60_000)   # the form after the list: the page is whole
    page.screenshot(path=str(ARTIFACTS / "public-find-375.png"), full_page=True)
    n = cards.count()
    texts = [cards.nth(i).inner_text() for i in range(n)]
    expected = public.near(public.origin_of_place("440304002"))
    assert n == len(expected) == public.NEAR_ROWS
    distances = [_metres(x) for x in texts]
    assert distances == sorted(distances)
    assert [x.splitlines()[0] for x in texts] == expected["name"].tolist()
    first = expected.iloc[0]
    tel = cards.nth(0).locator("a[href^='tel:']")
    assert tel.get_attribute("href") == "tel:" + re.sub(r"\D", "", first["phone"].split("、")[0])
    assert tel.bounding_box()["height"] >= 40    # a thumb-sized target
    glon, glat = crs.wgs84_to_gcj02(first["lon"], first["lat"])
    blon, blat = crs.wgs84_to_bd09(first["lon"], first["lat"])
    hrefs = [a.get_attribute("href") for a in cards.nth(0).locator("a").all()]
    assert any(f"position={glon:.6f},{glat:.6f}" in h for h in hrefs)
    assert any(f"location={blat:.6f},{blon:.6f}" in h and "coord_type=bd09ll" in h for h in hrefs)
    assert any(f"marker=coord:{glat:.6f},{glon:.6f}" in h for h in hrefs)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways: {width} px wide"
    # the other three pages, through the top navigation, as a visitor would
    for label, marker in (("地图", "服务点地图"), ("政策与资讯", "政策文件"), ("关于", "关于本地图")):
        link = page.get_by_role("link", name=label).first
        box = link.bounding_box()
        if box is None or box["x"] < 0 or box["x"] > PHONE["width"]:   # on a phone the menu is folded away
            opener = page.locator("[data-testid=stExpandSidebarButton], [data-testid=stSidebarCollapsedControl]")
            opener.first.click()
            page.wait_for_function("(el) => el.getBoundingClientRect().x >= 0", arg=link.element_handle(),
                                   timeout=15_000)
        link.click()
        page.get_by_text(marker).first.wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / f"public-{label}-375.png"), full_page=True)
    errors = list(log.errors)
    page.close()
    con = db.connect()
    names = [n for (n,) in con.execute("select distinct name from worker where name is not null").fetchall()]
    phones = [p for (p,) in con.execute("select distinct phone from worker where phone is not null").fetchall()]
    payload = b"".join(frames)
    assert len(payload) > 10_000   # the frames were captured
    leaked = [n for n in names if n.encode() in payload]
    leaked += [p for p in phones if re.search(rb"(?<![\d.])" + re.escape(p.encode()) + rb"(?!\d)", payload)]
    leaked += [w for w in ("在岗儿童督导员", "儿童主任岗位", "workforce") if w.encode() in payload]
    if leaked:
        at = payload.find(leaked[0].encode())
        (ARTIFACTS / "public-leak.bin").write_bytes(payload[max(0, at - 400):at + 400])
    assert leaked == [], leaked[:10]
    assert errors == [], errors


def test_a_report_sent_from_a_phone_lands_in_the_review_queue(public_url, public_db, browser):
    from caremap.store import feedback

    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log = ConsoleLog(page)
    page.goto(f"{public_url}/?public_district=440305&public_place=440305006", timeout=120_000)
    page.locator("h3").nth(2).wait_for(timeout=90_000)
    text = "这里周末不开门，电话也打不通 <b>请核实</b>"
    for i in range(6):   # five go into the queue; the sixth within the minute is refused
        page.locator(".st-key-public_fb_body textarea").fill(f"{text} {i + 1}")
        page.get_by_role("button", name="提交").click()
        if i < 5:
            page.get_by_text(f"已收到，谢谢！编号 {i + 1}。").wait_for(timeout=60_000)
        else:
            page.get_by_text("提交太频繁：每分钟最多 5 条，请稍后再试。").wait_for(timeout=60_000)
        if i == 0:
            page.screenshot(path=str(ARTIFACTS / "public-feedback-375.png"))
    errors = list(log.errors)
    page.close()
    queue = feedback.queue(db_file=public_db)
    assert sorted(queue["body"]) == sorted(f"{text} {i + 1}" for i in range(5)) and set(queue["status"]) == {"new"}
    assert errors == [], errors


def test_my_location_is_asked_only_on_the_button_and_orders_the_list_from_it(public_url, browser):
    here = {"latitude": 22.5431, "longitude": 114.0579}   # 福田, a point the browser reports (WGS-84)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, geolocation=here,
                                  permissions=["geolocation"])
    page = context.new_page()
    log = ConsoleLog(page)
    page.goto(f"{public_url}/?public_how=location", timeout=120_000)
    button = page.frame_locator("iframe[title*='caremap_geolocate']").get_by_role("button")
    button.wait_for(timeout=90_000)
    assert page.locator("[class*='st-key-public_card_']").count() == 0   # nothing until the visitor asks
    button.click()
    page.get_by_text("从 你的位置 出发").wait_for(timeout=60_000)
    cards = page.locator("[class*='st-key-public_card_']")
    cards.nth(public.NEAR_ROWS - 1).wait_for(timeout=60_000)
    page.get_by_role("button", name="提交").wait_for(timeout=60_000)
    expected = public.near(public.Origin(here["longitude"], here["latitude"], "", "location"))
    names = [cards.nth(i).inner_text().splitlines()[0] for i in range(cards.count())]
    distances = [_metres(cards.nth(i).inner_text()) for i in range(cards.count())]
    errors = list(log.errors)
    context.close()
    assert names == expected["name"].tolist() and distances == sorted(distances)
    assert errors == [], errors


def test_a_shared_point_opens_with_its_qr_code_and_short_link(public_url, browser):
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{public_url}/?public_district=440305&public_place=440305006", timeout=120_000)
    card = page.locator("[class*='st-key-public_card_']").first
    card.wait_for(timeout=90_000)
    first = public.near(public.origin_of_place("440305006")).iloc[0]
    href = card.get_by_role("link", name="🔗 分享此服务点").get_attribute("href")   # it opens in a new tab
    assert href == f"?point={first['id']}"
    page.goto(f"{public_url}/{href}", timeout=120_000)
    page.get_by_text("分享的服务点").wait_for(timeout=60_000)
    shared = page.locator(".st-key-public_shared_card")
    shared.locator("h3").first.wait_for(timeout=60_000)   # the heading comes first; wait for the card itself
    page.locator("[data-testid=stCode]").first.wait_for(timeout=60_000)
    page.locator("[data-testid=stImage] img").first.wait_for(timeout=60_000)
    assert shared.locator("h3").first.inner_text().strip() == first["name"]
    link = page.locator("[data-testid=stCode]").first.inner_text().strip()
    assert link.endswith(f"/?point={first['id']}") and link.startswith("http://127.0.0.1:")
    src = page.locator("[data-testid=stImage] img").first.get_attribute("src")
    import io

    from PIL import Image

    served = page.request.get(src if src.startswith("http") else public_url + src).body()
    drawn, made = (Image.open(io.BytesIO(b)).convert("L") for b in (served, public.qr_png(link)))
    assert drawn.size == made.size and list(drawn.getdata()) == list(made.getdata())   # the short link's QR code
    page.close()


def test_an_administrator_sees_a_hostile_report_as_text(public_db, browser, tmp_path):
    """A report carrying markup reaches the data page as inert text: nothing of it runs or renders as HTML."""
    import hashlib

    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from caremap.store import feedback

    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> =1+1 [点我](javascript:1)'
    feedback.submit("wrong_info", hostile, "s-hostile", "10.9.9.9", db_file=public_db)
    home = tmp_path / "home"   # Streamlit reads ~/.streamlit/secrets.toml: a home of the test's own
    (home / ".streamlit").mkdir(parents=True)
    password = "browser-admin-password"
    (home / ".streamlit" / "secrets.toml").write_text(
        f'[admin]\npassword_sha256 = "{hashlib.sha256(password.encode()).hexdigest()}"\n', encoding="utf-8")
    with streamlit_app("dashboard.py", db=public_db, env={"HOME": str(home)}, name="admin-feedback") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        log = ConsoleLog(page)
        page.goto(f"{url}/data_admin", timeout=120_000)
        page.locator(".st-key-data_admin_who input").fill("审核员", timeout=90_000)
        page.locator(".st-key-data_admin_password input").fill(password)
        page.get_by_role("button", name="登录").click()
        try:   # the logged-in page first, whole (its last tab drawn), then the tab: a click mid-rerun is lost
            page.get_by_text("已登录：web:审核员").wait_for(timeout=90_000)
            page.get_by_role("tab", name="审计日志").wait_for(timeout=60_000)
            tab = page.get_by_role("tab", name="市民反馈")
            for _ in range(6):   # a click that lands while the page is redrawn is lost: click until it is selected
                tab.click(timeout=60_000)
                try:
                    page.wait_for_function("() => [...document.querySelectorAll('[role=tab]')].some(t => t.textContent"
                                           ".includes('市民反馈') && t.getAttribute('aria-selected') === 'true')",
                                           timeout=5_000)
                    break
                except PlaywrightTimeout:
                    continue
            page.locator("[data-testid=stDataFrame]:visible").first.wait_for(timeout=60_000)
        finally:
            page.screenshot(path=str(ARTIFACTS / "admin-feedback.png"))
        pwned = page.evaluate("() => window.__pwned")
        injected = page.locator("img[src='x']").count()
        errors = list(log.errors)
        page.close()
    assert pwned is None and injected == 0
    assert errors == [], errors


CONTRAST_JS = """() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const el of document.querySelectorAll("h1, h3, p, label, a, button, [data-testid=stCaptionContainer]")) {
    const r = el.getBoundingClientRect();
    if (!el.innerText || !el.innerText.trim() || r.width === 0 || r.height === 0) continue;
    const bg = background(el), c = rgb(getComputedStyle(el).color), alpha = c.length === 4 ? c[3] : 1;
    const fg = c.slice(0, 3).map((v, i) => alpha * v + (1 - alpha) * bg[i]);   // a translucent colour over its ground
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    out.push({text: el.innerText.trim().slice(0, 30), ratio: (a + 0.05) / (b + 0.05)});
  }
  return out;
}"""


@pytest.mark.parametrize("screen", [{"width": 375, "height": 667}, {"width": 414, "height": 896}])
def test_the_find_page_fits_the_phone_and_its_text_meets_wcag_aa_contrast(public_url, browser, screen):
    page = browser.new_page(viewport=screen, is_mobile=True, has_touch=True)
    page.goto(f"{public_url}/?public_district=440304&public_place=440304002", timeout=120_000)
    page.locator("[class*='st-key-public_card_']").nth(2).wait_for(timeout=90_000)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    checks = page.evaluate(CONTRAST_JS)
    page.close()
    assert width <= screen["width"] + 1
    assert len(checks) > 20
    low = [c for c in checks if c["ratio"] < 4.5]   # WCAG 2.1 AA for normal text
    assert low == [], low[:5]
