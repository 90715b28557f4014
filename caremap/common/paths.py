"""Where the project's files live, and which database file to use ($CAREMAP_DB overrides)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
REFERENCE = DATA / "reference"
DEMO = DATA / "demo"
TEMPLATES = DATA / "templates"
QUERIES = ROOT / "queries"
LABELS = Path(__file__).resolve().parent / "labels"
DEFAULT_DB = ROOT / "var" / "caremap.duckdb"


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The live database path: an explicit path, else $CAREMAP_DB, else var/caremap.duckdb (git-ignored).

    Absolute but not resolved: the live path is a symlink to the published version under versions/.
    """
    chosen = explicit or os.environ.get("CAREMAP_DB")
    return Path(os.path.abspath(chosen)) if chosen else DEFAULT_DB
