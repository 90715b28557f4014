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
    """Identifies one published version of the file: a rename-in publishes a new inode."""
    stat = path.stat()
    return str(path), stat.st_ino, stat.st_mtime_ns


@st.cache_resource(max_entries=4, show_spinner=False)
def _open(path: str, inode: int, mtime_ns: int) -> duckdb.DuckDBPyConnection:
    # Read-only: pages never write; imports publish a new file and new sessions pick it up.
    return duckdb.connect(path, read_only=True)


def connect(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """The shared read-only connection to the current database file (use .cursor() per query)."""
    return _open(*_file_token(db_path(path)))


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


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
def _cached(name: str, params: tuple, version: str, path: str) -> pd.DataFrame:
    return run(connect(path), name, **dict(params))


def query(name: str, **params) -> pd.DataFrame:
    """Run a named query on the current database; results cached per (query, parameters, data version).

    Parameters must be hashable scalars (or tuples); pass None for "all" in scope filters.
    """
    path = str(db_path())
    con = connect(path)
    return _cached(name, tuple(sorted(params.items())), data_version(con), path).copy()
