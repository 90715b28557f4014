"""The service directory's search: substring (literal, case-insensitive) and pinyin initials ("ftjd" → 福田街道).

The initials come from caremap.store.initials, derived when a version is published; a search is one named query,
directory_search, with no Python loop over the points.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from caremap.report import masking
from caremap.store import db

PAGE_SIZE = 20
MAX_QUERY_CHARS = 100


def normalise(text: str | None) -> str:
    """The search text as the query receives it: trimmed, without control characters, at most 100 characters."""
    if not text:
        return ""
    cleaned = "".join(ch for ch in str(text) if ch.isprintable())
    return cleaned.strip()[:MAX_QUERY_CHARS]


@dataclass(frozen=True)
class Result:
    rows: pd.DataFrame
    total: int
    page: int
    pages: int


def _params(text, district, street, category, system) -> dict:
    return {"search": normalise(text), "district": district, "street": street, "category": category,
            "system": system}


def _run(con, **params) -> pd.DataFrame:
    rows = db.run(con, "directory_search", **params) if con is not None else db.query("directory_search", **params)
    for col in ("phone", "address"):  # institution phones are public; a mobile number in them is a person's
        rows[col] = rows[col].map(masking.mask_mobiles)
    return rows


def search(text: str | None = "", district: str | None = None, street: str | None = None,
           category: str | None = None, system: str | None = None, page: int = 1, page_size: int = PAGE_SIZE,
           con: duckdb.DuckDBPyConnection | None = None) -> Result:
    """One page (1-based) of the service points matching the search and filters, with the total count."""
    page = max(1, int(page))
    params = _params(text, district, street, category, system)
    rows = _run(con, **params, page_size=page_size, page_start=(page - 1) * page_size)
    if rows.empty and page > 1:  # a page past the end (the result shrank): show the first page instead
        return search(text, district, street, category, system, 1, page_size, con)
    total = int(rows["total"].iloc[0]) if len(rows) else 0
    return Result(rows.drop(columns="total"), total, page, max(1, -(-total // page_size)))


def search_all(text: str | None = "", district: str | None = None, street: str | None = None,
               category: str | None = None, system: str | None = None,
               con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """Every matching service point (for the CSV/XLSX download)."""
    rows = _run(con, **_params(text, district, street, category, system), page_size=None, page_start=0)
    return rows.drop(columns="total")
