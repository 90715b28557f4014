"""Build the DuckDB database from data/: one transaction into a temporary file, then an atomic rename."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import pandas as pd

from caremap.common.paths import DEMO, REFERENCE, db_path
from caremap.store import announcements, db, initials, spatial, standards, versions
from caremap.store.errors import BuildError

SCHEMA = Path(__file__).with_name("schema.sql")
# (table, csv file in the data set folder); loaded with the table's own column types.
DATASET_TABLES = [
    ("service_point", "service_points.csv"), ("worker", "workers.csv"), ("sw_org", "sw_orgs.csv"),
    ("sw_project", "sw_projects.csv"), ("sw_site", "sw_sites.csv"), ("sw_service_month", "sw_service_month.csv"),
]


TABLES = {"district", "street", "community", "special_zone", "service_category", "service_point", "worker",
           "sw_org", "sw_project", "sw_site", "sw_service_month", "coverage_standard", "standard_target",
           "import_log", "meta",
           "community_nearest", "point_tally", "sw_project_scope", "sw_scope_month",
           "policy", "announcement", "unit_geometry", "population", "point_place", "community_access"}


def data_version(files: list[Path]) -> str:
    """A short content hash of every input file: equal inputs give an equal version."""
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def _input_files(reference: Path, dataset: Path) -> list[Path]:
    names = ["districts.csv", "districts.geojson", "streets.csv", "communities.csv",
             "special_zones.csv", "service_categories.csv", "coverage_standards.toml", "policies.csv"]
    data = [f for _, f in DATASET_TABLES] + ["community_points.csv"]
    optional = [dataset / f for f in ("announcements.csv",) if (dataset / f).exists()]
    return [reference / n for n in names] + [dataset / f for f in data] + optional


def _load_csv(con, table: str, path: Path) -> None:
    """Insert a CSV by column name, letting DuckDB cast to the table's declared types."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    cols = [r[0] for r in con.execute("select column_name from information_schema.columns "
                                       "where table_name = $t order by ordinal_position", {"t": table}).fetchall()]
    header = pd.read_csv(path, nrows=0).columns
    use = [c for c in cols if c in header]
    col_list = ", ".join(use)
    values = ", ".join(f"nullif({c}, '')" for c in use)  # an empty cell is a missing value, not ''
    # Identifiers come from the schema itself (checked above), values only ever as parameters.
    con.execute(f"insert into {table} ({col_list}) select {values} "  # noqa: S608
                "from read_csv($path, header = true, all_varchar = true)", {"path": str(path)})


def _populate(con, reference: Path, dataset: Path, version: str) -> dict:
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    geo = json.loads((reference / "districts.geojson").read_text(encoding="utf-8"))
    shapes = pd.DataFrame([{"code": f["properties"]["code"], "geojson": json.dumps(f["geometry"])}
                           for f in geo["features"]])
    con.register("district_shapes", shapes)
    con.execute("""
        insert into district
        select d.code, d.name, d.name_en, d.is_official_code::boolean, nullif(d.population_2020, '')::bigint,
               nullif(d.population_source, ''), d.label_lon::double, d.label_lat::double, d.boundary_note, s.geojson
        from read_csv($path, header = true, all_varchar = true) as d
        left join district_shapes as s using (code)""", {"path": str(reference / "districts.csv")})
    _load_csv(con, "street", reference / "streets.csv")
    _load_csv(con, "special_zone", reference / "special_zones.csv")
    _load_csv(con, "service_category", reference / "service_categories.csv")
    con.execute("""
        insert into community (code, name, name_en, official_name, street_code, district_code, lon, lat,
                               location_note)
        select c.code, c.name, c.name_en, c.official_name, c.street_code, s.district_code,
               p.lon::double, p.lat::double, p.location_note
        from read_csv($communities, header = true, all_varchar = true) as c
        join street as s on s.code = c.street_code
        left join read_csv($points, header = true, all_varchar = true) as p on p.community_code = c.code""",
                {"communities": str(reference / "communities.csv"), "points": str(dataset / "community_points.csv")})
    # The reference and demo locations become ref_lon/ref_lat in derive (derive_locations.sql): imported geography
    # replaces them in lon/lat and never loses them.
    for table, name in DATASET_TABLES:
        _load_csv(con, table, dataset / name)
    categories = {r[0] for r in con.execute("select code from service_category").fetchall()}
    rows = standards.load(reference / "coverage_standards.toml", categories)
    insert_standards(con, rows)
    _load_csv(con, "policy", reference / "policies.csv")
    _load_announcements(con, dataset)
    manifest_path = dataset / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    meta = {"data_version": version, "schema_hash": schema_hash(),
            "is_demo": str(manifest.get("label") == "示例数据").lower(),
            "dataset": dataset.name, "demo_seed": str(manifest.get("seed", "")),
            "demo_scale": str(manifest.get("scale", "")),
            "data_date": con.execute("select coalesce(max(updated_on)::varchar, '') from service_point").fetchone()[0],
            "period_label": str(manifest.get("period_label", "")),
            "built_at": time.strftime("%Y-%m-%d %H:%M:%S")}
    meta["as_of"] = str(manifest.get("as_of") or meta["data_date"])  # 数据截止日期: what comparisons go by
    con.executemany("insert into meta values (?, ?)", list(meta.items()))
    check_integrity(con)
    derive(con)
    return table_counts(con)


