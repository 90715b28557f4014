"""`python -m caremap import FILE --kind …`: validate a file and publish it as a new database version."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import duckdb

from caremap import ingest
from caremap.cli import users
from caremap.common import dates
from caremap.common.crs import SYSTEMS, normalise_system
from caremap.common.i18n import t
from caremap.ingest import load
from caremap.store import access, accounts, startup, versions

HELP = "校验并导入局方数据（全部成功才写入）/ validate and import the bureau's data (all or nothing)"


def add_arguments(p) -> None:
    p.add_argument("file", help="CSV (UTF-8/GBK), XLSX or XLS; streets/communities: Shapefile (.zip, or .shp "
                                "with its .shx/.dbf/.prj beside it), GeoPackage, GeoJSON, KML (communities also "
                                "CSV/XLSX points)")
    p.add_argument("--kind", required=True, choices=ingest.KIND_NAMES)
    p.add_argument("--dry-run", action="store_true", help="只校验，不写入 / validate only, write nothing")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--replace", dest="mode", action="store_const", const="replace",
                      help="用文件替换该类数据（默认）/ the file replaces this kind's rows (default)")
    mode.add_argument("--append", dest="mode", action="store_const", const="append",
                      help="追加到现有数据 / add to the existing rows")
    p.set_defaults(mode="replace")
    p.add_argument("--db", help="database file (default: $CAREMAP_DB or var/caremap.duckdb)")
    p.add_argument("--crs", default=None,
                   help="坐标系：表格为 WGS84、GCJ02、BD09（文件无“坐标系”列时）；地理文件另可为 EPSG 代码，"
                        "如 EPSG:4547（覆盖文件声明的坐标系）/ coordinate system: WGS84, GCJ02 or BD09 for tables; "
                        "for geographic files also an EPSG code, e.g. EPSG:4547 (overrides the file's own)")
    p.add_argument("--make-valid", dest="make_valid", action="store_true",
                   help="自动修复无效（自相交）的边界 / repair invalid (self-intersecting) boundaries with make_valid")
    p.add_argument("--who", default=None, help="记录在导入日志中的操作人 / who, for import_log (default: login)")
    p.add_argument("--as-of", dest="as_of", default=None,
                   help="数据截止日期 YYYY-MM-DD（默认：服务点最新更新日期）/ the version's as-of date for comparisons")
    p.add_argument("--label", default=None, help="期次名称，如 2024年第三季度 / a name for the period")
    p.add_argument("--user", default=None,
                   help="以该账户导入（密码：$CAREMAP_USER_PASSWORD 或提示输入）；区级编辑只能追加本区数据 / "
                        "import as this account (password from $CAREMAP_USER_PASSWORD or the prompt); a district "
                        "editor appends only their district's rows")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")


def run(args) -> int:
    lang = args.lang
    as_of = dates.iso_date(args.as_of) if args.as_of else None
    if args.as_of and as_of is None:
        print(f"错误 / error: --as-of {args.as_of!r} 不是日期，应为 YYYY-MM-DD / is not a date (YYYY-MM-DD)",
              file=sys.stderr)
        return 2
    if args.crs and args.kind not in ("streets", "communities"):
        try:
            normalise_system(args.crs)
        except ValueError:
            print(f"错误 / error: --crs {args.crs!r}：表格只支持 {'、'.join(SYSTEMS)} / tables take "
                  f"{', '.join(SYSTEMS)}", file=sys.stderr)
            return 2
    path = Path(args.file)
    try:
        if path.suffix.lower() == ".shp":   # a Shapefile on disk: its sibling files travel with it, zipped
            data, path = _zip_shapefile(path)
        else:
            if path.stat().st_size > ingest.MAX_FILE_BYTES:
                raise ingest.Unreadable(t("ingest.too_big", lang, mb=ingest.MAX_FILE_BYTES // 2**20))
            data = path.read_bytes()
        if len(data) > ingest.MAX_FILE_BYTES:
            raise ingest.Unreadable(t("ingest.too_big", lang, mb=ingest.MAX_FILE_BYTES // 2**20))
    except OSError:
        print(f"{path.name}: {t('ingest.missing_file', lang)}", file=sys.stderr)
        return 2
    except ingest.Unreadable as exc:
        print(f"{path.name}: {exc}", file=sys.stderr)
        return 2
    started = startup.ensure_built(args.db)
    if message := started.message(lang):
        print(message, file=sys.stderr)
    if started.refused:
        return 1
    lay = versions.layout(args.db)
    con = duckdb.connect(str(lay.target()), read_only=True)
    try:
        checked = ingest.check(data, path.name, args.kind, con, crs=args.crs, mode=args.mode,
                               make_valid=args.make_valid)
    except ingest.Unreadable as exc:
        print(f"{path.name}: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    for line in ingest.report_lines(checked, lang):
        print(line)
    print(ingest.summary(checked, lang))
    if not checked.ok:
        print(t("data_admin.rejected", lang))
        return 1
    if args.dry_run:
        print(t("data_admin.dry_run_ok", lang))
        return 0
    account = None
    if args.user:   # an individual account: its role and district decide what it may write
        secret = os.environ.get("CAREMAP_USER_PASSWORD")
        if secret is None and sys.stdin is not None and sys.stdin.isatty():
            secret = getpass.getpass(f"{args.user} 的密码 / password: ")
        try:
            account = accounts.authenticate(args.user, secret or "", place="cli", db_file=args.db)
        except accounts.AccountError as exc:
            print(users.message(exc), file=sys.stderr)
            return 1
    else:
        password = os.environ.get("CAREMAP_ADMIN_PASSWORD")
        if password is None and sys.stdin is not None and sys.stdin.isatty():
            password = getpass.getpass("管理员密码 / admin password: ")
        if problem := access.cli_check(password):
            print(problem, file=sys.stderr)
            return 1
    try:
        result = load.publish_import(checked, data, args.mode, args.db,
                                     who=f"cli:{account.username}" if account else (args.who or versions.whoami()),
                                     as_of=as_of, label=args.label, account=account)
    except versions.PublishError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. the database folder is read-only or the disk is full
        print(f"发布失败，原数据库未改动 / publishing failed, the live database is unchanged: {exc}", file=sys.stderr)
        return 1
    print(t("data_admin.published", lang, version=result.data_version, previous=result.previous_version,
            rows=result.rows))
    for note in result.notes:
        print(f"  {note}")
    return 0


def _zip_shapefile(shp: Path) -> tuple[bytes, Path]:
    """A .shp named on the command line, zipped in memory with its .shx, .dbf, .prj, .cpg siblings."""
    import io
    import zipfile

    buf = io.BytesIO()
    shp.stat()   # a missing file raises OSError: reported as such
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for sibling in sorted(shp.parent.glob(f"{shp.stem}.*")):
            if sibling.suffix.lower() in (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj"):
                z.write(sibling, sibling.name)
    return buf.getvalue(), shp.with_suffix(".zip")
