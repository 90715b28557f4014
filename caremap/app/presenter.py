"""Presenter mode: the deck's slides (briefing.outline) full screen for a projector, one screen per slide.

The page hides everything that is not the slide (sidebar, toolbar, header), sizes type from the viewport's height
(a 1920 × 1080 projector shows body text at 32 px, labels at ≥ 19 px) and draws each chart as a picture of the
chart without its own title (the slide's title says it), fitted to the space left, so no slide ever scrolls.
"""

from __future__ import annotations

import base64
import dataclasses
import threading
from functools import lru_cache
from html import escape

import altair as alt

from caremap.report import charts, files
from caremap.report.briefing import Deck, Slide
from caremap.store import db

# Chart text for a projector, before the picture is fitted to the screen (the exported chart keeps print sizes);
# legends never cut: every category and its whole name.
LARGE = {"axis": (alt.AxisConfig, {"labelFontSize": 16, "titleFontSize": 18}),
         "legend": (alt.LegendConfig, {"labelFontSize": 16, "titleFontSize": 18, "symbolLimit": 0, "labelLimit": 0,
                                       "titleLimit": 0}),
         "title": (alt.TitleConfig, {"fontSize": 24, "subtitleFontSize": 15})}

# Sizes in vh (1 % of the screen's height): at 1080 px, 1vh = 10.8 px. Chrome hidden, the slide one screen high.
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stElementToolbar"], .st-key-presenter_keys {display: none !important;}
html, body, [data-testid="stAppViewContainer"], [data-testid="stMain"] {overflow: hidden !important;}
.block-container, [data-testid="stMainBlockContainer"] {max-width: 100% !important;
  padding: 2vh 3vw 0 3vw !important;}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {gap: 0.6vh;}
.cm-slide {height: 84vh; display: flex; flex-direction: column; overflow: hidden; margin-bottom: 1rem;}  /* the
  markdown block's own -1rem margin would let the buttons cover the source line */
