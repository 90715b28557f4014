"""`python -m caremap demo [--scale N] [--seed S] [--out DIR]`: regenerate the demo data, deterministically."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from caremap.common.paths import DEMO
from caremap.ingest import demo

HELP = "重新生成示例数据 / regenerate the demo data (deterministic)"


def add_arguments(p) -> None:
    p.add_argument("--seed", type=int, default=2020)
    p.add_argument("--scale", type=int, default=1, help="multiply points, sites and service records")
    p.add_argument("--out", help="output folder (default: data/demo)")


def run(args) -> int:
    if args.scale < 1:
        print("错误 / error: --scale 必须是不小于 1 的整数 / must be a whole number ≥ 1", file=sys.stderr)
        return 2
    rows = demo.generate(seed=args.seed, scale=args.scale, out=Path(args.out) if args.out else DEMO)
    print(json.dumps(rows, ensure_ascii=False))
    return 0
