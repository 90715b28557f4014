"""The view in the URL: a copied link reopens the same scope, language and page settings; a value the app
cannot use is named in a notice and removed from the URL."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from caremap.common.i18n import t
from conftest import ROOT

BADGE = t("common.demo_badge", "zh")


def _open(page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _notices(at) -> list[str]:
    return [w.value for w in at.warning if w.value != BADGE]


def test_an_unknown_district_is_named_and_removed():
    at = _open(district="999999")
    assert _notices(at) == [t("common.unknown_district", "zh", code="999999")]
    assert "district" not in at.query_params
    assert at.caption and any("范围：全市" == c.value for c in at.caption)


def test_an_unknown_street_falls_back_to_its_district():
    at = _open(district="440305", street="abc")
    assert _notices(at) == [t("common.unknown_street", "zh", code="abc", scope="南山区")]
    assert at.query_params["district"] == "440305" and "street" not in at.query_params


def test_a_street_of_another_district_is_named():
    at = _open(district="440305", street="440306017")
    assert _notices(at) == [t("common.street_elsewhere", "zh", street="新安街道", code="440306017", district="南山区")]
    assert "street" not in at.query_params


def test_a_street_alone_brings_its_district():
    at = _open(street="440305006")
    assert _notices(at) == [] and at.query_params["district"] == "440305"
    assert any(c.value.endswith("南山区 › 招商街道") for c in at.caption)


@pytest.mark.parametrize("value, english", [("EN", True), ("en", True), ("fr", False)])
def test_the_language_parameter(value, english):
    at = _open(lang=value)
    assert (at.title[0].value == t("overview.heading", "en")) is english
    if value == "fr":
        assert _notices(at) == [t("common.unknown_lang", "zh", lang="fr")] and "lang" not in at.query_params
    else:
        assert at.query_params["lang"] == "en"


def test_page_settings_come_from_the_link_and_go_back_into_it():
    at = _open("pages/map.py", map_metric="gaps", map_layers='~["rings"]', map_search="粤海")
    assert at.selectbox(key="map_metric").value == "gaps"
    assert at.multiselect(key="map_layers").value == ["rings"]
    assert at.text_input(key="map_search").value == "粤海"
    at.selectbox(key="map_metric").set_value("compliance").run()
    assert at.query_params["map_metric"] == "compliance"
    at.selectbox(key="map_metric").set_value("points").run()  # the default leaves the URL
    assert "map_metric" not in at.query_params and at.query_params["map_search"] == "粤海"


def test_planner_and_gap_filter_settings_reopen():
    at = _open("pages/coverage.py", district="440305", coverage_plan_mode="walk", coverage_site_k="~5",
               coverage_tab="sites")   # the tab itself is in the link: only the open tab is built
    assert at.radio(key="coverage_plan_mode").value == "walk"
    assert at.slider(key="coverage_site_k").value == 5
    at = _open("pages/coverage.py", district="440305", coverage_tab="gaps",
               coverage_gap_standards='~["community_children_home"]')
    assert at.multiselect(key="coverage_gap_standards").value == ["community_children_home"]
    assert at.query_params["coverage_tab"] == "gaps"


def test_the_open_tab_is_in_the_link_and_a_bad_one_is_named():
    at = _open("pages/coverage.py", coverage_tab="trend")
    assert any("预计达到日期" in d.value.columns for d in at.dataframe)      # the trend tab's own table
    assert not any("缺少" in d.value.columns for d in at.dataframe)          # the gap list is not built
    at = _open("pages/coverage.py", coverage_tab="nonsense")
    assert t("common.unknown_value", "zh", name="coverage_tab", value="nonsense") in _notices(at)
    assert "coverage_tab" not in at.query_params and at.get("vega_lite_chart")   # the matrix, the first tab


def test_an_impossible_setting_is_named_and_the_default_used():
    at = _open("pages/map.py", map_metric="nonsense", coverage_site_k="~5")
    assert t("common.unknown_value", "zh", name="map_metric", value="nonsense") in _notices(at)
    assert at.selectbox(key="map_metric").value == "points" and "map_metric" not in at.query_params


@pytest.mark.browser
def test_a_copied_link_reopens_the_same_view_in_a_new_browser(demo_db):
    from browser import ConsoleLog, chromium, streamlit_app

    with streamlit_app(db=demo_db, name="links") as url, chromium(webgl=False) as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{url}/directory?district=440304")
        box = page.get_by_role("textbox", name=t("directory.search", "zh"))
        box.fill("ftjd")
        box.press("Enter")
        page.wait_for_function("() => location.search.includes('directory_q=ftjd')", timeout=30_000)
        found = page.get_by_text("找到").first.inner_text()
        link = page.url
        other = browser.new_context().new_page()  # another browser: nothing but the link
        log = ConsoleLog(other)
        other.goto(link)
        other.get_by_text(found).wait_for(timeout=60_000)
        other.wait_for_function("() => [...document.querySelectorAll('input[type=text]')]"
                                ".some(i => i.value === 'ftjd')", timeout=30_000)  # the search box shows it too
        assert "district=440304" in other.url and not log.errors


@pytest.mark.browser
def test_directory_next_page_is_in_the_link_and_reopens_in_a_new_browser(demo_db):
    """#18: paging by the next button; the page is in the URL and a copied link opens on it."""
    from browser import ConsoleLog, chromium, streamlit_app
    from caremap.report import search

    pages = search.search("儿童之家").pages
    with streamlit_app(db=demo_db, name="paging") as url, chromium(webgl=False) as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{url}/directory?directory_q=儿童之家")
        page.get_by_text(f"第 1 / {pages} 页", exact=True).wait_for(timeout=60_000)
        assert page.get_by_role("button", name=t("directory.previous", "zh")).is_disabled()
        for shown in (2, 3):
            page.get_by_role("button", name=t("directory.next", "zh")).click()
            page.get_by_text(f"第 {shown} / {pages} 页", exact=True).wait_for(timeout=30_000)
        page.wait_for_function("() => location.search.includes('directory_page=~3')", timeout=30_000)
        other = browser.new_context().new_page()  # another browser: nothing but the link
        log = ConsoleLog(other)
        other.goto(page.url)
        other.get_by_text(f"第 3 / {pages} 页", exact=True).wait_for(timeout=60_000)
        first = search.search("儿童之家", page=3).rows["name"].iloc[0]
        other.get_by_text(first).first.wait_for(state="attached", timeout=30_000)   # a cell of the canvas grid
        assert other.get_by_role("button", name=t("directory.previous", "zh")).is_enabled()
        assert not log.errors, log.errors


@pytest.mark.browser
def test_a_coverage_tab_opened_in_the_browser_is_in_the_link(demo_db):
    from browser import ConsoleLog, chromium, streamlit_app

    with streamlit_app(db=demo_db, name="tabs") as url, chromium(webgl=False) as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        log = ConsoleLog(page)
        page.goto(f"{url}/coverage?district=440306")
        page.get_by_role("tab", name=t("coverage.tab_gaps", "zh")).click()
        page.wait_for_function("() => location.search.includes('coverage_tab=gaps')", timeout=30_000)
        page.get_by_text("条缺口记录").first.wait_for(timeout=60_000)   # built once opened
        link = page.url
        other = browser.new_context().new_page()
        other.goto(link)
        other.get_by_text("条缺口记录").first.wait_for(timeout=60_000)
        selected = other.get_by_role("tab", selected=True).inner_text()
        assert selected == t("coverage.tab_gaps", "zh") and not log.errors
