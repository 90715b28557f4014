"""Coverage analysis: compliance with the coverage standards, the gap list, walking access, site proposals.

Every figure comes from a named query (coverage_compliance, walking_nearest, worker_states, ...); this
module only selects, labels and formats those rows (the site planner is caremap/report/planner.py). No st.* here.
"""

from __future__ import annotations

import pandas as pd

from caremap.common.i18n import t
from caremap.report import terms
from caremap.store import db

LEVEL_ORDER = {"district": 0, "street": 1, "community": 2}


def _lang_label(row, lang: str) -> str:
    return row["label_en"] if lang == "en" else row["label_zh"]


def unit_noun(level: str, lang: str = "zh") -> str:
    """'个街道' / 'streets' for counting units of a level."""
    return t(f"coverage.noun_{level}", lang)


def compliance(district: str | None = None, street: str | None = None) -> pd.DataFrame:
    """Unit × standard rows (met, nearest_m, windows) for a scope: the single source of every coverage count."""
    return db.query("coverage_compliance", district=district, street=street)


def standards() -> pd.DataFrame:
    return db.query("coverage_standards")


def categories() -> pd.DataFrame:
    return db.query("coverage_categories")


def worker_states() -> dict[tuple[str, str], str]:
    """{(level, unit code): 'in_post' | 'vacant' | 'no_record'} of every street and community unit (worker_states)."""
    rows = db.query("worker_states", district=None, street=None)
    return dict(zip(zip(rows["level"], rows["unit_code"]), rows["state"]))


def missing_text(row, lang: str = "zh", state: str | None = None) -> str:
    """What a unit lacks, in words. A worker standard says which of the two states it is: a vacant post on record,
    or no record at all (never called a vacancy: the 662 communities of 2020 are not the 783 units here)."""
    label = _lang_label(row, lang)
    if lang == "en":
        label = label[0].lower() + label[1:]
    if row["kind"] == "worker":
        which = "vacant" if state == "vacant" else "no_record"
        role = row["role"] if lang == "zh" else label
        text = t(f"coverage.missing_worker_{which}", lang, role=role)
        return text[0].upper() + text[1:] if lang == "en" else text
    if row["kind"] == "distance":
        if not row["has_location"]:
            return t("coverage.missing_location", lang, label=label)
        return t("coverage.missing_distance", lang, max_m=f"{row['max_m']:,.0f}")
    return t("coverage.missing_category", lang, label=label)


