"""The briefing deck: one outline of slides for a scope, written as a 16:9 PPTX (python-pptx) and a PDF (vl-convert).

outline() decides what the slides say (the presenter page shows the same slides); layout() places each
slide's text, chart, table and map on a 13.33 × 7.5 inch page; to_pptx() and to_pdf() draw that layout. In the
PPTX the charts are native (editable in PowerPoint and WPS, their data the chart's own frame); the PDF draws the
picture of the same chart.
"""

from __future__ import annotations

import base64
import contextvars
import io
import logging
import re
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape

import pandas as pd

from caremap.common import facts
from caremap.common.i18n import t
from caremap.report import charts, files, fonts, metrics
from caremap.report.charts import Figure
from caremap.report.scope import label_of, place_of
from caremap.store import db

log = logging.getLogger(__name__)

# The chart slides, in deck order, after the title and headline slides; "top_gaps" is the gap table.
DECK = ("gap_matrix", "top_gaps", "district_map", "coverage_by_district", "points_by_system", "workforce_by_district",
        "projects_by_domain", "service_trend")
# The figures (metric ids) on each slide, whose definitions the speaker notes give; "headline" is the headline slide.
FIGURES = {
    "headline": ("service_points", "supervisors_in_post", "directors_in_post", "sw_orgs", "social_workers",
                 "sw_projects", "sw_sites", "person_times"),
    "gap_matrix": ("checks_share", "gaps_total"),
    "top_gaps": ("streets", "standard.street_workstation.gaps", "standard.community_children_home.gaps",
                 "gaps_total"),
    "district_map": ("points_per_10k_residents", "service_points"),
    "coverage_by_district": ("service_points",),
    "points_by_system": ("service_points",),
    "workforce_by_district": ("community_units", "units_director_in_post", "units_director_vacant",
                              "units_director_no_record"),
    "projects_by_domain": ("sw_projects",),
    "service_trend": ("person_times", "online_person_times"),
    "since_review": ("service_points", "directors_in_post", "units_director_no_record", "gaps_total"),
    "progress": ("checks_share",),
}
# Glossary terms the notes explain for a slide (metrics.toml [terms]).
TERMS = {"gap_matrix": ("met", "gap", "unit"), "top_gaps": ("gap", "unit"), "workforce_by_district": ("unit",
         "no_record"), "since_review": ("gap",), "progress": ("met",)}
# (metric id, published figure key)
HEADLINE = (("service_points", "service_points"), ("supervisors_in_post", "supervisors"),
            ("directors_in_post", "directors"), ("sw_orgs", "sw_orgs"), ("social_workers", "social_workers"),
            ("sw_projects", "sw_projects"), ("sw_sites", "sw_sites"), ("person_times", "person_times"))
TOP_GAPS = 10
WIDTH_IN, HEIGHT_IN = 13.333, 7.5  # 16:9
PX_PER_IN = 144  # PDF pages drawn at 1920 × 1080
INK, ACCENT, GREY = "1F2937", "1F4E79", "6B7280"


@dataclass
class Slide:
    kind: str  # title | headline | chart | table
    title: str
    takeaway: str = ""
    notes: str = ""
    lines: list[str] = field(default_factory=list)  # title slide: scope, date, demo
    metrics: list[tuple[str, str, str]] = field(default_factory=list)  # (label, value, published)
    figure: Figure | None = None
    table: pd.DataFrame | None = None
    chart_id: str | None = None
    source: str = ""  # the 来源 line under the figure (without 示例数据: the page adds it)
    png: bytes | None = None  # the chart picture (the map in the PPTX; every chart in the PDF), rendered once


@dataclass
class Deck:
    slides: list[Slide]
    scope_label: str
    lang: str
    footer: str
    skipped: list[str] = field(default_factory=list)
    district: str | None = None
    street: str | None = None
    demo: str = ""

    def slide(self, index: int) -> Slide:
        """Slide `index`, its chart built now when the outline was made lazily (the presenter needs one)."""
        slide = self.slides[index]
        if slide.kind == "chart" and slide.figure is None:
            fig = charts.build(slide.chart_id, self.district, self.street, self.lang)
            self.slides[index] = slide = chart_slide(fig, self.lang, self.demo)
        return slide


def definitions(key: str, lang: str) -> list[str]:
    """The definitions (metrics layer and glossary) of the figures on a slide, for its speaker notes."""
    every = metrics.registry()
    lines = [f"· {every[m].text('label', lang)}：{every[m].text('definition', lang)}" if lang == "zh" else
             f"· {every[m].text('label', lang)}: {every[m].text('definition', lang)}"
             for m in FIGURES.get(key, ()) if m in every]
    glossary = metrics.terms(lang).set_index("key")
    lines += [f"· {glossary.at[k, 'term']}{'：' if lang == 'zh' else ': '}{glossary.at[k, 'definition']}"
              for k in TERMS.get(key, ()) if k in glossary.index]
    return [t("briefing.notes_definitions", lang)] + lines if lines else []


