"""`python -m caremap compare --from VERSION|DATE --to VERSION|DATE [--district CODE] [--street CODE] [--json]`:
what changed between two published versions (figures, gaps, service points, workers, units)."""

from __future__ import annotations

import json
import sys

from caremap.cli import export
from caremap.report import compare, metrics

HELP = "比较两个数据版本的变化 / what changed between two published versions"


def add_arguments(p) -> None:
    p.add_argument("--from", dest="from_", default="baseline",
                   help="版本号、日期（YYYY-MM-DD：该日或之前最新的版本）、previous 或 baseline（默认：最近的复盘基线，"
                        "没有基线时为上一期）/ a version, a date, previous, or baseline (default: the newest review "
                        "baseline, else the previous period)")
    p.add_argument("--to", default="live", help="版本号、日期或 live（默认）/ a version, a date, or live (default)")
    p.add_argument("--district", help="district code (default: whole city)")
    p.add_argument("--street", help="street code")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--db", help="database file (default: $CAREMAP_DB or var/caremap.duckdb)")


def _number(v):
    return None if v is None or v != v else (int(v) if float(v).is_integer() else round(float(v), 6))


def run(args) -> int:
    export.use_database(args.db)
    try:
        before, after = compare.resolve(args.from_, args.db), compare.resolve(args.to, args.db)
    except compare.CompareError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    if error := export.scope_error(args.district, args.street):
        print(error, file=sys.stderr)
        return 2
    result = compare.compare(before, after, args.district, args.street, args.lang)
    if args.json:
        out = {"from": {"version": before.data_version, "as_of": before.as_of, "label": before.label},
               "to": {"version": after.data_version, "as_of": after.as_of, "label": after.label},
               "district": args.district, "street": args.street,
               "metrics": [{k: (_number(v) if k not in ("id", "label") else v) for k, v in r.items()}
                           for r in result.metrics.to_dict("records")],
               "gaps": result.gap_counts(),
               "points": result.points.drop(columns=["moved_m"]).to_dict("records"),
               "workers": result.workers.to_dict("records"),
               "units": result.units.to_dict("records")}
        print(json.dumps(out, ensure_ascii=False, indent=1, default=str))
        return 0
    print(f"{before.data_version} ({before.as_of}{' ' + before.label if before.label else ''}) → "
          f"{after.data_version} ({after.as_of}{' ' + after.label if after.label else ''})")
    for r in result.metrics.itertuples():
        if r.change == r.change and r.change:   # NaN (a figure missing in either period) is no change
            share = f" ({r.share_change:+.1%})" if r.share_change == r.share_change else ""
            arrow = "▲" if r.change > 0 else "▼"
            print(f"{arrow} {r.label}: {metrics.fmt(r.id, r.before, args.lang)} → "
                  f"{metrics.fmt(r.id, r.after, args.lang)}{share}")
    counts = result.gap_counts()
    words = {k: v[1 if args.lang == "en" else 0] for k, v in compare.STATUS.items()}
    print("; ".join(f"{words[k]} {n}" for k, n in counts.items()))
    for change, n in result.points["change"].value_counts().items():
        print(f"service points {change}: {n}")
    for change, n in result.workers["change"].value_counts().items():
        print(f"posts {change}: {n}")
    if result.unchanged:
        print("没有变化 / no change")
    return 0
