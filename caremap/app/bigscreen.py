"""The big screen (数据大屏): one dark 16:9 screen for an office wall, readable from 5 m — key figures, the map,
the gap ranking and the compliance trend of a scope, optionally moving through the city and its districts.

Every figure is read from the metrics layer; the map and the trend are the pages' own charts, drawn as pictures
(presenter.chart_svg, dark colours) fitted to their panels, so nothing scrolls at any 16:9 size.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd

from caremap.common.i18n import t
from caremap.report import metrics, terms
from caremap.store import db

# The key figures, in order (metric ids of the metrics layer).
FIGURES = ("service_points", "supervisors_in_post", "directors_in_post", "sw_projects", "person_times",
           "checks_share")
# The map panel's chart, and the trend panel's with the size its plot is drawn at (the panel is wide and low).
MAP, TREND, TREND_SIZE = "district_map", "standard_trend", (430, 170)
RANKED = 10

# Sizes in vh (1 % of the screen's height): 1vh = 10.8 px at 1080; figures 76 px, labels >= 24 px.
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stElementToolbar"] {display: none !important;}
html, body, [data-testid="stAppViewContainer"], [data-testid="stMain"], .stApp {overflow: hidden !important;
  background: #0B1220 !important;}
.block-container, [data-testid="stMainBlockContainer"] {max-width: 100% !important; padding: 1.6vh 1.6vw 0 1.6vw
  !important;}
.bs-screen {height: 95vh; display: grid; grid-template-rows: 7vh 17vh 1fr; gap: 1.4vh; color: #E2E8F0;
  margin-bottom: 1rem;}
.bs-head {display: flex; align-items: baseline; justify-content: space-between; border-bottom: 2px solid #1E3A5F;}
.bs-title {font-size: 4.4vh; font-weight: 700; color: #F8FAFC; white-space: nowrap;}
.bs-meta {font-size: 2.4vh; color: #94A3B8; white-space: nowrap;}
.st-key-bigscreen_marks {position: fixed; top: 1vh; right: 1.6vw; width: auto !important; z-index: 10;
  align-items: flex-end;}
.st-key-bigscreen_marks p {font-size: 1.9vh !important; margin: 0; color: #1C1917 !important; background: #FBBF24;
  padding: .1vh .6vw; border-radius: .4vh;}
.bs-head .bs-meta {margin-right: 8vw;}
.bs-figures {display: grid; grid-template-columns: repeat(6, 1fr); gap: 1vw;}
.bs-figure {background: #111C2E; border: 1px solid #1E3A5F; border-radius: .8vh; padding: 1.2vh 1vw;
  display: flex; flex-direction: column; justify-content: center; overflow: hidden;}
.bs-value {font-size: 7vh; font-weight: 700; color: #38BDF8; line-height: 1.05; white-space: nowrap;}
.bs-label {font-size: 2.4vh; color: #CBD5E1; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}
.bs-main {display: grid; grid-template-columns: 55fr 45fr; gap: 1vw; min-height: 0;}
.bs-side {display: grid; grid-template-rows: 1fr 1fr; gap: 1.4vh; min-height: 0;}
.bs-panel {background: #111C2E; border: 1px solid #1E3A5F; border-radius: .8vh; padding: 1vh 1vw; min-height: 0;
  display: flex; flex-direction: column; overflow: hidden;}
.bs-panel-title {font-size: 2.6vh; font-weight: 600; color: #F1F5F9; margin-bottom: .6vh; white-space: nowrap;}
.bs-chart {flex: 1 1 auto; min-height: 0; width: 100%; object-fit: contain !important;}
.bs-rank {display: grid; grid-template-columns: auto 1fr auto; grid-auto-rows: minmax(0, 1fr); column-gap: .8vw;
  align-items: center; font-size: 2.2vh; line-height: 1.2; flex: 1 1 auto; min-height: 0;}
.bs-rank-name {color: #E2E8F0; white-space: nowrap;}
.bs-rank-bar {height: 1.6vh; background: #F97316; border-radius: .3vh;}
.bs-rank-n {color: #FDBA74; font-weight: 700; text-align: right; white-space: nowrap;}
.bs-source {font-size: 1.8vh; color: #94A3B8; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}
</style>
"""


