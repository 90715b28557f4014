"""The briefing deck: one outline of slides for a scope, written as a 16:9 PPTX (python-pptx) and a PDF (Pillow).

outline() decides what the slides say (the presenter page shows the same slides); layout() places each
slide's text, chart image and table on a 13.33 × 7.5 inch page; to_pptx() and to_pdf() draw that layout.
"""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from caremap.common import facts
from caremap.common.i18n import t
from caremap.report import charts, files, fonts, metrics
from caremap.report.charts import Figure
from caremap.report.scope import label_of, place_of
from caremap.store import db

log = logging.getLogger(__name__)

# The chart slides, in deck order, after the title and headline slides; "top_gaps" is the gap table.
DECK = ("gap_matrix", "top_gaps", "district_map", "workforce_by_district", "projects_by_domain", "service_trend")
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
    png: bytes | None = None  # the chart at 2×, rendered once for both the PPTX and the PDF


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


def _sources(source: str, demo: str, lang: str, extra: list[str] | None = None) -> str:
    lines = [t("briefing.notes_source", lang, source=source, demo=demo)]
    lines += list(extra or [])
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
    return Slide("headline", t("briefing.headline_title", lang), takeaway, _sources(source, demo, lang, [caveat]),
                 metrics=shown, source=source)


def gaps_slide(district, street, lang, demo) -> Slide:
    gaps = db.query("briefing_top_gaps", district=district, street=street)
    values = metrics.values(district, street)  # the takeaway's counts are the metrics the pages show
    without = values.get("standard.street_workstation.gaps")
    homes = values.get("standard.community_children_home.gaps")
    takeaway = t("briefing.gaps_takeaway", lang, scope=place_of(district, street, lang),
                 streets=metrics.fmt("streets", values["streets"], lang),
                 without=int((~gaps["has_workstation"].astype(bool)).sum()) if without is None else without,
                 homes=int(gaps["communities_without_home"].sum()) if homes is None else homes)
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
    notes = _sources(source, demo, lang, [t("briefing.gaps_note", lang, n=TOP_GAPS), caveat])
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
    return Slide("table", t("briefing.since_title", lang), takeaway, _sources(source, demo, lang), table=table,
                 chart_id="since_review", source=source)


def progress_slide(district, street, lang, demo) -> Slide:
    """Whether each standard reaches its target at the current pace (the Coverage page's table, its method in the
    notes)."""
    table = charts.progress_table(district, street, lang)
    share_cols = [t("coverage.col_share_now", lang), t("coverage.col_target", lang)]
    shown = table.assign(**{c: table[c].map(lambda v: "—" if v is None or pd.isna(v) else f"{v:.1%}")
                            for c in share_cols})
    assessment = shown.columns[6]
    late = shown.loc[shown[assessment].isin([charts.PROGRESS_WORDS[k][lang == "en"] for k in ("late", "no_progress")]),
                     shown.columns[0]].tolist()
    takeaway = t("briefing.progress_takeaway" if late else "briefing.progress_takeaway_ok", lang,
                 scope=place_of(district, street, lang), late=("、" if lang == "zh" else ", ").join(late))
    source = t("briefing.progress_source", lang)
    return Slide("table", t("briefing.progress_title", lang), takeaway,
                 _sources(source, demo, lang, [charts.PROJECTION_METHOD[lang == "en"]]), table=shown,
                 chart_id="progress", source=source)