def _sources(source: str, demo: str, lang: str, extra: list[str] | None = None, key: str | None = None) -> str:
    lines = [t("briefing.notes_source", lang, source=source, demo=demo)]
    lines += list(extra or [])
    lines += definitions(key, lang) if key else []
    lines.append(t("briefing.notes_published", lang, seed=facts.SEED_SOURCE if lang == "zh" else facts.SEED_SOURCE_EN))
    return "\n".join(lines)


def headline_slide(district, street, lang, demo) -> Slide:
    values = metrics.values(district, street)  # the same figures, defined once, as the pages show
    city = not district and not street
    shown = []
    for metric_id, pub in HEADLINE:
        published = ""
        if city:  # the published figures are 2020 city totals
            _, zh, en = facts.PUBLISHED[pub]
            published = t("briefing.published", lang, figure=zh if lang == "zh" else en)
        shown.append((metrics.get(metric_id).text("label", lang), metrics.fmt(metric_id, values[metric_id], lang),
                      published))
    takeaway = t("briefing.headline_takeaway", lang, scope=place_of(district, street, lang),
                 points=metrics.fmt("service_points", values["service_points"], lang),
                 supervisors=metrics.fmt("supervisors_in_post", values["supervisors_in_post"], lang),
                 directors=metrics.fmt("directors_in_post", values["directors_in_post"], lang),
                 projects=metrics.fmt("sw_projects", values["sw_projects"], lang),
                 person_times=metrics.fmt("person_times", values["person_times"], lang))
    caveat = facts.UNITS_CAVEAT_ZH if lang == "zh" else facts.UNITS_CAVEAT_EN
    source = t("briefing.headline_source", lang)
    return Slide("headline", t("briefing.headline_title", lang), takeaway,
                 _sources(source, demo, lang, [caveat], "headline"),
                 metrics=shown, source=source)


def gaps_slide(district, street, lang, demo) -> Slide:
    gaps = db.query("briefing_top_gaps", district=district, street=street)
    values = metrics.values(district, street)  # the takeaway's counts are the metrics the pages show
    without = values.get("standard.street_workstation.gaps")
    homes = values.get("standard.community_children_home.gaps")
    without = int((~gaps["has_workstation"].astype(bool)).sum()) if without is None else without
    homes = int(gaps["communities_without_home"].sum()) if homes is None else homes
    if street:   # one street: whether it has a workstation, not "1 of 1 streets"
        takeaway = t("briefing.gaps_takeaway_street_" + ("missing" if without else "has"), lang,
                     scope=place_of(district, street, lang), homes=homes)
    else:
        takeaway = t("briefing.gaps_takeaway", lang, scope=place_of(district, street, lang),
                     streets=metrics.fmt("streets", values["streets"], lang), without=without, homes=homes)
    top = gaps[gaps["gaps"] > 0].head(TOP_GAPS)
    table = pd.DataFrame({
        t("briefing.col_district", lang): top["district_name"],
        t("briefing.col_street", lang): top["street_name"],
        t("briefing.col_workstation", lang): top["has_workstation"].map(
            lambda v: t("briefing.has", lang) if v else t("briefing.missing", lang)),
        t("briefing.col_units", lang): top["communities"].astype(int),
        t("briefing.col_without_home", lang): top["communities_without_home"].astype(int),
        t("briefing.col_gaps", lang): top["gaps"].astype(int),
    })
    caveat = facts.UNITS_CAVEAT_ZH if lang == "zh" else facts.UNITS_CAVEAT_EN
    source = t("briefing.gaps_source", lang)
    notes = _sources(source, demo, lang, [t("briefing.gaps_note", lang, n=TOP_GAPS), caveat], "top_gaps")
    return Slide("table", t("briefing.gaps_title", lang), takeaway, notes, table=table, chart_id="top_gaps",
                 source=source)


SINCE_FIGURES = ("service_points", "directors_in_post", "units_director_no_record", "gaps_total")


def _change_text(metric_id: str, change, lang: str) -> str:
    """▲3 / ▼2 / 0, written like the figure itself."""
    if change is None or pd.isna(change):
        return "—"
    arrow = "▲" if change > 0 else "▼" if change < 0 else ""
    return arrow + metrics.fmt(metric_id, abs(change), lang)


