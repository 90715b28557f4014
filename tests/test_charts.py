"""The charts as drawn: Vega's own scene graph (vl-convert) of each chart, read for what a user would see — headers
that fit and are not cut, legends whole, a few colours, the right places at each scope."""

from __future__ import annotations

import pytest
import vl_convert

from caremap.report import charts, fonts


def _texts(spec: dict, width: int | None = None) -> tuple[list[dict], int]:
    """Every axis and legend label Vega draws for the spec (at `width` px wide, fitted as Streamlit's "stretch" does),
    with its absolute position; and the drawing's width."""
    spec = dict(spec)
    if width is not None:
        spec["width"], spec["autosize"] = width, {"type": "fit", "contains": "padding"}
    drawn = vl_convert.vegalite_to_scenegraph(spec)
    found: list[dict] = []

    def walk(mark: dict, ox: float, oy: float, orient: str | None) -> None:
        for item in mark.get("items", []):
            x, y = ox + (item.get("x") or 0), oy + (item.get("y") or 0)
            if mark["marktype"] == "text" and mark.get("role") in ("axis-label", "legend-label"):
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
    """#18: the Workforce page draws this chart in one of three columns (~280 px on a laptop); its legend ran off the
    right edge beside the long certificate names. Every legend entry and every name is drawn whole inside the chart."""
    fig = charts.build("workforce_certificates", district=district, lang=lang)
    labels, width = _texts(fig.chart.to_dict(), width=280)
    legend = [lab for lab in labels if lab["role"] == "legend-label"]
    assert sorted(" ".join(lab["lines"]) for lab in legend) == sorted(fig.data.iloc[:, 0].unique())
    names = [lab for lab in labels if lab["role"] == "axis-label" and lab["orient"] == "left"]
    joiner = "" if lang == "zh" else " "
    assert sorted(joiner.join(lab["lines"]) for lab in names) == sorted(fig.data.iloc[:, 1].unique())
    cut = [lab["lines"] for lab in legend + names if not _inside(lab, width)]
    assert cut == []
