"""Presenter mode: the deck's slides (briefing.outline) as large-type HTML for a 1920 × 1080 projector."""

from __future__ import annotations

from html import escape

import altair as alt

from caremap.report.briefing import Slide

# Chart text sizes for a projector (the exported chart keeps its print sizes).
LARGE = {"axis": (alt.AxisConfig, {"labelFontSize": 16, "titleFontSize": 18}),
         "legend": (alt.LegendConfig, {"labelFontSize": 16, "titleFontSize": 18}),
         "title": (alt.TitleConfig, {"fontSize": 24, "subtitleFontSize": 15})}

# Sizes in rem of the page's 16 px base: a 1920-wide screen shows the title at ~58 px, body text at ~32 px.
CSS = """
<style>
.block-container {max-width: 100% !important; padding-top: 1.5rem;}
.cm-title {font-size: 3.6rem; font-weight: 700; line-height: 1.2; margin: 0 0 .6rem 0;}
.cm-takeaway {font-size: 2rem; font-weight: 600; color: #1F4E79; line-height: 1.35; margin-bottom: 1.2rem;}
.cm-line {font-size: 2rem; line-height: 1.6;}
.cm-demo {font-size: 1.6rem; color: #B45309;}
.cm-metrics {display: grid; grid-template-columns: repeat(4, 1fr); gap: 1.6rem 2rem;}
.cm-value {font-size: 4.2rem; font-weight: 700; color: #1F4E79; line-height: 1.1;}
.cm-label {font-size: 1.7rem;}
.cm-published {font-size: 1.2rem; color: #6B7280;}
.cm-table {font-size: 1.6rem; border-collapse: collapse; width: 100%;}
.cm-table th {background: #1F4E79; color: white; text-align: left; padding: .4rem .8rem;}
.cm-table td {padding: .35rem .8rem; border-bottom: 1px solid #D1D5DB;}
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
    return (f'<div style="text-align:center;font-size:1.4rem">{escape(counter)}</div>'
            f'<div style="text-align:center;font-size:1rem;color:#6B7280">{escape(footer)}</div>')


def enlarge(chart):
    """A copy of a chart with projector-sized axis, legend and title text (same data, marks and fonts)."""
    big = chart.copy(deep=True)
    if big.config is alt.Undefined:
        big.config = alt.Config()
    for part, (cls, sizes) in LARGE.items():
        if getattr(big.config, part) is alt.Undefined:
            setattr(big.config, part, cls())
        for name, value in sizes.items():
            setattr(getattr(big.config, part), name, value)
    return big


def heading_html(slide: Slide) -> str:
    out = f'<div class="cm-title">{escape(slide.title)}</div>'
    if slide.takeaway:
        out += f'<div class="cm-takeaway">{escape(slide.takeaway)}</div>'
    return out


def body_html(slide: Slide) -> str:
    """The slide's text body (title lines, metric grid or table); charts are drawn by the page itself."""
    if slide.kind == "title":
        lines = [f'<div class="{"cm-demo" if i >= 2 else "cm-line"}">{escape(x)}</div>'
                 for i, x in enumerate(slide.lines)]
        return "".join(lines)
    if slide.kind == "headline":
        cells = "".join(f'<div><div class="cm-value">{escape(v)}</div><div class="cm-label">{escape(label)}</div>'
                        f'<div class="cm-published">{escape(p)}</div></div>' for label, v, p in slide.metrics)
        return f'<div class="cm-metrics">{cells}</div>'
    if slide.kind == "table" and slide.table is not None:
        head = "".join(f"<th>{escape(str(c))}</th>" for c in slide.table.columns)
        rows = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in r) + "</tr>"
                       for r in slide.table.itertuples(index=False))
        return f'<table class="cm-table"><tr>{head}</tr>{rows}</table>'
    return ""