def since_slide(district, street, lang, demo) -> Slide | None:
    """What changed since the last review (the newest review baseline, else the period before the live version;
    None when there is none): the comparison's figures (caremap.report.compare), the same the pages show."""
    from caremap.report import compare

    try:
        before, after = compare.resolve("baseline"), compare.resolve("live")
    except compare.CompareError:
        return None
    result = compare.compare(before, after, district, street, lang)
    figures = result.metrics.set_index("id")
    wanted = [m for m in SINCE_FIGURES if m in figures.index] + [
        m for m in figures.index if m.startswith("standard.") and m.endswith(".gaps")]
    table = pd.DataFrame({
        t("briefing.col_figure", lang): [figures.at[m, "label"] for m in wanted],
        t("briefing.col_before", lang): [metrics.fmt(m, figures.at[m, "before"], lang) for m in wanted],
        t("briefing.col_after", lang): [metrics.fmt(m, figures.at[m, "after"], lang) for m in wanted],
        t("briefing.col_change", lang): [_change_text(m, figures.at[m, "change"], lang) for m in wanted],
    })
    counts, kinds = result.gap_counts(), pd.concat([result.points["change"], result.workers["change"]])
    label = f"（{before.label}）" if before.label and lang == "zh" else (f" ({before.label})" if before.label else "")
    takeaway = t("briefing.since_takeaway", lang, as_of=before.as_of, label=label,
                 scope=place_of(district, street, lang), closed=counts["closed"], new=counts["new"],
                 **{k: int((kinds == k).sum()) for k in ("added", "appointed", "vacated")})
    source = t("briefing.since_source", lang)
    return Slide("table", t("briefing.since_title", lang), takeaway, _sources(source, demo, lang, key="since_review"),
                 table=table,
                 chart_id="since_review", source=source)


def progress_slide(district, street, lang, demo) -> Slide:
    """Whether each standard reaches its target at the current pace (the Coverage page's table, its method in the
    notes)."""
    table = charts.progress_table(district, street, lang)
    share_cols = [t("coverage.col_share_now", lang), t("coverage.col_target", lang)]
    shown = table.assign(**{c: table[c].map(lambda v: "—" if v is None or pd.isna(v) else f"{v:.1%}")
                            for c in share_cols})
    shown = shown.astype(object).where(shown.notna(), "—")  # no pace with one period: "—", not "nan"
    assessment = shown.columns[6]
    late = shown.loc[shown[assessment].isin([charts.PROGRESS_WORDS[k][lang == "en"] for k in ("late", "no_progress")]),
                     shown.columns[0]].tolist()
    takeaway = t("briefing.progress_takeaway" if late else "briefing.progress_takeaway_ok", lang,
                 scope=place_of(district, street, lang), late=("、" if lang == "zh" else ", ").join(late))
    source = t("briefing.progress_source", lang)
    return Slide("table", t("briefing.progress_title", lang), takeaway,
                 _sources(source, demo, lang, [charts.PROJECTION_METHOD[lang == "en"]], "progress"), table=shown,
                 chart_id="progress", source=source)


def chart_slide(fig: Figure, lang: str, demo: str) -> Slide:
    return Slide("chart", fig.title, fig.takeaway, _sources(fig.source, demo, lang, fig.notes, fig.id), figure=fig,
                 chart_id=fig.id, source=fig.source)


def outline(district: str | None = None, street: str | None = None, lang: str = "zh",
            chart_ids: tuple[str, ...] = DECK, lazy: bool = False) -> Deck:
    """The slides of the deck for a scope; chart ids not (yet) registered are skipped and logged.

    lazy: chart slides are placeholders (kind, chart_id) until Deck.slide(i) builds them.
    """
    m = db.meta()
    is_demo = m.get("is_demo") == "true"
    demo = t("common.demo_suffix", lang) if is_demo else ""
    label = label_of(district, street, lang)
    date, version = m.get("data_date", "?"), m.get("data_version", "?")
    lines = [t("briefing.scope", lang, scope=label), t("briefing.data_date", lang, date=date, version=version)]
    if is_demo:
        lines.append(t("briefing.demo", lang))
    title_notes = "\n".join([t("briefing.notes_geography", lang, source=facts.GEOGRAPHY_SOURCE)]
                            + ([t("briefing.notes_demo", lang)] if is_demo else [])
                            + [t("briefing.notes_published", lang, seed=facts.SEED_SOURCE if lang == "zh"
                                 else facts.SEED_SOURCE_EN)])
    slides = [Slide("title", f"{t('briefing.deck_title', lang)} · {t('briefing.deck_subtitle', lang)}",
                    notes=title_notes, lines=lines),
              headline_slide(district, street, lang, demo)]
    if since := since_slide(district, street, lang, demo):
        slides.append(since)
        slides.append(progress_slide(district, street, lang, demo))
    skipped = []
    for chart_id in chart_ids:
        if chart_id == "top_gaps":
            slides.append(gaps_slide(district, street, lang, demo))
        elif chart_id in charts.CHARTS and lazy:
            slides.append(Slide("chart", chart_id, chart_id=chart_id))
        elif chart_id in charts.CHARTS:
            slides.append(chart_slide(charts.build(chart_id, district, street, lang), lang, demo))
        else:
            log.warning("briefing: chart %r is not registered; its slide is skipped", chart_id)
            skipped.append(chart_id)
    footer = t("briefing.footer", lang, scope=label, date=date, demo=t("briefing.demo_short", lang) if is_demo else "")
    return Deck(slides, label, lang, footer, skipped, district, street, demo)


# ---- numbers kept whole: a number and its unit never split across lines ----