def table_counts(con) -> dict[str, int]:
    """Rows in each data table (the named query table_counts), as build and import report them."""
    sql, _ = db.load_sql("table_counts")
    return dict(con.execute(sql).fetchall())  # on con itself: inside the publishing transaction


def _load_announcements(con, dataset: Path) -> None:
    """Service announcements (optional file), checked by the same loader administrators use."""
    path = dataset / "announcements.csv"
    if not path.exists():
        return
    districts = dict(con.execute("select code, name from district").fetchall())
    loaded = announcements.load_announcements(path, districts)
    if not loaded.ok:
        raise BuildError(f"{path.name} 有 {len(loaded.errors)} 处错误：" + "；".join(loaded.errors[:10]))
    con.executemany("insert into announcement (id, title, published_on, district_code, body, link, title_en, body_en) "
                    "values ($id, $title, $published_on, $district_code, $body, $link, $title_en, $body_en)",
                    loaded.rows)


# Tables derived from the loaded ones when a version is published, each by its own insert statement, in order:
# point_place (where the points lie, by point-in-polygon) before point_tally, which counts by it.
DERIVED = {table: Path(__file__).with_name(f"derive_{name}.sql") for table, name in (
    ("point_place", "point_place"), ("community_nearest", "nearest"), ("point_tally", "point_tally"),
    ("community_access", "community_access"), ("sw_project_scope", "sw_project_scope"),
    ("sw_scope_month", "sw_scope_month"), ("search_profile", "search"))}
LOCATIONS = Path(__file__).with_name("derive_locations.sql")


def derive(con) -> None:
    """Recompute the derived tables (called inside the publishing transaction, at build and at import).

    First the locations in use: the bureau's imported geography where there is one, else the reference or demo
    location. Point-in-polygon needs the spatial extension, loaded only when boundaries exist."""
    con.execute(LOCATIONS.read_text(encoding="utf-8"))  # four update statements
    boundaries = con.execute("select count(*) from unit_geometry where kind = 'polygon'").fetchone()[0]
    for table, sql in DERIVED.items():
        con.execute(f"delete from {table}")  # noqa: S608 (a fixed table name from DERIVED, not input)
        if table == "point_place" and not boundaries:
            continue
        if table == "point_place":
            spatial.load(con)
        con.execute(sql.read_text(encoding="utf-8"))
    initials.derive_initials(con)


def check_integrity(con) -> None:
    """Refuse a build whose rows point at places or categories that do not exist."""
    checks = {
        "service_point.category 不在 service_category 中":
            "select count(*) from service_point where category not in (select code from service_category)",
        "service_point.street_code 不在 street 中":
            "select count(*) from service_point where street_code not in (select code from street)",
        "worker.street_code 不在 street 中":
            "select count(*) from worker where street_code not in (select code from street)",
        "sw_project.org_id 不在 sw_org 中":
            "select count(*) from sw_project where org_id not in (select id from sw_org)",
        "coverage_standard.basis 不在 policy 中（见 policies.csv 的 code 列）":
            "select count(*) from coverage_standard where basis is not null and basis not in (select code from policy)",
        "coverage_standard.target_basis 不在 policy 中（见 policies.csv 的 code 列）":
            "select count(*) from standard_target where target_basis is not null and target_basis not in "
            "(select code from policy)",
        "sw_site.project_id 不在 sw_project 中":
            "select count(*) from sw_site where project_id not in (select id from sw_project)",
    }
    for what, sql in checks.items():
        n = con.execute(sql).fetchone()[0]
        if n:
            raise BuildError(f"数据不一致：{n} 行 {what}")


