"""The charts as drawn: Vega's own scene graph (vl-convert) of each chart, read for what a user would see — headers
that fit and are not cut, legends whole, a few colours, the right places at each scope."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import vl_convert

from caremap.report import briefing, charts, files, fonts, terms
from caremap.store import db

# Streamlit's own chart theme (its CustomTheme: legend and axis text at fontSizes.sm, 14 px, wide label padding),
# which the page adds to a chart's config: the sizes a user sees, larger than Vega's defaults.
STREAMLIT_THEME = {"legend": {"labelFontSize": 14, "titleFontSize": 14, "labelPadding": 16, "padding": 8},
                   "axis": {"labelFontSize": 12, "titleFontSize": 14, "labelPadding": 16, "labelLimit": 100,
                            "labelFlush": True, "labelFlushOffset": 1}}


def _texts(spec: dict, width: int | None = None) -> tuple[list[dict], int]:
    """Every axis and legend label and text mark Vega draws for the spec (at `width` px wide, fitted as Streamlit's
    "stretch" does, in Streamlit's theme), with its absolute position; and the drawing's width."""
    spec = dict(spec)
    if width is not None:
        spec["width"], spec["autosize"] = width, {"type": "fit", "contains": "padding"}
    config = {part: (dict(values) if isinstance(values, dict) else values)
              for part, values in spec.get("config", {}).items()}
    for part, values in STREAMLIT_THEME.items():   # the chart's own settings win over the theme, as in Streamlit
        config[part] = {**values, **config.get(part, {})}
    spec["config"] = config
    drawn = vl_convert.vegalite_to_scenegraph(spec)
    found: list[dict] = []

    def walk(mark: dict, ox: float, oy: float, orient: str | None) -> None:
        for item in mark.get("items", []):
            x, y = ox + (item.get("x") or 0), oy + (item.get("y") or 0)
            if mark["marktype"] == "text" and mark.get("role") in ("axis-label", "legend-label", "mark"):
                lines = item["text"] if isinstance(item["text"], list) else [item["text"]]
                found.append({"role": mark["role"], "orient": orient, "lines": [str(v) for v in lines], "x": x, "y": y,
                              "limit": item.get("limit") or 0, "angle": item.get("angle") or 0,
                              "size": item.get("fontSize") or 10, "align": item.get("align") or "left"})
            if mark["marktype"] == "group":
                inner = item.get("orient", orient) if mark.get("role") == "axis" else orient
                for child in item.get("items", []):
                    walk(child, x, y, inner)

    walk(drawn["scenegraph"], *drawn["origin"], None)
    return found, drawn["width"]


def _width(text: str, size: float) -> float:
    return fonts.pil_font(round(size)).getlength(text)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("district", [None, "440305"])
def test_matrix_column_headers_stand_on_top_level_and_whole(lang, district):
    """#18: the headers were rotated -30° at the bottom and cut at 220 px; now on top, level, wrapped into the
    column's width, every word shown."""
    fig = charts.build("gap_matrix", district=district, lang=lang)
    standards = list(dict.fromkeys(fig.data.iloc[:, 1]))
    labels, _ = _texts(fig.chart.to_dict())
    top = [lab for lab in labels if lab["role"] == "axis-label" and lab["orient"] == "top"]
    assert [lab for lab in labels if lab["role"] == "axis-label" and lab["orient"] == "bottom"] == []
    joiner = "" if lang == "zh" else " "
    assert [joiner.join(v for v in lab["lines"] if v) for lab in top] == standards
    for lab in top:
        assert lab["angle"] == 0 and lab["limit"] == 0, lab   # level, and no "…" cut
        assert all(_width(line, lab["size"]) <= charts.MATRIX_STEP - 4 for line in lab["lines"]), lab
    assert len({round(lab["y"]) for lab in top}) == 1   # one row of headers, last lines on the same baseline
    steps = {round(b["x"] - a["x"]) for a, b in zip(top, top[1:])}
    assert steps <= {charts.MATRIX_STEP}, steps   # each over its own column's centre
    assert {lab["align"] for lab in top} == {"center"}   # none flushed to the axis end (Streamlit's labelFlush)
    rows = [lab for lab in labels if lab["role"] == "axis-label" and lab["orient"] == "left"]
    assert all(lab["limit"] == 0 for lab in rows)   # the row names whole (Streamlit's theme cuts at 100 px)


def _inside(label: dict, width: float) -> bool:
    """Every line of the label lies within 0 … width px and is not cut short by a label limit."""
    for line in label["lines"]:
        w = _width(line, label["size"])
        if label["limit"] and label["limit"] < w:
            return False
        left = {"left": label["x"], "right": label["x"] - w, "center": label["x"] - w / 2}[label["align"]]
        if left < -1 or left + w > width + 1:
            return False
    return True


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("district", [None, "440306"])
def test_workforce_certificate_legend_and_names_show_whole_in_a_third_of_the_page(lang, district):
    """#18: the Workforce page draws this chart in one of three columns (~260 px on a laptop); its legend ran off the
    right edge beside the long certificate names. Every legend entry and every name is drawn whole inside the chart,
    in Streamlit's theme."""
    fig = charts.build("workforce_certificates", district=district, lang=lang)
    labels, width = _texts(fig.chart.to_dict(), width=260)
    legend = [lab for lab in labels if lab["role"] == "legend-label"]
    assert sorted(" ".join(lab["lines"]) for lab in legend) == sorted(fig.data.iloc[:, 0].unique())
    names = [lab for lab in labels if lab["role"] == "mark"]   # each certificate's name, above its bar
    assert sorted(" ".join(lab["lines"]) for lab in names) == sorted(fig.data.iloc[:, 1].unique())
    cut = [lab["lines"] for lab in legend + names if not _inside(lab, width)]
    assert cut == []


@pytest.mark.parametrize("chart_id", ["workforce_tenure", "workforce_training"])
def test_the_workforce_distribution_legends_show_whole_beside_it(chart_id):
    """The two charts beside it had the same cut legend ("Child sup…")."""
    fig = charts.build(chart_id, lang="en")
    labels, width = _texts(fig.chart.to_dict(), width=260)
    legend = [lab for lab in labels if lab["role"] == "legend-label"]
    assert sorted(" ".join(lab["lines"]) for lab in legend) == ["Child director", "Child supervisor"]
    assert [lab["lines"] for lab in legend if not _inside(lab, width)] == []


def _legend(fig) -> list[str]:
    labels, _ = _texts(fig.chart.to_dict())
    return [" ".join(lab["lines"]) for lab in labels if lab["role"] == "legend-label"]


def _drawn(fig) -> pd.DataFrame:
    spec = fig.chart.to_dict()
    return pd.DataFrame(next(iter(spec["datasets"].values())))


@pytest.mark.parametrize("chart_id, district, lang", [("coverage_by_district", None, "zh"),
                                                      ("points_by_street", None, "zh"),
                                                      ("points_by_street", "440305", "en")])
def test_stacked_charts_colour_the_five_largest_and_other_and_download_everything(chart_id, district, lang):
    """#18: 15 colours stacked could not be told apart. The five largest series and 其他, by the rule the deck uses
    (charts.top_and_other); the CSV still holds every series."""
    fig = charts.build(chart_id, district=district, lang=lang)
    place, series, value = fig.data.columns[:3]
    totals = fig.data.groupby(series, sort=False)[value].sum().sort_values(ascending=False, kind="stable")
    assert len(totals) > charts.TOP_SERIES + 1, "the demo data has more series than colours"
    other = "其他" if lang == "zh" else "Other"
    assert _legend(fig) == [*totals.index[:charts.TOP_SERIES], other]
    drawn = _drawn(fig)
    name = next(c for c in drawn.columns if set(drawn[c]) == set(_legend(fig)))
    by_place = fig.data.groupby(place, sort=False)[value].sum()
    assert drawn.groupby(name)[value if value in drawn else "points"].sum().sum() == by_place.sum()
    assert drawn.loc[drawn[name] == other, "points"].sum() == totals.iloc[charts.TOP_SERIES:].sum()
    deck = briefing.native_data(fig, lang)
    if deck is not None:   # the deck's native chart draws the same series
        assert [n for n, _ in deck.series] == _legend(fig)
    csv = pd.read_csv(io.BytesIO(files.to_csv(fig)), encoding="utf-8-sig")
    assert set(csv[str(series)]) == set(totals.index) and csv[str(value)].sum() == totals.sum()


def test_top_and_other_keeps_six_and_lumps_seven():
    six = pd.Series([6, 5, 4, 3, 2, 1], index=list("abcdef"))
    assert charts.top_and_other(six, "zh") == {n: n for n in "abcdef"}   # a sixth colour is no worse than 其他
    seven = pd.Series([1, 7, 6, 5, 4, 3, 2], index=list("gabcdef"))
    assert charts.top_and_other(seven, "en") == {"a": "a", "b": "b", "c": "c", "d": "d", "e": "e", "f": "Other",
                                                 "g": "Other"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_district_chart_within_a_district_shows_its_streets(lang):
    """#18: with 南山区 chosen the chart drew one bar. Now a bar per street of the district, with a title that says
    so; the numbers are the street query's."""
    fig = charts.build("coverage_by_district", district="440305", lang=lang)
    streets = db.query("points_by_street", district="440305", street=None).groupby("street_code")["points"].sum()
    labels, _ = _texts(fig.chart.to_dict())
    bars = [lab["lines"][0] for lab in labels if lab["role"] == "axis-label" and lab["orient"] == "left"]
    assert len(bars) == len(streets) == 8
    names = db.query("streets", district="440305").set_index("code")["name"]
    names = names.map(terms.place_names()) if lang == "en" else names
    assert sorted(bars) == sorted(names[streets.index])
    assert fig.data.groupby(fig.data.columns[0])[fig.data.columns[2]].sum().sort_index().tolist() == \
        pd.Series(streets.values, index=names[streets.index].values).sort_index().tolist()
    assert fig.title == ("南山区各街道儿童服务点（按所属系统）" if lang == "zh"
                         else "Service points per street of Nanshan District (南山区) by owning system")


def test_the_district_chart_at_a_street_shows_it_among_its_districts_streets():
    fig = charts.build("coverage_by_district", district="440305", street="440305007")
    streets = db.query("points_by_street", district="440305", street=None).groupby("street_name")["points"].sum()
    assert set(fig.data["街道"]) == set(streets.index)
    opacity = fig.chart.to_dict()["encoding"]["opacity"]
    assert "440305007" in opacity["condition"]["test"] and opacity["condition"]["value"] > opacity["value"]
    rank = int((streets > streets["粤海街道"]).sum()) + 1   # ties share a place
    assert fig.takeaway == f"粤海街道共 {streets['粤海街道']} 个儿童服务点，在南山区 8 个街道中排第 {rank} 位。"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_social_work_district_chart_within_a_district_shows_its_streets(lang):
    """#18: the Social work page's by-district chart drew one pair of bars for the chosen district; now a pair per
    street of the district (a project counts in each street it has a site in), with the street query's numbers."""
    fig = charts.build("sw_by_district", district="440305", lang=lang)
    streets = db.query("sw_by_street", district="440305")
    labels, _ = _texts(fig.chart.to_dict())
    bars = [lab["lines"][0] for lab in labels if lab["role"] == "axis-label" and lab["orient"] == "left"]
    names = streets["street_name"].map(terms.place_names()) if lang == "en" else streets["street_name"]
    assert bars == names.tolist() and len(bars) == 8
    assert fig.data.iloc[:, 1:].to_numpy().tolist() == \
        streets[["orgs", "projects", "sites", "social_workers", "person_times"]].to_numpy().tolist()
    sites = db.query("sw_street_presence", district="440305", street=None).set_index("street_code")["sw_sites"]
    assert streets.set_index("street_code")["sites"].to_dict() == sites.to_dict()   # the same count as the map's
    assert fig.title == ("南山区各街道儿童社工项目与项目点" if lang == "zh"
                         else "Child social-work projects and sites per street of Nanshan District (南山区)")
    opacity = charts.build("sw_by_district", district="440305", street="440305007").chart.to_dict()["encoding"]
    assert "440305007" in opacity["opacity"]["condition"]["test"]
