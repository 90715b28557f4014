"""`python -m caremap build [--db PATH] [--dataset DIR]`: (re)build the database from data/ (atomic)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from caremap.common.paths import DEMO
from caremap.store import build, standards

HELP = "（重新）从 data/ 构建数据库 / (re)build the database from data/"


def add_arguments(p) -> None:
    p.add_argument("--db", help="database file (default: $CAREMAP_DB or var/caremap.duckdb)")
    p.add_argument("--dataset", help="data set folder (default: data/demo)")
    p.add_argument("--no-history", action="store_true",
                   help="不生成示例数据的早期期次 / skip the demo's earlier periods (built by default for demo data)")


def run(args) -> int:
    try:
        counts = build.build(args.db, dataset=Path(args.dataset) if args.dataset else DEMO)
        if not args.no_history:
            counts["history"] = build.build_history(args.db)
    except (build.BuildError, standards.StandardsError) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(counts, ensure_ascii=False))
    return 0
