"""Public things are documented: every table and column in docs/schema.md, every CLI command in the README."""

import re
from pathlib import Path

from caremap import cli

ROOT = Path(__file__).resolve().parent.parent


def _schema_columns():
    text = (ROOT / "caremap" / "store" / "schema.sql").read_text(encoding="utf-8")
    for match in re.finditer(r"create table (\w+) \((.*?)\);", text, re.S):
        table, body = match.groups()
        for part in re.split(r",\s*(?![^()]*\))", body):
            col = part.strip().split()[0] if part.strip() else ""
            if col and col not in ("primary",):
                yield table, col


def test_every_table_and_column_is_documented():
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    sections = {m.group(1): m.start() for m in re.finditer(r"^## (\w+)$", doc, re.M)}
    missing = []
    for table, col in _schema_columns():
        if table not in sections:
            missing.append(table)
            continue
        start = sections[table]
        end = min([s for s in sections.values() if s > start] + [len(doc)])
        if not re.search(rf"\b{col}\b", doc[start:end]):
            missing.append(f"{table}.{col}")
    assert not missing, f"document in docs/schema.md: {sorted(set(missing))}"


def test_every_cli_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.COMMANDS:
        assert f"python -m caremap {name}" in readme, name
