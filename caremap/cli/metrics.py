"""`python -m caremap metrics [--district CODE] [--street CODE] [--json] [--lang en]`: every figure of a scope."""

from __future__ import annotations

import json
import sys

from caremap.cli import export
from caremap.report import metrics, scope

HELP = "列出范围内每个数字及其定义和来源 / every figure of a scope with its definition and source"


def add_arguments(p) -> None:
    p.add_argument("--district", help="district code, e.g. 440305 (default: whole city)")
    p.add_argument("--street", help="street code (with --district, or alone)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--db", help="database file (default: $CAREMAP_DB or var/caremap.duckdb)")


def run(args) -> int:
    export.use_database(args.db)
    district = args.district
    if args.street and not district:  # a street code names its district (its first six digits)
        district = args.street[:6]
    if error := export.scope_error(district, args.street):
        print(error, file=sys.stderr)
        return 2
    table = metrics.table(district, args.street, args.lang)
    place = scope.label_of(district, args.street, args.lang)
    if args.json:
        values = metrics.values(district, args.street)  # the values themselves, not the frame's floats
        rows = [{**{k: v for k, v in r.items() if k not in ("query", "value")}, "value": values[r["id"]]}
                for r in table.to_dict("records")]
        print(json.dumps({"scope": place, "district": district, "street": args.street, "metrics": rows},
                         ensure_ascii=False, indent=1))
        return 0
    print(place)
    for r in table.itertuples():
        print(f"{r.id}\t{r.label}\t{r.shown}\t{r.unit}\t{r.definition}\t{r.source}")
    return 0