UNITS = "万人次|万人|万|人次|个|名|家|人|%|米|年|月|日|项|期|岁"
# A number (digits, separators, decimals; a date such as 2020-05-31 stays one piece) and its unit, if any.
NUMBER = re.compile(rf"[▲▼]?\d(?:[\d,.\-/]*\d)?(?:[ \u00a0]?(?:{UNITS}))?")
# What the wrapper never splits: a number with its unit, a run of Latin letters (an English word), else one char.
ATOM = re.compile(rf"{NUMBER.pattern}|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+|\s|.", re.S)
NO_LINE_START = set("，。、；：？！）》」』”’%,.;:!?)")
WORD_JOINER, NBSP = "\u2060", "\u00a0"


def keep_together(text: str) -> str:
    """The text for PowerPoint: in every number + unit ("330万人次", "54个", "1,513 个") the characters are joined by
    word joiners (U+2060) and a space becomes a no-break space, so neither PowerPoint nor WPS breaks the line there."""
    def join(m: re.Match) -> str:
        chars = list(m.group().replace(" ", NBSP))
        return "".join(c + ("" if c == NBSP or (i + 1 < len(chars) and chars[i + 1] == NBSP) else WORD_JOINER)
                       for i, c in enumerate(chars))[:-1] if len(chars) > 1 else m.group()
    return NUMBER.sub(join, text)


def _wrap(draw, text: str, font, width: int) -> list[str]:
    """Greedy wrap by atoms: a number with its unit and an English word are never split, Chinese breaks anywhere
    else; closing punctuation stays at the end of its line."""
    lines, current = [], ""
    for atom in ATOM.findall(text):
        if atom == "\n":
            lines.append(current.rstrip())
            current = ""
            continue
        if not current.strip() or atom in NO_LINE_START or draw.textlength(current + atom, font=font) <= width:
            current += atom
            continue
        lines.append(current.rstrip())
        current = atom.lstrip()
    if current.strip():
        lines.append(current.rstrip())
    return lines


# ---- native charts: the chart's own data frame, as a PowerPoint chart a planner can restyle ----

TABLEAU = tuple(c.lstrip("#") for c in charts.TABLEAU10)
OTHER_COLOUR = charts.OTHER_COLOUR.lstrip("#")
TOP_SERIES = charts.TOP_SERIES  # more series than this: the largest ones and 其他 (charts.top_and_other, one rule)
# chart id → (kind, how its Figure.data reads, colours, categories sorted by total): "long" is (category, series,
# value) rows; a tuple names the value columns of a wide frame whose first column is the category.
NATIVE = {
    "coverage_by_district": ("column_stacked", "long", TABLEAU, False),
    "points_by_system": ("bar_stacked", "long", TABLEAU, True),
    "workforce_by_district": ("bar_stacked", (4, 5, 6), ("2CA02C", "FF7F0E", "C7C7C7"), False),
    "projects_by_domain": ("bar", (1,), ("1F77B4",), False),
    "service_trend": ("line", (1, 2), ("1F77B4", "FF7F0E"), False),
}


@dataclass
class ChartData:
    kind: str  # bar | bar_stacked | column_stacked | line
    categories: list[str]
    series: list[tuple[str, list[float]]]
    colours: list[str]
    category_title: str = ""
    value_title: str = ""


def native_data(fig: Figure, lang: str) -> ChartData | None:
    """The data of a native chart, read from the Figure's own frame (the one the page's chart draws); None when
    the chart is drawn as a picture."""
    if fig.id not in NATIVE:
        return None
    kind, columns, colours, by_total = NATIVE[fig.id]
    frame = fig.data
    cat = frame.columns[0]
    if columns == "long":
        name, value = frame.columns[1], frame.columns[2]
        cells = frame.groupby([cat, name], sort=False)[value].sum()
        categories = list(dict.fromkeys(frame[cat]))
        if by_total:
            totals = frame.groupby(cat, sort=False)[value].sum()
            categories = sorted(categories, key=lambda c: -totals[c])
        shown = charts.top_and_other(frame.groupby(name, sort=False)[value].sum(), lang)
        series = [(drawn, [float(sum(cells.get((c, n), 0) for n, d in shown.items() if d == drawn))
                           for c in categories]) for drawn in dict.fromkeys(shown.values())]
        value_title = str(value)
    else:
        categories = frame[cat].astype(str).tolist()
        series = [(str(frame.columns[i]), [float(v) for v in frame.iloc[:, i]]) for i in columns]
        value_title = str(frame.columns[columns[0]]) if len(columns) == 1 else ""
    palette = [colours[i % len(colours)] for i in range(len(series))]
    if series and series[-1][0] == t("common.other", lang) and len(series) > TOP_SERIES:
        palette[-1] = OTHER_COLOUR
    return ChartData(kind, [str(c) for c in categories], series, palette, str(cat), value_title)


def matrix_table(fig: Figure) -> tuple[pd.DataFrame, list[list[str | None]]]:
    """The coverage matrix (gap_matrix's own frame) as a table: a row per unit, a column per standard, each cell
    'met/units' and a fill by the share met."""
    frame = fig.data
    row, std, rate, cell = frame.columns[0], frame.columns[1], frame.columns[4], frame.columns[5]
    rows, stds = list(dict.fromkeys(frame[row])), list(dict.fromkeys(frame[std]))
    by = frame.set_index([row, std])
    table = pd.DataFrame({row: rows, **{s: [by[cell].get((r, s), "—") for r in rows] for s in stds}})
    fills = [[None] + [_rate_fill(by[rate].get((r, s))) for s in stds] for r in rows]
    return table, fills


