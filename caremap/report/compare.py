"""What changed between two published versions: every metric's change, each gap's status (新增缺口 / 已补齐 / 仍缺)
and the rows that changed (service points added, moved, removed; directors and supervisors appointed or gone;
units that newly meet or no longer meet each standard).

Both versions are published, read-only snapshot files under versions/ (caremap.store.versions); each is opened
read-only and read with the same named queries and the same metrics layer as the live one, so a comparison's
figures are the figures the pages showed for each period.
"""

from __future__ import annotations

import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from caremap.common import dates
from caremap.report import metrics
from caremap.store import db, versions

MOVED_M = 10.0  # a point whose location changed by more than this counts as moved
STATUS = {"new": ("新增缺口", "New gap"), "closed": ("已补齐", "Closed"), "still": ("仍缺", "Still short")}


class CompareError(ValueError):
    """A version or date that names no published version (the message says which and what exists)."""


@dataclass(frozen=True)
class Period:
    seq: int
    data_version: str
    as_of: str
    label: str
    live: bool
    path: Path
    baseline: bool = False   # marked as a review baseline (复盘基线): what comparisons start from by default


def periods(db_file=None) -> list[Period]:
    """Every kept version with its as-of date (数据截止日期) and label, in as-of order (then publication order)."""
    lay = versions.layout(db_file)
    live = lay.target().resolve() if lay.live.exists() else None
    kept = tuple((seq, path, path.stat().st_mtime_ns) for seq, path in sorted(lay.kept().items()))
    return _periods(kept, live, frozenset(versions.baselines(db_file)))


@lru_cache(maxsize=16)
def _periods(kept: tuple, live: Path | None, marked: frozenset) -> list[Period]:
    # the kept files with their mtimes are the key: a new publication is read, the others are not opened again
    out = []
    for seq, path, _ in kept:
        try:
            meta = db.file_meta(path)
        except (duckdb.Error, KeyError):
            continue  # a damaged kept file is no period
        out.append(Period(seq, meta.get("data_version", ""), meta.get("as_of") or meta.get("data_date") or "",
                          meta.get("period_label", ""), path.resolve() == live, path,
                          meta.get("data_version", "") in marked))
    return sorted(out, key=lambda p: (p.as_of, p.seq))  # periods in time order (an earlier one may be filed later)


def default_before(found: list[Period]) -> Period | None:
    """What a comparison starts from when nobody chose: the newest review baseline before the live version, else
    the period just before it (None when the live version is the first)."""
    live_at = next((i for i, p in enumerate(found) if p.live), len(found) - 1)
    earlier = found[:live_at]
    return next((p for p in reversed(earlier) if p.baseline), earlier[-1] if earlier else None)


def resolve(ref: str, db_file=None) -> Period:
    """A version id (or its first six or more characters), `live`, `previous`, `baseline` (the newest review
    baseline before the live version, else the previous one), or a date: the newest version whose as-of date is on
    or before it."""
    found = periods(db_file)
    if not found:
        raise CompareError("没有已发布的版本 / no published version")
    text = (ref or "").strip()
    if text == "live":
        return next(p for p in reversed(found) if p.live) if any(p.live for p in found) else found[-1]
    if text in ("previous", "baseline"):
        live_at = next((i for i, p in enumerate(found) if p.live), len(found) - 1)
        if live_at == 0:
            raise CompareError("当前版本之前没有版本 / there is no version before the live one")
        return found[live_at - 1] if text == "previous" else default_before(found)
    if re.fullmatch(r"[0-9a-f]{6,64}", text):
        matches = [p for p in found if p.data_version.startswith(text)]
        if matches:
            return matches[-1]
    day = dates.iso_date(text) if not re.fullmatch(r"[0-9a-f]{6,64}", text) else None
    if day:
        dated = [p for p in found if p.as_of and p.as_of <= day]
        if dated:
            return max(dated, key=lambda p: (p.as_of, p.seq))
        raise CompareError(f"{day} 之前没有版本（最早的数据截止日期为 {min(p.as_of for p in found)}）/ no version "
                           f"as of {day} or earlier")
    known = ", ".join(f"{p.data_version} ({p.as_of})" for p in found[-8:])
    raise CompareError(f"未找到版本或日期 {ref!r}。可用的版本 / no version or date {ref!r}; kept versions: {known}")


