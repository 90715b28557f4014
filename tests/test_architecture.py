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


def test_every_page_leaves_the_old_pages_mechanism_before_it_draws():
    """A fresh server's first visitor to /<page> runs that file alone (Streamlit's pages/ folder): the page must
    switch to the frame (leave_pages_v1, directly or through urlstate.current_scope) before its first element,
    or the frame's rerun comes later and resets what the user already clicked (tabs, inputs)."""
    import ast

    leaves = {"leave_pages_v1", "current_scope"}
    late = []
    for page in sorted((ROOT / "pages").glob("*.py")):
        tree = ast.parse(page.read_text(encoding="utf-8"))
        for node in tree.body:
            calls = [c.func for c in ast.walk(node) if isinstance(c, ast.Call)]
            names = {getattr(f, "attr", getattr(f, "id", None)) for f in calls}
            if names & leaves:
                break
            drawn = [f for f in calls if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                     and f.value.id == "st" and f.attr not in ("session_state", "query_params", "cache_data")]
            if drawn:
                late.append(f"{page.name}:{node.lineno} st.{drawn[0].attr}")
                break
        else:
            late.append(f"{page.name}: never")
    assert late == [], late


def test_no_run_ends_with_a_forced_full_garbage_collection():
    """Streamlit's postScriptGC (a gc.collect(2) after every run) is off: with the app's libraries loaded it held
    the interpreter about 0.2 s after each run while the run's last messages waited to be sent
    (docs/performance.md, "A full garbage collection after every click")."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False


def test_a_served_app_freezes_its_startup_heap_once_and_a_test_run_never():
    """After the first whole run, the dashboard and the citizens' app move every object then alive out of the
    collector's sight (gc.freeze): a later full collection walked about 150,000 objects, 90-175 ms held by whichever
    click was being answered (docs/performance.md). Once per process; never in a test run's process (AppTest)."""
    import subprocess
    import sys

    served = ("import gc; from caremap.app import heap; assert gc.get_freeze_count() == 0; "
              "first, again = heap.freeze_once(), heap.freeze_once(); print(first, again, gc.get_freeze_count())")
    first, again, frozen = subprocess.run([sys.executable, "-c", served], cwd=ROOT, check=True, capture_output=True,
                                          text=True).stdout.split()
    assert (first, again) == ("True", "False") and int(frozen) > 10_000
    under_test = ("import gc, streamlit.testing.v1; from caremap.app import heap; "
                  "print(heap.freeze_once(), gc.get_freeze_count())")
    assert subprocess.run([sys.executable, "-c", under_test], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.split() == ["False", "0"]
    for script in ("dashboard.py", "public/app.py"):
        lines = (ROOT / script).read_text(encoding="utf-8").splitlines()
        ran = next(i for i, line in enumerate(lines) if line.startswith("nav.run()"))
        assert any(line.startswith("heap.freeze_once()") for line in lines[ran:]), script


def test_no_script_relies_on_streamlit_magic():
    """Magic is off (.streamlit/config.toml: pages compile as they are): a bare value on its own line would show
    nothing, so no page, the dashboard or the citizens' pages have one (a docstring first in a body is not one)."""
    import ast
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False
    bare = []
    scripts = [*sorted((ROOT / "pages").glob("*.py")), ROOT / "dashboard.py", *sorted((ROOT / "public").glob("*.py"))]
    for script in scripts:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            body = getattr(node, "body", None)
            for i, statement in enumerate(body if isinstance(body, list) else []):
                if not isinstance(statement, ast.Expr) or isinstance(statement.value, (ast.Call, ast.Await)):
                    continue
                if i == 0 and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str):
                    continue   # a docstring
                bare.append(f"{script.name}:{statement.lineno}")
    assert bare == [], bare


def test_every_deck_is_sent_compact():
    """A map's deck goes to the browser as maps.CompactDeck writes it (no indentation, Chinese as UTF-8), which the
    browser parses character by character: pydeck's own JSON is about 4.6 times longer. So no code builds a plain
    pdk.Deck (the pages' AppTests check the JSON the directory and social-work maps send)."""
    import re

    plain = [f"{path.relative_to(ROOT)}:{n}" for folder in ("caremap", "pages", "public")
             for path in sorted((ROOT / folder).rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if re.search(r"\b(pdk|pydeck)\.Deck\(", line)]
    assert plain == [], plain
