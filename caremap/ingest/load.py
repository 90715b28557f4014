"""Loading a checked import into a new published version (all or nothing), recorded in import_log."""

from __future__ import annotations

import hashlib
import os
import time

from caremap.ingest.problems import Checked
from caremap.store import accounts, build, versions

DEMO_TABLES = ("service_point", "worker", "sw_org", "sw_project", "sw_site", "sw_service_month", "community")
# While any of these still holds demo rows the data stay labelled 示例数据 (mixed data are not the bureau's).
LABELLED_DEMO = {"service_point", "worker", "sw_project", "sw_site"}
# The writes per kind and mode: fixed statements; values come only from the registered frames.
_REPLACE_FIRST = {
    "service_points": ["delete from service_point"],
    "workers": ["delete from worker"],
    "projects": ["delete from sw_service_month where project_id not in (select id from staged)",
                 "delete from sw_site where project_id not in (select id from staged)",
                 "delete from sw_project"],
    "sites": ["delete from sw_site"],
    "streets": ["delete from unit_geometry where level = 'street'"],
    "communities": ["delete from unit_geometry where level = 'community'"],
    "population": ["delete from population"],
}
_GEOMETRY = ("insert into unit_geometry by name select level, unit_code, st_geomfromwkb(wkb) as geom, geojson, kind, "
             "lon, lat, method, area_km2, feature_no, source_crs, file_name from staged")
# Appending geography replaces the boundary of every unit in the file and keeps the others.
_APPEND_FIRST = {
    "streets": ["delete from unit_geometry where level = 'street' and unit_code in (select unit_code from staged)"],
    "communities": ["delete from unit_geometry where level = 'community' "
                    "and unit_code in (select unit_code from staged)"],
}
_INSERT = {
    "service_points": ["insert into service_point by name select * from staged"],
    "workers": ["insert into worker by name select * from staged"],
    "projects": ["insert into sw_org by name select * from staged_orgs",
                 "insert into sw_project by name select * from staged"],
    "sites": ["insert into sw_site by name select * from staged"],
    "streets": [_GEOMETRY],
    "communities": [_GEOMETRY],
    "population": ["insert into population by name select * from staged"],
}
_AFTER_REPLACE = {"projects": ["delete from sw_org where id not in (select org_id from sw_project)"]}
_REPLACED_TABLES = {"service_points": {"service_point"}, "workers": {"worker"},
                    "projects": {"sw_project", "sw_org"}, "sites": {"sw_site"}, "streets": set(),
                    "communities": set(), "population": set()}

