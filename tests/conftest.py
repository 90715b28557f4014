"""Shared fixtures: a demo database built once per test session, pointed to by $CAREMAP_DB."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from caremap import build

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


@pytest.fixture(scope="session", autouse=True)
def demo_db(tmp_path_factory) -> Path:
    """The demo data built into a session database; every test (and AppTest) reads it via $CAREMAP_DB."""
    path = tmp_path_factory.mktemp("db") / "caremap.duckdb"
    build.build(path)
    old = os.environ.get("CAREMAP_DB")
    os.environ["CAREMAP_DB"] = str(path)
    yield path
    if old is None:
        os.environ.pop("CAREMAP_DB", None)
    else:
        os.environ["CAREMAP_DB"] = old


@pytest.fixture()
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


def app_test(script: str, district: str | None = None, street: str | None = None, lang: str | None = None,
             timeout: float = 60):
    """An AppTest of a page or the dashboard with the scope set in the URL, run once."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / script), default_timeout=timeout)
    if district:
        at.query_params["district"] = district
    if street:
        at.query_params["street"] = street
    if lang:
        at.query_params["lang"] = lang
    at.run()
    return at
