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


def _texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


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
        if slide.kind == "chart":  # one chart per slide, the 2× PNG of the same Figure
            assert len(pictures) == 1 and slide.takeaway
            img = Image.open(io.BytesIO(pictures[0].image.blob))
            assert img.size == Image.open(io.BytesIO(briefing.files.to_png(slide.figure))).size
        else:
            assert not pictures


def test_title_slide_names_scope_date_and_demo(pptx):
    meta = dict(db.query("meta").itertuples(index=False, name=None))
    text = _texts(pptx.slides[0])
    assert "范围：全市 › 南山区" in text and meta["data_date"] in text and "示例数据" in text


def test_every_slide_has_speaker_notes_with_the_sources(deck, pptx):
    for slide, page in zip(deck.slides, pptx.slides):
        notes = page.notes_slide.notes_text_frame.text
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
    en = briefing.gaps_slide("449901", "449901002", "en", "")
    assert en.takeaway == "乙街道: 1 of 1 streets lack a minor-protection workstation; 0 community units have no " \
                          "children's home."


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


def test_pdf_has_one_16_by_9_page_per_slide(deck):
    pdf = briefing.to_pdf(deck)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(deck.slides)
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+960(\.0+)?\s+540(\.0+)?\s*\]", pdf)
    page = briefing.slide_image(deck.slides[0], deck, 1).convert("L")
    assert page.size == (1920, 1080)
    assert page.crop((100, 280, 1800, 520)).getextrema()[0] < 100, "the title is drawn"


def test_no_phone_numbers_in_the_deck(pptx):
    for page in pptx.slides:
        assert not MOBILE.search(_texts(page) + page.notes_slide.notes_text_frame.text)


def test_english_deck():
    deck = briefing.outline(DISTRICT, lang="en", lazy=True)
    assert deck.slides[0].title == "Shenzhen child-care service network · Briefing"
    assert deck.slides[1].takeaway.startswith("Nanshan")
    assert deck.slides[0].lines[0].startswith("Scope: Whole city")


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