def _rate_fill(rate) -> str | None:
    if rate is None or pd.isna(rate):
        return None
    for floor, colour in ((0.95, "C7E9C0"), (0.85, "E5F5E0"), (0.7, "FFF7BC"), (0.5, "FDD49E")):
        if rate >= floor:
            return colour
    return "FCBBA1"


# ---- layout: what goes where on a 13.33 × 7.5 inch page (inches; font sizes in points) ----

@dataclass
class Text:
    x: float
    y: float
    w: float
    h: float
    text: str
    size: int
    bold: bool = False
    color: str = INK
    align: str = "left"


@dataclass
class Picture:
    x: float
    y: float
    w: float
    h: float
    png: bytes


@dataclass
class Chart:
    """A native chart in the PPTX; the PDF draws the picture of the same chart (its `png`, made when drawn)."""
    x: float
    y: float
    w: float
    h: float
    data: ChartData
    chart_id: str


@dataclass
class Grid:
    x: float
    y: float
    w: float
    h: float
    frame: pd.DataFrame
    size: int = 16
    fills: list[list[str | None]] | None = None  # body cells' fills (the coverage matrix)


def layout(slide: Slide, deck: Deck, number: int) -> list:
    """The positioned elements of one slide (the map is rendered to a picture here)."""
    items: list = []
    if slide.kind == "title":
        items.append(Text(0.8, 2.0, 11.7, 1.6, slide.title, 40, bold=True, color=ACCENT))
        for i, line in enumerate(slide.lines):
            items.append(Text(0.8, 3.9 + 0.6 * i, 11.7, 0.5, line, 20, color=INK if i < 2 else "B45309"))
        return items
    items.append(Text(0.6, 0.35, 12.1, 0.75, slide.title, 30, bold=True))
    if slide.takeaway:
        items.append(Text(0.6, 1.1, 12.1, 0.8, slide.takeaway, 18, bold=True, color=ACCENT))
    top = 2.0
    if slide.kind == "headline":
        for i, (label, value, published) in enumerate(slide.metrics):
            x, y = 0.6 + (i % 4) * 3.05, top + (i // 4) * 2.3
            items.append(Text(x, y, 2.9, 0.9, value, 40, bold=True, color=ACCENT))
            items.append(Text(x, y + 0.9, 2.9, 0.45, label, 16))
            if published:
                items.append(Text(x, y + 1.35, 2.9, 0.4, published, 12, color=GREY))
    elif slide.kind == "table" and slide.table is not None:
        if slide.table.empty:
            items.append(Text(0.6, top, 12.1, 0.6, t("briefing.gaps_empty", deck.lang), 18))
        else:
            rows = len(slide.table) + 1
            items.append(Grid(0.6, top, 12.1, min(4.6, 0.44 * rows), slide.table, 14 if rows <= 9 else 12))
    elif slide.kind == "chart" and slide.figure is not None:
        data = native_data(slide.figure, deck.lang)
        if slide.chart_id == "gap_matrix":
            table, fills = matrix_table(slide.figure)
            rows = len(table) + 2  # the header takes two lines
            size = 14 if rows <= 12 else 12 if rows <= 16 else 10
            items.append(Grid(0.6, top, 12.1, min(4.2, 0.34 * rows), table, size, fills))
            items.append(Text(0.6, 6.3, 12.1, 0.35, t("briefing.matrix_key", deck.lang), 12, color=GREY))
        elif data is not None:
            items.append(Chart(0.6, top, 12.1, 4.55, data, slide.chart_id))
        else:
            slide.png = slide.png or chart_png(slide.chart_id, deck.district, deck.street, deck.lang, db.cache_key())
            items.append(Picture(0.6, top, 12.1, 4.55, slide.png))
        items.append(Text(0.6, 6.65, 12.1, 0.35, t("briefing.source_line", deck.lang, source=slide.source,
                                                     demo=deck.demo), 11, color=GREY))
    items.append(Text(0.6, 7.0, 10.5, 0.35, deck.footer, 10, color=GREY))
    items.append(Text(11.6, 7.0, 1.1, 0.35, str(number), 10, color=GREY, align="right"))
    return items


def _fit(box_w: float, box_h: float, img_w: int, img_h: int) -> tuple[float, float, float, float]:
    """Offset and size of an image fitted into a box, aspect kept, centred horizontally, top-aligned."""
    scale = min(box_w / img_w, box_h / img_h)
    w, h = img_w * scale, img_h * scale
    return (box_w - w) / 2, 0.0, w, h


# ---- PPTX ----

def _east_asian(rpr) -> None:
    """The CJK font as the East Asian typeface of run (or chart text) properties, so 中文 uses it too."""
    from pptx.oxml.ns import qn

    latin = rpr.get_or_add_latin()
    latin.set("typeface", charts.CJK_FONT)
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        latin.addnext(ea)
    ea.set("typeface", charts.CJK_FONT)


def _style_run(run, size: int, bold: bool = False, color: str | None = None) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    _east_asian(run._r.get_or_add_rPr())


CHART_PT = 14  # chart text (axes, legend, labels): readable at the back of the room


def _add_chart(page, item: Chart) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
    from pptx.oxml.ns import qn
    from pptx.util import Inches, Pt

    data = item.data
    chart_data = CategoryChartData(number_format="#,##0")
    chart_data.categories = data.categories
    for name, values in data.series:
        chart_data.add_series(name, values)
    kind = {"bar": XL_CHART_TYPE.BAR_CLUSTERED, "bar_stacked": XL_CHART_TYPE.BAR_STACKED,
            "column_stacked": XL_CHART_TYPE.COLUMN_STACKED, "line": XL_CHART_TYPE.LINE_MARKERS}[data.kind]
    chart = page.shapes.add_chart(kind, Inches(item.x), Inches(item.y), Inches(item.w), Inches(item.h),
                                  chart_data).chart
    chart.font.size = Pt(CHART_PT)
    chart.font.color.rgb = RGBColor.from_string(INK)
    _east_asian(chart.font._rPr)
    chart.has_legend = len(data.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM if data.kind != "bar_stacked" else XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(CHART_PT)
    category, value = chart.category_axis, chart.value_axis
    category.tick_labels.font.size = value.tick_labels.font.size = Pt(CHART_PT)
    value.tick_labels.number_format, value.tick_labels.number_format_is_linked = "#,##0", False
    value.has_major_gridlines = True
    value.major_gridlines.format.line.color.rgb = RGBColor.from_string("E5E7EB")
    if data.kind.startswith("bar"):
        category.reverse_order = True  # the first category at the top, as on the page…
        value._element.find(qn("c:crosses")).set("val", "max")  # …the value axis still at the bottom
    if data.value_title:
        value.has_title = True
        value.axis_title.text_frame.text = data.value_title
        _style_run(value.axis_title.text_frame.paragraphs[0].runs[0], CHART_PT)
    plot = chart.plots[0]
    if data.kind != "line":
        plot.gap_width = 60
    if data.kind == "bar":
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.font.size, labels.number_format, labels.number_format_is_linked = Pt(CHART_PT), "#,##0", False
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
    for series, colour in zip(plot.series, data.colours):
        rgb = RGBColor.from_string(colour)
        if data.kind == "line":
            series.format.line.color.rgb = rgb
            series.format.line.width = Pt(2.5)
            series.smooth = False
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = rgb
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = rgb


def to_pptx(deck: Deck) -> bytes:
    """The deck as a 16:9 PowerPoint file: native charts and tables (editable in PowerPoint and WPS), the map as a
    picture, numbers never broken across lines, sources and definitions in the notes."""
    from PIL import Image
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(WIDTH_IN), Inches(HEIGHT_IN)
    blank = prs.slide_layouts[6]
    for number, slide in enumerate(deck.slides, start=1):
        page = prs.slides.add_slide(blank)
        for item in layout(slide, deck, number):
            if isinstance(item, Text):
                box = page.shapes.add_textbox(Inches(item.x), Inches(item.y), Inches(item.w), Inches(item.h))
                frame = box.text_frame
                frame.word_wrap = True
                para = frame.paragraphs[0]
                para.alignment = PP_ALIGN.RIGHT if item.align == "right" else PP_ALIGN.LEFT
                run = para.add_run()
                run.text = keep_together(item.text)
                _style_run(run, item.size, item.bold, item.color)
            elif isinstance(item, Chart):
                _add_chart(page, item)
            elif isinstance(item, Picture):
                img_w, img_h = Image.open(io.BytesIO(item.png)).size
                dx, dy, w, h = _fit(item.w, item.h, img_w, img_h)
                page.shapes.add_picture(io.BytesIO(item.png), Inches(item.x + dx), Inches(item.y + dy), Inches(w),
                                        Inches(h))
            elif isinstance(item, Grid):
                rows, cols = len(item.frame) + 1, len(item.frame.columns)
                shape = page.shapes.add_table(rows, cols, Inches(item.x), Inches(item.y), Inches(item.w),
                                              Inches(item.h))
                header = max(item.h / rows, 2 * 1.3 * item.size / 72 + 0.08) if item.fills else item.h / rows
                shape.table.rows[0].height = Inches(header)  # the matrix's standards take two lines
                for row in list(shape.table.rows)[1:]:
                    row.height = Inches((item.h - header) / (rows - 1))
                cells = [list(item.frame.columns)] + [[str(v) for v in r] for r in item.frame.itertuples(index=False)]
                for i, values in enumerate(cells):
                    for j, value in enumerate(values):
                        cell = shape.table.cell(i, j)
                        cell.text_frame.word_wrap = True
                        cell.margin_top = cell.margin_bottom = Inches(0.03)
                        run = cell.text_frame.paragraphs[0].add_run()
                        run.text = keep_together(str(value))
                        _style_run(run, item.size, bold=i == 0)
                        fill = item.fills[i - 1][j] if item.fills and i else None
                        if fill:
                            cell.fill.solid()
                            cell.fill.fore_color.rgb = RGBColor.from_string(fill)
        page.notes_slide.notes_text_frame.text = keep_together(slide.notes)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# ---- PDF (and slide images): each slide drawn as SVG, text kept as text, by vl-convert ----

def _px(inches: float) -> int:
    return round(inches * PX_PER_IN)


@lru_cache(maxsize=1)
def _measure():
    from PIL import Image, ImageDraw

    return ImageDraw.Draw(Image.new("RGB", (8, 8)))


@lru_cache(maxsize=1)
def _family() -> str:
    """The SVG font family: the charts' CJK font, then the machine's when it is another one."""
    status = fonts.cjk_font_status()
    return charts.CJK_FONT + (f", {status.family}" if status.ok and status.family != charts.CJK_FONT else "")


def _svg_text(x: float, y: float, text: str, size: float, bold: bool, color: str, anchor: str = "start") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{_family()}" font-size="{size:.1f}" '
            f'font-weight="{"bold" if bold else "normal"}" fill="#{color}" text-anchor="{anchor}" '
            f'xml:space="preserve">{escape(text)}</text>')


def _svg_image(x: float, y: float, w: float, h: float, png: bytes) -> str:
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    dx, dy, fw, fh = _fit(w, h, *img.size)
    flat = Image.new("RGB", img.size, "white")  # as JPEG: the PDF writer re-compresses a large PNG for seconds
    flat.paste(img, mask=img.convert("RGBA"))
    buf = io.BytesIO()
    flat.save(buf, "JPEG", quality=92)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<image x="{_px(x + dx)}" y="{_px(y + dy)}" width="{_px(fw)}" height="{_px(fh)}" '
            f'xlink:href="data:image/jpeg;base64,{data}"/>')


