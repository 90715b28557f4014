"""What happens when the app or a command starts on a database path: decided first, then done, then said.

Every outcome has its own true message (labels common.startup_*): a first start is never reported as damage.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from caremap.common.i18n import t
from caremap.store import build, db, versions


class Outcome(enum.StrEnum):
    READY = "ready"                      # the live database is usable: nothing done, nothing said
    FIRST_START = "first_start"          # nothing here yet: the demo database was built from data/
    RESTORED = "restored"                # missing or damaged, the newest intact kept version is live again
    REBUILT_DAMAGED = "rebuilt_damaged"  # missing or damaged with no intact kept version: rebuilt from data/
    REBUILT_SCHEMA = "rebuilt_schema"    # built by an older schema, demo data only: rebuilt from data/
    REFUSED_SCHEMA = "refused_schema"    # built by an older schema with imported data: refused, nothing done


@dataclass(frozen=True)
class Startup:
    outcome: Outcome
    detail: str = ""  # the kept version restored

    @property
    def refused(self) -> bool:
        """The app cannot serve this database (it says why and stops)."""
        return self.outcome is Outcome.REFUSED_SCHEMA

    def message(self, language: str | None = None) -> str | None:
        """What to tell the user, or None when there is nothing to say."""
        if self.outcome is Outcome.READY:
            return None
        return t(f"common.startup_{self.outcome.value}", language, detail=self.detail)


# Files found intact, by what identifies their content (path, inode, size, modification time): every page run asks,
# and opening the file each time cost a new DuckDB connection per click. A file written, truncated or replaced since
# has another identity and is checked again; a problem is never remembered.
_INTACT: set[tuple] = set()


def problem(path: Path) -> str | None:
    """Why the database at path is unusable (missing, unreadable, truncated, old schema), or None."""
    try:
        real = os.path.realpath(path)
        stat = os.stat(real)
    except OSError:
        return "missing"
    identity = (real, stat.st_ino, stat.st_size, stat.st_mtime_ns, build.schema_hash())
    if identity in _INTACT:
        return None
    try:
        meta = db.file_meta(path)
    except (duckdb.Error, KeyError) as exc:
        return f"unreadable: {exc}"
    if meta.get("schema_hash") != build.schema_hash():
        return "schema"
    if len(_INTACT) > 64:
        _INTACT.clear()
    _INTACT.add(identity)
    return None


def _has_imports(path: Path) -> bool:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select count(*) from import_log").fetchone()[0] > 0
    except duckdb.Error:
        return True  # cannot tell: treat as the bureau's data, never discard it
    finally:
        con.close()


def _intact(path: Path) -> bool:
    return problem(path) is None


def decide(live: Path) -> Outcome:
    """The outcome for this live path, decided before anything is written."""
    found = problem(live)
    if found is None:
        return Outcome.READY
    if found == "schema":
        return Outcome.REFUSED_SCHEMA if _has_imports(live) else Outcome.REBUILT_SCHEMA
    lay = versions.Layout(live)
    if any(_intact(p) for p in lay.kept().values()):
        return Outcome.RESTORED
    # Nothing was ever here (no live link, no kept versions, no kept originals): a first start.
    kept_originals = lay.imports.exists() and any(lay.imports.iterdir())
    never_used = not os.path.lexists(live) and not lay.kept() and not kept_originals
    return Outcome.FIRST_START if never_used else Outcome.REBUILT_DAMAGED


def ensure_built(path: str | os.PathLike | None = None) -> Startup:
    """Make sure the live database is usable and say what was done.

    Missing or damaged: restore the newest intact kept version (imports included), else rebuild from
    data/. Built with an older schema: rebuild from data/ when it holds only demo data; data that
    came from imports are never discarded silently: the message says to re-import.
    """
    live = build.live_path(path)
    outcome = decide(live)
    if outcome is Outcome.RESTORED:
        restored = versions.restore_newest_intact(live, _intact)
        if restored:
            return Startup(outcome, restored)
        outcome = Outcome.REBUILT_DAMAGED  # the kept version was damaged meanwhile
    if outcome in (Outcome.FIRST_START, Outcome.REBUILT_DAMAGED, Outcome.REBUILT_SCHEMA):
        build.build(path)
        build.build_history(path)  # the demo's earlier periods, so that comparisons show something at once
    return Startup(outcome)
