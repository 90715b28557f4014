"""The database connection (one per process and file version) and named queries from queries/*.sql."""

from __future__ import annotations

import os
import re
import time
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from caremap.common.paths import QUERIES, db_path

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@lru_cache(maxsize=256)
def load_sql(name: str) -> tuple[str, frozenset[str]]:
    """The SQL text of queries/<name>.sql and the named parameters it uses."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"bad query name {name!r}")
    text = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return text, frozenset(_PARAM.findall(body))


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES.glob("*.sql"))


def _file_token(path: Path) -> tuple[str, int, int]:
    """Identifies one published version: the file the live symlink points to, its inode and mtime.

    DuckDB keeps one instance per file path in a process, so each version is a file of its own
    (versions/<n>-<version>.duckdb) and connections are opened on that resolved path.
    """
    real = os.path.realpath(path)
    stat = os.stat(real)
    return real, stat.st_ino, stat.st_mtime_ns


@lru_cache(maxsize=4)
def _open(path: str, inode: int, mtime_ns: int) -> duckdb.DuckDBPyConnection:
    # Read-only: pages never write; imports publish a new file and new sessions pick it up.
    return duckdb.connect(path, read_only=True)


# The version one script run (or one command) reads: set by pin(), so that one page never mixes two published
# versions when an import publishes a new file mid-run. A context variable: each Streamlit session runs its
# script in its own thread, and a new thread starts with no pin. Beside the token: when the pinned file was last
# seen to exist (a deleted database is noticed within a second, without a stat per query).
_PIN: ContextVar[tuple[str, tuple[str, int, int], float] | None] = ContextVar("caremap_db_pin", default=None)
_RECHECK_S = 1.0


def pin(path: str | os.PathLike | None = None, token: tuple[str, int, int] | None = None) -> tuple[str, int, int]:
    """Fix the database version for the rest of this script run (dashboard.py calls it first) and return its token.

    Given the token an earlier run pinned (a part of the page rerunning alone), that version is read again while its
    file exists, so the part shows what the rest of the page shows."""
    live = db_path(path)
    if token is None or not os.path.exists(token[0]):
        token = _file_token(live)
    _PIN.set((str(live), token, time.monotonic()))
    return token


def _token(path: str | os.PathLike | None = None) -> tuple[str, int, int]:
    live = db_path(path)
    pinned = _PIN.get()
    if pinned and pinned[0] == str(live):
        if time.monotonic() - pinned[2] < _RECHECK_S:
            return pinned[1]
        if os.path.exists(pinned[1][0]):
            _PIN.set((pinned[0], pinned[1], time.monotonic()))
            return pinned[1]
    return _file_token(live)


def connect(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """The shared read-only connection to the database file's current (or pinned) version.

    Take a .cursor() per query: a DuckDB connection is not thread-safe across sessions.
    """
    return _open(*_token(path))


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run named query `name` on a connection with DuckDB named parameters (never string formatting)."""
    sql, wanted = load_sql(name)
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"query {name!r} needs parameters {sorted(missing)}")
    cur = con.cursor()
    try:
        return cur.execute(sql, {k: v for k, v in params.items() if k in wanted}).df()
    finally:
        cur.close()


PAIR = ("before_version", "after_version")  # the names two compared versions are attached under


def pair(before: str | os.PathLike, after: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """A private in-memory connection with two published version files attached read-only, as before_version and
    after_version, for the queries that compare them row by row (queries/change_*.sql). Close it when done."""
    con = duckdb.connect()
    for alias, path in zip(PAIR, (before, after)):
        con.execute(f"attach '{_quoted(path)}' as {alias} (read_only)")
    return con


def _quoted(path: str | os.PathLike) -> str:
    return os.fspath(path).replace("'", "''")  # a file path inside an SQL literal (ATTACH takes no parameter)


def is_pair_query(name: str) -> bool:
    """Whether a named query reads two attached versions (runs on pair(), not on one version's connection)."""
    return f"{PAIR[0]}." in load_sql(name)[0]


def read_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The meta table (data version, date, demo flags, schema hash) of an open database, as a dict."""
    return dict(run(con, "meta").itertuples(index=False, name=None))


def file_meta(path: str | os.PathLike) -> dict[str, str]:
    """The meta table of a database file, opened read-only for just this (raises duckdb.Error or KeyError when
    the file is no intact CareMap database)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return read_meta(con)
    finally:
        con.close()


def data_version(con: duckdb.DuckDBPyConnection | None = None) -> str:
    return read_meta(con or connect())["data_version"]


@lru_cache(maxsize=16)
def _version_of(token: tuple[str, int, int]) -> str:
    return data_version(_open(*token))


# Results of named queries, per (query, parameters, data version, file): a click reads them again for free.
# Bounded, and every caller gets a copy, so no session can change what another one reads.
@lru_cache(maxsize=1024)
def _cached(name: str, params: tuple, version: str, token: tuple[str, int, int]) -> pd.DataFrame:
    return run(_open(*token), name, **dict(params))


def cache_key() -> tuple:
    """What results are cached against: the data version and the database file this run reads (its path, inode
    and mtime, pinned for the run), so a newly published version is never served figures of the old one."""
    token = _token()
    return _version_of(token), token


def query(name: str, **params) -> pd.DataFrame:
    """Run a named query on the current database; results cached per (query, parameters, data version).

    Parameters must be hashable scalars (or tuples); pass None for "all" in scope filters.
    """
    version, token = cache_key()
    return _cached(name, tuple(sorted(params.items())), version, token).copy()


def meta() -> dict[str, str]:
    """The current version's meta table as a dict (cached like every named query)."""
    return dict(query("meta").itertuples(index=False, name=None))


def is_demo() -> bool:
    """Whether the current version still holds demo rows (the 示例数据 label is shown)."""
    return meta().get("is_demo") == "true"