def slide_svg(slide: Slide, deck: Deck, number: int) -> str:
    """One slide as an SVG page of 1920 × 1080 units (960 × 540 pt): the same layout as the PPTX, the chart
    slides with the picture of the same chart."""
    draw = _measure()
    w, h = _px(WIDTH_IN), _px(HEIGHT_IN)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'width="{w // 2}" height="{h // 2}" viewBox="0 0 {w} {h}">',
           f'<rect width="{w}" height="{h}" fill="white"/>']
    for item in layout(slide, deck, number):
        if isinstance(item, Text):
            size = item.size * PX_PER_IN / 72
            font = fonts.pil_font(round(size), bold=item.bold)
            for i, line in enumerate(_wrap(draw, item.text, font, _px(item.w))):
                y = _px(item.y) + size * (1.0 + 1.3 * i)
                if item.align == "right":
                    out.append(_svg_text(_px(item.x + item.w), y, line, size, item.bold, item.color, "end"))
                else:
                    out.append(_svg_text(_px(item.x), y, line, size, item.bold, item.color))
        elif isinstance(item, Chart):
            png = chart_png(item.chart_id, deck.district, deck.street, deck.lang, db.cache_key())
            out.append(_svg_image(item.x, item.y, item.w, item.h, png))
        elif isinstance(item, Picture):
            out.append(_svg_image(item.x, item.y, item.w, item.h, item.png))
        elif isinstance(item, Grid):
            out.extend(_svg_grid(item))
    out.append("</svg>")
    return "".join(out)


