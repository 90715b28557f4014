"""Command line: `python -m caremap build|demo|reference|import|export|briefing|bench …` (see README)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

# name → module; each module has add_arguments(parser) and run(args) -> exit code (see DESIGN.md), and its
# docstring's first line (or a HELP string) is the command's help.
COMMANDS = {
    "build": "caremap.cli",
    "demo": "caremap.cli",
    "reference": "caremap.cli",
    "import": "caremap.importer",
    "bench": "caremap.bench",
    "export": "caremap.exporter",
    "briefing": "caremap.briefer",
}


class _Build:
    HELP = "（重新）从 data/ 构建数据库 / (re)build the database from data/"

    @staticmethod
    def add_arguments(p):
        p.add_argument("--db", help="database file (default: $CAREMAP_DB or var/caremap.duckdb)")
        p.add_argument("--dataset", help="data set folder (default: data/demo)")

    @staticmethod
    def run(args) -> int:
        from caremap import build, standards
        from caremap.paths import DEMO
        try:
            counts = build.build(args.db, dataset=Path(args.dataset) if args.dataset else DEMO)
        except (build.BuildError, standards.StandardsError) as exc:
            print(f"错误 / error: {exc}", file=sys.stderr)
            return 1
        print(json.dumps(counts, ensure_ascii=False))
        return 0


class _Demo:
    HELP = "重新生成示例数据 / regenerate the demo data (deterministic)"

    @staticmethod
    def add_arguments(p):
        p.add_argument("--seed", type=int, default=2020)
        p.add_argument("--scale", type=int, default=1, help="multiply points, sites and service records")
        p.add_argument("--out", help="output folder (default: data/demo)")

    @staticmethod
    def run(args) -> int:
        from caremap import demo
        from caremap.paths import DEMO
        if args.scale < 1:
            print("错误 / error: --scale 必须是不小于 1 的整数 / must be a whole number ≥ 1", file=sys.stderr)
            return 2
        rows = demo.generate(seed=args.seed, scale=args.scale, out=Path(args.out) if args.out else DEMO)
        print(json.dumps(rows, ensure_ascii=False))
        return 0


class _Reference:
    HELP = "从固定版本的公开数据包重新生成 data/reference / regenerate data/reference (needs the registries)"

    @staticmethod
    def add_arguments(p):
        p.add_argument("--cache", help="folder for the downloaded packages")

    @staticmethod
    def run(args) -> int:
        from caremap import reference
        return reference.main(args.cache)


_LOCAL = {"build": _Build, "demo": _Demo, "reference": _Reference}


def _command(name: str):
    module = COMMANDS[name]
    if module == __name__:
        return _LOCAL[name]
    return importlib.import_module(module)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m caremap", description="CareMap Shenzhen command line")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        cmd = _command(name)
        text = getattr(cmd, "HELP", None) or getattr(cmd, "help", None) or (cmd.__doc__ or "").strip().split("\n")[0]
        p = sub.add_parser(name, help=text, description=text)
        cmd.add_arguments(p)
    args = parser.parse_args(argv)
    return _command(args.command).run(args)
