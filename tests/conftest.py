"""Shared fixtures: a demo database built once per test session, pointed to by $CAREMAP_DB."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from caremap.common import chromium
from caremap.store import build

ROOT = Path(__file__).resolve().parent.parent


def pytest_runtest_setup(item):
    """Browser tests need Debian's Chromium and Playwright: without them they are skipped, saying why."""
    if item.get_closest_marker("browser") is None:
        return
    if chromium.executable() is None:
        pytest.skip("needs Debian chromium at /usr/bin/chromium (apt-get install chromium; scripts/install-dev.sh)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("needs Playwright (pip install -r requirements-dev.txt)")
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


@pytest.fixture(autouse=True)
def _server_past_its_first_run(monkeypatch):
    """AppTest makes every run a fresh server: it resets Streamlit's pages/ flag before each run, so each run of
    dashboard.py would first run the page alone and then rerun into the frame, losing the click that run carried.
    A real server leaves that old mechanism once, on its first run (caremap/app/pages_v1.py; the browser tests open
    a fresh server's first page by its URL); the AppTests run as a server does from then on."""
    from streamlit.runtime import pages_manager

    original = pages_manager.PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        pages_manager.PagesManager.uses_pages_directory = False

    monkeypatch.setattr(pages_manager.PagesManager, "__init__", init)


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


ADMIN_PASSWORD = "test-admin-password"


@pytest.fixture(scope="session", autouse=True)
def admin_secrets(tmp_path_factory):
    """A secrets file with an admin password for the import CLI (the repo never holds one)."""
    import hashlib

    path = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    digest = hashlib.sha256(ADMIN_PASSWORD.encode()).hexdigest()
    path.write_text(f'[admin]\npassword_sha256 = "{digest}"\n', encoding="utf-8")
    saved = {k: os.environ.get(k) for k in ("CAREMAP_SECRETS_FILE", "CAREMAP_ADMIN_PASSWORD")}
    os.environ["CAREMAP_SECRETS_FILE"] = str(path)
    os.environ["CAREMAP_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    yield path
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture()
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


def app_test(script: str, district: str | None = None, street: str | None = None, lang: str | None = None,
             timeout: float = 60, **params):
    """An AppTest of a page or the dashboard with the scope (and any other `params`, e.g. coverage_tab="gaps") set
    in the URL, run once."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / script), default_timeout=timeout)
    for name, value in params.items():
        at.query_params[name] = value
    if district:
        at.query_params["district"] = district
    if street:
        at.query_params["street"] = street
    if lang:
        at.query_params["lang"] = lang
    at.run()
    return at


@pytest.fixture()
def downloads(monkeypatch):
    """Every file a page offers for download during an AppTest run, immediate or deferred (a callable)."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.testing.v1 import app_test as app_test_module

    managers = []

    class Recording(MediaFileManager):
        def __init__(self, storage):
            super().__init__(storage)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)

    def content(proto) -> bytes:
        for mgr in managers:
            if proto.deferred_file_id and proto.deferred_file_id in mgr._deferred_callables:
                data = mgr._deferred_callables[proto.deferred_file_id]["callable"]()
                return data.encode("utf-8") if isinstance(data, str) else bytes(data)
            name = proto.url.rsplit("/", 1)[-1]
            if proto.url and name.split(".")[0] in mgr._storage._files_by_id:
                return mgr._storage.get_file(name).content
        raise AssertionError(f"download {proto.id} not found")

    def files(at) -> dict[str, bytes]:
        """{widget key (or id) of each download button: the bytes it serves}."""
        return {b.proto.id.rsplit("-", 1)[-1]: content(b.proto) for b in at.get("download_button")}

    def names(at) -> dict[str, str]:
        """{widget key of each deferred download button: the file name the browser saves it under}."""
        return {b.proto.id.rsplit("-", 1)[-1]: entry["filename"] for b in at.get("download_button") for mgr in managers
                if (entry := mgr._deferred_callables.get(b.proto.deferred_file_id))}

    files.names = names
    return files


def xlsx_table(blob: bytes, dtype=None):
    """The table of a report-ready workbook: its header row is the one just above the frozen panes."""
    import io
    import re

    import openpyxl
    import pandas as pd

    frozen = openpyxl.load_workbook(io.BytesIO(blob)).active.freeze_panes
    first_data_row = int(re.sub(r"\D", "", frozen))
    return pd.read_excel(io.BytesIO(blob), header=first_data_row - 2, dtype=dtype)
