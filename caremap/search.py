"""The service directory's search: substring (in SQL, escaped) and pinyin initials ("ftjd" → 福田街道).

Initials are computed in Python with pypinyin for every point name, street name and category name, once
per data version; a search made only of Latin letters also matches the points whose name, street or
category has those initials. Everything else about the search is the named query directory_search.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass

import duckdb
import pandas as pd
from pypinyin import Style, pinyin

from caremap import db, masking

PAGE_SIZE = 20
MAX_QUERY_CHARS = 100
_MAX_VARIANTS = 16  # polyphonic characters (长, 重, 行 …): at most this many initials readings per name
_INITIALS_QUERY = re.compile(r"[a-z]{2,}")

_lock = threading.Lock()
_indexes: dict[str, dict[str, tuple[str, ...]]] = {}  # data version → {point id: initials variants}


def initials(text: str | None) -> tuple[str, ...]:
    """The pinyin initials of a name, one string per reading: 福田街道 → ('ftjd',); Latin letters kept, lowercased."""
    if not text:
        return ()
    options = []
    for chunk in pinyin(str(text), style=Style.FIRST_LETTER, heteronym=True, errors=lambda s: list(s)):
        letters = sorted({c.lower() for c in chunk if c.isascii() and c.isalnum()})
        if letters:
            options.append(letters)
    if not options:
        return ()
    variants = itertools.islice(("".join(p) for p in itertools.product(*options)), _MAX_VARIANTS)
    return tuple(dict.fromkeys(variants))


def normalise(text: str | None) -> str:
    """The search text as the query receives it: trimmed, without control characters, at most 100 characters."""
    if not text:
        return ""
    cleaned = "".join(ch for ch in str(text) if ch.isprintable())
    return cleaned.strip()[:MAX_QUERY_CHARS]


def _index(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    """{point id: every initials reading of its name, street and category}, cached per data version."""
    version = db.data_version(con)
    with _lock:
        if version in _indexes:
            return _indexes[version]
    names = db.run(con, "directory_names")
    cache: dict[str, tuple[str, ...]] = {}
    index = {}
    for row in names.itertuples(index=False):
        keys = []
        for value in (row.name, row.street_name, row.category_name):
            if value not in cache:
                cache[value] = initials(value)
            keys.extend(cache[value])
        index[row.id] = tuple(keys)
    with _lock:
        if len(_indexes) >= 4:  # bounded: old data versions drop out
            _indexes.pop(next(iter(_indexes)))
        _indexes[version] = index
    return index


def pinyin_ids(text: str, con: duckdb.DuckDBPyConnection | None = None) -> tuple[str, ...]:
    """Ids of the points whose name, street or category initials contain the text (only for ≥ 2 Latin letters)."""
    key = re.sub(r"\s+", "", normalise(text)).lower()
    if not _INITIALS_QUERY.fullmatch(key):
        return ()
    index = _index(con or db.connect())
    return tuple(pid for pid, keys in index.items() if any(key in k for k in keys))


@dataclass(frozen=True)
class Result:
    rows: pd.DataFrame
    total: int
    page: int
    pages: int


def _params(text, district, street, category, system, con) -> dict:
    search_text = normalise(text)
    return {"search": search_text, "pinyin_ids": pinyin_ids(search_text, con), "district": district,
            "street": street, "category": category, "system": system}


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
    params = _params(text, district, street, category, system, con)
    rows = _run(con, **params, page_size=page_size, page_start=(page - 1) * page_size)
    if rows.empty and page > 1:  # a page past the end (the result shrank): show the first page instead
        return search(text, district, street, category, system, 1, page_size, con)
    total = int(rows["total"].iloc[0]) if len(rows) else 0
    return Result(rows.drop(columns="total"), total, page, max(1, -(-total // page_size)))


def search_all(text: str | None = "", district: str | None = None, street: str | None = None,
               category: str | None = None, system: str | None = None,
               con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """Every matching service point (for the CSV/XLSX download)."""
    rows = _run(con, **_params(text, district, street, category, system, con), page_size=None, page_start=0)
    return rows.drop(columns="total")