@dataclass
class Comparison:
    before: Period
    after: Period
    metrics: pd.DataFrame   # id, label, before, after, change, share_change
    gaps: pd.DataFrame      # level, unit_code, unit_name, district_code, street_code, standard_id, standard,
    #                         status (new, closed, still)
    points: pd.DataFrame    # change (added, moved, removed), id, name, category, district, street, moved_m
    workers: pd.DataFrame   # change (appointed, vacated), id, role, unit, status before/after (no names)
    units: pd.DataFrame     # change (newly_met, no_longer_met), level, unit_code, unit_name, standard

    def gap_counts(self) -> dict[str, int]:
        return {k: int((self.gaps["status"] == k).sum()) for k in STATUS}

    @property
    def unchanged(self) -> bool:
        return (self.metrics["change"].fillna(0) == 0).all() and self.points.empty and self.workers.empty \
            and self.units.empty


@lru_cache(maxsize=8)
def _open(period: Period) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a kept version, kept open (a version file never changes; read through cursors)."""
    return duckdb.connect(str(period.path), read_only=True)


@lru_cache(maxsize=8)
def _pair(before: Period, after: Period) -> duckdb.DuckDBPyConnection:
    return db.pair(before.path, after.path)


@lru_cache(maxsize=64)
def _figures(period: Period, district, street) -> tuple[dict, dict, pd.DataFrame, pd.DataFrame]:
    """One version's metric values, metric registry, unit × standard checks and standards at a scope (a version
    never changes: cached; read-only)."""
    con = _open(period).cursor()
    try:
        values, checks = metrics.values_and_checks(district, street, con=con)
        return values, metrics.registry_of(con), checks, db.run(con, "coverage_standards")
    finally:
        con.close()


@lru_cache(maxsize=32)
def compare(before: Period, after: Period, district: str | None = None, street: str | None = None,
            language: str = "zh") -> Comparison:
    """Everything that changed from `before` to `after` at a scope (cached: versions never change; treat the
    result as read-only). The two versions' figures and the row-by-row changes are read side by side."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        jobs = [pool.submit(_figures, before, district, street), pool.submit(_figures, after, district, street),
                pool.submit(_row_changes, before, after, district, street)]
        (vb, reg_b, comp_b, _), (va, reg_a, comp_a, _), (points, workers) = (j.result() for j in jobs)
    rows = []
    for mid in sorted(set(vb) | set(va), key=lambda m: list(va).index(m) if m in va else 10_000):
        b, a = (None if v is None or v != v else v for v in (vb.get(mid), va.get(mid)))   # NaN: no figure
        label = (reg_a if mid in reg_a else reg_b)[mid].text("label", language)
        change = None if a is None or b is None else a - b
        share = None if change is None or not b else change / b
        rows.append({"id": mid, "label": label, "before": b, "after": a, "change": change, "share_change": share})
    gaps, units = _gap_status(comp_b, comp_a, language)
    return Comparison(before, after, pd.DataFrame(rows), gaps, points, workers, units)


