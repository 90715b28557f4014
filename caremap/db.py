"""The database connection (one per process and file version) and named queries from queries/*.sql."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from caremap.paths import QUERIES, db_path

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


@st.cache_resource(max_entries=4, show_spinner=False)
def _open(path: str, inode: int, mtime_ns: int) -> duckdb.DuckDBPyConnection:
    # Read-only: pages never write; imports publish a new file and new sessions pick it up.
    return duckdb.connect(path, read_only=True)


_PIN = "_caremap_db_token"


def _session_state():
    """The session's state inside a Streamlit script run, else None (CLI, tests without a runtime)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return st.session_state if get_script_run_ctx(suppress_warning=True) is not None else None


def pin() -> None:
    """Fix the database version for the rest of this script run, so that one page never mixes two
    published versions (an import may publish a new file mid-run). dashboard.py calls it first."""
    state = _session_state()
    if state is not None:
        live = db_path()
        state[_PIN] = (str(live), _file_token(live))


def _token(path: str | os.PathLike | None = None) -> tuple[str, int, int]:
    live = db_path(path)
    state = _session_state()
    pinned = state.get(_PIN) if state is not None else None
    if pinned and pinned[0] == str(live) and os.path.exists(pinned[1][0]):
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


def data_version(con: duckdb.DuckDBPyConnection | None = None) -> str:
    con = con or connect()
    cur = con.cursor()
    try:
        return cur.execute("select value from meta where key = 'data_version'").fetchone()[0]
    finally:
        cur.close()


@lru_cache(maxsize=16)
def _version_of(token: tuple[str, int, int]) -> str:
    return data_version(_open(*token))


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
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