def matrix(comp: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Matrix cells: one row per (row unit, standard) with units, met, rate and the cell text '12/14 个街道'."""
    cells = terms.frame(comp, lang).drop_duplicates(["row_code", "standard_id"])[
        ["row_code", "row_name", "standard_id", "sort_order", "level", "kind", "label_zh", "label_en", "role",
         "row_units", "row_met"]].copy()
    cells["units"] = cells.pop("row_units").astype(int)
    cells["met"] = cells.pop("row_met").astype(int)
    cells["rate"] = cells["met"] / cells["units"]
    cells["standard"] = cells["label_en" if lang == "en" else "label_zh"].tolist()
    # A cell of one unit (a district's or street's own standard, a community at street scope) reads ✓ / ✗.
    cells["cell"] = [("✓" if m else "✗") if u == 1 else f"{m}/{u} {unit_noun(lv, lang)}"
                     for m, u, lv in zip(cells["met"], cells["units"], cells["level"])]
    return cells.sort_values(["row_code", "sort_order"]).reset_index(drop=True)


def standard_totals(comp: pd.DataFrame) -> pd.DataFrame:
    """Per standard in scope: units and units met (the query's per-standard windows)."""
    out = comp.drop_duplicates("standard_id")[["standard_id", "sort_order", "level", "kind", "label_zh",
                                                "label_en", "role", "max_m", "standard_units", "standard_met"]]
    return out.sort_values("sort_order").reset_index(drop=True)


def drill_options(comp: pd.DataFrame, scope_code: str | None) -> dict[str, str]:
    """{code: name} of the matrix rows one level down (excluding the scope unit itself)."""
    rows = comp.drop_duplicates("row_code").sort_values("row_code")
    return {c: n for c, n in zip(rows["row_code"], rows["row_name"]) if c != scope_code}


GAP_COLUMNS = ("level", "district", "street", "unit_code", "unit", "standard", "missing")


def gap_list(comp: pd.DataFrame, lang: str = "zh", standard_ids: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every unit that misses a standard: level, district, street, unit, standard, what is missing."""
    gaps = terms.frame(comp[~comp["met"].astype(bool)], lang)
    if standard_ids is not None:
        gaps = gaps[gaps["standard_id"].isin(standard_ids)]
    states = worker_states()
    gaps = gaps.assign(_lv=gaps["level"].map(LEVEL_ORDER)).sort_values(["_lv", "district_code", "street_code",
                                                                        "unit_code", "sort_order"])
    out = pd.DataFrame({
        "level": [t(f"coverage.level_{lv}", lang) for lv in gaps["level"]],
        "district": gaps["district_name"].tolist(),
        "street": gaps["street_name"].fillna("").tolist(),
        "unit_code": gaps["unit_code"].tolist(),
        "unit": gaps["unit_name"].tolist(),
        "standard": gaps["label_en" if lang == "en" else "label_zh"].tolist(),
        "missing": [missing_text(r, lang, states.get((r["level"], r["unit_code"]))) for r in gaps.to_dict("records")],
    })
    return out.rename(columns={c: t(f"coverage.col_{c}", lang) for c in GAP_COLUMNS})


def street_ranking(comp: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Streets by composite gap score (from the query), with the units missing each standard beside it."""
    rows = terms.frame(comp[comp["street_code"].notna() & comp["level"].isin(["street", "community"])], lang)
    if rows.empty:
        return pd.DataFrame(columns=[t("coverage.col_street", lang), t("coverage.col_score", lang)])
    per = rows.drop_duplicates(["street_code", "standard_id"]).copy()
    per["missing"] = (per["street_units"] - per["street_met"]).astype(int)
    per["parts"] = [
        (_lang_label(r, lang) if r["level"] == "street" else f"{_lang_label(r, lang)} {r['missing']}/"
         f"{int(r['street_units'])}") for r in per.to_dict("records")]
    parts = per[per["missing"] > 0].groupby("street_code")["parts"].agg("；".join if lang == "zh" else "; ".join)
    streets = per.drop_duplicates("street_code").set_index("street_code")
    out = pd.DataFrame({
        t("coverage.col_district", lang): streets["district_name"],
        t("coverage.col_street", lang): streets["street_name"],
        t("coverage.col_score", lang): streets["street_gap_score"].astype(float).round(3),
        t("coverage.col_missing", lang): parts.reindex(streets.index).fillna(""),
    }).sort_values([t("coverage.col_score", lang)], ascending=False, kind="stable")
    out.insert(0, t("coverage.col_rank", lang), range(1, len(out) + 1))
    return out.reset_index(drop=True)


def walking(district: str | None, street: str | None, category_codes: tuple[str, ...]) -> pd.DataFrame:
    """Per community unit: metres to the nearest point of the categories, farthest first (walking_nearest)."""
    return db.query("walking_nearest", district=district, street=street, categories=tuple(category_codes))


def farthest(walk: pd.DataFrame, lang: str = "zh", n: int = 15) -> pd.DataFrame:
    """The n units farthest from any point of the chosen categories (those with no point at all first)."""
    top = terms.frame(walk[walk["lon"].notna()].head(n), lang)
    return pd.DataFrame({
        t("coverage.col_district", lang): top["district_name"],
        t("coverage.col_street", lang): top["street_name"],
        t("coverage.col_unit", lang): top["unit_name"],
        t("coverage.col_nearest_point", lang): top["nearest_name"].fillna("—"),
        t("coverage.col_distance_m", lang): top["nearest_m"].round(0),
    }).reset_index(drop=True)


def access(district: str | None, street: str | None, category_codes: tuple[str, ...]) -> pd.DataFrame:
    """Per community unit with children: 2SFCA places per 10,000 children over the categories (community_access
    derived at publish), lowest first."""
    return db.query("community_access_in", district=district, street=street, categories=tuple(category_codes))


def access_table(rows: pd.DataFrame, lang: str = "zh", n: int = 30) -> pd.DataFrame:
    top = terms.frame(rows.head(n), lang)
    return pd.DataFrame({
        t("coverage.col_district", lang): top["district_name"],
        t("coverage.col_street", lang): top["street_name"],
        t("coverage.col_unit", lang): top["unit_name"],
        t("coverage.col_children", lang): top["children"].astype(int),
        t("coverage.col_places_per_10k", lang): top["places_per_10k"].round(1),
        t("coverage.col_points_within", lang): top["points_within"].astype(int),
    }).reset_index(drop=True)


def children_rates(district: str | None, street: str | None, lang: str = "zh") -> pd.DataFrame:
    """Children and services per 10,000 children for each street of the scope (each community unit of a street),
    lowest rate first; units without a complete count at the end, their rates blank."""
    rows = db.query("children_rates", district=district, street=street)
    names = rows["name"].map(lambda v: terms.place(v, lang))
    return pd.DataFrame({
        t("coverage.col_unit" if street else "coverage.col_street", lang): names,
        t("coverage.col_children", lang): rows["children"].astype("Int64"),
        t("coverage.col_points", lang): rows["points"].astype(int),
        t("coverage.col_points_per_10k_children", lang): rows["points_per_10k_children"].round(2),
        t("coverage.col_homes_per_10k_children", lang): rows["homes_per_10k_children"].round(2),
    })


def walking_default() -> list[str]:
    """The categories of the first distance standard (the walking-access standard), else all categories."""
    dist = standards()
    dist = dist[dist["kind"] == "distance"]
    return list(dist["categories"].iloc[0]) if len(dist) else categories()["code"].tolist()


def per_10k(district: str | None, lang: str = "zh") -> tuple[pd.DataFrame, list[str]]:
    """Points per 10,000 residents per district (points_by_district_per_10k) and the districts lacking a population."""
    rows = db.query("points_by_district_per_10k", district=district)
    name = rows["district_name" if lang == "zh" else "district_name_en"]
    table = pd.DataFrame({
        t("coverage.per_10k_district", lang): name,
        t("coverage.per_10k_points", lang): rows["points"].astype(int),
        t("coverage.per_10k_population", lang): rows["population_2020"],
        t("coverage.per_10k_value", lang): rows["per_10k"],
    })
    return table, name[rows["population_2020"].isna()].tolist()