def publish_import(checked: Checked, data: bytes, mode: str = "replace",
                   db_file: str | os.PathLike | None = None, who: str | None = None, as_of: str | None = None,
                   label: str | None = None, account: accounts.Account | None = None) -> versions.Published:
    """Load a checked file as a new published version (all or nothing) and record it in import_log.

    `as_of` (数据截止日期, YYYY-MM-DD) dates the version for comparisons: by default the newest update date of
    the service points, else today; `label` names the period (e.g. 2024年第三季度)."""
    if not checked.ok:
        raise versions.PublishError("文件未通过校验，未写入任何数据 / the file did not pass validation; "
                                    "nothing written")
    if mode not in ("replace", "append"):
        raise ValueError(f"mode must be replace or append, not {mode!r}")
    if account is not None and not account.can_write:
        raise versions.PublishError(f"账户 {account.username} 为只读（{account.role}），不能导入 / the account "
                                    f"{account.username} is read-only ({account.role}) and cannot import")
    if account is not None and account.role == "district_editor" and mode != "append":
        raise versions.PublishError("区级编辑只能以“追加”方式导入本区的数据：替换会改动全市的该类数据 / a district "
                                    "editor imports in append mode only: replacing would change the whole city's rows")
    if hashlib.sha256(data).hexdigest() != checked.sha256:
        raise versions.PublishError("文件内容与校验时不同 / the file changed since it was checked")
    lay = versions.layout(db_file)
    who = who or versions.whoami()
    with versions.locked(lay):   # check → publish under one lock: ids are allocated against the newest version
        old_version, _ = versions.read_live(lay)
        rechecked = ()
        if checked.base_version and checked.base_version != old_version:
            checked, rechecked = _recheck(checked, data, lay, old_version), (
                f"另一次导入已先发布版本 {old_version}：本文件已按该版本重新校验 / another import published "
                f"{old_version} first: the file was checked again against it",)
        try:
            versions.keep_base(lay, old_version)
            stored = versions.keep_original(lay, data, checked.sha256, checked.file_name)
        except OSError as exc:  # disk full, read-only folder: nothing has been published
            raise versions.PublishError(f"发布失败，原数据库未改动 / publishing failed, the live database is "
                                        f"unchanged: {exc}") from exc

        def work(con, meta: dict):
            if account is not None and account.role == "district_editor":
                _refuse_outside(con, checked, account)   # in the publishing transaction: the store decides
            version = versions.new_version(meta.get("data_version", ""), checked.sha256)
            before = {t: n for t, n in build.table_counts(con).items() if t in DEMO_TABLES}
            con.register("staged", checked.rows)
            if len(checked.new_orgs.columns):
                con.register("staged_orgs", checked.new_orgs)
            first = _REPLACE_FIRST[checked.kind] if mode == "replace" else _APPEND_FIRST.get(checked.kind, [])
            after = _AFTER_REPLACE.get(checked.kind, []) if mode == "replace" else []
            statements = first + _INSERT[checked.kind] + after
            for sql in statements:
                con.execute(sql)
            con.unregister("staged")
            if len(checked.new_orgs.columns):
                con.unregister("staged_orgs")
            build.check_integrity(con)
            build.derive(con)
            after = {t: n for t, n in build.table_counts(con).items() if t in DEMO_TABLES}
            demo = meta.get("demo_tables")
            demo = demo.split(",") if demo else (list(DEMO_TABLES) if meta.get("is_demo") == "true" else [])
            replaced = _REPLACED_TABLES[checked.kind] if mode == "replace" else set()
            if not con.execute("select count(*) from community where location_method = 'demo'").fetchone()[0]:
                replaced = replaced | {"community"}   # every unit now stands where the bureau's geography puts it
            demo = [t for t in demo if t and t not in replaced and after[t] > 0]
            data_date = con.execute("select coalesce(max(updated_on)::varchar, '') from service_point").fetchone()[0]
            is_demo = "true" if LABELLED_DEMO & set(demo) else "false"
            versions.set_meta(con, {"data_version": version, "is_demo": is_demo, "demo_tables": ",".join(demo),
                                    "data_date": data_date, "imported_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                                    "as_of": as_of or data_date or time.strftime("%Y-%m-%d"),
                                    "period_label": label or ""})
            log_id = versions.append_log(con, kind=checked.kind, file_name=checked.file_name, sha256=checked.sha256,
                          rows_accepted=len(checked.rows), rows_rejected=checked.rows_rejected, mode=mode, who=who,
                          stored_path=stored, data_version=version)
            notes = rechecked + tuple(f"{t}: {before[t]} → {after[t]}" for t in DEMO_TABLES if before[t] != after[t])
            return version, log_id, notes

        try:
            version, log_id, notes = versions.write_version(lay, lay.target(), work)
        except versions.PublishError as exc:
            accounts.audit("import_refused", who, f"{checked.kind} {checked.file_name}: {str(exc)[:200]}",
                           db_file=db_file)
            raise
    accounts.audit("import", who, f"{checked.kind} {checked.file_name} ({mode}, {len(checked.rows)} rows) → {version}",
                   db_file=db_file)
    return versions.Published(version, old_version, log_id, len(checked.rows), stored, notes,
                              rechecked[0] if rechecked else "")


def _recheck(checked: Checked, data: bytes, lay, live_version: str) -> Checked:
    """The same file checked again against the version another import has just published (under the lock)."""
    import duckdb

    from caremap.ingest import checks

    con = duckdb.connect(str(lay.target()), read_only=True)
    try:
        again = checks.check(data, checked.file_name, checked.kind, con, **checked.options)
    finally:
        con.close()
    if not again.ok:
        raise versions.PublishError(
            f"在你校验之后，另一次导入已发布新版本 {live_version}；按新版本重新校验，文件有 {len(again.errors)} 处错误"
            f"（如：{again.errors[0].text('zh') if again.errors else '无数据行'}），未写入任何数据：请重新上传查看。 / "
            f"another import published {live_version} after your check; checked again against it, the file has "
            f"{len(again.errors)} errors and nothing was written: upload it again to see them.")
    return again


def _refuse_outside(con, checked: Checked, account: accounts.Account) -> None:
    """A district editor's file may touch only their district: otherwise refused, naming the rows."""
    rows = checked.rows.reset_index(drop=True)
    if checked.kind in ("streets", "communities", "population"):
        con.register("scope_rows", rows[["unit_code"]].assign(level=rows["level"]))
        found = con.execute("""
            select coalesce(s.district_code, c.district_code, d.code) as district_code
            from scope_rows as r
            left join street as s on r.level = 'street' and r.unit_code = s.code
            left join community as c on r.level = 'community' and r.unit_code = c.code
            left join district as d on r.level = 'district' and r.unit_code = d.code""").fetchall()
        con.unregister("scope_rows")
        districts = [f[0] for f in found]
    else:
        districts = rows["district_code"].tolist() if "district_code" in rows else [None] * len(rows)
    numbers = (rows["feature_no"].tolist() if "feature_no" in rows else
               list(checked.preview.index) if len(checked.preview) == len(rows) else list(range(1, len(rows) + 1)))
    outside = [str(n) for n, d in zip(numbers, districts) if d != account.district_code]
    if outside:
        shown = "、".join(outside[:10]) + ("等" if len(outside) > 10 else "")
        raise versions.PublishError(
            f"{checked.file_name}：第 {shown} 行（要素）不属于你的辖区 {account.district_code}，区级编辑只能导入本区的"
            f"数据，未写入任何数据 / rows {shown} lie outside your district {account.district_code}: nothing written")
