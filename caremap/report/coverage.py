"""Coverage analysis: compliance with the coverage standards, the gap list, walking access, site proposals.

Every figure comes from a named query (coverage_compliance, walking_nearest, walking_candidates, ...); this
module only selects, labels and formats those rows, and runs the greedy maximal-covering loop. No st.* here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from caremap.common.i18n import t
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
    cells = comp.drop_duplicates(["row_code", "standard_id"])[
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
    gaps = comp[~comp["met"].astype(bool)]
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
    rows = comp[comp["street_code"].notna() & comp["level"].isin(["street", "community"])]
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
    top = walk[walk["lon"].notna()].head(n)
    return pd.DataFrame({
        t("coverage.col_district", lang): top["district_name"],
        t("coverage.col_street", lang): top["street_name"],
        t("coverage.col_unit", lang): top["unit_name"],
        t("coverage.col_nearest_point", lang): top["nearest_name"].fillna("—"),
        t("coverage.col_distance_m", lang): top["nearest_m"].round(0),
    }).reset_index(drop=True)


@dataclass
class Proposal:
    """Greedy maximal-covering result: the sites in order and the coverage before and after."""
    sites: pd.DataFrame
    located: int
    covered_before: int
    covered_after: int

    @property
    def share_before(self) -> float | None:
        return self.covered_before / self.located if self.located else None

    @property
    def share_after(self) -> float | None:
        return self.covered_after / self.located if self.located else None


def greedy_sites(pairs: pd.DataFrame, k: int) -> Proposal:
    """Pick up to k candidate sites, each time the one covering most still-uncovered units (ties: lower code)."""
    if pairs.empty:
        return Proposal(pd.DataFrame(columns=["candidate_code", "candidate_name", "candidate_street", "newly_covered",
                                              "covered_after"]), 0, 0, 0)
    located, covered = int(pairs["units_located"].iloc[0]), int(pairs["units_covered"].iloc[0])
    cand = pairs.dropna(subset=["candidate_code"])
    covers = {c: set(g["demand_code"]) for c, g in cand.groupby("candidate_code", sort=True)}
    info = cand.drop_duplicates("candidate_code").set_index("candidate_code")
    uncovered = set(pairs.loc[~pairs["covered"].astype(bool), "demand_code"])
    picks, after = [], covered
    for _ in range(max(0, int(k))):
        best, gain = None, 0
        for code, demand in covers.items():  # dict keeps code order, so the first maximum wins ties
            g = len(demand & uncovered)
            if g > gain:
                best, gain = code, g
        if best is None:
            break
        uncovered -= covers[best]
        after += gain
        row = info.loc[best]
        picks.append({"candidate_code": best, "candidate_name": row["candidate_name"],
                      "candidate_street": row["candidate_street"], "lon": row["candidate_lon"],
                      "lat": row["candidate_lat"], "newly_covered": gain, "covered_after": after})
    return Proposal(pd.DataFrame(picks, columns=["candidate_code", "candidate_name", "candidate_street", "lon", "lat",
                                                 "newly_covered", "covered_after"]), located, covered, after)


def propose_sites(district: str | None, street: str | None, category: str, k: int, max_m: float) -> Proposal:
    """Where to add k points of a category among the community units' points (greedy maximal covering)."""
    pairs = db.query("walking_candidates", district=district, street=street, category=category, max_m=float(max_m))
    return greedy_sites(pairs, k)


def sites_table(plan: Proposal, lang: str = "zh") -> pd.DataFrame:
    """The proposed sites in pick order, with units newly covered and the running coverage."""
    s = plan.sites
    return pd.DataFrame({
        t("coverage.col_rank", lang): range(1, len(s) + 1),
        t("coverage.col_site", lang): s["candidate_name"],
        t("coverage.col_street", lang): s["candidate_street"],
        t("coverage.col_unit_code", lang): s["candidate_code"],
        t("coverage.col_new", lang): s["newly_covered"].astype(int),
        t("coverage.col_cum", lang): [f"{a}/{plan.located}" for a in s["covered_after"]],
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
