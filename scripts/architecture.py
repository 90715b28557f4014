"""The import graph of caremap, and the tables of docs/architecture.md made from it.

`python3 scripts/architecture.py --write` rewrites the generated part of docs/architecture.md;
tests/test_architecture.py fails when the document and the code disagree, or when an import breaks the layer
rule or closes a cycle.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "caremap"
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- generated: scripts/architecture.py -->", "<!-- end generated -->"

# Which layer may import which: each layer uses the ones beneath it, never the ones above.
LAYERS = ("common", "store", "ingest", "report", "app", "cli")
ALLOWED = {
    "common": {"common"},
    "store": {"common", "store"},
    "ingest": {"common", "store", "ingest"},
    "report": {"common", "store", "report"},
    "app": {"common", "store", "ingest", "report", "app"},
    "cli": {"common", "store", "ingest", "report", "cli"},
    "pages": {"common", "store", "ingest", "report", "app"},
}


def module_name(path: Path) -> str:
    """caremap/store/db.py → caremap.store.db; pages/map.py → pages.map; dashboard.py → dashboard."""
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def sources() -> dict[str, Path]:
    files = (sorted(PACKAGE.rglob("*.py")) + sorted((ROOT / "pages").glob("*.py")) + [ROOT / "dashboard.py"]
             + sorted((ROOT / "public").glob("*.py")))
    return {module_name(p): p for p in files}


def layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] in ("pages", "dashboard", "public"):
        return "pages"
    if parts[0] == "caremap" and len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return None  # caremap itself, caremap.__main__


def imports(path: Path, known: set[str]) -> set[str]:
    """The caremap modules a file imports (at any depth of the file: lazy imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("caremap")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("caremap"):
            for alias in node.names:  # `from caremap.store import db` imports the module caremap.store.db
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return found


def graph() -> dict[str, set[str]]:
    files = sources()
    known = set(files)
    return {name: imports(path, known) & known for name, path in files.items()}


def layer_violations(edges: dict[str, set[str]]) -> list[str]:
    out = []
    for source, targets in sorted(edges.items()):
        here = layer(source)
        for target in sorted(targets):
            there = layer(target)
            if here and there and there not in ALLOWED[here]:
                out.append(f"{source} ({here}) imports {target} ({there})")
    return out


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in edges.get(v, ()):
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


_QUERY = re.compile(r"""\b(?:db\.query|db\.run|query)\(\s*(?:[a-z_]+,\s*)?["']([a-z0-9_]+)["']""")


def named_queries(path: Path) -> list[str]:
    return sorted(set(_QUERY.findall(path.read_text(encoding="utf-8"))))


def registered_charts() -> set[str]:
    return set(re.findall(r"""@chart\(["']([a-z0-9_]+)["']\)""", (PACKAGE / "report" / "charts.py").read_text()))


def chart_ids(path: Path) -> list[str]:
    """The registered chart ids a page names (in charts.build calls or in the lists it loops over)."""
    literals = set(re.findall(r"""["']([a-z0-9_]+)["']""", path.read_text(encoding="utf-8")))
    return sorted(literals & registered_charts())


def _short(module: str) -> str:
    return module.removeprefix("caremap.")


def tables() -> str:
    files, edges = sources(), graph()
    lines = ["### Pages: what each page uses", "",
             "| page | caremap modules it imports | named queries it runs itself | charts it builds by id |",
             "| --- | --- | --- | --- |"]
    for name, path in files.items():
        if layer(name) != "pages":
            continue
        mods = ", ".join(f"`{_short(m)}`" for m in sorted(edges[name])) or "—"
        queries = ", ".join(f"`{q}`" for q in named_queries(path)) or "—"
        charts = ", ".join(f"`{c}`" for c in chart_ids(path)) or "—"
        lines.append(f"| `{path.relative_to(ROOT)}` | {mods} | {queries} | {charts} |")
    lines += ["", "### Modules: their layer, what they import and the named queries they run", "",
              "| module | layer | imports (caremap) | named queries |", "| --- | --- | --- | --- |"]
    for name, path in files.items():
        if layer(name) in (None, "pages"):
            continue
        mods = ", ".join(f"`{_short(m)}`" for m in sorted(edges[name])) or "—"
        queries = ", ".join(f"`{q}`" for q in named_queries(path)) or "—"
        lines.append(f"| `{path.relative_to(ROOT)}` | {layer(name)} | {mods} | {queries} |")
    return "\n".join(lines) + "\n"


def document_with_tables(text: str) -> str:
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{tables()}{END}{tail}"


if __name__ == "__main__":
    if "--write" in sys.argv:
        DOC.write_text(document_with_tables(DOC.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
    else:
        print(tables())
