"""End to end in a real browser: every page of the running app, scope changes, no errors anywhere.

Screenshots of each page are kept in test-artifacts/ (git-ignored) for a person to look at.
"""

from pathlib import Path

import duckdb
import pytest

from browser import ARTIFACTS, ConsoleLog, chromium, streamlit_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))


@pytest.fixture(scope="module")
def app(demo_db):
    with streamlit_app(db=demo_db, name="e2e") as url, chromium() as browser:
        yield url, browser


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    log = ConsoleLog(page)
    page.goto(url, timeout=120_000)
    english = "lang=en" in url
    # drawn (attached): the presenter and the big screen hide the sidebar, and it may be hidden before it is seen
    page.get_by_test_id("stSidebar").get_by_text("Data version" if english else "数据版本").first.wait_for(
        state="attached", timeout=120_000)
    page.get_by_test_id("stMain").get_by_text("Demo data" if english else "示例数据").first.wait_for(timeout=120_000)
    _idle(page)
    return page, log


def _idle(page) -> None:
    """Wait until the script run has finished (Streamlit's running indicator is gone)."""
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)


def _first_metric_is(page, text: str) -> None:
    """Until the first figure shows `text` (a rerun replaces the old figures only when it reaches them)."""
    try:
        page.wait_for_function("t => document.querySelector('[data-testid=\"stMetricValue\"]')?.innerText === t",
                               arg=text, timeout=60_000)
    except Exception:  # noqa: BLE001 (playwright's TimeoutError): say what was shown instead
        pass
    assert page.get_by_test_id("stMetricValue").first.inner_text() == text


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_without_errors(app, name):
    url, browser = app
    path = "" if name == "overview" else name
    page, log = _open(browser, f"{url}/{path}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"page-{name}.png"), full_page=True)
    assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id("stException").first.inner_text()
    assert not log.errors, log.errors
    assert not log.external_requests(url), log.external_requests(url)  # the app calls nowhere else
    page.close()


def test_scope_change_updates_the_numbers(app, demo_db):
    url, browser = app
    con = duckdb.connect(str(demo_db), read_only=True)
    city = con.execute("select count(*) from service_point").fetchone()[0]
    nanshan = con.execute("select count(*) from service_point where district_code = '440305'").fetchone()[0]
    yuehai = con.execute("select count(*) from service_point where street_code = '440305007'").fetchone()[0]
    con.close()
    page, log = _open(browser, url)
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= 8")
    first_metric = page.get_by_test_id("stMetricValue").first
    assert first_metric.inner_text() == f"{city:,}"
    # choose 南山区 in the sidebar as a user would
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="南山区").click()
    page.get_by_text("范围：全市 › 南山区").first.wait_for(timeout=60_000)
    _idle(page)
    assert "district=440305" in page.url  # the scope is in the link
    _first_metric_is(page, f"{nanshan:,}")
    # and a street
    sidebar.get_by_test_id("stSelectbox").nth(1).click()
    page.get_by_role("option", name="粤海街道").click()
    page.get_by_text("范围：全市 › 南山区 › 粤海街道").first.wait_for(timeout=60_000)
    _idle(page)
    assert "street=440305007" in page.url
    _first_metric_is(page, f"{yuehai:,}")
    # a copied link opens the same view
    other, _ = _open(browser, page.url)
    other.get_by_text("范围：全市 › 南山区 › 粤海街道").first.wait_for(timeout=60_000)
    assert not log.errors, log.errors


def test_a_page_opened_first_by_its_url_runs_inside_the_frame(app, demo_db):
    # A fresh server whose first visitor opens /coverage directly: the sidebar and navigation must be there.
    _, browser = app
    with streamlit_app(db=demo_db, name="e2e-first") as url:
        page, log = _open(browser, f"{url}/coverage?district=440305")
        page.get_by_text("范围：全市 › 南山区").first.wait_for(timeout=60_000)
        page.get_by_test_id("stSidebarNav").get_by_text("覆盖分析").first.wait_for(timeout=60_000)
        nav = page.get_by_test_id("stSidebarNav").inner_text()
        assert "覆盖分析" in nav and "总览" in nav and "dashboard" not in nav
        page.get_by_test_id("stSidebar").get_by_text("区（新区）").first.wait_for(timeout=60_000)


def test_switching_pages_keeps_the_scope_and_language(app):
    url, browser = app
    page, log = _open(browser, f"{url}/?district=440305&lang=en")
    page.get_by_text("Scope:").first.wait_for(timeout=60_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link").nth(1).click()  # the second page, coverage
    page.wait_for_url("**/coverage**", timeout=60_000)
    _idle(page)
    assert "district=440305" in page.url and "lang=en" in page.url
    page.get_by_text("Coverage").first.wait_for(timeout=60_000)
    assert not log.errors, log.errors


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_unknown_page_path_opens_the_overview_with_a_notice_in_the_user_s_language(app, language):
    from caremap.common.i18n import t

    url, browser = app
    _open(browser, url)[0].close()   # a server's very first session resolves pages the old way (pages_v1.py), where
    # Streamlit sends its own dialog before any app code runs: known, left; every later visit is the app's
    page, log = _open(browser, f"{url}/nosuchpage?lang={language}&district=440305")
    page.get_by_text(t("common.unknown_page", language, page="nosuchpage"), exact=True).wait_for(timeout=60_000)
    page.get_by_text(t("overview.title", language)).first.wait_for(timeout=60_000)
    assert page.get_by_text("Page not found").count() == 0   # Streamlit's own English dialog: not shown
    assert "nosuchpage" not in page.url and "district=440305" in page.url   # the rest of the link kept
    assert not log.errors, log.errors


def test_back_and_forward_walk_through_the_views(app):
    """Each change of a setting kept in the link is a step in the browser's history: Back shows the view before,
    Forward the one after (here the presenter's slides, then the coverage tabs)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    url, browser = app
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    log = ConsoleLog(page)
    page.goto(f"{url}/presenter", timeout=120_000)

    shown = ("n => (document.querySelector('.cm-counter')?.innerText || '').replace(/\\s+/g, ' ')"
             ".startsWith(`第 ${n} /`)")

    def on_slide(n: int) -> None:
        page.wait_for_function(shown, arg=n, timeout=60_000)
        if n > 1:
            page.wait_for_url(f"**presenter_slide=~{n}", timeout=60_000)
        _idle(page)

    def next_slide(n: int) -> None:   # a key pressed while the first run is still being drawn is lost: press again
        for _ in range(5):
            page.keyboard.press("ArrowRight")
            try:
                page.wait_for_function(shown, arg=n, timeout=5_000)
                break
            except PlaywrightTimeout:
                continue
        on_slide(n)

    on_slide(1)
    for n in (2, 3):
        next_slide(n)
    page.go_back()
    on_slide(2)
    page.go_back()
    on_slide(1)
    assert "presenter_slide" not in page.url
    page.go_forward()
    on_slide(2)
    next_slide(3)   # a new step from the middle of the history
    assert not log.errors, log.errors
