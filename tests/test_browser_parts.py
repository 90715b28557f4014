"""Parts of a page rerun alone (caremap.app.parts, st.fragment), in a real browser: a control inside a part makes the
server run only that part, the link still follows it, and a click that changes the scope still runs the whole page.

What the server runs is read from Streamlit's own protocol: every `script_finished` message the browser receives
says whether the run was the whole page or a fragment's."""

import io

import openpyxl
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from browser import ConsoleLog, chromium, streamlit_app
from caremap.common.i18n import t

pytestmark = pytest.mark.browser

WHOLE, PART = ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
IDLE = "!document.querySelector('[data-testid=stStatusWidget]')"


@pytest.fixture(scope="module")
def app_url(demo_db):
    with streamlit_app(db=demo_db, name="parts") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


class Runs:
    """The runs the server finished for a page, in order (WHOLE or PART; an early stop for a rerun is left out)."""

    def __init__(self, page):
        self.finished: list[int] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._received))

    def _received(self, payload) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished in (WHOLE, PART):
                self.finished.append(msg.script_finished)

    def since(self, mark: int) -> list[int]:
        return self.finished[mark:]


def _settled(page, runs: Runs, mark: int, timeout: float = 120) -> list[int]:
    """Wait until at least one run finished after `mark` and the app is idle; the runs since."""
    page.wait_for_function(IDLE, timeout=timeout * 1000)
    deadline = page.evaluate("performance.now()") + timeout * 1000
    while not runs.since(mark):
        if page.evaluate("performance.now()") > deadline:
            raise AssertionError("no run finished")
        page.wait_for_timeout(50)   # a poll while waiting for the server's message, not a fixed delay
    page.wait_for_function(IDLE, timeout=timeout * 1000)
    return runs.since(mark)


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    log, runs = ConsoleLog(page), Runs(page)
    page.goto(url, timeout=120_000)
    page.wait_for_function(IDLE, timeout=120_000)
    _settled(page, runs, 0)
    return page, log, runs


def test_a_map_control_reruns_only_the_map_and_the_link_follows(app_url, browser):
    page, log, runs = _open(browser, f"{app_url}/map")
    page.locator("[data-testid=stDeckGlJsonChart] canvas").first.wait_for(timeout=90_000)
    page.wait_for_function(IDLE, timeout=60_000)
    mark = len(runs.finished)
    page.locator(".st-key-map_metric").click()
    page.get_by_role("option", name=t("map.gaps", "zh"), exact=True).click()
    page.wait_for_function("() => location.search.includes('map_metric=gaps')", timeout=60_000)
    assert _settled(page, runs, mark) == [PART]   # the map's part alone, not the page
    legend = page.get_by_test_id("stMain").get_by_text(t("map.legend_metric", "zh", metric=t("map.gaps", "zh")))
    legend.wait_for(timeout=30_000)
    assert page.get_by_text("范围：全市").first.is_visible()   # the rest of the page is still there
    assert log.errors == [], log.errors
    page.close()


def test_a_tab_reruns_only_the_tabs_and_the_page_workbook_follows_the_open_tab(app_url, browser, tmp_path):
    page, log, runs = _open(browser, f"{app_url}/coverage?district=440305&coverage_tab=gaps")
    main = page.get_by_test_id("stMain")

    def workbook_titles() -> list[str]:
        with page.expect_download(timeout=120_000) as download:
            main.get_by_role("button", name=t("export.page_all", "zh")).click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
        return [book[name].cell(row=1, column=1).value for name in book.sheetnames]

    assert "缺口清单" in workbook_titles()
    mark = len(runs.finished)
    page.get_by_role("tab", name=t("coverage.tab_trend", "zh")).click()
    page.wait_for_function("() => location.search.includes('coverage_tab=trend')", timeout=60_000)
    assert _settled(page, runs, mark) == [PART]
    main.get_by_text(t("coverage.progress_heading", "zh")).first.wait_for(timeout=60_000)
    titles = workbook_titles()   # the tables the trend tab offers, not the gaps tab's any more
    assert "缺口清单" not in titles and t("coverage.progress_heading", "zh") in titles, titles
    assert log.errors == [], log.errors
    page.close()


def test_after_a_part_s_own_run_the_sidebar_still_runs_the_whole_page(app_url, browser):
    page, log, runs = _open(browser, f"{app_url}/coverage")
    chart = page.locator(".st-key-coverage_pick_city [data-testid=stVegaLiteChart], "
                         ".st-key-coverage_pick_city canvas, .st-key-coverage_pick_city svg").first
    chart.wait_for(timeout=90_000)
    page.wait_for_function(IDLE, timeout=60_000)
    mark = len(runs.finished)
    page.get_by_role("tab", name=t("coverage.tab_points", "zh")).click()   # a part's run first
    assert _settled(page, runs, mark) == [PART]
    mark = len(runs.finished)
    page.locator(".st-key-sidebar_district").click()   # the sidebar is outside every part: the whole page
    page.get_by_role("option", name="南山区", exact=True).click()
    page.wait_for_function("() => location.search.includes('district=440305')", timeout=60_000)
    assert _settled(page, runs, mark) == [WHOLE]
    page.get_by_text("范围：全市 › 南山区").first.wait_for(timeout=30_000)
    assert log.errors == [], log.errors
    page.close()


def test_the_next_slide_is_the_presenter_s_part_alone(app_url, browser):
    page, log, runs = _open(browser, f"{app_url}/presenter")
    mark = len(runs.finished)
    for _ in range(5):   # a key pressed while the first run is still drawn can be lost: press until it moves
        page.get_by_role("button", name=t("presenter.next", "zh")).first.click()
        try:
            page.wait_for_function("() => location.search.includes('presenter_slide=~2')", timeout=10_000)
            break
        except Exception:  # noqa: BLE001 (playwright's TimeoutError)
            continue
    assert set(_settled(page, runs, mark)) == {PART}
    page.locator(".cm-counter").get_by_text("第 2 /").wait_for(timeout=30_000)
    assert log.errors == [], log.errors
    page.close()


def test_a_directory_search_and_a_page_turn_rerun_only_the_results(app_url, browser):
    page, log, runs = _open(browser, f"{app_url}/directory")
    box = page.get_by_role("textbox", name=t("directory.search", "zh"))
    box.fill("儿童之家")
    mark = len(runs.finished)
    box.press("Enter")
    page.wait_for_function("() => decodeURIComponent(location.search).includes('directory_q=儿童之家')",
                           timeout=60_000)
    assert _settled(page, runs, mark) == [PART]
    mark = len(runs.finished)
    page.get_by_role("button", name=t("directory.next", "zh")).click()
    page.wait_for_function("() => location.search.includes('directory_page=~2')", timeout=60_000)
    assert _settled(page, runs, mark) == [PART]
    assert log.errors == [], log.errors
    page.close()
