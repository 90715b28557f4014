"""English complete (issue #18): every page rendered in English at city, district and street scope shows no Chinese
outside proper names (of service points, people, organisations and projects, addresses), and the English labels
use half-width punctuation and fit where Streamlit shows them."""

from __future__ import annotations

import functools
import io
import json
import re
import tomllib

import pyarrow as pa
import pytest
from google.protobuf.json_format import MessageToDict

from caremap.common.i18n import t
from caremap.common.paths import LABELS
from caremap.report import terms
from caremap.store import db
from conftest import PAGES, app_test

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# By design an English place name (or term) may carry its Chinese in brackets: "Yuehai Subdistrict (粤海街道)",
# "demo data (示例数据)". Only a bracket group of Chinese alone, right after an English word, is left out.
GLOSS = re.compile(r"(?<=[A-Za-z.'])\s?\((?:[^\x00-\x7f]|[\s·\d])+\)")
# Table columns and chart fields that hold proper names, which stay as they are.
NAME_COLUMNS = {"Name", "Organisation", "Project", "Nearest point", "Address", "Phone", "Service point"}
NAME_FIELDS = {"name", "tip_title", "project_name", "org_name", "nearest_name", "address", "phone", "label",
               "unit_label"}
SCOPES = [(None, None), ("440305", None), ("440305", "440305007")]
ENGLISH_PAGES = [p for p in PAGES if not p.endswith("data_admin.py")]   # the data page: tested logged in below


# A policy's official Chinese title and document number exist only in Chinese: its entry shows them as such.
IDENTIFIER_LINES = re.compile(r"^\*\*(Official title|Number)\*\*: .*$", re.M)


@functools.cache
def _proper_names() -> re.Pattern:
    """The names of service points, organisations, projects, sites and people in the database (longest first)."""
    names = set()
    for query in ("select name from service_point", "select name from sw_org", "select name from sw_project",
                  "select name from sw_site", "select name from worker where name is not null"):
        names |= {r[0] for r in db.connect().cursor().execute(query).fetchall() if r[0] and CJK.search(r[0])}
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