def _svg_grid(item: Grid) -> list[str]:
    """A table: header band, banded or filled rows, each cell's text wrapped to its column (rows grow to fit)."""
    draw = _measure()
    cells = [list(item.frame.columns)] + [[str(v) for v in r] for r in item.frame.itertuples(index=False)]
    col_w = _px(item.w) / len(cells[0])
    size = item.size * PX_PER_IN / 72
    wrapped = [[_wrap(draw, v, fonts.pil_font(round(size), bold=i == 0), round(col_w - 24)) or [""] for v in values]
               for i, values in enumerate(cells)]
    need = [max(len(c) for c in row) * size * 1.25 + 16 for row in wrapped]
    # the header grows as it wraps, the rows share the rest (all as tall as the tallest when that is more)
    body = max([(_px(item.h) - need[0]) / max(len(cells) - 1, 1)] + need[1:])
    heights = [need[0]] + [body] * (len(cells) - 1)
    out, top = [], float(_px(item.y))
    for i, (values, height) in enumerate(zip(wrapped, heights)):
        band = "1F4E79" if i == 0 else ("E8EEF7" if i % 2 else "F6F8FB")
        out.append(f'<rect x="{_px(item.x)}" y="{top:.1f}" width="{_px(item.w)}" height="{height:.1f}" '
                   f'fill="#{band}"/>')
        for j, lines in enumerate(values):
            fill = item.fills[i - 1][j] if item.fills and i else None
            if fill:
                out.append(f'<rect x="{_px(item.x) + j * col_w:.1f}" y="{top:.1f}" width="{col_w:.1f}" '
                           f'height="{height:.1f}" fill="#{fill}" stroke="white"/>')
            first = top + (height - len(lines) * size * 1.25) / 2 + size * 0.95
            for k, line in enumerate(lines):
                out.append(_svg_text(_px(item.x) + j * col_w + 12, first + k * size * 1.25, line, size, i == 0,
                                     "FFFFFF" if i == 0 else INK))
        top += height
    return out


