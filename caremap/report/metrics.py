"""The metrics layer: every figure the product shows, defined once (caremap/report/metrics.toml).

A metric has an id, a Chinese and English label, a one-sentence definition, a unit, a source and the named query
(and column) its value comes from. Pages, map tooltips, exports, the deck and `python -m caremap metrics` read
values through values() / value(); none recomputes them, so the same meaning shows the same number everywhere.
Per-standard figures (met, units checked, gaps, share) are made from the coverage standards themselves:
ids `standard.<standard id>.met|units|gaps|share`, plus `gaps_total`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from caremap.common.i18n import fmt_int, lang, t
from caremap.store import db

SPEC = Path(__file__).with_name("metrics.toml")
STANDARD_PARTS = ("met", "units", "gaps", "share")


@dataclass(frozen=True)
class Metric:
    id: str
    label: tuple[str, str]
    definition: tuple[str, str]
    unit: tuple[str, str]
    source: str
    query: str
    column: str
    glossary: tuple[str, ...] = ()
    standard_id: str | None = None

    def text(self, field: str, language: str | None = None) -> str:
        zh, en = getattr(self, field)
        return en if (language or lang()) == "en" else zh

    @property
    def is_rate(self) -> bool:
        """Per 10,000 residents or children: written with two decimals."""
        return self.unit[0].startswith("个/万")

    @property
    def is_share(self) -> bool:
        return self.unit[0] == "%"


@lru_cache(maxsize=1)
def _spec() -> dict:
    return tomllib.loads(SPEC.read_text(encoding="utf-8"))


def _pair(value) -> tuple[str, str]:
    if not (isinstance(value, list) and len(value) == 2):
        raise ValueError(f"{SPEC.name}: {value!r} must be [\"中文\", \"English\"]")
    return value[0], value[1]


def _static() -> dict[str, Metric]:
    spec = _spec()
    out = {}
    for mid, m in spec["metrics"].items():
        if m["source"] not in spec["sources"]:
            raise ValueError(f"{SPEC.name}: metric {mid} names unknown source {m['source']!r}")
        out[mid] = Metric(mid, _pair(m["label"]), _pair(m["definition"]), _pair(m["unit"]), m["source"],
                          m["query"], m.get("column", mid), tuple(m.get("glossary", ())))
    return out


def _standard_metrics(standards: pd.DataFrame) -> dict[str, Metric]:
    words = _spec()["standard"]
    out = {}
    for s in standards.itertuples():
        noun_zh, noun_en = t(f"coverage.noun_{s.level}", "zh").lstrip("个"), t(f"coverage.noun_{s.level}", "en")
        fill = {"label": s.label_zh, "noun": noun_zh, "noun_en": noun_en}
        fill_en = {**fill, "label": s.label_en}
        units = {"met": ("个", noun_en), "units": ("个", noun_en), "gaps": ("个", "gaps"), "share": ("%", "%")}
        for part in STANDARD_PARTS:
            mid = f"standard.{s.id}.{part}"
            label = (words[f"{part}_label"][0].format(**fill), words[f"{part}_label"][1].format(**fill_en))
            definition = (words[f"{part}_definition"][0].format(**fill),
                          words[f"{part}_definition"][1].format(**fill_en))
            out[mid] = Metric(mid, label, definition, units[part], "standards", "coverage_compliance", part,
                              ("met", "gap") + (("walking",) if s.kind == "distance" else ()), s.id)
    out["checks_share"] = Metric("checks_share", ("全部标准达标率", "Share of all checks met"),
                                 ("范围内各单位对各项覆盖标准的考核中达标的比例（达标的单位×标准数除以考核总数）。",
                                  "Of every unit × standard check in scope, the share met (checks met / all checks)."),
                                 ("%", "%"), "standards", "coverage_compliance", "share", ("met",))
    out["gaps_total"] = Metric("gaps_total", ("缺口合计", "Gaps in all"),
                               ("范围内所有单位未达到的覆盖标准项数之和（一个单位可有多个缺口）。",
                                "All the standards missed by all the units in scope (a unit can have several gaps)."),
                               ("个", "gaps"), "standards", "coverage_compliance", "gaps", ("gap",))
    return out


def registry() -> dict[str, Metric]:
    """Every metric of the current database version, by id (the per-standard ones follow its standards)."""
    return _registry(db.cache_key())


@lru_cache(maxsize=8)
def _registry(_key: tuple) -> dict[str, Metric]:
    return {**_static(), **_standard_metrics(db.query("coverage_standards"))}


def registry_of(con) -> dict[str, Metric]:
    """Every metric of the published version open on `con` (its own standards)."""
    return {**_static(), **_standard_metrics(db.run(con, "coverage_standards"))}


def get(metric_id: str) -> Metric:
    found = registry().get(metric_id)
    if found is None:
        raise KeyError(f"unknown metric {metric_id!r}")
    return found


def standard_values(comp: pd.DataFrame) -> dict[str, float | int | None]:
    """The per-standard metrics of unit × standard checks (coverage_compliance rows: one per unit and standard):
    units checked, units meeting it, gaps and share. Counted from the rows themselves, so that the rows of one
    place taken from a wider scope (a district's rows of the city's checks) give that place's figures."""
    out: dict[str, float | int | None] = {}
    checks = met_all = 0
    counted = comp.assign(_met=comp["met"].eq(True)).groupby("standard_id", sort=False)["_met"].agg(["size", "sum"])
    for standard_id, row in counted.iterrows():
        units, met = int(row["size"]), int(row["sum"])
        base = f"standard.{standard_id}"
        out |= {f"{base}.units": units, f"{base}.met": met, f"{base}.gaps": units - met,
                f"{base}.share": met / units if units else None}
        checks, met_all = checks + units, met_all + met
    out["gaps_total"] = checks - met_all
    out["checks_share"] = met_all / checks if checks else None
    return out


