"""Presenter mode: the deck's slides one at a time in large type, previous/next, readable at 1920 × 1080."""

import re
from html import escape

import pytest

from caremap.app import presenter
from caremap.report import briefing, charts
from conftest import app_test

DISTRICT = "440305"


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture(scope="module")
def deck():
    return briefing.outline(DISTRICT)


def test_first_slide_is_the_title_with_scope_and_date(deck):
    at = app_test("pages/presenter.py", district=DISTRICT)
    assert not at.exception
    text = _markdown(at)
    assert escape(deck.slides[0].title) in text and "范围：全市 › 南山区" in text
    assert f"第 1 / {len(deck.slides)} 页" in text
    assert at.button(key="presenter_prev").disabled and not at.button(key="presenter_next").disabled
    assert [c.value for c in at.caption if "示例数据" in c.value] == ["示例数据"]   # the small demo mark


def test_next_and_previous_walk_through_the_same_slides_as_the_deck(deck):
    at = app_test("pages/presenter.py", district=DISTRICT)
    for i, slide in enumerate(deck.slides):
        assert at.session_state["presenter_slide"] == i + 1
        text = _markdown(at)
        assert f'<div class="cm-title">{escape(slide.title)}</div>' in text
        assert escape(slide.takeaway) in text
        assert text.count('class="cm-chart"') == (1 if slide.kind == "chart" else 0)   # the chart as a picture
        assert not [e for e in at.main if getattr(e, "type", None) == "vega_lite_chart"]
        if slide.kind == "headline":
            values = re.findall(r'<div class="cm-value">([^<]*)</div>', text)
            assert values == [escape(v) for _, v, _ in slide.metrics]
        if slide.kind == "table":
            assert text.count("<tr>") == len(slide.table) + 1
        if slide.kind != "title":
            source = re.findall(r'<div class="cm-source">([^<]*)</div>', text)
            assert source == [escape(f"来源：{slide.source}（示例数据）")]
        if i < len(deck.slides) - 1:
            at.button(key="presenter_next").click().run()
    assert at.button(key="presenter_next").disabled  # the last slide: no further
    at.button(key="presenter_page_down").click().run()   # a clicker's Page Down: still the last
    assert at.session_state["presenter_slide"] == len(deck.slides)
    at.button(key="presenter_prev").click().run()
    assert at.session_state["presenter_slide"] == len(deck.slides) - 1
    at.button(key="presenter_page_up").click().run()
    assert at.session_state["presenter_slide"] == len(deck.slides) - 2


def test_a_link_opens_its_slide_and_a_slide_that_does_not_exist_is_named(deck):
    at = app_test("pages/presenter.py", district=DISTRICT, presenter_slide="~5")
    assert not at.exception and at.session_state["presenter_slide"] == 5
    assert f'<div class="cm-title">{escape(deck.slides[4].title)}</div>' in _markdown(at)
    at = app_test("dashboard.py", district=DISTRICT, presenter_slide="~99")   # the notice is the frame's
    at.switch_page("pages/presenter.py").run()
    assert at.session_state["presenter_slide"] == 1 and "presenter_slide" not in at.query_params
    assert any("presenter_slide" in w.value and "99" in w.value for w in at.warning)
    at.button(key="presenter_next").click().run()
    assert at.query_params["presenter_slide"] == "~2"   # the slide written into the link


def test_an_index_left_over_from_a_longer_deck_is_clamped():
    assert presenter.clamp(99, 5) == 4 and presenter.clamp(-3, 5) == 0 and presenter.clamp("x", 5) == 0
    at = app_test("pages/presenter.py")
    at.session_state["presenter_slide"] = 99
    at.run()
    assert not at.exception
    assert at.session_state["presenter_slide"] == len(briefing.outline(lazy=True).slides)


def test_a_chart_slide_shows_its_chart_without_its_title_and_with_every_legend_entry():
    fig = charts.build("workforce_by_district")
    svg = presenter.chart_svg("workforce_by_district", None, None, "zh", ("test",))
    assert svg.startswith("<svg") and fig.title not in svg   # the slide's title says it, once
    shown = list(fig.data.iloc[:, 0]) + ["在岗", "空缺（有岗位记录）", "无在册儿童主任"]   # every bar and legend entry
    assert [name for name in shown if f">{name}<" not in svg] == []
    html = presenter.body_html(briefing.Slide("chart", fig.title, chart_id=fig.id), svg)
    assert html.startswith('<img class="cm-chart"') and "data:image/svg+xml;base64," in html


def test_presenter_in_english():
    at = app_test("pages/presenter.py", lang="en")
    assert not at.exception
    assert "Shenzhen child-care service network · Briefing" in _markdown(at)
    assert at.button(key="presenter_next").label == "Next"


def test_slide_text_is_escaped():
    slide = briefing.Slide("table", "<b>x</b>", "a & b", table=None)
    assert presenter.heading_html(slide) == '<div class="cm-title">&lt;b&gt;x&lt;/b&gt;</div>' \
                                            '<div class="cm-takeaway">a &amp; b</div>'


@pytest.mark.parametrize("chart_id", sorted(charts.CHARTS))
def test_presenter_enlarges_chart_text_without_changing_the_chart(chart_id):
    fig = charts.build(chart_id)
    before = fig.chart.to_dict()
    big = presenter.enlarge(fig.chart).to_dict()
    assert fig.chart.to_dict() == before, "the Figure's own chart is not modified"
    assert big["config"]["axis"]["labelFontSize"] == 16 and big["config"]["title"]["fontSize"] == 24
    assert {k: v for k, v in big.items() if k != "config"} == {k: v for k, v in before.items() if k != "config"}
    assert big["config"]["axis"].get("labelFont") == before["config"].get("axis", {}).get("labelFont")


