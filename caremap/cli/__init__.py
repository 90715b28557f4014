"""Command line: `python -m caremap COMMAND …` (see README). One module per command in this package.

Every command module has the same protocol: HELP (one line, Chinese / English), add_arguments(parser) and
run(args) -> exit code. Modules are imported only when their command runs (or for --help), so a quick
command never pays for a slow one's imports.
"""

from __future__ import annotations

import argparse
import importlib

COMMANDS = {  # command name → module in this package
    "build": "build",
    "demo": "demo",
    "reference": "reference",
    "import": "import_",
    "export": "export",
    "briefing": "briefing",
    "metrics": "metrics",
    "compare": "compare",
    "versions": "versions",
    "bench": "bench",
    "users": "users",
    "serve": "serve",
}


def command(name: str):
    """The module of a command."""
    return importlib.import_module(f"caremap.cli.{COMMANDS[name]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m caremap", description="CareMap Shenzhen command line")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        module = command(name)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
    args = parser.parse_args(argv)
    return command(args.command).run(args)