def slide_image(slide: Slide, deck: Deck, number: int):
    """One slide drawn as a 1920 × 1080 RGB image (the PDF's page, rasterised)."""
    import vl_convert
    from PIL import Image

    fonts.cjk_font_status()  # registers the machine's CJK font with vl-convert
    png = vl_convert.svg_to_png(slide_svg(slide, deck, number), scale=2)
    return Image.open(io.BytesIO(png)).convert("RGB")


def to_pdf(deck: Deck) -> bytes:
    """The same slides as a PDF, one 16:9 page each (13.33 × 7.5 in), the text as text in the CJK font."""
    import vl_convert
    from pypdf import PdfReader, PdfWriter

    fonts.cjk_font_status()  # registers the machine's CJK font with vl-convert
    writer = PdfWriter()
    for number, slide in enumerate(deck.slides, start=1):
        writer.append(PdfReader(io.BytesIO(vl_convert.svg_to_pdf(slide_svg(slide, deck, number)))))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@lru_cache(maxsize=64)
def chart_png(chart_id: str, district: str | None, street: str | None, lang: str, data_key: tuple) -> bytes:
    """A chart slide's picture (PNG at 2×, the map at 3×, text sized for a slide), rendered once per chart, scope,
    language and data version: rendering is most of what building a deck costs, so the page renders them while
    the user reads the outline."""
    fig = charts.build(chart_id, district, street, lang)
    font = charts.CJK_FONT  # the deck's text sizes: on a slide a chart is shown at about half its pixel size
    fig.chart = fig.chart.configure_axis(labelFont=font, titleFont=font, labelFontSize=22, titleFontSize=22) \
        .configure_legend(labelFont=font, titleFont=font, labelFontSize=22, titleFontSize=22, symbolSize=260,
                          labelLimit=400, titleLimit=600, columns=2 if chart_id == "district_map" else 1) \
        .configure_title(font=font, fontSize=26, subtitleFontSize=18)
    return files.to_png(fig, scale=3 if chart_id == "district_map" else 2)


_warming: set[tuple] = set()
_warming_lock = threading.Lock()


def warm_in_background(deck: Deck) -> None:
    """Render the deck's chart pictures, then write its PPTX, on a background thread (once per deck key), so that
    the build button hands over a file that is ready. Pure report work: no Streamlit on that thread, which reads
    the data version this run pinned (the caller's context)."""
    key = db.cache_key()
    jobs = [(s.chart_id, deck.district, deck.street, deck.lang, key) for s in deck.slides
            if s.kind == "chart" and s.chart_id]
    with _warming_lock:
        jobs = [j for j in jobs if j not in _warming]
        _warming.update(jobs)
        written = _deck_key(deck, key) in _pptx_files
    if jobs or not written:
        def work() -> None:
            for job in jobs:
                chart_png(*job)
            pptx_file(deck, key)

        # not a daemon: a renderer (vl-convert) stopped mid-picture at interpreter exit aborts the process
        threading.Thread(target=contextvars.copy_context().run, args=(work,), name="deck-warm").start()


PPTX_KEPT = 16   # decks whose PPTX is kept (each about 0.75 MB): scopes × languages × data versions in use
_pptx_files: OrderedDict[tuple, Future] = OrderedDict()


def _deck_key(deck: Deck, data_key: tuple) -> tuple:
    return (deck.district, deck.street, deck.lang, data_key,
            tuple((s.kind, s.chart_id, s.title, s.takeaway) for s in deck.slides))


def pptx_file(deck: Deck, data_key: tuple | None = None) -> bytes:
    """The deck's PPTX (to_pptx), written once per scope, language, data version and slides, and shared: the page
    writes it in the background while the outline is read (warm_in_background); a click that comes while it is
    being written waits for that file instead of writing another."""
    key = _deck_key(deck, data_key if data_key is not None else db.cache_key())
    with _warming_lock:
        future = _pptx_files.get(key)
        mine = future is None
        if mine:
            future = _pptx_files[key] = Future()
            while len(_pptx_files) > PPTX_KEPT:
                _pptx_files.popitem(last=False)
    if mine:
        try:
            future.set_result(to_pptx(deck))
        except BaseException as exc:   # said to every waiter, and not kept: the next click tries again
            with _warming_lock:
                if _pptx_files.get(key) is future:
                    del _pptx_files[key]
            future.set_exception(exc)
    return future.result()


def build(district: str | None = None, street: str | None = None, lang: str = "zh",
          pdf: bool = True) -> tuple[Deck, bytes, bytes | None]:
    """The outline, the PPTX bytes and (when pdf) the PDF bytes of the deck for a scope."""
    deck = outline(district, street, lang)
    return deck, to_pptx(deck), to_pdf(deck) if pdf else None