def chinese_left(text: str) -> bool:
    """Whether text shows Chinese outside proper names and the Chinese glosses of English names."""
    text = GLOSS.sub("", IDENTIFIER_LINES.sub("", text))
    return bool(CJK.search(text)) and bool(CJK.search(_proper_names().sub("", text)))


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _strings(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _strings(value)


def _frame_texts(df, where: str):
    for col in df.columns:
        yield f"{where} column", str(col)
        if str(col) in NAME_COLUMNS or str(col) in NAME_FIELDS:
            continue
        for value in df[col].dropna().unique()[:200]:
            if isinstance(value, str):
                yield f"{where} [{col}]", value


def _fields(spec) -> set[str]:
    """The data fields a Vega-Lite spec encodes (the columns a chart shows)."""
    out = set()
    if isinstance(spec, dict):
        if isinstance(spec.get("field"), str):
            out.add(spec["field"])
        for value in spec.values():
            out |= _fields(value)
    elif isinstance(spec, list):
        for value in spec:
            out |= _fields(value)
    return out


def _spec_texts(spec: dict):
    """Titles, axis and legend titles, sort orders and scale domains of a Vega-Lite spec (not its data)."""
    for key, value in spec.items():
        if key in ("datasets", "data", "$schema", "config", "usermeta"):
            continue
        if key in ("title", "subtitle", "text", "sort", "domain", "format", "labelExpr"):
            yield from (("chart", s) for s in _strings(value))
        elif isinstance(value, dict):
            yield from _spec_texts(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    yield from _spec_texts(item)


def _deck_texts(spec: dict):
    """The tooltip lines of a map's layers (their titles are names), except addresses and phones, and the place
    names written on the map."""
    skip = (t("map.label_address", "en"), t("map.label_phone", "en"))
    for layer in spec.get("layers", []):
        data = layer.get("data")
        rows = data if isinstance(data, list) else []
        if layer.get("@@type") == "TextLayer":
            yield from (("map label", row["text"]) for row in rows if isinstance(row.get("text"), str))
            continue
        for row in rows[:300]:
            fields = row.get("properties", row) if isinstance(row, dict) else {}
            for key, value in fields.items():
                if key.startswith("tip") and key != "tip_title" and isinstance(value, str) \
                        and not value.startswith(skip):
                    yield "map tooltip", value
    tooltip = spec.get("tooltip") or {}
    yield from (("map tooltip template", s) for s in _strings(tooltip))


def rendered_texts(at):
    """(where, text) of everything a run of the page shows."""
    for node in at._tree:
        kind = getattr(node, "type", node.__class__.__name__)
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        if kind in ("arrow_data_frame", "dataframe", "table"):
            yield from _frame_texts(node.value, kind)
            continue
        if kind in ("vega_lite_chart", "arrow_vega_lite_chart"):
            spec = json.loads(proto.spec)
            yield from _spec_texts(spec)
            shown = _fields(spec)
            for ds in proto.datasets:
                table = pa.ipc.open_stream(io.BytesIO(ds.data.data)).read_all().to_pandas()
                yield from _frame_texts(table[[c for c in table.columns if c in shown]], "chart data")
            continue
        if kind == "deck_gl_json_chart":
            yield from _deck_texts(json.loads(proto.json))
            continue
        fields = MessageToDict(proto)
        for key in ("id", "formId", "url", "deferredFileId", "mimetype", "icon", "body" if kind == "html" else ""):
            fields.pop(key, None)
        if kind == "selectbox" and node.label == t("social_work.col_org_name", "en"):
            fields.pop("options", None)   # organisation names
        yield from ((kind, s) for s in _strings(fields))
    for tab in at.tabs:
        yield "tab", tab.label


def chinese_in(at) -> list[str]:
    seen, out = set(), []
    for where, text in rendered_texts(at):
        if chinese_left(text) and (where, text) not in seen:
            seen.add((where, text))
            out.append(f"{where}: {text[:200]!r}")
    return out


def test_the_check_allows_chinese_only_in_brackets_after_an_english_name():
    assert not chinese_left("Whole city › Nanshan District (南山区) › Yuehai Subdistrict (粤海街道)")
    assert not chinese_left("What you see is demo data (示例数据).")
    assert chinese_left("most from 妇联 (746)") and chinese_left("Whole city › 宝安区")
    assert chinese_left("Source：CareMap") and chinese_left("(粤海街道)") and chinese_left("Street (粤海街道, 南山区)")


@pytest.mark.parametrize("page", ENGLISH_PAGES)
@pytest.mark.parametrize("district,street", SCOPES, ids=["city", "district", "street"])
def test_every_page_in_english_shows_no_chinese_outside_names(page, district, street):
    at = app_test(page, lang="en", district=district, street=street)
    assert not at.exception, at.exception
    left = chinese_in(at)
    assert not left, "\n".join(left)


COVERAGE_TABS = ["points", "gaps", "walk", "rank", "sites", "trend"]   # "matrix", the first, opens by default


@pytest.mark.parametrize("tab", COVERAGE_TABS)
@pytest.mark.parametrize("district,street", SCOPES, ids=["city", "district", "street"])
def test_every_coverage_tab_in_english_shows_no_chinese_outside_names(tab, district, street):
    """The coverage page builds only its open tab: each is opened by its URL."""
    at = app_test("pages/coverage.py", lang="en", district=district, street=street, coverage_tab=tab)
    assert not at.exception, at.exception
    left = chinese_in(at)
    assert not left, "\n".join(left)


def test_the_data_page_in_english_shows_no_chinese_outside_names(monkeypatch, tmp_path):
    """Logged in as test_data_admin.py does, on a copy of the database (the page writes its audit log)."""
    import hashlib
    import os
    import shutil

    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    path = tmp_path / "caremap.duckdb"
    shutil.copyfile(os.environ["CAREMAP_DB"], path)
    monkeypatch.setenv("CAREMAP_DB", str(path))
    at = AppTest.from_file(str(ROOT / "pages/data_admin.py"), default_timeout=60)
    at.secrets["admin"] = {"password_sha256": hashlib.sha256(b"english-test").hexdigest()}
    at.query_params["lang"] = "en"
    at.run()
    at.text_input(key="data_admin_who").input("tester")
    at.text_input(key="data_admin_password").input("english-test")
    at = at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.tabs, "logged in: the page shows its tabs"
    left = chinese_in(at)
    assert not left, "\n".join(left)


def _labels():
    """(key, English) of every label and of every [zh, en] text of the metrics layer (metrics.toml)."""
    for path in sorted(LABELS.glob("*.toml")):
        for key, value in tomllib.loads(path.read_text(encoding="utf-8")).items():
            yield f"{path.stem}.{key}", value[1]

    def pairs(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from pairs(value, f"{path}.{key}")
        elif isinstance(node, list) and len(node) == 2 and all(isinstance(v, str) for v in node):
            yield path, node[1]

    metrics_toml = LABELS.parent.parent / "report" / "metrics.toml"
    yield from pairs(tomllib.loads(metrics_toml.read_text(encoding="utf-8")), "metrics.toml")


def test_english_labels_use_half_width_punctuation():
    wide = [f"{key}: {en!r}" for key, en in _labels() if re.search("[：（），；。！？]", en)]
    assert not wide, "\n".join(wide)


def _metric_labels(block, columns: int = 1):
    """(columns in its row, label) of every metric under a block of the element tree."""
    kids = list(getattr(block, "children", {}).values())
    row = sum(k.__class__.__name__ == "Column" for k in kids)
    for kid in kids:
        if kid.__class__.__name__ == "Metric":
            yield columns, kid.label
        elif hasattr(kid, "children"):
            yield from _metric_labels(kid, row if kid.__class__.__name__ == "Column" else columns)


@pytest.mark.parametrize("page", ENGLISH_PAGES)
def test_english_metric_labels_fit_their_columns(page):
    """Streamlit cuts a metric's label that is wider than its column ("Minor rescue & protecti…"): about 120
    characters across the page, so at most 30 in a row of four, 20 in a row of six."""
    at = app_test(page, lang="en", district="440305")
    long = [f"{label!r} ({len(label)} characters, {n} to a row)" for n, label in set(_metric_labels(at._tree))
            if len(label) > 120 // n]
    assert not long, "\n".join(long)


def test_every_value_of_the_controlled_vocabulary_has_its_english(con):
    """Owning systems, roles, statuses, certificates, domains, target groups, location notes and policy issuers of
    the reference and demo data all have an English term in labels/vocab.toml."""
    from caremap.common.i18n import has_label

    queries = {"system": "select distinct system from service_category",
               "role": "select distinct role from worker", "status": "select distinct status from worker",
               "certificate": "select distinct certificate from worker where certificate is not null",
               "domain": "select distinct domain from sw_project", "target_group": "select distinct target_group "
               "from sw_project", "note": "select distinct point_note from street union select distinct location_note "
               "from community", "issuer": "select distinct unnest(string_split(issuer, '、')) from policy"}
    missing = [f"{kind}.{value}" for kind, sql in queries.items() for (value,) in con.execute(sql).fetchall()
               if not has_label(f"vocab.{kind}.{value}")]
    assert not missing, missing
    assert terms.term("system", "妇联", "en") == "Women's Federation" and terms.term("system", "妇联", "zh") == "妇联"
    assert terms.issuer("民政部、教育部", "en") == "Ministry of Civil Affairs, Ministry of Education"


def test_places_show_in_english_with_their_chinese():
    assert terms.place("宝安区", "en") == "Bao'an District (宝安区)"
    assert terms.place("大鹏新区", "en") == "Dapeng New Area (大鹏新区)"
    assert terms.place("粤海街道", "en") == "Yuehai Subdistrict (粤海街道)"
    assert terms.place("长岭社区", "en") == "Changling Community (长岭社区)"
    assert terms.place("粤海街道", "zh") == "粤海街道" and terms.place("不存在", "en") == "不存在"