def values(district: str | None = None, street: str | None = None, con=None) -> dict[str, float | int | None]:
    """Every metric's value at a scope (None where it is not defined there, e.g. residents of a street).

    On the live version (cached), or on an open connection to another published version (`con`: a comparison).
    """
    return values_and_checks(district, street, con)[0]


def values_and_checks(district: str | None = None, street: str | None = None,
                      con=None) -> tuple[dict[str, float | int | None], pd.DataFrame]:
    """values(), and the unit × standard checks (coverage_compliance) the standard metrics were counted from."""
    def run(name, **params):
        return db.run(con, name, **params) if con is not None else db.query(name, **params)

    row = run("metric_values", district=district, street=street).iloc[0]
    out: dict[str, float | int | None] = {}
    for mid, m in _static().items():
        v = row[m.column]
        out[mid] = None if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v) else (
            float(v) if m.is_rate or m.unit[0] == "%" else int(v))
    comp = run("coverage_compliance", district=district, street=street)
    out |= standard_values(comp)
    every = registry() if con is None else registry_of(con)
    for mid in every:  # a standard with no unit at this scope (a district standard at street scope)
        out.setdefault(mid, None)
    return out, comp


def value(metric_id: str, district: str | None = None, street: str | None = None):
    get(metric_id)
    return values(district, street)[metric_id]


def fmt(metric_id: str, v, language: str | None = None) -> str:
    """A value as shown: counts with 万 in Chinese (330万) and separators in English, shares as %, rates 0.00."""
    return formatter(metric_id, language)(v)


def formatter(metric_id: str, language: str | None = None) -> Callable[[object], str]:
    """fmt() of one metric as a function of the value: the metric looked up once, for a column of values (a map's
    tooltips write thousands per click)."""
    language = language or lang()
    m = get(metric_id)

    def write(v) -> str:
        if v is None or pd.isna(v):   # not defined at the scope (NaN once it has passed through a frame)
            return "—"
        if m.is_share:
            return f"{100 * float(v):.1f}%"
        if m.is_rate:
            return f"{float(v):.2f}"
        return fmt_int(v, language)
    return write


def source_text(metric_id: str, language: str | None = None) -> str:
    zh, en = _spec()["sources"][get(metric_id).source]
    return en if (language or lang()) == "en" else zh


def help_text(metric_id: str, language: str | None = None) -> str:
    """The figure's tooltip: its definition, unit, source and where the glossary is."""
    language = language or lang()
    m = get(metric_id)
    return t("glossary.help", language, definition=m.text("definition", language), unit=m.text("unit", language),
             source=source_text(metric_id, language))


def terms(language: str | None = None) -> pd.DataFrame:
    """The glossary's terms (缺口, 空缺, 无在册记录, …): term, definition."""
    language = language or lang()
    i = 1 if language == "en" else 0
    rows = [(key, v["term"][i], v["definition"][i]) for key, v in _spec()["terms"].items()]
    return pd.DataFrame(rows, columns=["key", "term", "definition"])


def table(district: str | None = None, street: str | None = None, language: str | None = None) -> pd.DataFrame:
    """Every metric of a scope: id, label, value (as shown), unit, definition, source; for the CLI and the glossary."""
    language = language or lang()
    vals = values(district, street)
    rows = []
    for mid, m in registry().items():
        v = vals.get(mid)
        rows.append({"id": mid, "label": m.text("label", language), "value": v, "shown": fmt(mid, v, language),
                     "unit": m.text("unit", language), "definition": m.text("definition", language),
                     "source": source_text(mid, language), "query": m.query})
    return pd.DataFrame(rows)
