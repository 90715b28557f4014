"""Small SQLite files kept beside the live database, outside the published versions (accounts and the audit log,
citizens' reports): written by any session at any time, never rolled back with the data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from caremap.common.paths import db_path


def path(name: str, db_file=None) -> Path:
    return Path(db_path(db_file)).parent / name


def connect(name: str, schema: str, db_file=None) -> sqlite3.Connection:
    """A connection to <database folder>/<name>, its schema created if missing (waits up to 10 s for a writer)."""
    target = path(name, db_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(target, timeout=10)
    con.executescript(schema)
    return con
