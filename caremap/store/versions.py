"""Published versions: every version is an immutable file under versions/, the live path a symlink to one.

An import copies the current version to a temporary file, loads the rows there in one transaction,
checkpoints and fsyncs it, renames it to versions/<seq>-<data_version>.duckdb and then atomically replaces
the live path (e.g. var/caremap.duckdb) with a symlink to it. A process killed at any point leaves the
live path pointing at the old, untouched version. Why a symlink and not a renamed file: DuckDB keeps one
database instance per resolved file path in a process, so a new file renamed onto the same path would
be served from the old instance until every connection closed; a new target path gets a new instance,
and caremap.store.db (keyed by the resolved path and inode) picks the new version up on the next query.
Rollback publishes a kept version again. Originals are kept under imports/<sha256>/; every import and
rollback is a row in import_log, carried over across rollbacks. All folders sit beside the database file.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import os
import re
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from caremap.common import dates
from caremap.common.paths import db_path
from caremap.store import accounts, db, sidecar
from caremap.store.errors import BuildError, PublishError

_VERSION_FILE = re.compile(r"(\d{4,})-([0-9a-f]{6,64})\.duckdb")


@dataclass(frozen=True)
class Layout:
    """Where one database keeps its versions, originals and lock: all beside the live path."""
    live: Path

    @property
    def versions(self) -> Path:
        return self.live.parent / "versions"

    @property
    def imports(self) -> Path:
        return self.live.parent / "imports"

    @property
    def lock(self) -> Path:
        return self.live.parent / f".{self.live.name}.lock"

    def target(self) -> Path:
        """The file the live path currently reads (itself when it is not yet a symlink)."""
        return self.live.resolve() if self.live.is_symlink() else self.live

    def kept(self) -> dict[int, Path]:
        if not self.versions.exists():
            return {}
        return {int(m.group(1)): p for p in self.versions.iterdir() if (m := _VERSION_FILE.fullmatch(p.name))}


@dataclass(frozen=True)
class Published:
    data_version: str
    previous_version: str
    log_id: int
    rows: int
    stored_path: str
    notes: tuple[str, ...] = ()
    rechecked: str = ""   # said when the file was checked again against a version another import published first


def whoami() -> str:
    """The login name for import_log (some containers have no passwd entry for the user)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid:{os.getuid()}"


def layout(db_file: str | os.PathLike | None = None) -> Layout:
    return Layout(db_path(db_file))


