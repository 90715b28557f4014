"""The test command also lints: ruff over the Python, sqlfluff (DuckDB dialect) over queries/ and the derivations."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_sqlfluff():
    derived = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "caremap" / "store").glob("derive_*.sql"))
    assert derived, "the derivation statements (caremap/store/derive_*.sql) are linted too"
    out = subprocess.run([sys.executable, "-m", "sqlfluff", "lint", "queries/", *derived], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]


def test_pages_hold_no_sql():
    for page in (ROOT / "pages").glob("*.py"):
        text = page.read_text(encoding="utf-8").lower()
        assert "select " not in text or " from " not in text, f"{page.name} holds SQL: move it to queries/"
        assert "duckdb" not in text and "read_csv" not in text, f"{page.name} reads data itself"
