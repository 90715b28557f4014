"""The one entry point for checking a file of any kind: tables (validate) or geography (geography)."""

from __future__ import annotations

from caremap.ingest import geography, validate
from caremap.ingest.problems import Checked
from caremap.store import db


def check(data: bytes, file_name: str, kind: str, con, crs: str | None = None, mode: str = "replace",
          make_valid: bool = False) -> Checked:
    """Read and validate one file of `kind` against the database on `con`; raises Unreadable (exit 2).
    `make_valid` repairs invalid boundaries (geography only)."""
    if kind in geography.GEO_KINDS:
        checked = geography.check_geography(data, file_name, kind, con, crs=crs, mode=mode, make_valid=make_valid)
    else:
        checked = validate.check(data, file_name, kind, con, crs=crs, mode=mode)
    checked.base_version = db.data_version(con)
    checked.options = {"crs": crs, "mode": mode, "make_valid": make_valid}
    return checked


def check_current(data: bytes, file_name: str, kind: str, crs: str | None = None, mode: str = "replace",
                  db_file=None, make_valid: bool = False) -> Checked:
    """check() against the live database (the data page's entry point); raises Unreadable."""
    return check(data, file_name, kind, db.connect(db_file), crs=crs, mode=mode, make_valid=make_valid)
