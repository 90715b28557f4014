"""The layer rule: app → report → store (cli → report/ingest/store), Streamlit only in caremap/app/, no import
cycles, and docs/architecture.md's tables equal to what the code imports and runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import architecture  # noqa: E402  (scripts/ is not a package)


def _non_app_modules() -> list[str]:
    return sorted(m for m in architecture.sources() if m.startswith("caremap")
                  and architecture.layer(m) not in (None, "app") and not m.endswith("__main__"))


def test_nothing_outside_the_app_package_imports_streamlit():
    """Each module below the app, imported in a fresh interpreter, leaves Streamlit unloaded."""
    modules = _non_app_modules()
    assert len(modules) > 30  # the walk found the packages
    script = ("import importlib, sys\n"
              f"for name in {modules!r}:\n"
              "    importlib.import_module(name)\n"
              "    if any(m == 'streamlit' or m.startswith('streamlit.') for m in sys.modules):\n"
              "        print(name); break\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "", f"{out.stdout.strip()} pulls in Streamlit"


def test_every_import_follows_the_layer_rule():
    assert architecture.layer_violations(architecture.graph()) == []


def test_the_rule_is_enforced_not_assumed():
    """The checker sees a report module importing the app, and a cycle, when there is one."""
    edges = {"caremap.report.charts": {"caremap.app.widgets"}, "caremap.app.widgets": set()}
    assert architecture.layer_violations(edges) == ["caremap.report.charts (report) imports caremap.app.widgets (app)"]
    assert architecture.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_there_are_no_import_cycles():
    assert architecture.cycles(architecture.graph()) == []


def test_every_module_sits_in_a_layer_package():
    loose = [m for m in architecture.sources() if m.startswith("caremap.") and architecture.layer(m) is None
             and m != "caremap.__main__"]
    assert loose == [], "caremap/ holds layer packages only"


def test_the_architecture_document_matches_the_code():
    text = architecture.DOC.read_text(encoding="utf-8")
    assert text == architecture.document_with_tables(text), "run: python3 scripts/architecture.py --write"
