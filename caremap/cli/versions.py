"""`python -m caremap versions list|baseline|prune`: the published periods, review baselines and pruning.

`list` shows every kept version with its as-of date (数据截止日期), label and marks. `baseline VERSION` marks a
version as a review baseline (what the pages compare with by default; `--unset` removes the mark). `prune --keep N`
or `--before DATE` removes old kept versions (never the live one or a baseline; `--dry-run` only lists them). Marking
and pruning need a city administrator, as for accounts (the administrator password or `--as NAME`); both are
written to the audit log.
"""

from __future__ import annotations

import json
import sys

from caremap.cli import users
from caremap.store import versions
from caremap.store.errors import PublishError

HELP = "数据期次：列出、标记复盘基线、清理旧版本 / periods: list, mark review baselines, prune old versions"


def add_arguments(p) -> None:
    sub = p.add_subparsers(dest="action", required=True)
    lst = sub.add_parser("list", help="列出保存的版本 / list the kept versions")
    lst.add_argument("--json", action="store_true")
    b = sub.add_parser("baseline", help="标记复盘基线 / mark a review baseline")
    b.add_argument("version", help="版本号 / a data version")
    b.add_argument("--unset", action="store_true", help="取消标记 / remove the mark")
    pr = sub.add_parser("prune", help="删除旧版本（当前版本与基线除外）/ remove old versions (never live or baselines)")
    pr.add_argument("--keep", type=int, help="保留最新的 N 个版本 / keep the newest N versions")
    pr.add_argument("--before", help="删除数据截止日期早于该日的版本 / remove versions as of before YYYY-MM-DD")
    pr.add_argument("--dry-run", action="store_true", help="只列出，不删除 / list only")
    for s in sub.choices.values():
        s.add_argument("--db", help="database file (default: $CAREMAP_DB or var/caremap.duckdb)")
        if s is not lst:
            s.add_argument("--as", dest="as_user", help="以城市管理员账户操作 / act as this city_admin account")


def run(args) -> int:
    if args.action == "list":
        kept = versions.versions(args.db)
        if args.json:
            print(json.dumps(kept.assign(saved_at=kept["saved_at"].astype(str)).to_dict("records"),
                             ensure_ascii=False, indent=1))
            return 0
        for r in kept.itertuples():
            marks = " ".join(m for m, on in (("当前/live", r.live), ("基线/baseline", r.baseline)) if on)
            print(f"{r.seq:>4}  {r.data_version}  {r.as_of or '—':10}  {r.label or '—'}  {r.made_by}  {marks}")
        return 0
    if args.action == "prune" and args.keep is None and args.before is None:
        print("错误 / error: 请给出 --keep N 或 --before 日期 / give --keep N or --before DATE", file=sys.stderr)
        return 2
    actor = users.city_admin(args) if not (args.action == "prune" and args.dry_run) else "cli:dry-run"
    if actor is None:
        return 1
    try:
        if args.action == "baseline":
            versions.mark_baseline(args.version, actor, on=not args.unset, db_file=args.db)
            done = ("已取消基线标记 / no longer a baseline" if args.unset
                    else "已标记为复盘基线 / marked as a review baseline")
            print(f"{args.version}: {done}")
            return 0
        gone = versions.prune(actor, args.keep, args.before, args.dry_run, db_file=args.db)
    except PublishError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    verb = "将删除 / would remove" if args.dry_run else "已删除 / removed"
    for p in gone:
        print(f"{verb}: {p.seq:04d}-{p.data_version} ({p.as_of or '?'}, {p.bytes / 2**20:.1f} MiB)")
    if not gone:
        print("没有可删除的版本 / nothing to remove")
    return 0
