"""The site planner: where k new service points close the most of a standard's gaps.

Two questions, each stated on the page:
- mode "home" answers the standard "every community-level unit has a children's home (儿童之家)": the demand is
  the units that fail that standard (the same units the coverage matrix and the gap list count); a new home
  placed at a unit's location closes the unit itself, or, with a walking distance set, every unit without a
  home whose location lies within that straight-line distance.
- mode "walk" answers walking access: the demand is the units with no point of the chosen categories within
  the distance; a new point at a unit's location covers every such unit within the distance.

Candidates are the community units' locations. Each unit weighs 1 (children per unit are not in the data: the
page says so). The exact maximal-covering solution comes from a mixed-integer programme (PuLP with the HiGHS
solver); the greedy answer (each step the site closing the most) is shown beside it, with the difference.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import pandas as pd

from caremap.report import coverage
from caremap.store import db

MODES = ("home", "walk")
HOME_CATEGORY = "children_home"


@dataclass
class Plan:
    mode: str
    k: int
    walk_m: float                 # 0: a new home closes only its own unit (mode home)
    units: pd.DataFrame           # every located unit in scope: code, names, lon, lat, demand (bool), weight
    chosen: pd.DataFrame          # the exact solution's sites: code, names, lon, lat, closes (list of unit codes)
    greedy: pd.DataFrame          # the greedy sites, in pick order, with the running total
    demand_total: float           # weight of the demand (units failing the standard, located)
    closed_exact: float
    closed_greedy: float
    unlocated: int                # demand units with no location: no site can be placed there
    solver: str
    weight_basis: str = "units"   # "children": each unit weighs its children (every unit in scope has a count)

    @property
    def units_met_before(self) -> int:
        return int((~self.units["demand"]).sum())

    @property
    def units_total(self) -> int:
        return len(self.units)

    @property
    def newly(self) -> pd.DataFrame:
        """The units the exact solution closes, each with the site that closes it."""
        rows = [(unit, site) for site, closes in zip(self.chosen["code"], self.chosen["closes"]) for unit in closes]
        frame = pd.DataFrame(rows, columns=["unit_code", "site_code"]).drop_duplicates("unit_code")
        return frame.merge(self.units, left_on="unit_code", right_on="code", how="left")


def home_standard() -> dict | None:
    """The coverage standard asking every community unit for a children's home, if the standards have one."""
    st = coverage.standards()
    match = st[(st["level"] == "community") & (st["kind"] == "category") & (st["category"] == HOME_CATEGORY)]
    return match.iloc[0].to_dict() if len(match) else None


def _units(district, street, categories: tuple[str, ...]) -> pd.DataFrame:
    walk = db.query("walking_nearest", district=district, street=street, categories=tuple(categories))
    columns = ["unit_code", "unit_name", "district_name", "street_name", "lon", "lat", "nearest_m", "children"]
    return walk[columns].rename(
        columns={"unit_code": "code", "unit_name": "name"})


