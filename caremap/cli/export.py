"""`python -m caremap export CHART --format png|svg|pdf|csv|xlsx --out PATH [--district CODE]` and `export --list`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HELP = "导出图表（PNG/SVG/PDF）或其数据（CSV/XLSX） / export a chart or its data"


def add_arguments(p) -> None:
    p.add_argument("chart", nargs="?", help="chart id (see --list)")
    p.add_argument("--list", action="store_true", help="list the chart ids with their titles")
    p.add_argument("--format", choices=("png", "svg", "pdf", "csv", "xlsx"), help="file format")
    p.add_argument("--out", help="output file")
    p.add_argument("--district", help="district code, e.g. 440305 (default: whole city)")
    p.add_argument("--street", help="street code (with --district)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--db", help="database file (default: $CAREMAP_DB or var/caremap.duckdb)")


def warn_if_no_cjk_font() -> None:
    """Chinese would render as boxes: say so on stderr (the file is still written)."""
    from caremap.report import fonts

    status = fonts.cjk_font_status()
    if not status.ok:
        print(f"警告 / warning: {status.message('zh')} / {status.message('en')}", file=sys.stderr)


def use_database(path: str | None) -> None:
    """Point the named queries at --db."""
    if path:
        os.environ["CAREMAP_DB"] = os.path.abspath(path)  # the live link itself, not the version it points to


def scope_error(district: str | None, street: str | None) -> str | None:
    """A message when --district/--street name no known unit (an unknown code would export an empty chart)."""
    from caremap.store import db

    if district and district not in set(db.query("districts")["code"]):
        return f"错误 / error: 未知区代码 / unknown district code {district!r}"
    if street and street not in set(db.query("streets", district=district)["code"]):
        return f"错误 / error: 未知街道代码 / unknown street code {street!r} (in district {district})"
    return None


def run(args) -> int:
    from caremap.report import charts, files

    use_database(args.db)
    if args.list:
        for chart_id in sorted(charts.CHARTS):
            print(f"{chart_id}\t{charts.build(chart_id, lang=args.lang).title}")
        return 0
    if not (args.chart and args.format and args.out):
        print("错误 / error: 需要 CHART --format … --out … / need CHART --format … --out … (or --list)",
              file=sys.stderr)
        return 2
    if args.chart not in charts.CHARTS:
        print(f"错误 / error: 未知图表 / unknown chart {args.chart!r}; known: {', '.join(sorted(charts.CHARTS))}",
              file=sys.stderr)
        return 2
    if error := scope_error(args.district, args.street):
        print(error, file=sys.stderr)
        return 2
    if args.format in ("png", "svg", "pdf"):
        warn_if_no_cjk_font()
    fig = charts.build(args.chart, args.district, args.street, args.lang)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(files.render(fig, args.format, args.lang))
    print(out)
    return 0