def chart_slide(fig: Figure, lang: str, demo: str) -> Slide:
    return Slide("chart", fig.title, fig.takeaway, _sources(fig.source, demo, lang, fig.notes), figure=fig,
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
class Grid:
    x: float
    y: float
    w: float
    h: float
    frame: pd.DataFrame
    size: int = 16


def layout(slide: Slide, deck: Deck, number: int) -> list:
    """The positioned elements of one slide (the chart is rendered to a 2× PNG here)."""
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
            items.append(Grid(0.6, top, 12.1, min(4.8, 0.44 * rows), slide.table, 14))
    elif slide.kind == "chart" and slide.figure is not None:
        slide.png = slide.png or chart_png(slide.chart_id, deck.district, deck.street, deck.lang, db.cache_key())
        items.append(Picture(0.6, top, 12.1, 4.9, slide.png))
    items.append(Text(0.6, 7.0, 10.5, 0.35, deck.footer, 10, color=GREY))
    items.append(Text(11.6, 7.0, 1.1, 0.35, str(number), 10, color=GREY, align="right"))
    return items


def _fit(box_w: float, box_h: float, img_w: int, img_h: int) -> tuple[float, float, float, float]:
    """Offset and size of an image fitted into a box, aspect kept, centred horizontally, top-aligned."""
    scale = min(box_w / img_w, box_h / img_h)
    w, h = img_w * scale, img_h * scale
    return (box_w - w) / 2, 0.0, w, h


# ---- PPTX ----

def _style_run(run, item: Text) -> None:
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    run.font.size = Pt(item.size)
    run.font.bold = item.bold
    run.font.color.rgb = RGBColor.from_string(item.color)
    run.font.name = charts.CJK_FONT
    rpr = run._r.get_or_add_rPr()  # East Asian typeface, so PowerPoint uses the CJK font for 中文
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        rpr.append(ea)
    ea.set("typeface", charts.CJK_FONT)


def to_pptx(deck: Deck) -> bytes:
    """The deck as a 16:9 PowerPoint file: one chart per slide, takeaway under the title, sources in the notes."""
    from PIL import Image
    from pptx import Presentation
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

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
                run.text = item.text
                _style_run(run, item)
            elif isinstance(item, Picture):
                img_w, img_h = Image.open(io.BytesIO(item.png)).size
                dx, dy, w, h = _fit(item.w, item.h, img_w, img_h)
                page.shapes.add_picture(io.BytesIO(item.png), Inches(item.x + dx), Inches(item.y + dy), Inches(w),
                                        Inches(h))
            elif isinstance(item, Grid):
                rows, cols = len(item.frame) + 1, len(item.frame.columns)
                shape = page.shapes.add_table(rows, cols, Inches(item.x), Inches(item.y), Inches(item.w),
                                              Inches(item.h))
                cells = [list(item.frame.columns)] + [[str(v) for v in r] for r in item.frame.itertuples(index=False)]
                for i, values in enumerate(cells):
                    for j, value in enumerate(values):
                        cell = shape.table.cell(i, j)
                        cell.text = str(value)
                        for run in cell.text_frame.paragraphs[0].runs:
                            run.font.size = Pt(item.size)
                            run.font.name = charts.CJK_FONT
        page.notes_slide.notes_text_frame.text = slide.notes
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# ---- PDF (and slide images) with Pillow ----

def _px(inches: float) -> int:
    return round(inches * PX_PER_IN)


def _wrap(draw, text: str, font, width: int) -> list[str]:
    """Greedy wrap by character (Chinese has no spaces); English breaks at the last space when it can."""
    lines, current = [], ""
    for ch in text:
        trial = current + ch
        if draw.textlength(trial, font=font) <= width or not current:
            current = trial
            continue
        cut = current.rfind(" ")
        if cut > 0 and current.isascii():
            lines.append(current[:cut])
            current = current[cut + 1:] + ch
        else:
            lines.append(current)
            current = ch
    if current:
        lines.append(current)
    return lines


def slide_image(slide: Slide, deck: Deck, number: int):
    """One slide drawn as a 1920 × 1080 RGB image (the PDF's page)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (_px(WIDTH_IN), _px(HEIGHT_IN)), "white")
    draw = ImageDraw.Draw(img)
    for item in layout(slide, deck, number):
        if isinstance(item, Text):
            font = fonts.pil_font(round(item.size * PX_PER_IN / 72), bold=item.bold)
            y = _px(item.y)
            for line in _wrap(draw, item.text, font, _px(item.w)):
                x = _px(item.x) + (_px(item.w) - draw.textlength(line, font=font) if item.align == "right" else 0)
                draw.text((x, y), line, font=font, fill=f"#{item.color}")
                y += round(item.size * PX_PER_IN / 72 * 1.3)
        elif isinstance(item, Picture):
            chart = Image.open(io.BytesIO(item.png)).convert("RGBA")
            dx, dy, w, h = _fit(item.w, item.h, *chart.size)
            chart = chart.resize((_px(w), _px(h)), Image.LANCZOS)
            img.paste(chart, (_px(item.x + dx), _px(item.y + dy)), chart)
        elif isinstance(item, Grid):
            _draw_grid(draw, item)
    return img


def _draw_grid(draw, item: Grid) -> None:
    cells = [list(item.frame.columns)] + [[str(v) for v in r] for r in item.frame.itertuples(index=False)]
    row_h = _px(item.h) / len(cells)
    col_w = _px(item.w) / len(cells[0])
    size = round(item.size * PX_PER_IN / 72)
    for i, values in enumerate(cells):
        top = _px(item.y) + i * row_h
        fill = "#1F4E79" if i == 0 else ("#E8EEF7" if i % 2 else "#F6F8FB")
        draw.rectangle([_px(item.x), top, _px(item.x + item.w), top + row_h], fill=fill)
        font = fonts.pil_font(size, bold=i == 0)
        for j, value in enumerate(values):
            draw.text((_px(item.x) + j * col_w + 12, top + (row_h - size) / 2 - 2), value, font=font,
                      fill="white" if i == 0 else f"#{INK}")


def to_pdf(deck: Deck) -> bytes:
    """The same slides as a PDF, one 16:9 page each (13.33 × 7.5 in)."""
    pages = [slide_image(s, deck, n) for n, s in enumerate(deck.slides, start=1)]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=PX_PER_IN)
    return buf.getvalue()


@lru_cache(maxsize=64)
def chart_png(chart_id: str, district: str | None, street: str | None, lang: str, data_key: tuple) -> bytes:
    """A chart slide's picture (PNG at 2×), rendered once per chart, scope, language and data version: rendering
    is most of what building a deck costs, so the page renders them while the user reads the outline."""
    return files.to_png(charts.build(chart_id, district, street, lang))


_warming: set[tuple] = set()
_warming_lock = threading.Lock()


def warm_in_background(deck: Deck) -> None:
    """Render the deck's chart pictures on a background thread (once per deck key), so that the build button
    only lays out slides that are ready. Pure report work: no Streamlit on that thread."""
    key = db.cache_key()
    jobs = [(s.chart_id, deck.district, deck.street, deck.lang, key) for s in deck.slides
            if s.kind == "chart" and s.chart_id]
    with _warming_lock:
        jobs = [j for j in jobs if j not in _warming]
        _warming.update(jobs)
    if jobs:
        threading.Thread(target=lambda: [chart_png(*j) for j in jobs], daemon=True, name="deck-warm").start()


def build(district: str | None = None, street: str | None = None, lang: str = "zh",
          pdf: bool = True) -> tuple[Deck, bytes, bytes | None]:
    """The outline, the PPTX bytes and (when pdf) the PDF bytes of the deck for a scope."""
    deck = outline(district, street, lang)
    return deck, to_pptx(deck), to_pdf(deck) if pdf else None