def plan(district: str | None, street: str | None, mode: str, k: int, walk_m: float = 0.0,
         categories: tuple[str, ...] = (HOME_CATEGORY,)) -> Plan:
    """The exact and the greedy proposal of k sites for a scope (see the module's docstring)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if mode == "home":
        standard = home_standard()
        if standard is None:
            raise ValueError("the coverage standards ask no community unit for a children's home")
        comp = coverage.compliance(district, street)
        rows = comp[comp["standard_id"] == standard["id"]]
        failing = set(rows.loc[~rows["met"].astype(bool), "unit_code"])
        units = _units(district, street, (HOME_CATEGORY,))
        units["demand"] = units["code"].isin(failing)
    else:
        units = _units(district, street, tuple(categories))
        units["demand"] = ~(units["nearest_m"] <= walk_m)  # none of the categories within the distance
    unlocated = int((units["demand"] & units["lon"].isna()).sum())
    units = units[units["lon"].notna()].reset_index(drop=True)
    # Weighted by children where every located unit in scope has a count (the bureau's import); else each unit 1.
    by_children = bool(len(units)) and units["children"].notna().all()
    units["weight"] = units["children"].astype(float) if by_children else 1.0
    demand = set(units.loc[units["demand"], "code"])
    if walk_m > 0:
        pairs = db.query("planner_pairs", district=district, street=street, max_m=float(walk_m))
    else:  # a site closes its own unit only
        pairs = pd.DataFrame({"demand_code": units["code"], "candidate_code": units["code"]})
    pairs = pairs[pairs["demand_code"].isin(demand)]
    covers = {c: set(g["demand_code"]) for c, g in pairs.groupby("candidate_code", sort=True)}
    weight = dict(zip(units["code"], units["weight"]))
    exact, solver = maximal_covering(covers, weight, k)
    greedy_order = greedy_covering(covers, weight, k)
    info = units.set_index("code")

    def sites(codes, running=False):
        out, seen, total = [], set(), 0.0
        for code in codes:
            closes = sorted(covers.get(code, set()) - seen)
            seen |= set(closes)
            total += sum(weight[u] for u in closes)
            row = info.loc[code]
            out.append({"code": code, "name": row["name"], "district_name": row["district_name"],
                        "street_name": row["street_name"], "lon": row["lon"], "lat": row["lat"], "closes": closes,
                        "closes_n": len(closes), **({"closed_so_far": total} if running else {})})
        return pd.DataFrame(out, columns=["code", "name", "district_name", "street_name", "lon", "lat", "closes",
                                          "closes_n", *(["closed_so_far"] if running else [])])

    chosen, greedy = sites(exact), sites(greedy_order, running=True)
    return Plan(mode, int(k), float(walk_m), units, chosen, greedy, float(sum(weight[u] for u in demand)),
                float(sum(weight[u] for u in set().union(*[covers.get(c, set()) for c in exact]))) if exact else 0.0,
                float(greedy["closed_so_far"].iloc[-1]) if len(greedy) else 0.0, unlocated, solver,
                "children" if by_children else "units")


def greedy_covering(covers: dict[str, set], weight: dict[str, float], k: int) -> list[str]:
    """Up to k sites, each time the one closing the most still-open weight (ties: the lower code)."""
    open_units = set().union(*covers.values()) if covers else set()
    picks = []
    for _ in range(max(0, int(k))):
        best, gain = None, 0.0
        for code in sorted(covers):
            g = sum(weight[u] for u in covers[code] & open_units)
            if g > gain:
                best, gain = code, g
        if best is None:
            break
        picks.append(best)
        open_units -= covers[best]
    return picks


def maximal_covering(covers: dict[str, set], weight: dict[str, float], k: int) -> tuple[list[str], str]:
    """The k sites closing the most weight: the maximal covering location problem, solved exactly (PuLP, HiGHS).

    max Σ w_u·y_u  subject to  y_u ≤ Σ_{c covers u} x_c,  Σ x_c ≤ k,  x, y binary.
    """
    import pulp

    demand = sorted(set().union(*covers.values())) if covers else []
    if not demand or k <= 0:
        return [], "—"
    cands = sorted(covers)
    problem = pulp.LpProblem("maximal_covering", pulp.LpMaximize)
    x = {c: pulp.LpVariable(f"x_{i}", cat="Binary") for i, c in enumerate(cands)}
    y = {u: pulp.LpVariable(f"y_{i}", cat="Binary") for i, u in enumerate(demand)}
    # A site costs a little less than the lightest unit could ever be worth divided by k: the solver never gives up
    # a unit to save a site, and never places a site that closes nothing.
    cost = min(weight[u] for u in demand) / (int(k) + 1) / 100
    problem += pulp.lpSum(weight[u] * y[u] for u in demand) - cost * pulp.lpSum(x.values())
    by_unit: dict[str, list[str]] = {u: [] for u in demand}
    for c, units in covers.items():
        for u in units:
            by_unit[u].append(c)
    for u in demand:
        problem += y[u] <= pulp.lpSum(x[c] for c in by_unit[u])
    problem += pulp.lpSum(x.values()) <= int(k)
    solver = pulp.HiGHS(msg=False) if "HiGHS" in pulp.listSolvers(onlyAvailable=True) else pulp.PULP_CBC_CMD(msg=False)
    with contextlib.redirect_stdout(io.StringIO()):  # HiGHS prints its banner even when asked to be quiet
        problem.solve(solver)
    if pulp.LpStatus[problem.status] != "Optimal":
        raise RuntimeError(f"the site planner's solver ended with status {pulp.LpStatus[problem.status]}")
    picked = [c for c in cands if (x[c].value() or 0) > 0.5]
    # keep only sites that close something, largest first (ties: lower code)
    picked.sort(key=lambda c: (-sum(weight[u] for u in covers[c]), c))
    return picked, type(solver).__name__


def table(p: Plan, language: str = "zh") -> pd.DataFrame:
    """The exact solution's sites with district, street, community and what each closes."""
    from caremap.common.i18n import t
    from caremap.report import terms

    names = dict(zip(p.units["code"], p.units["name"].map(lambda n: terms.place(n, language))))
    weight = dict(zip(p.units["code"], p.units["weight"]))
    reached = [int(sum(weight[u] for u in c)) for c in p.chosen["closes"]]
    children = {t("coverage.col_children_closed", language): reached} if p.weight_basis == "children" else {}
    return pd.DataFrame({
        t("coverage.col_rank", language): range(1, len(p.chosen) + 1),
        t("coverage.col_district", language): p.chosen["district_name"].map(lambda n: terms.place(n, language)),
        t("coverage.col_street", language): p.chosen["street_name"].map(lambda n: terms.place(n, language)),
        t("coverage.col_site", language): p.chosen["name"].map(lambda n: terms.place(n, language)),
        t("coverage.col_unit_code", language): p.chosen["code"],
        t("coverage.col_new", language): p.chosen["closes_n"].astype(int),
        t("coverage.col_closes", language): [("、" if language == "zh" else ", ").join(names[u] for u in c)
                                             for c in p.chosen["closes"]],
        **children,
    })
