"""What changed between two published versions: every metric's change, each gap's status (新增缺口 / 已补齐 / 仍缺)
and the rows that changed (service points added, moved, removed; directors and supervisors appointed or gone;
units that newly meet or no longer meet each standard).

Both versions are published, read-only snapshot files under versions/ (caremap.store.versions); each is opened
read-only and read with the same named queries and the same metrics layer as the live one, so a comparison's
figures are the figures the pages showed for each period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from caremap.common import dates
from caremap.common.crs import haversine_m
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


def periods(db_file=None) -> list[Period]:
    """Every kept version with its as-of date (数据截止日期) and label, in as-of order (then publication order)."""
    lay = versions.layout(db_file)
    live = lay.target().resolve() if lay.live.exists() else None
    kept = tuple((seq, path, path.stat().st_mtime_ns) for seq, path in sorted(lay.kept().items()))
    return _periods(kept, live)


@lru_cache(maxsize=16)
def _periods(kept: tuple, live: Path | None) -> list[Period]:
    # the kept files with their mtimes are the key: a new publication is read, the others are not opened again
    out = []
    for seq, path, _ in kept:
        try:
            meta = db.file_meta(path)
        except (duckdb.Error, KeyError):
            continue  # a damaged kept file is no period
        out.append(Period(seq, meta.get("data_version", ""), meta.get("as_of") or meta.get("data_date") or "",
                          meta.get("period_label", ""), path.resolve() == live, path))
    return sorted(out, key=lambda p: (p.as_of, p.seq))  # periods in time order (an earlier one may be filed later)


def resolve(ref: str, db_file=None) -> Period:
    """A version id (or its first six or more characters), `live`, `previous`, or a date: the newest version whose
    as-of date is on or before it."""
    found = periods(db_file)
    if not found:
        raise CompareError("没有已发布的版本 / no published version")
    text = (ref or "").strip()
    if text == "live":
        return next(p for p in reversed(found) if p.live) if any(p.live for p in found) else found[-1]
    if text == "previous":
        live_at = next((i for i, p in enumerate(found) if p.live), len(found) - 1)
        if live_at == 0:
            raise CompareError("当前版本之前没有版本 / there is no version before the live one")
        return found[live_at - 1]
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
    gaps: pd.DataFrame      # level, unit_code, unit_name, standard_id, standard, status (new, closed, still)
    points: pd.DataFrame    # change (added, moved, removed), id, name, category, district, street, moved_m
    workers: pd.DataFrame   # change (appointed, vacated), id, role, unit, status before/after (no names)
    units: pd.DataFrame     # change (newly_met, no_longer_met), level, unit_code, unit_name, standard

    def gap_counts(self) -> dict[str, int]:
        return {k: int((self.gaps["status"] == k).sum()) for k in STATUS}

    @property
    def unchanged(self) -> bool:
        return (self.metrics["change"].fillna(0) == 0).all() and self.points.empty and self.workers.empty \
            and self.units.empty


def _open(period: Period):
    return duckdb.connect(str(period.path), read_only=True)


@lru_cache(maxsize=32)
def compare(before: Period, after: Period, district: str | None = None, street: str | None = None,
            language: str = "zh") -> Comparison:
    """Everything that changed from `before` to `after` at a scope (cached: versions never change; treat the
    result as read-only)."""
    cb, ca = _open(before), _open(after)
    try:
        vb, va = metrics.values(district, street, con=cb), metrics.values(district, street, con=ca)
        reg = metrics.registry_of(ca)
        rows = []
        for mid in sorted(set(vb) | set(va), key=lambda m: list(va).index(m) if m in va else 10_000):
            b, a = vb.get(mid), va.get(mid)
            label = reg[mid].text("label", language) if mid in reg else metrics.registry_of(cb)[mid].text(
                "label", language)
            change = None if a is None or b is None else a - b
            share = None if change is None or not b else change / b
            rows.append({"id": mid, "label": label, "before": b, "after": a, "change": change, "share_change": share})
        comp_b = db.run(cb, "coverage_compliance", district=district, street=street)
        comp_a = db.run(ca, "coverage_compliance", district=district, street=street)
        gaps, units = _gap_status(comp_b, comp_a, language)
        points = _point_changes(cb, ca, district, street)
        workers = _worker_changes(cb, ca, district, street)
    finally:
        cb.close()
        ca.close()
    return Comparison(before, after, pd.DataFrame(rows), gaps, points, workers, units)


def _gap_status(comp_b: pd.DataFrame, comp_a: pd.DataFrame, language: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    key = ["level", "unit_code", "standard_id"]
    label = "label_en" if language == "en" else "label_zh"
    b = comp_b[key + ["met"]].rename(columns={"met": "met_before"})
    a = comp_a[key + ["unit_name", label, "met"]].rename(columns={"met": "met_after", label: "standard"})
    both = a.merge(b, on=key, how="left")
    both["met_before"] = both["met_before"].fillna(True).astype(bool)  # a unit new in the version: no gap before
    both["met_after"] = both["met_after"].astype(bool)
    status = pd.Series(None, index=both.index, dtype=object)
    status[both["met_before"] & ~both["met_after"]] = "new"
    status[~both["met_before"] & both["met_after"]] = "closed"
    status[~both["met_before"] & ~both["met_after"]] = "still"
    both["status"] = status
    gaps = both[both["status"].notna()][["level", "unit_code", "unit_name", "standard_id", "standard", "status"]]
    units = both[both["status"].isin(["new", "closed"])].assign(
        change=lambda f: f["status"].map({"new": "no_longer_met", "closed": "newly_met"}))
    return gaps.reset_index(drop=True), units[["change", "level", "unit_code", "unit_name", "standard_id",
                                               "standard"]].reset_index(drop=True)


def _point_changes(cb, ca, district, street) -> pd.DataFrame:
    pb, pa = (db.run(c, "compare_points", district=district, street=street) for c in (cb, ca))
    added = pa[~pa["id"].isin(pb["id"])].assign(change="added", moved_m=None)
    removed = pb[~pb["id"].isin(pa["id"])].assign(change="removed", moved_m=None)
    kept = pa.merge(pb[["id", "lon", "lat"]], on="id", suffixes=("", "_before"))
    kept["moved_m"] = [haversine_m(lo, la, lo0, la0) if pd.notna(lo) and pd.notna(lo0) else None
                       for lo, la, lo0, la0 in zip(kept["lon"], kept["lat"], kept["lon_before"], kept["lat_before"])]
    moved = kept[kept["moved_m"].fillna(0) > MOVED_M].assign(change="moved")
    cols = ["change", "id", "name", "category", "district_code", "street_code", "moved_m"]
    out = pd.concat([added[cols], moved[cols], removed[cols]], ignore_index=True)
    return out


def _worker_changes(cb, ca, district, street) -> pd.DataFrame:
    # No names or phones: a comparison is read by everyone who reads the pages.
    wb, wa = (db.run(c, "compare_workers", district=district, street=street) for c in (cb, ca))
    both = wa.merge(wb[["id", "status"]], on="id", how="outer", suffixes=("", "_before"))
    gone = both["role"].isna()
    if gone.any():  # a post removed from the roster: take its place from the older version
        both.loc[gone, ["role", "district_code", "street_code", "community_code"]] = both.loc[gone, ["id"]].merge(
            wb, on="id", how="left")[["role", "district_code", "street_code", "community_code"]].to_numpy()
    in_post_after, in_post_before = both["status"] == "在岗", both["status_before"] == "在岗"
    both["change"] = None
    both.loc[in_post_after & ~in_post_before, "change"] = "appointed"
    both.loc[~in_post_after & in_post_before, "change"] = "vacated"
    out = both[both["change"].notna()]
    return out[["change", "id", "role", "district_code", "street_code", "community_code", "status_before",
                "status"]].reset_index(drop=True)


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
        con = _open(period)
        try:
            values = metrics.values(district, street, con=con)
            standards = db.run(con, "coverage_standards")
        finally:
            con.close()
        for s in standards.itertuples():
            base = f"standard.{s.id}"
            if values.get(f"{base}.units"):
                rows.append({"as_of": period.as_of, "period": period.label, "version": period.data_version,
                             "standard_id": s.id, "standard_zh": s.label_zh, "standard_en": s.label_en,
                             "met": values[f"{base}.met"], "units": values[f"{base}.units"],
                             "share": values[f"{base}.share"]})
    return pd.DataFrame(rows, columns=["as_of", "period", "version", "standard_id", "standard_zh", "standard_en",
                                       "met", "units", "share"])