@dataclass(frozen=True)
class Ranked:
    code: str
    name: str
    gaps: int


def places(district: str | None, language: str) -> pd.DataFrame:
    """The places ranked at a scope, with their names in the language: the city's districts (their official
    short English names), or a district's streets ("Yuehai Subdistrict (粤海街道)")."""
    if district is None:
        rows = db.query("districts")
        return rows.assign(shown=rows["name_en"] if language == "en" else rows["name"])[["code", "shown"]]
    rows = db.query("streets", district=district)
    return rows.assign(shown=rows["name"].map(lambda n: terms.place(n, language)))[["code", "shown"]]


def ranking(district: str | None, language: str) -> list[Ranked]:
    """Districts (or a district's streets) by their gaps against every standard, most first (the metrics layer's
    gaps_total of each place; ties by code)."""
    rows = [Ranked(p.code, p.shown, int(metrics.values(district or p.code, p.code if district else None)
                                        ["gaps_total"] or 0)) for p in places(district, language).itertuples()]
    return sorted(rows, key=lambda r: (-r.gaps, r.code))[:RANKED]


def cycle(district_codes: list[str], current: str | None) -> str | None:
    """The next scope of an auto-advancing screen: the city, then each district in code order, then the city."""
    order = [None, *district_codes]
    return order[(order.index(current) + 1) % len(order)] if current in order else None


def figures_html(values: dict, language: str) -> str:
    cells = "".join(f'<div class="bs-figure"><div class="bs-value">{escape(metrics.fmt(m, values.get(m), language))}'
                    f'</div><div class="bs-label" title="{escape(metrics.get(m).text("label", language))}">'
                    f'{escape(metrics.get(m).text("label", language))}</div></div>' for m in FIGURES)
    return f'<div class="bs-figures">{cells}</div>'


def ranking_html(ranked: list[Ranked]) -> str:
    top = max((r.gaps for r in ranked), default=0) or 1
    rows = "".join(f'<div class="bs-rank-name">{escape(r.name)}</div>'
                   f'<div><div class="bs-rank-bar" style="width:{100 * r.gaps / top:.1f}%"></div></div>'
                   f'<div class="bs-rank-n">{r.gaps:,}</div>' for r in ranked)
    return f'<div class="bs-rank">{rows}</div>'


def _picture(svg: str | None, alt_text: str) -> str:
    import base64

    if not svg:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="bs-chart" alt="{escape(alt_text)}" src="data:image/svg+xml;base64,{data}">'


def screen_html(*, title: str, meta: str, values: dict, ranked: list[Ranked], map_svg: str | None,
                trend_svg: str | None, language: str, source: str) -> str:
    """The whole screen as one block: header, key figures, the map, the gap ranking and the trend."""
    gaps = metrics.fmt("gaps_total", values.get("gaps_total"), language)
    head = (f'<div class="bs-head"><div class="bs-title">{escape(title)}</div>'
            f'<div class="bs-meta">{escape(meta)}</div></div>')
    map_panel = (f'<div class="bs-panel"><div class="bs-panel-title">{escape(t("bigscreen.map", language))}</div>'
                 f'{_picture(map_svg, t("bigscreen.map", language))}'
                 f'<div class="bs-source">{escape(source)}</div></div>')
    rank_panel = (f'<div class="bs-panel"><div class="bs-panel-title">'
                  f'{escape(t("bigscreen.ranking", language, gaps=gaps))}</div>{ranking_html(ranked)}</div>')
    trend_panel = (f'<div class="bs-panel"><div class="bs-panel-title">{escape(t("bigscreen.trend", language))}'
                   f'</div>{_picture(trend_svg, t("bigscreen.trend", language))}</div>')
    return (f'<div class="bs-screen">{head}{figures_html(values, language)}<div class="bs-main">{map_panel}'
            f'<div class="bs-side">{rank_panel}{trend_panel}</div></div></div>')
