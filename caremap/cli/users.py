"""`python -m caremap users add|disable|reset|list`: individual accounts and their roles (caremap.store.accounts).

Managing accounts needs a city administrator: the administrator password of the secrets file (as for imports,
$CAREMAP_ADMIN_PASSWORD or the prompt) or, with --as NAME, a city_admin account ($CAREMAP_USER_PASSWORD or the
prompt). New passwords come from $CAREMAP_NEW_PASSWORD or are typed twice at the prompt, never on the command line.
"""

from __future__ import annotations

import getpass
import json
import os
import sys

from caremap.common.i18n import t
from caremap.store import access, accounts

HELP = "账户与角色 / accounts and roles (add, disable, reset, list)"
def message(exc: accounts.AccountError) -> str:
    return f"{t(f'accounts.{exc.code}', 'zh', **exc.params)} / {t(f'accounts.{exc.code}', 'en', **exc.params)}"


def add_arguments(p) -> None:
    sub = p.add_subparsers(dest="action", required=True)
    a = sub.add_parser("add", help="新建账户 / create an account")
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=accounts.ROLES)
    a.add_argument("--district", help="区级编辑的所属区代码，如 440305 / the district of a district_editor")
    a.add_argument("--name", dest="display_name", help="姓名或部门 / display name")
    for name, text in (("disable", "停用账户 / disable an account"), ("reset", "重置密码并解锁 / new password, "
                                                                             "unlocked")):
        s = sub.add_parser(name, help=text)
        s.add_argument("username")
    lst = sub.add_parser("list", help="列出账户（不含密码）/ list the accounts (no hashes)")
    lst.add_argument("--json", action="store_true")
    for s in sub.choices.values():
        s.add_argument("--db", help="database file (default: $CAREMAP_DB or var/caremap.duckdb)")
        s.add_argument("--as", dest="as_user", help="以城市管理员账户操作 / act as this city_admin account")


def _secret(env: str, prompt: str) -> str | None:
    value = os.environ.get(env)
    if value is None and sys.stdin is not None and sys.stdin.isatty():
        value = getpass.getpass(prompt)
    return value


def city_admin(args) -> str | None:
    """Who acts (for the audit log), or None after printing why not."""
    if args.as_user:
        try:
            account = accounts.authenticate(args.as_user, _secret("CAREMAP_USER_PASSWORD", "密码 / password: ") or "",
                                            place="cli", db_file=args.db)
        except accounts.AccountError as exc:
            print(message(exc), file=sys.stderr)
            return None
        if account.role != "city_admin":
            print("只有城市管理员（city_admin）能管理账户 / only a city_admin manages accounts", file=sys.stderr)
            return None
        return f"cli:{account.username}"
    if problem := access.cli_check(_secret("CAREMAP_ADMIN_PASSWORD", "管理员密码 / admin password: ")):
        print(problem, file=sys.stderr)
        return None
    return "cli:admin"


def _new_password() -> str | None:
    value = os.environ.get("CAREMAP_NEW_PASSWORD")
    if value is None and sys.stdin is not None and sys.stdin.isatty():
        value = getpass.getpass("新密码 / new password: ")
        if getpass.getpass("再输入一次 / again: ") != value:
            print("两次输入不一致 / the two entries differ", file=sys.stderr)
            return None
    if not value:
        print("需要新密码：设置 CAREMAP_NEW_PASSWORD 或在提示时输入 / a new password is needed", file=sys.stderr)
    return value or None


def run(args) -> int:
    actor = city_admin(args)
    if actor is None:
        return 1
    try:
        if args.action == "list":
            table = accounts.users(args.db)
            if args.json:
                print(json.dumps(table.to_dict("records"), ensure_ascii=False))
            else:
                print(table.to_string(index=False) if len(table) else "（没有账户 / no accounts）")
            return 0
        if args.action == "disable":
            accounts.disable(args.username, actor, args.db)
            print(f"已停用 {args.username} / disabled")
            return 0
        password = _new_password()
        if password is None:
            return 1
        if args.action == "add":
            made = accounts.add(args.username, password, args.role, args.district, args.display_name, actor, args.db)
            print(f"已新建 {made.username}（{made.role}{'，' + made.district_code if made.district_code else ''}）"
                  " / created")
        else:
            accounts.reset(args.username, password, actor, args.db)
            print(f"已重置 {args.username} 的密码并解锁 / password reset, unlocked")
        return 0
    except accounts.AccountError as exc:
        print(message(exc), file=sys.stderr)
        return 1
