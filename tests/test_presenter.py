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


def test_next_and_previous_walk_through_the_same_slides_as_the_deck(deck):
    at = app_test("pages/presenter.py", district=DISTRICT)
    for i, slide in enumerate(deck.slides):
        assert at.session_state["presenter_index"] == i
        text = _markdown(at)
        assert f'<div class="cm-title">{escape(slide.title)}</div>' in text
        assert escape(slide.takeaway) in text
        charts_shown = [e for e in at.main if getattr(e, "type", None) == "vega_lite_chart"]
        assert len(charts_shown) == (1 if slide.kind == "chart" else 0)
        if slide.kind == "headline":
            values = re.findall(r'<div class="cm-value">([^<]*)</div>', text)
            assert values == [escape(v) for _, v, _ in slide.metrics]
        if slide.kind == "table":
            assert text.count("<tr>") == len(slide.table) + 1
        if slide.kind != "title":
            assert any(c.value.startswith("来源：") and "示例数据" in c.value for c in at.caption)
        if i < len(deck.slides) - 1:
            at.button(key="presenter_next").click().run()
    assert at.button(key="presenter_next").disabled  # the last slide: no further
    at.button(key="presenter_prev").click().run()
    assert at.session_state["presenter_index"] == len(deck.slides) - 2


def test_an_index_left_over_from_a_longer_deck_is_clamped():
    assert presenter.clamp(99, 5) == 4 and presenter.clamp(-3, 5) == 0 and presenter.clamp("x", 5) == 0
    at = app_test("pages/presenter.py")
    at.session_state["presenter_index"] = 99
    at.run()
    assert not at.exception
    assert at.session_state["presenter_index"] == len(briefing.outline(lazy=True).slides) - 1


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


@pytest.mark.browser
def test_readable_on_a_1920_by_1080_projector(demo_db):
    """In a real browser: large type, every slide (with its next/previous buttons) fits the screen, → advances."""
    from browser import ARTIFACTS, ConsoleLog, chromium, streamlit_app

    deck = briefing.outline()
    with streamlit_app(db=demo_db, name="presenter") as url, chromium(webgl=False) as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        log = ConsoleLog(page)
        page.goto(url, timeout=120_000)  # then through the navigation, as a presenter would
        page.get_by_test_id("stSidebarNav").get_by_text("演示模式").click(timeout=120_000)
        for i, slide in enumerate(deck.slides):
            page.wait_for_function("t => document.querySelector('.cm-title')?.innerText === t", arg=slide.title,
                                   timeout=120_000)
            page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
            counter = f"第 {i + 1} / {len(deck.slides)} 页"  # drawn after the slide body: the body is current
            page.get_by_text(counter, exact=True).wait_for(timeout=60_000)
            if slide.kind == "chart":
                page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg") \
                    .first.wait_for(timeout=60_000)
            size = page.evaluate("s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)",
                                 ".cm-title")
            assert size >= 48, f"title {size}px"
            if slide.takeaway:
                assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.cm-takeaway')).fontSize)") \
                    >= 28
            nav = page.get_by_role("button", name="下一页").bounding_box()
            assert nav["y"] + nav["height"] <= 1080, f"slide {i + 1}: the buttons fall below the screen"
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"presenter-{i + 1}.png"))
            page.keyboard.press("ArrowRight")  # the 下一页 shortcut
        assert not log.errors, log.errors
