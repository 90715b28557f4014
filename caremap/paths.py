"""Where the project's files live, and which database file to use ($CAREMAP_DB overrides)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
REFERENCE = DATA / "reference"
DEMO = DATA / "demo"
TEMPLATES = DATA / "templates"
QUERIES = ROOT / "queries"
LABELS = Path(__file__).resolve().parent / "labels"
DEFAULT_DB = ROOT / "var" / "caremap.duckdb"


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database file: an explicit path, else $CAREMAP_DB, else var/caremap.duckdb (git-ignored)."""
    if explicit:
        return Path(explicit).resolve()
    env = os.environ.get("CAREMAP_DB")
    return Path(env).resolve() if env else DEFAULT_DB