def _pause(stage: str) -> None:
    """Test hook: CAREMAP_TEST_PAUSE_AT=<stage> stops here so a test can kill the process mid-import."""
    if os.environ.get("CAREMAP_TEST_PAUSE_AT") == stage:
        print(f"PAUSED {stage}", file=sys.stderr, flush=True)
        time.sleep(3600)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def locked(lay: Layout):
    """One import or rollback at a time per database (the OS releases the lock if the process dies)."""
    lay.live.parent.mkdir(parents=True, exist_ok=True)
    lay.versions.mkdir(exist_ok=True)
    with open(lay.lock, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            _clean_interrupted(lay)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _clean_interrupted(lay: Layout) -> None:
    """Remove what a killed import left behind: temp files, and a version written but never made live."""
    for stale in [*lay.versions.glob(".tmp-*"), *lay.live.parent.glob(f".{lay.live.name}.link-*")]:
        stale.unlink(missing_ok=True)
    for journal in lay.versions.glob(".publishing-*"):  # names the version that was about to go live
        written = lay.versions / journal.read_text(encoding="utf-8").strip()
        if written.is_file() and written.resolve() != lay.target().resolve():
            written.unlink()
        journal.unlink()


def read_live(lay: Layout) -> tuple[str, pd.DataFrame]:
    con = duckdb.connect(str(lay.target()), read_only=True)
    try:
        return db.data_version(con), db.run(con, "import_history").sort_values("id")
    finally:
        con.close()


def _next_seq(lay: Layout) -> int:
    return max(lay.kept(), default=0) + 1


def keep_base(lay: Layout, version: str) -> None:
    """A live path that is still a plain file (a fresh build) is kept under versions/ before it is replaced."""
    if lay.live.is_symlink() or any(p.name.endswith(f"-{version}.duckdb") for p in lay.kept().values()):
        return
    tmp = lay.versions / f".tmp-{os.getpid()}-base"
    shutil.copyfile(lay.live, tmp)
    _fsync(tmp)
    os.replace(tmp, lay.versions / f"{_next_seq(lay):04d}-{version}.duckdb")


def keep_original(lay: Layout, data: bytes, sha: str, file_name: str) -> str:
    # No folders, no leading dots (so never ".." or a hidden file): the copy stays inside imports/<sha256>/.
    safe = re.sub(r"[\\/:\x00]", "_", Path(file_name).name)[-120:].lstrip(".") or "upload"
    folder = lay.imports / sha
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe
    if not target.exists():
        tmp = folder / f".{safe}.{os.getpid()}"
        tmp.write_bytes(data)
        _fsync(tmp)
        os.replace(tmp, target)
    return target.relative_to(lay.live.parent).as_posix()


def set_meta(con, items: dict) -> None:
    con.executemany("insert or replace into meta values (?, ?)", list(items.items()))


def append_log(con, **row) -> int:
    log_id = con.execute("select coalesce(max(id), 0) + 1 from import_log").fetchone()[0]
    con.execute("insert into import_log values ($id, $kind, $file_name, $sha256, $imported_at, $rows_accepted, "
                "$rows_rejected, $mode, $who, $stored_path, $data_version)",
                {"id": log_id, "imported_at": dt.datetime.now().replace(microsecond=0), **row})
    return log_id


def new_version(previous: str, salt: str) -> str:
    return hashlib.sha256(f"{previous}|{salt}|{time.time_ns()}|{os.getpid()}".encode()).hexdigest()[:12]


def write_version(lay: Layout, source: Path, work) -> tuple[str, tuple]:
    """Copy source → temp, run work(con, meta) → (version, ...) in one transaction, publish atomically."""
    tmp = lay.versions / f".tmp-{os.getpid()}.duckdb"
    try:
        shutil.copyfile(source, tmp)
        con = duckdb.connect(str(tmp))
        try:
            meta = db.read_meta(con)
            con.execute("begin transaction")
            result = work(con, meta)
            _pause("loaded")
            con.execute("commit")
            con.execute("checkpoint")
        finally:
            con.close()
        _fsync(tmp)
        final = lay.versions / f"{_next_seq(lay):04d}-{result[0]}.duckdb"
        journal = lay.versions / f".publishing-{os.getpid()}"
        journal.write_text(final.name, encoding="utf-8")
        _fsync(journal)
        os.replace(tmp, final)
        _fsync(lay.versions)
        _pause("before_replace")
        _swap_live(lay, final)
        journal.unlink()
        return result
    except duckdb.ConstraintException as exc:   # e.g. an id taken meanwhile: said plainly, never the raw message
        tmp.unlink(missing_ok=True)
        raise PublishError("发布失败，原数据库未改动：文件中的编号与现有数据重复，请重新校验后再导入 / "
                           "publishing failed, the live database is unchanged: an id in the file is already taken; "
                           "check it again") from exc
    except (duckdb.Error, OSError, BuildError) as exc:
        tmp.unlink(missing_ok=True)
        reason = str(exc) if isinstance(exc, (OSError, BuildError)) else type(exc).__name__
        raise PublishError(f"发布失败，原数据库未改动（{reason}）/ publishing failed, the live database is "
                           f"unchanged ({reason})") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _swap_live(lay: Layout, final: Path) -> None:
    link = lay.live.parent / f".{lay.live.name}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(final.relative_to(lay.live.parent), link)
    os.replace(link, lay.live)  # atomic: readers see the old version or the new, never half of either
    _fsync(lay.live.parent)


def publish_built(built: Path, version: str, live: Path) -> Path:
    """Publish a freshly built database file as the newest version (used by `caremap build`).

    The file is moved under versions/ and the live path switched to it atomically. Older versions stay: they are
    the periods a comparison reads, removed only by prune() (`python -m caremap versions prune`), which logs it.
    """
    lay = Layout(live)
    with locked(lay):
        _fsync(built)
        final = lay.versions / f"{_next_seq(lay):04d}-{version}.duckdb"
        os.replace(built, final)
        _fsync(lay.versions)
        if lay.live.exists() and not lay.live.is_symlink():
            lay.live.unlink()  # a plain file from before versioning: its replacement is in versions/
        _swap_live(lay, final)
    return final


def keep_built(built: Path, version: str, live: Path) -> Path:
    """File a built database under versions/ as a kept version without making it live (an earlier period)."""
    lay = Layout(live)
    with locked(lay):
        _fsync(built)
        final = lay.versions / f"{_next_seq(lay):04d}-{version}.duckdb"
        os.replace(built, final)
        _fsync(lay.versions)
    return final


def restore_newest_intact(live: Path, intact) -> str | None:
    """Point a missing or damaged live path at the newest kept version that `intact(path)` accepts."""
    lay = Layout(live)
    if not lay.versions.exists():
        return None
    with locked(lay):
        for _, path in sorted(lay.kept().items(), reverse=True):
            if not intact(path):
                continue
            if os.path.lexists(lay.live) and not lay.live.is_symlink():  # keep a damaged plain file for study
                os.replace(lay.live, lay.live.with_name(f"{lay.live.name}.damaged-{time.strftime('%Y%m%d%H%M%S')}"))
            _swap_live(lay, path)
            return path.name
    return None


def rollback(to_version: str, db_file: str | os.PathLike | None = None, who: str | None = None) -> Published:
    """Publish a kept version again (under a new version id), keeping the whole import_log history."""
    lay = layout(db_file)
    who = who or whoami()
    with locked(lay):
        snapshot = next((p for p in lay.kept().values() if p.name.endswith(f"-{to_version}.duckdb")), None)
        if not re.fullmatch(r"[0-9a-f]{6,64}", to_version or "") or snapshot is None:
            raise PublishError(f"没有保存的版本 {to_version} / no kept version {to_version}")
        old_version, log = read_live(lay)
        try:
            keep_base(lay, old_version)
        except OSError as exc:
            raise PublishError(f"恢复失败，原数据库未改动 / rollback failed, the live database is unchanged: "
                               f"{exc}") from exc
        sha = hashlib.sha256(snapshot.read_bytes()).hexdigest()

        def work(con, meta: dict):
            con.execute("delete from import_log")
            con.register("kept_log", log)
            con.execute("insert into import_log by name select * from kept_log")
            con.unregister("kept_log")
            version = new_version(to_version, "rollback")
            set_meta(con, {"data_version": version, "restored_from": to_version})
            log_id = append_log(con, kind="rollback", file_name=snapshot.name, sha256=sha, rows_accepted=0,
                          rows_rejected=0, mode="rollback", who=who,
                          stored_path=snapshot.relative_to(lay.live.parent).as_posix(), data_version=version)
            return version, log_id

        version, log_id = write_version(lay, snapshot, work)
    accounts.audit("rollback", who, f"{old_version} → {to_version} (published as {version})", db_file=db_file)
    return Published(version, old_version, log_id, 0, snapshot.name)


def versions(db_file: str | os.PathLike | None = None) -> pd.DataFrame:
    """Every kept version, newest first: seq, data_version, as_of (数据截止日期), label, baseline, live, what made
    it (from import_log), saved_at."""
    lay = layout(db_file)
    live_version, log = read_live(lay)
    made_by = {r.data_version: f"{r.kind} · {r.file_name} · {r.imported_at}" for r in log.itertuples()}
    marked = baselines(db_file)
    rows = []
    for seq, p in sorted(lay.kept().items(), reverse=True):
        version = _VERSION_FILE.fullmatch(p.name).group(2)
        meta = _meta_of(p)
        rows.append({"seq": seq, "data_version": version, "as_of": meta.get("as_of") or meta.get("data_date", ""),
                     "label": meta.get("period_label", ""), "baseline": version in marked,
                     "live": version == live_version, "made_by": made_by.get(version, "build"),
                     "saved_at": dt.datetime.fromtimestamp(p.stat().st_mtime).replace(microsecond=0)})
    if not any(r["live"] for r in rows):
        meta = _meta_of(lay.target())
        rows.insert(0, {"seq": _next_seq(lay), "data_version": live_version,
                        "as_of": meta.get("as_of") or meta.get("data_date", ""), "label": meta.get("period_label", ""),
                        "baseline": live_version in marked, "live": True, "made_by": "build",
                        "saved_at": dt.datetime.fromtimestamp(lay.target().stat().st_mtime).replace(microsecond=0)})
    return pd.DataFrame(rows, columns=["seq", "data_version", "as_of", "label", "baseline", "live", "made_by",
                                       "saved_at"])


def _meta_of(path: Path) -> dict[str, str]:
    try:
        return db.file_meta(path)
    except (duckdb.Error, KeyError, OSError):
        return {}  # a damaged kept file: listed without its period


# --- review baselines and pruning: marks beside the database, never inside a published (immutable) version ------

_MARKS = "periods.sqlite"
_MARKS_SCHEMA = """
create table if not exists baseline (
    data_version text primary key,
    marked_by text not null,
    marked_at text not null
);
"""


def baselines(db_file: str | os.PathLike | None = None) -> set[str]:
    """The versions marked as review baselines (复盘基线): what a comparison starts from by default."""
    if not sidecar.path(_MARKS, db_file).exists():
        return set()
    con = sidecar.connect(_MARKS, _MARKS_SCHEMA, db_file)
    try:
        return {r[0] for r in con.execute("select data_version from baseline")}
    finally:
        con.close()


def _kept_file(lay: Layout, version: str) -> Path | None:
    if not re.fullmatch(r"[0-9a-f]{6,64}", version or ""):
        return None
    return next((p for p in lay.kept().values() if p.name.endswith(f"-{version}.duckdb")), None)


def mark_baseline(version: str, who: str, on: bool = True, db_file: str | os.PathLike | None = None) -> None:
    """Mark a kept version as a review baseline (on=False: remove the mark); audited."""
    lay = layout(db_file)
    if _kept_file(lay, version) is None:
        raise PublishError(f"没有保存的版本 {version} / no kept version {version}")
    con = sidecar.connect(_MARKS, _MARKS_SCHEMA, db_file)
    try:
        with con:
            if on:
                con.execute("insert or replace into baseline values (?, ?, ?)",
                            (version, who, dt.datetime.now().isoformat(timespec="seconds")))
            else:
                con.execute("delete from baseline where data_version = ?", (version,))
    finally:
        con.close()
    accounts.audit("baseline" if on else "baseline_removed", who, version, db_file=db_file)


@dataclass(frozen=True)
class Pruned:
    seq: int
    data_version: str
    as_of: str
    bytes: int


def prune(who: str, keep: int | None = None, before: str | None = None, dry_run: bool = False,
          db_file: str | os.PathLike | None = None) -> list[Pruned]:
    """Remove kept versions: beyond the newest `keep`, and/or with an as-of date before `before` (YYYY-MM-DD). The
    live version and review baselines are never removed. Each removal is a row in the audit log."""
    if keep is None and before is None:
        raise PublishError("请给出 --keep N 或 --before 日期 / give --keep N or --before DATE")
    if keep is not None and keep < 1:
        raise PublishError("--keep 至少为 1 / --keep must be at least 1")
    day = dates.iso_date(before) if before else None
    if before and day is None:
        raise PublishError(f"--before {before!r} 不是日期，应为 YYYY-MM-DD / is not a date (YYYY-MM-DD)")
    lay = layout(db_file)
    protected = baselines(db_file)
    gone: list[Pruned] = []
    with locked(lay):
        live = lay.target().resolve()
        kept = sorted(lay.kept().items(), reverse=True)   # newest first
        newest = {seq for seq, _ in kept[:keep]} if keep is not None else {seq for seq, _ in kept}
        for seq, path in kept:
            version = _VERSION_FILE.fullmatch(path.name).group(2)
            if path.resolve() == live or version in protected:
                continue
            as_of = _meta_of(path).get("as_of", "")
            old = day is not None and (as_of or "9999") < day
            if (keep is not None and seq not in newest) or old:
                gone.append(Pruned(seq, version, as_of, path.stat().st_size))
                if not dry_run:
                    path.unlink()
        if gone and not dry_run:
            _fsync(lay.versions)
    if not dry_run:
        for p in gone:
            accounts.audit("prune", who, f"{p.seq:04d}-{p.data_version} (as of {p.as_of or '?'})", db_file=db_file)
    return gone