.cm-title {font-size: 5.4vh; font-weight: 700; line-height: 1.2; margin: 0 0 1vh 0; color: #111827;}
.cm-takeaway {font-size: 3.3vh; font-weight: 600; color: #1F4E79; line-height: 1.35; margin-bottom: 1.6vh;}
.cm-body {flex: 1 1 auto; min-height: 0; display: flex; flex-direction: column; justify-content: center;}
.cm-line {font-size: 3.4vh; line-height: 1.6;}
.cm-demo {font-size: 2.4vh; color: #92400E;}
.cm-metrics {display: grid; grid-template-columns: repeat(4, 1fr); gap: 3vh 2.5vw;}
.cm-value {font-size: 7vh; font-weight: 700; color: #1F4E79; line-height: 1.1; white-space: nowrap;}
.cm-label {font-size: 2.8vh; line-height: 1.3;}
.cm-published {font-size: 1.9vh; color: #4B5563;}
.cm-table {font-size: 2.7vh; border-collapse: collapse; width: 100%;}
.cm-table th {background: #1F4E79; color: white; text-align: left; padding: .5vh .8vw; font-weight: 600;}
.cm-table td {padding: .45vh .8vw; border-bottom: 1px solid #D1D5DB;}
.cm-table td.num, .cm-table th.num {text-align: right; white-space: nowrap;}
.cm-chart {flex: 1 1 auto; min-height: 0; width: 100%; object-fit: contain !important;}   /* Streamlit: scale-down */
.cm-source {font-size: 1.8vh; line-height: 1.5; color: #4B5563; margin-top: .8vh; padding-bottom: .4vh;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; flex: none;}
.st-key-presenter_demo {position: fixed; top: 1.2vh; right: 1.5vw; width: auto !important; z-index: 10;
  background: #FEF3C7; padding: .2vh .6vw; border-radius: .4vh;}
.st-key-presenter_demo p {font-size: 1.8vh !important; color: #92400E !important; margin: 0;}
.cm-counter {text-align: center; font-size: 2.2vh; color: #374151; white-space: nowrap;}
.cm-footer {text-align: center; font-size: 1.7vh; color: #6B7280; white-space: nowrap;}
.st-key-presenter_nav button {min-height: 5vh;}
.st-key-presenter_nav button p {font-size: 2.3vh !important;}
.st-key-presenter_nav [data-testid="stPopover"] button p {font-size: 2vh !important;}
</style>
"""


def clamp(index, total: int) -> int:
    """A slide index kept inside 0 … total − 1 (the deck can shrink when the scope changes)."""
    try:
        index = int(index)
    except (TypeError, ValueError):
        index = 0
    return max(0, min(index, total - 1))


def counter_html(counter: str, footer: str) -> str:
    return f'<div class="cm-counter">{escape(counter)}</div><div class="cm-footer">{escape(footer)}</div>'


def enlarge(chart):
    """A copy of a chart with projector-sized axis, legend and title text (same data, marks and fonts)."""
    return _configured(chart, LARGE)


def untitled(chart):
    """The chart without its own title: on a slide the slide's title says it (no title shown twice)."""
    plain = chart.copy(deep=True)
    plain.title = alt.Undefined
    return plain


# The big screen's dark ground: light text, axes and grid; the ink of the map's scale bar and north arrow
# (charts.INK) turned light too. The marks keep their own colours.
DARK = {"background": "transparent",
        "axis": {"labelColor": "#CBD5E1", "titleColor": "#E2E8F0", "gridColor": "#334155", "domainColor": "#64748B",
                 "tickColor": "#64748B"},
        "legend": {"labelColor": "#CBD5E1", "titleColor": "#E2E8F0"},
        "title": {"color": "#F1F5F9", "subtitleColor": "#94A3B8"},
        "view": {"stroke": "transparent"}}
DARK_INK = "#E2E8F0"


def _configured(chart, parts: dict):
    """A copy of a chart with the given config parts set (same data, marks and encodings)."""
    out = chart.copy(deep=True)
    if out.config is alt.Undefined:
        out.config = alt.Config()
    for part, (cls, values) in parts.items():
        if getattr(out.config, part) is alt.Undefined:
            setattr(out.config, part, cls())
        for name, value in values.items():
            setattr(getattr(out.config, part), name, value)
    return out


def darken(spec: dict) -> dict:
    """A chart's Vega-Lite spec drawn for a dark wall screen (a new dict; the chart itself is not changed)."""
    def ink(node):
        if isinstance(node, dict):
            return {k: (DARK_INK if v == charts.INK else ink(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [ink(v) for v in node]
        return node

    out = ink(spec)
    config = out.setdefault("config", {})
    for part, values in DARK.items():
        config[part] = {**config.get(part, {}), **values} if isinstance(values, dict) else values
    return out


@lru_cache(maxsize=256)
def chart_svg(chart_id: str, district: str | None, street: str | None, lang: str, data_key: tuple,
              dark: bool = False, size: tuple[int, int] | None = None) -> str:
    """A chart's picture for a screen: enlarged, untitled (the slide or panel names it), as SVG (sharp at any
    size); on the big screen in dark colours, and drawn at `size` (its plot's width and height in px) where its
    panel's shape differs from the page's. Once per chart, scope, language, data version, colours and size."""
    fig = charts.build(chart_id, district, street, lang)
    chart = untitled(enlarge(fig.chart))
    if size:
        chart = chart.properties(width=size[0], height=size[1])
    spec = files.spec(dataclasses.replace(fig, chart=chart))
    return files.spec_svg(darken(spec) if dark else spec).decode("utf-8")


_warming: set[tuple] = set()
_warming_lock = threading.Lock()


def warm(deck: Deck) -> None:
    """Draw the deck's chart pictures on a background thread while the first slides are shown, so that moving to
    a chart slide only sends a picture that is ready. No Streamlit on that thread."""
    key = db.cache_key()
    warm_charts([(s.chart_id, deck.district, deck.street, deck.lang, key) for s in deck.slides
                 if s.kind == "chart" and s.chart_id])


def warm_charts(jobs: list[tuple]) -> None:
    """chart_svg for each job (its arguments), once each, on a background thread."""
    with _warming_lock:
        jobs = [j for j in jobs if j not in _warming]
        _warming.update(jobs)
    if jobs:
        # not a daemon: a renderer (vl-convert) stopped mid-picture at interpreter exit aborts the process
        threading.Thread(target=lambda: [chart_svg(*j) for j in jobs], name="presenter-warm").start()


def heading_html(slide: Slide) -> str:
    out = f'<div class="cm-title">{escape(slide.title)}</div>'
    if slide.takeaway:
        out += f'<div class="cm-takeaway">{escape(slide.takeaway)}</div>'
    return out


def _numeric(values) -> bool:
    return all(isinstance(v, (int, float)) or (isinstance(v, str) and v.replace(",", "").replace(".", "", 1)
                                                .replace("%", "").replace("-", "", 1).isdigit()) for v in values)


def body_html(slide: Slide, chart: str | None = None) -> str:
    """The slide's body: the title slide's lines, the metric grid, a table, or the chart's picture (SVG text)."""
    if slide.kind == "title":
        return "".join(f'<div class="{"cm-demo" if i >= 2 else "cm-line"}">{escape(x)}</div>'
                       for i, x in enumerate(slide.lines))
    if slide.kind == "headline":
        cells = "".join(f'<div><div class="cm-value">{escape(v)}</div><div class="cm-label">{escape(label)}</div>'
                        f'<div class="cm-published">{escape(p)}</div></div>' for label, v, p in slide.metrics)
        return f'<div class="cm-metrics">{cells}</div>'
    if slide.kind == "table" and slide.table is not None:
        numeric = [_numeric(slide.table[c].dropna().tolist()) for c in slide.table.columns]
        head = "".join(f'<th{" class=num" if n else ""}>{escape(str(c))}</th>'
                       for c, n in zip(slide.table.columns, numeric))
        rows = "".join("<tr>" + "".join(f'<td{" class=num" if n else ""}>{escape(str(v))}</td>'
                                        for v, n in zip(r, numeric)) + "</tr>"
                       for r in slide.table.itertuples(index=False))
        return f'<table class="cm-table"><tr>{head}</tr>{rows}</table>'
    if slide.kind == "chart" and chart:
        data = base64.b64encode(chart.encode("utf-8")).decode("ascii")
        return f'<img class="cm-chart" alt="{escape(slide.title)}" src="data:image/svg+xml;base64,{data}">'
    return ""


def slide_html(slide: Slide, chart: str | None = None, source: str = "") -> str:
    """One screen: title, takeaway, body fitted to the space left, and the source line."""
    foot = f'<div class="cm-source">{escape(source)}</div>' if source else ""
    return (f'<div class="cm-slide">{heading_html(slide)}<div class="cm-body">{body_html(slide, chart)}</div>'
            f'{foot}</div>')
