"""Tiny fixture databases made in code: the real schema (caremap/store/schema.sql) and only the given rows.

Each test builds the handful of rows whose answer it knows by construction, instead of reading the demo data.
"""

from __future__ import annotations

import duckdb

from caremap.store import build


def schema_db(path=None, rows: dict[str, list[dict]] | None = None, derive: bool = False) -> duckdb.DuckDBPyConnection:
    """A writable connection to a new database (in memory without a path) with the real schema, the given rows
    ({table: [{column: value}, ...]}) and, when `derive`, the derived tables every published version carries."""
    con = duckdb.connect(str(path) if path else ":memory:")
    con.execute(build.SCHEMA.read_text(encoding="utf-8"))
    for table, records in (rows or {}).items():
        insert(con, table, records)
    if derive:
        build.derive(con)
    return con


def insert(con: duckdb.DuckDBPyConnection, table: str, records: list[dict]) -> None:
    """Insert rows given as dicts, by column name (values as parameters)."""
    if table not in build.TABLES:
        raise ValueError(f"unknown table {table!r}")
    for rec in records:
        cols = ", ".join(rec)
        con.execute(f"insert into {table} ({cols}) values ({', '.join('?' * len(rec))})", list(rec.values()))


def read_only(path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)
