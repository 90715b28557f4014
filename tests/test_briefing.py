"""The briefing deck: 16:9 PPTX with the slides in order, takeaways whose numbers match the queries, a PDF."""

import io
import re

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

import factories
from caremap import cli
from caremap.common import facts
from caremap.common.i18n import fmt_int
from caremap.report import briefing, charts
from caremap.store import build, db
from conftest import app_test

DISTRICT = "440305"
MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


@pytest.fixture(scope="module")
def deck():
    return briefing.outline(DISTRICT)


@pytest.fixture(scope="module")
def pptx(deck):
    return Presentation(io.BytesIO(briefing.to_pptx(deck)))


def _plain(text: str) -> str:
    """Text as read: without the word joiners and no-break spaces that keep numbers whole."""
    return text.replace(briefing.WORD_JOINER, "").replace(briefing.NBSP, " ")


def _texts(slide) -> str:
    return _plain("\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame))


def _frames(page):
    """Every text frame of a slide: text boxes and table cells."""
    for shape in page.shapes:
        if shape.has_text_frame:
            yield shape.text_frame
        if shape.has_table:
            yield from (cell.text_frame for row in shape.table.rows for cell in row.cells)


def _numbers(sentence: str) -> list[float]:
    """The numbers in a takeaway, 38.8万 read as 388000."""
    return [float(n.replace(",", "")) * (10_000 if wan else 1) for n, wan in re.findall(r"(\d[\d,]*(?:\.\d+)?)(万)?",
                                                                                        sentence)]


def test_deck_is_16_by_9_and_opens(pptx, deck):
    assert pptx.slide_width / pptx.slide_height == pytest.approx(16 / 9, rel=1e-3)
    assert len(pptx.slides) == len(deck.slides)


def test_deck_has_the_slides_in_order(deck, pptx):
    present = [cid for cid in briefing.DECK if cid == "top_gaps" or cid in charts.CHARTS]
    assert [s.kind for s in deck.slides[:2]] == ["title", "headline"]
    assert [s.chart_id for s in deck.slides[2:]] == present
    assert deck.skipped == [cid for cid in briefing.DECK if cid not in present]
    for slide, page in zip(deck.slides, pptx.slides):
        text = _texts(page)
        assert slide.title in text and slide.takeaway in text
        pictures = [s for s in page.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        native = [s for s in page.shapes if s.has_chart]
        tables = [s for s in page.shapes if s.has_table]
        # one figure per slide: a native chart, the coverage matrix as a table, the map as a picture (3×)
        if slide.chart_id in briefing.NATIVE:
            assert len(native) == 1 and not pictures and not tables and slide.takeaway
        elif slide.chart_id == "gap_matrix":
            assert len(tables) == 1 and not pictures and not native
            assert len(tables[0].table.rows) == len(slide.figure.data.iloc[:, 0].unique()) + 1
        elif slide.kind == "chart":
            assert len(pictures) == 1 and not native and slide.takeaway
            img = Image.open(io.BytesIO(pictures[0].image.blob))
            assert img.size == Image.open(io.BytesIO(briefing.chart_png(slide.chart_id, DISTRICT, None, "zh",
                                                                        db.cache_key()))).size
            assert img.size[0] >= 2400, "the map is a high-resolution picture"
        else:
            assert not pictures and not native


def test_title_slide_names_scope_date_and_demo(pptx):
    meta = dict(db.query("meta").itertuples(index=False, name=None))
    text = _texts(pptx.slides[0])
    assert "范围：全市 › 南山区" in text and meta["data_date"] in text and "示例数据" in text


def test_every_slide_has_speaker_notes_with_the_sources(deck, pptx):
    for slide, page in zip(deck.slides, pptx.slides):
        notes = _plain(page.notes_slide.notes_text_frame.text)
        assert facts.SEED_SOURCE in notes
        if slide.figure is not None:
            assert slide.figure.source in notes


def test_headline_takeaway_numbers_match_the_query(deck):
    row = db.query("metric_values", district=DISTRICT, street=None).astype(object).iloc[0]
    got = _numbers(deck.slides[1].takeaway)
    want = [row["service_points"], row["supervisors_in_post"], row["directors_in_post"], row["sw_projects"],
            row["person_times"]]
    assert got[:4] == [float(v) for v in want[:4]]
    assert got[4] == pytest.approx(want[4], abs=500)  # 万 with one decimal
    metrics = dict((label, value) for label, value, _ in deck.slides[1].metrics)
    assert metrics["儿童服务点"] == fmt_int(row["service_points"])
    assert metrics["服务人次"] == fmt_int(row["person_times"])


def test_gaps_takeaway_numbers_match_an_independent_count(deck, con):
    streets, without = con.execute("""
        select count(*), count(*) filter (where not exists (
            select 1 from service_point p where p.street_code = s.code and p.category = 'workstation'))
        from street s where s.district_code = ?""", [DISTRICT]).fetchone()
    homes = con.execute("""
        select count(*) from community c where c.district_code = ? and not exists (
            select 1 from service_point p where p.community_code = c.code and p.category = 'children_home')""",
                        [DISTRICT]).fetchone()[0]
    gaps = next(s for s in deck.slides if s.chart_id == "top_gaps")
    assert gaps.takeaway == (f"南山区 {streets} 个街道中 {without} 个缺少未成年人保护工作站，"
                             f"{homes} 个社区级单位没有儿童之家。")
    assert gaps.table["缺口合计"].tolist() == sorted(gaps.table["缺口合计"], reverse=True)


@pytest.fixture()
def tiny_db(tmp_path, monkeypatch):
    """Three streets built by hand: 甲 has a workstation and 1 of 2 units without a home; 乙 and 丙 have none."""
    path = tmp_path / "tiny.duckdb"
    con = factories.schema_db(str(path))
    con.executemany("insert into meta values (?, ?)",
                    [("data_version", "tiny1"), ("is_demo", "false"), ("data_date", "2024-01-01")])
    con.execute("insert into district (code, name, name_en) values ('449901', '测试区', 'Test')")
    con.executemany("insert into street (code, name, district_code) values (?, ?, '449901')",
                    [("449901001", "甲街道"), ("449901002", "乙街道"), ("449901003", "丙街道")])
    con.executemany("insert into community (code, name, street_code, district_code) values (?, ?, ?, '449901')",
                    [("449901001001", "一社区", "449901001"), ("449901001002", "二社区", "449901001"),
                     ("449901002001", "三社区", "449901002"), ("449901003001", "四社区", "449901003"),
                     ("449901003002", "五社区", "449901003")])
    con.executemany("insert into service_point (id, name, category, district_code, street_code, community_code) "
                    "values (?, ?, ?, '449901', ?, ?)",
                    [("P1", "甲站", "workstation", "449901001", None), ("P2", "一家", "children_home", "449901001",
                                                                       "449901001001"),
                     ("P3", "三家", "children_home", "449901002", "449901002001"),
                     ("P4", "四站", "party_centre", "449901003", "449901003001")])
    build.derive(con)  # the derived tables every published version carries
    con.close()
    monkeypatch.setenv("CAREMAP_DB", str(path))
    return path


def test_gaps_slide_on_a_database_built_by_hand(tiny_db):
    slide = briefing.gaps_slide("449901", None, "zh", "")
    assert slide.takeaway == "测试区 3 个街道中 2 个缺少未成年人保护工作站，3 个社区级单位没有儿童之家。"
    assert slide.table.values.tolist() == [["测试区", "丙街道", "缺", 2, 2, 3], ["测试区", "甲街道", "有", 2, 1, 1],
                                           ["测试区", "乙街道", "缺", 1, 0, 1]]
    en = briefing.gaps_slide("449901", "449901002", "en", "")   # one street: whether it has one, not "1 of 1"
    assert en.takeaway == "乙街道 lacks a minor-protection workstation; 0 community units have no children's home."
    assert briefing.gaps_slide("449901", "449901002", "zh", "").takeaway == \
        "乙街道缺少未成年人保护工作站，0 个社区级单位没有儿童之家。"
    assert briefing.gaps_slide("449901", "449901001", "zh", "").takeaway == \
        "甲街道已有未成年人保护工作站，1 个社区级单位没有儿童之家。"


def test_unregistered_charts_are_skipped_and_logged(caplog):
    with caplog.at_level("WARNING"):
        deck = briefing.outline(DISTRICT, chart_ids=("no_such_chart", "top_gaps"))
    assert deck.skipped == ["no_such_chart"] and [s.kind for s in deck.slides] == ["title", "headline", "table"]
    assert "no_such_chart" in caplog.text


def test_lazy_outline_builds_the_same_slides(deck):
    lazy = briefing.outline(DISTRICT, lazy=True)
    assert len(lazy.slides) == len(deck.slides)
    for i, slide in enumerate(deck.slides):
        assert (lazy.slide(i).title, lazy.slide(i).takeaway) == (slide.title, slide.takeaway)


def _chart(pptx, deck, chart_id):
    i = next(i for i, s in enumerate(deck.slides) if s.chart_id == chart_id)
    return next(s.chart for s in pptx.slides[i].shapes if s.has_chart)


def _embedded(chart) -> tuple[list[str], dict[str, list[float]]]:
    """A native chart's embedded data: its categories and each series' values, by name."""
    plot = chart.plots[0]
    return list(plot.categories), {s.name: list(s.values) for s in plot.series}


def test_charts_are_native_with_the_charts_own_data(deck, pptx):
    native = [i for i, page in enumerate(pptx.slides) if any(s.has_chart for s in page.shapes)]
    assert len(native) >= 5
    for i in native:  # the embedded data is the Figure's own frame, read the way the page's chart reads it
        want = briefing.native_data(deck.slides[i].figure, "zh")
        cats, series = _embedded(_chart(pptx, deck, deck.slides[i].chart_id))
        assert cats == want.categories and series == dict(want.series)
    values = briefing.metrics.values(DISTRICT)
    # …and equals an independent read of the same named queries and the metrics layer
    domains = db.query("sw_by_domain", district=DISTRICT, street=None)
    cats, series = _embedded(_chart(pptx, deck, "projects_by_domain"))
    assert cats == domains["domain"].tolist() and series == {"项目数": domains["projects"].astype(float).tolist()}
    assert sum(series["项目数"]) == values["sw_projects"]
    trend = db.query("sw_service_trend", district=DISTRICT, street=None)
    cats, series = _embedded(_chart(pptx, deck, "service_trend"))
    assert cats == trend["month"].dt.strftime("%Y-%m").tolist()
    assert series == {"服务人次": trend["person_times"].astype(float).tolist(),
                      "线上服务人次": trend["online_person_times"].astype(float).tolist()}
    assert sum(series["服务人次"]) == values["person_times"]
    streets = db.query("workforce_by_street", district=DISTRICT, street=None)
    cats, series = _embedded(_chart(pptx, deck, "workforce_by_district"))
    assert cats == streets["street_name"].tolist()
    assert [series[k] for k in ("在岗", "空缺（有岗位记录）", "无在册儿童主任")] == [
        streets[c].astype(float).tolist() for c in ("filled", "vacant", "no_record")]
    assert sum(series["在岗"]) == values["units_director_in_post"]
    systems = db.query("points_by_system", district=DISTRICT, street=None).groupby("system")["points"].sum()
    cats, series = _embedded(_chart(pptx, deck, "points_by_system"))
    assert cats == systems.sort_values(ascending=False, kind="stable").index.tolist()  # as the page: sort="-x"
    assert [sum(v) for v in zip(*series.values())] == [float(systems[c]) for c in cats]
    assert sum(map(sum, series.values())) == values["service_points"]


def test_many_series_become_the_largest_and_other():
    fig = charts.build("coverage_by_district")  # the city: 10 districts × every owning system
    systems = db.query("points_by_district", district=None, street=None).groupby("system")["points"].sum()
    data = briefing.native_data(fig, "zh")
    assert len(systems) > briefing.TOP_SERIES + 1, "the demo data has more systems than colours"
    names = [n for n, _ in data.series]
    assert names[:-1] == systems.sort_values(ascending=False, kind="stable").index[:briefing.TOP_SERIES].tolist()
    assert names[-1] == "其他" and data.colours[-1] == briefing.OTHER_COLOUR
    by_district = db.query("points_by_district", district=None, street=None).groupby(
        "district_name", sort=False)["points"].sum()
    assert data.categories == by_district.index.tolist()
    assert [sum(v) for v in zip(*(v for _, v in data.series))] == by_district.astype(float).tolist()


def test_native_charts_read_at_a_distance(pptx):
    from pptx.oxml.ns import qn

    charted = [s.chart for page in pptx.slides for s in page.shapes if s.has_chart]
    for chart in charted:
        assert chart.font.size.pt >= 12
        assert chart.category_axis.tick_labels.font.size.pt >= 12 and chart.value_axis.tick_labels.font.size.pt >= 12
        assert not chart.has_legend or chart.legend.font.size.pt >= 12
        assert len(chart.plots[0].series) <= briefing.TOP_SERIES + 1
        ea = chart.font._rPr.find(qn("a:ea"))
        assert ea is not None and ea.get("typeface") == charts.CJK_FONT


UNIT_NUMBER = re.compile(r"\d(?:[\u2060\u00a0 ]?[\d,.])*[\u2060\u00a0 ]?(?:万|人次|个|%)")


def test_no_number_is_split_from_its_unit_in_the_pptx(pptx):
    seen = 0
    for page in pptx.slides:
        for frame in [*_frames(page), page.notes_slide.notes_text_frame]:
            paras = [p for p in frame.paragraphs]
            for before, after in zip(paras, paras[1:]):  # no paragraph break between a number and its unit
                assert not (re.search(r"\d[\u2060\u00a0]?$", before.text) and re.match(r"[\d万人个%]", after.text))
            for para in paras:
                assert "\v" not in para.text  # no line break inside a paragraph
                for m in UNIT_NUMBER.finditer(para.text):
                    token = m.group()
                    assert " " not in token, f"plain space in {token!r}"
                    visible = [c for c in token if c not in (briefing.WORD_JOINER, briefing.NBSP)]
                    joins = token.count(briefing.WORD_JOINER) + token.count(briefing.NBSP)
                    assert joins == len(visible) - 1, f"{token!r} can break"
                    assert any(token in r.text for r in para.runs), f"{token!r} spans runs"
                    seen += 1
    assert seen > 20
    assert briefing.keep_together("累计服务 330万人次，最多：宝安区 54个") == (
        "累计服务 3\u20603\u20600\u2060万\u2060人\u2060次，最多：宝安区 5\u20604\u2060个")
    assert briefing.keep_together("全市 1,513 个") == "全市 1\u2060,\u20605\u20601\u20603\u00a0个"


def test_the_pdf_wrapper_never_splits_a_number_and_its_unit():
    from PIL import ImageDraw

    from caremap.report import fonts

    draw = ImageDraw.Draw(Image.new("RGB", (8, 8)))
    font = fonts.pil_font(36)
    text = "全市共有儿童服务点 1,513 个；儿童社工项目 191 个，累计服务 330万人次（最多：宝安区 54个；71%）。"
    tokens = [m.group() for m in briefing.NUMBER.finditer(text)]
    assert {"1,513 个", "330万人次", "54个", "71%"} <= set(tokens)
    for width in range(120, 1400, 23):  # every width puts a break somewhere else
        lines = briefing._wrap(draw, text, font, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for token in tokens:
            assert any(token in line for line in lines), f"{token!r} split at width {width}: {lines}"
        assert not any(line[0] in "，。；）%" for line in lines[1:])
    english = briefing._wrap(draw, "Nanshan: 3,300,000 person-times served in 2020.", font, 300)
    assert all(" " not in w.strip() or len(w.split()) > 1 for w in english) and "3,300,000" in " ".join(english)


PATH = re.compile(r"(?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_.-]*[A-Za-z][A-Za-z0-9_.-]*|\.(?:toml|csv|sql|duckdb|py)\b")


def test_no_file_path_in_any_text_or_note(deck, pptx):
    assert PATH.search("来源：data/reference/standards.toml") and not PATH.search("10/10 个街道")
    for page in pptx.slides:
        texts = [_plain(f.text) for f in _frames(page)] + [_plain(page.notes_slide.notes_text_frame.text)]
        for text in texts:
            assert not PATH.search(text), text


def test_every_figure_slide_explains_its_figures_in_the_notes(deck, pptx):
    every = briefing.metrics.registry()
    for slide, page in zip(deck.slides, pptx.slides):
        if slide.kind == "title":
            continue
        key = "headline" if slide.kind == "headline" else slide.chart_id
        notes = _plain(page.notes_slide.notes_text_frame.text)
        assert briefing.FIGURES[key], key
        for metric_id in briefing.FIGURES[key]:
            assert every[metric_id].text("definition", "zh") in notes, (key, metric_id)
    headline = _plain(pptx.slides[1].notes_slide.notes_text_frame.text)
    assert "服务人次：" in headline and "儿童服务点：范围内服务点名录中的儿童服务点个数" in headline


def test_pdf_has_one_16_by_9_page_per_slide(deck):
    pdf = briefing.to_pdf(deck)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(deck.slides)
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+960(\.0+)?\s+540(\.0+)?\s*\]", pdf)
    page = briefing.slide_image(deck.slides[0], deck, 1).convert("L")
    assert page.size == (1920, 1080)
    assert page.crop((100, 280, 1800, 520)).getextrema()[0] < 100, "the title is drawn"


def test_pdf_shows_the_slides_text_in_a_cjk_font(deck, tmp_path):
    import subprocess

    from pypdf import PdfReader

    path = tmp_path / "deck.pdf"
    path.write_bytes(briefing.to_pdf(deck))
    assert len(PdfReader(str(path)).pages) == len(deck.slides)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJK" in fonts and " yes yes " in fonts  # embedded, subset
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    for slide, page in zip(deck.slides, pages):
        assert slide.title.replace(" ", "") in page.replace(" ", "")
    assert "330万人次" in text.replace(" ", "") or deck.slides[1].metrics[-1][1] in text


def test_no_phone_numbers_in_the_deck(pptx):
    for page in pptx.slides:
        assert not MOBILE.search(_texts(page) + _plain(page.notes_slide.notes_text_frame.text))


def test_english_deck():
    deck = briefing.outline(DISTRICT, lang="en", lazy=True)
    assert deck.slides[0].title == "Shenzhen child-care service network · Briefing"
    assert deck.slides[1].takeaway.startswith("Nanshan")
    assert deck.slides[0].lines[0].startswith("Scope: Whole city")


def test_english_deck_has_native_charts_and_english_notes():
    deck = briefing.outline(DISTRICT, lang="en")
    pptx = Presentation(io.BytesIO(briefing.to_pptx(deck)))
    charted = [s.chart for page in pptx.slides for s in page.shapes if s.has_chart]
    assert len(charted) >= 5
    names = {s.name for c in charted for s in c.plots[0].series}
    assert {"In post", "Vacant post", "Projects", "Person-times"} <= names
    assert "其他" not in names
    notes = _plain(pptx.slides[1].notes_slide.notes_text_frame.text)
    assert "What the figures on this slide mean:" in notes
    assert briefing.metrics.get("person_times").text("definition", "en") in notes


def test_cli_writes_pptx_and_pdf(tmp_path, capsys):
    out, pdf = tmp_path / "deck.pptx", tmp_path / "deck.pdf"
    assert cli.main(["briefing", "--out", str(out), "--pdf", str(pdf), "--district", DISTRICT]) == 0
    assert len(Presentation(str(out)).slides) == len(briefing.outline(DISTRICT, lazy=True).slides)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert cli.main(["briefing", "--out", str(tmp_path / "x.pptx"), "--district", "nope"]) == 2


def test_briefing_page_builds_the_deck_in_one_click(downloads):
    at = app_test("pages/briefing.py", district=DISTRICT, timeout=180)
    assert not at.exception
    assert not at.get("download_button")
    at.button(key="briefing_build").click().run(timeout=180)
    assert not at.exception
    labels = {b.key: b.label for b in at.get("download_button")}
    assert labels == {"briefing_pptx": "下载 PPTX", "briefing_pdf": "下载 PDF"}
    served = downloads(at)  # the PPTX is made on the click, the PDF when its own button is clicked
    pptx_bytes, pdf_bytes = served["briefing_pptx"], served["briefing_pdf"]
    assert len(Presentation(io.BytesIO(pptx_bytes)).slides) == len(briefing.outline(DISTRICT, lazy=True).slides)
    assert pdf_bytes.startswith(b"%PDF")
    assert any("已生成" in s.value for s in at.success)


def test_the_pptx_is_written_once_per_deck_in_the_background_and_shared(monkeypatch):
    """The briefing page writes its PPTX in the background while the outline is read: the build click, and every
    other session on the same scope, language and data, get that file; another language is another file; a
    failure is said to the click and not kept."""
    import threading

    written, gate = [], threading.Event()
    real = briefing.to_pptx

    def to_pptx(d):
        gate.wait(60)   # the click below comes while the background file is still being written
        written.append((d.district, d.lang))
        return real(d)

    monkeypatch.setattr(briefing, "to_pptx", to_pptx)
    monkeypatch.setattr(briefing, "_pptx_files", type(briefing._pptx_files)())
    zh = briefing.outline("440304", lang="zh")
    briefing.warm_in_background(zh)
    clicked = []
    click = threading.Thread(target=lambda: clicked.append(briefing.pptx_file(zh)))
    click.start()
    gate.set()
    click.join(120)
    again = briefing.pptx_file(briefing.outline("440304", lang="zh"))   # another session: the same deck
    assert written == [("440304", "zh")] and clicked[0] is again
    assert len(Presentation(io.BytesIO(again)).slides) == len(zh.slides)
    en = briefing.pptx_file(briefing.outline("440304", lang="en"))
    assert written == [("440304", "zh"), ("440304", "en")] and en != again

    def broken(d):
        raise RuntimeError("disk full")

    monkeypatch.setattr(briefing, "to_pptx", broken)
    street = briefing.outline("440304", "440304002")
    for _ in range(2):   # tried again on the next click, not served from a kept failure
        with pytest.raises(RuntimeError, match="disk full"):
            briefing.pptx_file(street)
    monkeypatch.setattr(briefing, "to_pptx", to_pptx)
    assert Presentation(io.BytesIO(briefing.pptx_file(street))).slides


def test_briefing_page_scope_choice_drives_the_url_scope_and_the_outline():
    at = app_test("pages/briefing.py")
    city = briefing.gaps_slide(None, None, "zh", "").takeaway
    assert any(city in m.value for m in at.markdown)
    at.selectbox(key="briefing_district").set_value(DISTRICT).run()
    assert not at.exception
    assert at.query_params["district"] == DISTRICT
    nanshan = briefing.gaps_slide(DISTRICT, None, "zh", "").takeaway
    assert any(nanshan in m.value for m in at.markdown) and not any(city in m.value for m in at.markdown)


def test_outline_follows_scope_language_and_a_newly_published_version(tmp_path, monkeypatch):
    """The deck's charts come from the chart cache: each scope and language has its own, a new version new ones."""
    from test_export import publish_one_more_point

    live = tmp_path / "live.duckdb"
    build.build(live)
    monkeypatch.setenv("CAREMAP_DB", str(live))

    def mapped_points(deck) -> int:  # the service points in the map slide's table
        fig = next(s.figure for s in deck.slides if s.chart_id == "district_map")
        return int(fig.data.iloc[:, 1].sum())

    city, nanshan, english = briefing.outline(), briefing.outline(DISTRICT), briefing.outline(lang="en")
    charted = [i for i, s in enumerate(city.slides) if s.kind == "chart"]
    assert charted and all(city.slides[i].takeaway != nanshan.slides[i].takeaway for i in charted)
    assert all(city.slides[i].title != english.slides[i].title for i in charted)
    assert [s.takeaway for s in briefing.outline().slides] == [s.takeaway for s in city.slides]

    before, version = mapped_points(city), db.data_version()
    added = publish_one_more_point(live)
    fresh = briefing.outline()
    assert db.data_version() != version and version not in fresh.slides[0].lines[1]
    assert mapped_points(fresh) == before + added
    assert fresh.slides[1].metrics[0][1] == fmt_int(before + added)
    assert mapped_points(briefing.outline(lang="en")) == before + added
