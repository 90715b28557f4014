"""The big screen (数据大屏): key figures from the metrics layer, the gap ranking of the places in scope, the map and
the trend as pictures, demo data marked; in a real browser one dark screen with no chrome, no scroll and type
readable from 5 m, moving through the districts on its own when asked."""

import re
from html import unescape

import pytest

from caremap.app import bigscreen
from caremap.common.i18n import t
from caremap.report import metrics, terms
from caremap.store import db
from conftest import app_test


def _screen(at) -> str:
    return next(m.value for m in at.markdown if 'class="bs-screen"' in m.value)


def _figures(html: str) -> list[tuple[str, str]]:
    return [(unescape(v), unescape(label)) for v, label in re.findall(
        r'<div class="bs-value">([^<]*)</div><div class="bs-label" title="[^"]*">([^<]*)</div>', html)]


def _ranking(html: str) -> list[tuple[str, int]]:
    return [(unescape(name), int(n.replace(",", ""))) for name, n in re.findall(
        r'<div class="bs-rank-name">([^<]*)</div>.*?<div class="bs-rank-n">([^<]*)</div>', html)]


@pytest.mark.parametrize("district,language", [(None, "zh"), ("440306", "zh"), (None, "en"), ("440306", "en")])
def test_the_figures_and_the_ranking_are_the_metrics_layer_s(district, language):
    at = app_test("pages/bigscreen.py", district=district, lang=language)
    assert not at.exception, at.exception
    html = _screen(at)
    values = metrics.values(district, None)
    assert _figures(html) == [(metrics.fmt(m, values[m], language), metrics.get(m).text("label", language))
                              for m in bigscreen.FIGURES]
    if district is None:   # the city's districts, by their gaps against every standard
        places = db.query("districts")
        expected = [(row.name_en if language == "en" else row.name, metrics.values(row.code, None)["gaps_total"])
                    for row in places.itertuples()]
    else:                  # a district's streets
        places = db.query("streets", district=district)
        expected = [(terms.place(row.name, language), metrics.values(district, row.code)["gaps_total"])
                    for row in places.itertuples()]
    ranked = sorted(expected, key=lambda r: -r[1])[:bigscreen.RANKED]
    assert sorted(_ranking(html), key=lambda r: (-r[1], r[0])) == sorted(ranked, key=lambda r: (-r[1], r[0]))
    assert [n for _, n in _ranking(html)] == sorted((n for _, n in ranked), reverse=True)
    assert html.count('class="bs-chart"') == 2 and html.count("data:image/svg+xml;base64,") == 2
    assert t("bigscreen.ranking", language, gaps=metrics.fmt("gaps_total", values["gaps_total"], language)) in \
        unescape(html)
    assert [c.value for c in at.caption] == [t("common.demo_short", language)]   # the demo mark, small


def test_auto_advance_moves_through_the_city_and_each_district():
    codes = db.query("districts")["code"].tolist()
    seen, current = [], None
    for _ in range(len(codes) + 2):
        current = bigscreen.cycle(codes, current)
        seen.append(current)
    assert seen == [*codes, None, codes[0]]
    assert bigscreen.cycle(codes, "not-a-code") is None
    at = app_test("pages/bigscreen.py", bigscreen_cycle="~30")
    assert not at.exception
    assert [c.value for c in at.caption] == ["示例数据", t("bigscreen.cycle_note", "zh", seconds=30)]
    at = app_test("pages/bigscreen.py", bigscreen_cycle="~7")   # not an offered interval: named, not used
    assert "bigscreen_cycle" not in at.query_params and len(at.caption) == 1


SCREEN_JS = """() => {
  const px = (sel) => [...document.querySelectorAll(sel)].filter(e => e.getBoundingClientRect().height > 0)
                        .map(e => parseFloat(getComputedStyle(e).fontSize));
  const visible = (sel) => [...document.querySelectorAll(sel)].some(e => e.getBoundingClientRect().height > 0);
  const clipped = [...document.querySelectorAll('.bs-panel, .bs-rank, .bs-figure')]
                    .filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)
                    .map(e => e.className);
  const bg = getComputedStyle(document.querySelector('.stApp')).backgroundColor.match(/\\d+/g).map(Number);
  return {values: px('.bs-value'), labels: px('.bs-label, .bs-panel-title, .bs-rank, .bs-meta'),
          small: px('.bs-source, .st-key-bigscreen_marks p'), clipped,
          chrome: ['stSidebar', 'stHeader', 'stToolbar', 'stExpandSidebarButton']
                  .filter(id => visible(`[data-testid="${id}"]`)),
          pageScroll: document.scrollingElement.scrollHeight - innerHeight,
          screenBottom: document.querySelector('.bs-screen').getBoundingClientRect().bottom,
          pictures: [...document.querySelectorAll('.bs-chart')].map(i => i.complete && i.naturalWidth > 0
                      && i.getBoundingClientRect().height > 0.15 * innerHeight),
          background: bg.slice(0, 3), meta: document.querySelector('.bs-meta').innerText};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1920, 1080), (1366, 768)])
def test_one_dark_screen_readable_from_five_metres(demo_db, width, height):
    from browser import ARTIFACTS, ConsoleLog, chromium, streamlit_app

    scale = height / 1080
    with streamlit_app(db=demo_db, name=f"bigscreen-{width}") as url, chromium(webgl=False) as browser:
        page = browser.new_page(viewport={"width": width, "height": height})
        log = ConsoleLog(page)
        page.goto(f"{url}/bigscreen", timeout=120_000)
        page.wait_for_function("() => [...document.querySelectorAll('.bs-chart')].length === 2 && [...document"
                               ".querySelectorAll('.bs-chart')].every(i => i.complete && i.naturalWidth > 0)",
                               timeout=120_000)
        page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
        m = page.evaluate(SCREEN_JS)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"bigscreen-{width}.png"))
        assert m["chrome"] == [] and m["pageScroll"] <= 0 and m["screenBottom"] <= height, m
        assert m["clipped"] == [], m["clipped"]          # every panel, ranking and figure whole
        assert m["pictures"] == [True, True], m
        assert max(m["background"]) < 40, m["background"]   # a dark ground
        assert min(m["values"]) >= 70 * scale, m["values"]  # figures ~76 px at 1080: legible from 5 m
        assert min(m["labels"]) >= 23 * scale, m["labels"]
        assert min(m["small"]) >= 18 * scale, m["small"]
        assert m["meta"].startswith("全市")
        assert not log.errors, log.errors


@pytest.mark.browser
def test_the_screen_moves_to_the_next_district_on_its_own(demo_db):
    from browser import chromium, streamlit_app

    first = db.query("districts")["name"].iloc[0]
    with streamlit_app(db=demo_db, name="bigscreen-cycle") as url, chromium(webgl=False) as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{url}/bigscreen?bigscreen_cycle=~10", timeout=120_000)
        page.wait_for_function("() => document.querySelector('.bs-meta')?.innerText.startsWith('全市')",
                               timeout=120_000)
        page.wait_for_function("d => document.querySelector('.bs-meta')?.innerText.startsWith('全市 › ' + d)",
                               arg=first, timeout=60_000)   # after its 10 s, without a click
        assert "bigscreen_cycle=~10" in page.url
        ranked = page.locator(".bs-rank-name").all_inner_texts()
        streets = db.query("streets", district=db.query("districts")["code"].iloc[0])["name"].tolist()
        assert ranked and set(ranked) <= set(streets)   # the district's streets are ranked now