SIZES_JS = """() => {
  const px = (sel) => [...document.querySelectorAll(sel)].filter(e => e.getBoundingClientRect().height > 0
                        && e.innerText.trim()).map(e => parseFloat(getComputedStyle(e).fontSize));
  const main = document.querySelector('[data-testid="stMain"]');
  const slide = document.querySelector('.cm-slide');
  const img = document.querySelector('.cm-chart');
  const visible = (sel) => [...document.querySelectorAll(sel)].some(e => e.getBoundingClientRect().height > 0);
  const rect = slide.getBoundingClientRect();
  return {title: px('.cm-title'),
          body: px('.cm-takeaway, .cm-line, .cm-label, .cm-table td, .cm-table th'),
          labels: px('.cm-published, .cm-source, .cm-footer, .cm-counter, .cm-demo,'
                     + ' .st-key-presenter_demo p, .st-key-presenter_nav button p'),
          chrome: ['stSidebar', 'stHeader', 'stToolbar', 'stSidebarCollapsedControl', 'stExpandSidebarButton']
                  .filter(id => visible(`[data-testid="${id}"]`)),
          pageScroll: document.scrollingElement.scrollHeight - window.innerHeight,
          mainScroll: main ? main.scrollHeight - main.clientHeight : 0,
          clipped: slide.scrollHeight - slide.clientHeight,
          slideBottom: rect.bottom,
          navBottom: document.querySelector('.st-key-presenter_nav').getBoundingClientRect().bottom,
          navTop: document.querySelector('.st-key-presenter_nav').getBoundingClientRect().top,
          sourceBottom: document.querySelector('.cm-source')?.getBoundingClientRect().bottom || 0,
          chart: img ? {loaded: img.complete && img.naturalWidth > 0, bottom: img.getBoundingClientRect().bottom,
                        height: img.getBoundingClientRect().height} : null};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1920, 1080), (1366, 768)])
def test_every_slide_is_one_screen_with_no_chrome_and_type_for_the_back_of_the_room(demo_db, width, height):
    """In a real browser, at a projector's and a laptop's size: no sidebar, header or toolbar; no slide scrolls or
    is cut; type measured from the DOM (at 1920 x 1080: titles >= 48 px, body >= 28 px, labels >= 18 px); the
    keys a clicker sends (Page Down / Page Up) and the arrows move the slides."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from browser import ARTIFACTS, ConsoleLog, chromium, streamlit_app

    deck = briefing.outline()
    scale = height / 1080
    with streamlit_app(db=demo_db, name=f"presenter-{width}") as url, chromium(webgl=False) as browser:
        page = browser.new_page(viewport={"width": width, "height": height})
        log = ConsoleLog(page)
        page.goto(f"{url}/presenter", timeout=120_000)
        shows = "t => document.querySelector('.cm-title')?.innerText === t"

        def press(key: str, title: str) -> None:   # a key pressed while a run is drawn can be lost: press again
            for _ in range(5):
                page.keyboard.press(key)
                try:
                    page.wait_for_function(shows, arg=title, timeout=10_000)
                    return
                except PlaywrightTimeout:
                    continue

        for i, slide in enumerate(deck.slides):
            page.wait_for_function(shows, arg=slide.title, timeout=120_000)
            page.get_by_text(f"第 {i + 1} / {len(deck.slides)} 页", exact=True).wait_for(timeout=60_000)
            page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
            if slide.kind == "chart":
                page.wait_for_function("() => { const i = document.querySelector('.cm-chart');"
                                       " return i && i.complete && i.naturalWidth > 0; }", timeout=60_000)
            m = page.evaluate(SIZES_JS)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"presenter-{width}-{i + 1}.png"))
            where = f"slide {i + 1} ({slide.kind}) at {width}x{height}"
            assert m["chrome"] == [], where
            assert m["pageScroll"] <= 0 and m["mainScroll"] <= 1, (where, m)
            assert m["clipped"] <= 1, (where, m)   # nothing of the slide hidden below its box
            assert m["navBottom"] <= height, (where, m)
            assert m["sourceBottom"] <= m["slideBottom"] <= m["navTop"] + 1, (where, m)   # nothing covers the source
            assert min(m["title"]) >= 48 * scale - 0.5, (where, m["title"])
            assert m["body"] == [] or min(m["body"]) >= 28 * scale - 0.5, (where, m["body"])
            assert m["labels"] and min(m["labels"]) >= 18 * scale - 0.5, (where, m["labels"])
            if slide.kind == "chart":
                assert m["chart"]["loaded"] and m["chart"]["height"] > 0.3 * height, (where, m["chart"])
                assert m["chart"]["bottom"] <= m["slideBottom"] + 1, (where, m)
            if i < len(deck.slides) - 1:
                press("PageDown" if i % 2 else "ArrowRight", deck.slides[i + 1].title)
        press("PageUp", deck.slides[-2].title)   # back one: a clicker's other key
        page.wait_for_function(shows, arg=deck.slides[-2].title, timeout=60_000)
        page.wait_for_url(f"**presenter_slide=~{len(deck.slides) - 1}", timeout=60_000)   # the slide is in the link
        assert not log.errors, log.errors