def _gap_status(comp_b: pd.DataFrame, comp_a: pd.DataFrame, language: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    key = ["level", "unit_code", "standard_id"]
    label = "label_en" if language == "en" else "label_zh"
    b = comp_b[key + ["met"]].rename(columns={"met": "met_before"})
    a = comp_a[key + ["unit_name", "district_code", "street_code", label, "met"]].rename(
        columns={"met": "met_after", label: "standard"})
    both = a.merge(b, on=key, how="left")
    both["met_before"] = both["met_before"].fillna(True).astype(bool)  # a unit new in the version: no gap before
    both["met_after"] = both["met_after"].astype(bool)
    status = pd.Series(None, index=both.index, dtype=object)
    status[both["met_before"] & ~both["met_after"]] = "new"
    status[~both["met_before"] & both["met_after"]] = "closed"
    status[~both["met_before"] & ~both["met_after"]] = "still"
    both["status"] = status
    gaps = both[both["status"].notna()][["level", "unit_code", "unit_name", "district_code", "street_code",
                                         "standard_id", "standard", "status"]]
    units = both[both["status"].isin(["new", "closed"])].assign(
        change=lambda f: f["status"].map({"new": "no_longer_met", "closed": "newly_met"}))
    return gaps.reset_index(drop=True), units[["change", "level", "unit_code", "unit_name", "standard_id",
                                               "standard"]].reset_index(drop=True)


def _row_changes(before: Period, after: Period, district, street) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Service points added, moved and removed, and posts appointed and vacated: row by row in DuckDB, with both
    version files attached (no names or phones: a comparison is read by everyone who reads the pages)."""
    con = _pair(before, after).cursor()
    try:
        points = db.run(con, "change_points", district=district, street=street, moved_m=MOVED_M)
        workers = db.run(con, "change_workers", district=district, street=street)
    finally:
        con.close()
    return points, workers


def gap_change_by_place(result: Comparison) -> dict[str, int]:
    """Each district's and street's change in gaps since the compared period: its units' (and its own) new gaps
    minus closed gaps, every standard counted (what the map colours by)."""
    sign = result.gaps["status"].map({"new": 1, "closed": -1, "still": 0}).fillna(0).astype(int)
    out: dict[str, int] = {}
    for column in ("district_code", "street_code"):
        for code, n in sign.groupby(result.gaps[column]).sum().items():
            if code:
                out[str(code)] = int(n)
    return out


def change_list(result: Comparison, language: str = "zh") -> pd.DataFrame:
    """One row per changed service point, post and unit × standard, in words, for the page and its download."""
    from caremap.common.i18n import t

    rows = [(t(f"coverage.change_{r.change}", language), r.id, r.name, r.district_code, r.street_code)
            for r in result.points.itertuples()]
    rows += [(t(f"coverage.change_{r.change}", language), r.id, r.role, r.district_code,
              r.community_code or r.street_code) for r in result.workers.itertuples()]
    rows += [(t(f"coverage.change_{r.change}", language), r.unit_code, f"{r.unit_name} · {r.standard}", None, None)
             for r in result.units.itertuples()]
    return pd.DataFrame(rows, columns=[t("coverage.col_change", language), t("coverage.col_unit_code", language),
                                       t("coverage.col_what", language), t("coverage.col_district", language),
                                       t("coverage.col_street", language)])


def trend(district: str | None = None, street: str | None = None, db_file=None) -> pd.DataFrame:
    """Each coverage standard's units, units met and share met in every period (as-of order), at a scope: the
    same per-standard metrics each period's pages showed."""
    found = periods(db_file)
    return _trend(tuple(found), district, street).copy()


@lru_cache(maxsize=32)
def _trend(found: tuple, district, street) -> pd.DataFrame:
    rows = []
    for period in found:
        values, _, _, standards = _figures(period, district, street)
        for s in standards.itertuples():
            base = f"standard.{s.id}"
            if values.get(f"{base}.units"):
                rows.append({"as_of": period.as_of, "period": period.label, "version": period.data_version,
                             "standard_id": s.id, "standard_zh": s.label_zh, "standard_en": s.label_en,
                             "met": values[f"{base}.met"], "units": values[f"{base}.units"],
                             "share": values[f"{base}.share"]})
    return pd.DataFrame(rows, columns=["as_of", "period", "version", "standard_id", "standard_zh", "standard_en",
                                       "met", "units", "share"])


def progress(db_file=None) -> pd.DataFrame:
    """Each standard's units, units met and share in every period, for every district and the whole city: one row
    per period × standard × place (place_kind district or city), counted by the metrics layer's own rule
    (metrics.standard_values) from each period's checks."""
    return _progress(tuple(periods(db_file))).copy()


@lru_cache(maxsize=16)
def _progress(found: tuple) -> pd.DataFrame:
    rows = []
    for period in found:
        values, _, checks, standards = _figures(period, None, None)
        names = dict(zip(standards["id"], zip(standards["label_zh"], standards["label_en"])))
        places = [("city", None, values)] + [
            ("district", code, metrics.standard_values(part)) for code, part in checks.groupby("district_code")]
        for kind, code, got in places:
            for sid, (zh, en) in names.items():
                units = got.get(f"standard.{sid}.units")
                if units:
                    rows.append({"as_of": period.as_of, "version": period.data_version, "standard_id": sid,
                                 "standard_zh": zh, "standard_en": en, "place_kind": kind, "place_code": code,
                                 "met": got[f"standard.{sid}.met"], "units": units,
                                 "share": got[f"standard.{sid}.share"]})
    return pd.DataFrame(rows, columns=["as_of", "version", "standard_id", "standard_zh", "standard_en", "place_kind",
                                       "place_code", "met", "units", "share"])


@dataclass(frozen=True)
class Projection:
    """Whether a standard reaches its target at the current pace. status: met (already at or above the target),
    on_track (projected on or before the target date), late (after it), projected (no target date: just when),
    no_progress (the pace is flat or falling), too_few (fewer than two periods)."""
    standard_id: str
    share_now: float | None
    target_share: float
    target_date: str | None
    pace_per_year: float | None   # change of the share per year (least-squares slope over all periods)
    reached_on: str | None        # the projected date (YYYY-MM-DD)
    status: str
    periods: int


HORIZON_DAYS = 50 * 365  # beyond fifty years at the current pace a projected date is no answer: "no progress"


def projection(points: pd.DataFrame, standard_id: str, target_share: float, target_date: str | None) -> Projection:
    """Project the date a share reaches its target: the least-squares line through every period's share (as-of
    date in days), its slope taken as the pace, continued from the latest period's share."""
    pts = points.dropna(subset=["share"]).sort_values("as_of")
    n = len(pts)
    now = float(pts["share"].iloc[-1]) if n else None
    base = dict(standard_id=standard_id, share_now=now, target_share=float(target_share), target_date=target_date,
                periods=n)
    if now is not None and now >= target_share - 1e-9:
        return Projection(**base, pace_per_year=None, reached_on=None, status="met")
    if n < 2:
        return Projection(**base, pace_per_year=None, reached_on=None, status="too_few")
    days = pd.to_datetime(pts["as_of"]).map(pd.Timestamp.toordinal).to_numpy(dtype=float)
    slope = float(np.polyfit(days, pts["share"].to_numpy(dtype=float), 1)[0])  # share per day
    days_left = (target_share - now) / slope if slope > 1e-12 else math.inf
    if days_left > HORIZON_DAYS:   # flat, falling, or so slow that a date would mean nothing
        return Projection(**base, pace_per_year=slope * 365.25, reached_on=None, status="no_progress")
    last = pd.Timestamp(pts["as_of"].iloc[-1])
    reach = last + pd.Timedelta(days=math.ceil(days_left))
    reached_on = reach.date().isoformat()
    status = "projected" if not target_date else ("on_track" if reached_on <= target_date else "late")
    return Projection(**base, pace_per_year=slope * 365.25, reached_on=reached_on, status=status)


def projections(district: str | None = None, street: str | None = None, db_file=None) -> list[Projection]:
    """Every standard's projection at a scope, against the targets of the live version's standards file."""
    rows = trend(district, street, db_file)
    targets = db.query("standard_targets").set_index("standard_id")
    out = []
    for sid, part in rows.groupby("standard_id", sort=False):
        share = float(targets.at[sid, "target_share"]) if sid in targets.index else 1.0
        when = targets.at[sid, "target_date"] if sid in targets.index else None
        when = None if when is None or pd.isna(when) else pd.Timestamp(when).date().isoformat()
        out.append(projection(part, sid, share, when))
    return out