def live_path(db: str | os.PathLike | None = None) -> Path:
    """The configured database path, not resolved: a symlink to the live version under versions/."""
    return db_path(db)


def build(db: str | os.PathLike | None = None, dataset: Path = DEMO, reference: Path = REFERENCE) -> dict:
    """(Re)build the database; returns the row counts. On any failure the old file stays as it was."""
    target = live_path(db)  # replaces the link itself, never a kept version it points to
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.building-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    version = data_version(_input_files(reference, dataset))
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute("begin transaction")
            counts = _populate(con, reference, dataset, version)
            con.execute("commit")
            con.execute("checkpoint")
        finally:
            con.close()
        versions.publish_built(tmp, version, target)  # atomic: readers see the old version or the new
    except standards.StandardsError:
        tmp.unlink(missing_ok=True)
        raise
    except (duckdb.Error, OSError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        raise BuildError(f"数据库构建失败，原数据库未改动：{exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    counts["data_version"] = version
    return counts


def insert_standards(con, rows: list[dict]) -> None:
    """The coverage standards (standards.load rows) into coverage_standard and their aims into standard_target."""
    con.executemany("insert into coverage_standard values ($id, $sort_order, $level, $kind, $category, $role, "
                    "$categories, $max_m, $label_zh, $label_en, $basis)",
                    [{k: v for k, v in r.items() if not k.startswith("target_")} for r in rows])
    con.executemany("insert into standard_target values ($id, $target_share, $target_date, $target_basis)",
                    [{k: r[k] for k in ("id", "target_share", "target_date", "target_basis")} for r in rows])


def schema_hash() -> str:
    """Identifies the schema the code expects; a database built with another schema is rebuilt or flagged."""
    return hashlib.sha256(SCHEMA.read_bytes()).hexdigest()[:12]


# The demo's earlier periods (示例数据): (as-of date, label, share of homes, workstations and directors not yet
# there, per cent). The published 2020 figures stay with the live 2020-05-31 version.
DEMO_HISTORY = (("2018-12-31", "2018年下半年（示例）", 20), ("2019-06-30", "2019年上半年（示例）", 12),
                ("2019-12-31", "2019年下半年（示例）", 6))
HISTORY_SQL = Path(__file__).with_name("demo_history.sql")


def build_history(db_file: str | os.PathLike | None = None, periods=DEMO_HISTORY) -> list[str]:
    """Publish the demo's earlier periods as kept versions beside the live one (which stays live), so that the
    comparison has something to show out of the box. Only for a live version built from the demo data alone."""
    live = live_path(db_file)
    source = versions.Layout(live).target()
    con = duckdb.connect(str(source), read_only=True)
    try:
        meta = db.read_meta(con)
        imported = con.execute("select count(*) from import_log").fetchone()[0]
    finally:
        con.close()
    if meta.get("is_demo") != "true" or imported or not meta.get("demo_seed"):
        return []
    statements = [s for s in HISTORY_SQL.read_text(encoding="utf-8").split(";") if s.strip(" \n-")
                  and not all(line.lstrip().startswith("--") or not line.strip() for line in s.splitlines())]
    made = []
    for as_of, label, share in periods:
        tmp = live.with_name(f".{live.name}.history-{os.getpid()}-{as_of}")
        tmp.unlink(missing_ok=True)
        try:
            shutil.copyfile(source, tmp)
            con = duckdb.connect(str(tmp))
            try:
                con.execute("begin transaction")
                for statement in statements:
                    con.execute(statement, {"share": share})
                version = hashlib.sha256(f"{meta['data_version']}:{as_of}".encode()).hexdigest()[:12]
                versions.set_meta(con, {"data_version": version, "as_of": as_of, "data_date": as_of,
                                        "period_label": label, "built_at": time.strftime("%Y-%m-%d %H:%M:%S")})
                check_integrity(con)
                derive(con)
                con.execute("commit")
                con.execute("checkpoint")
            finally:
                con.close()
            versions.keep_built(tmp, version, live)
            made.append(version)
        finally:
            tmp.unlink(missing_ok=True)
    return made
