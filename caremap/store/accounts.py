"""Individual accounts, roles scoped by place, and the append-only audit log.

Kept in accounts.sqlite beside the live database, not in the published versions: a rollback of the data must
not bring back a disabled account or erase what was audited. Passwords are stored as salted scrypt hashes
(hashlib.scrypt: `scrypt$<n>$<r>$<p>$<salt>$<hash>`, base64); complexity, expiry and lockout follow RULES (the
[accounts] section of the secrets file may change them). The audit table refuses updates and deletes.

Roles: viewer (reads, personal data masked), district_editor (imports for their own district only),
city_admin (everything: every district, users, rollback).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from caremap.common import config
from caremap.store import sidecar

ROLES = ("viewer", "district_editor", "city_admin")
WRITERS = ("district_editor", "city_admin")
DEFAULT_RULES = {"min_length": 10, "min_classes": 3, "expiry_days": 180, "max_failures": 5, "lock_minutes": 15,
                 "session_minutes": 30}   # a logged-in session left idle this long is logged out
_N, _R, _P = 2 ** 14, 8, 1
_SCHEMA = """
create table if not exists users (
    username text primary key, display_name text, role text not null, district_code text,
    password_hash text not null, password_set_at text not null, failed_attempts integer not null default 0,
    locked_until text, disabled integer not null default 0, created_at text not null, created_by text
);
create table if not exists audit (
    id integer primary key autoincrement, at text not null, who text not null, event text not null,
    what text, place text
);
create trigger if not exists audit_no_update before update on audit begin select raise(abort, 'append-only'); end;
create trigger if not exists audit_no_delete before delete on audit begin select raise(abort, 'append-only'); end;
"""


class AccountError(ValueError):
    """Refused: `code` names why (label accounts.<code>)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    district_code: str | None
    display_name: str | None = None

    @property
    def can_write(self) -> bool:
        return self.role in WRITERS

    def sees_personal(self, district_code: str | None) -> bool:
        """Whether this account may see the names and phones of workers in a district: a city administrator
        everywhere, a district editor in their own district, a viewer nowhere."""
        if self.role == "city_admin":
            return True
        return self.role == "district_editor" and district_code is not None and district_code == self.district_code


SHARED_ADMIN = Account("admin", "city_admin", None, "共享管理员密码 / shared administrator password")


def rules() -> dict:
    given = config.secrets_section("accounts") or {}
    return {k: int(given.get(k, v)) for k, v in DEFAULT_RULES.items()}


def store_path(db_file=None) -> Path:
    return sidecar.path("accounts.sqlite", db_file)


def _connect(db_file=None) -> sqlite3.Connection:
    return sidecar.connect("accounts.sqlite", _SCHEMA, db_file)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now()


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt((password or "").encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def check_complexity(password: str, rule: dict | None = None) -> None:
    rule = rule or rules()
    classes = sum(bool(re.search(p, password or "")) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if len(password or "") < rule["min_length"] or classes < rule["min_classes"]:
        raise AccountError("weak_password", min_length=rule["min_length"], min_classes=rule["min_classes"])


def audit(event: str, who: str, what: str = "", place: str = "", db_file=None, now: dt.datetime | None = None,
          con: sqlite3.Connection | None = None) -> None:
    """Append one row to the audit log (who, when, what, from where)."""
    own = con is None
    con = con or _connect(db_file)
    try:
        with con:
            con.execute("insert into audit (at, who, event, what, place) values (?, ?, ?, ?, ?)",
                        (_now(now).isoformat(timespec="seconds"), who or "?", event, what or "", place or ""))
    finally:
        if own:
            con.close()


def audit_log(db_file=None, event: str | None = None) -> pd.DataFrame:
    con = _connect(db_file)
    try:
        return pd.read_sql_query("select id, at, who, event, what, place from audit where ? is null or event = ? "
                                 "order by id", con, params=(event, event))
    finally:
        con.close()


def audit_search(events: list[str] | None = None, who: str | None = None, since: str | None = None,
                 until: str | None = None, text: str | None = None, db_file=None,
                 limit: int = 5_000) -> pd.DataFrame:
    """The audit log filtered, newest first (at most `limit` rows): events among `events`, `who` and `text` as
    substrings (who; what or place), from `since` to `until` (YYYY-MM-DD, both days included)."""
    con = _connect(db_file)
    try:
        events = list(events or [])
        sql = ("select id, at, who, event, what, place from audit where (? = 0 or event in (select value from "
               "json_each(?))) and (? is null or instr(lower(who), lower(?)) > 0) and (? is null or at >= ?) "
               "and (? is null or at < date(?, '+1 day')) and (? is null or instr(lower(coalesce(what, '') || ' ' "
               "|| coalesce(place, '')), lower(?)) > 0) order by id desc limit ?")
        params = [len(events), json.dumps(events), who or None, who or None, since or None, since or None,
                  until or None, until or None, text or None, text or None, limit]
        return pd.read_sql_query(sql, con, params=params)
    finally:
        con.close()


def audit_events(db_file=None) -> list[str]:
    con = _connect(db_file)
    try:
        return [r[0] for r in con.execute("select distinct event from audit order by event")]
    finally:
        con.close()


def add(username: str, password: str, role: str, district: str | None = None, display_name: str | None = None,
        actor: str = "cli", db_file=None, now: dt.datetime | None = None) -> Account:
    username = (username or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{2,40}", username):
        raise AccountError("bad_username")
    if role not in ROLES:
        raise AccountError("bad_role", roles="、".join(ROLES))
    if role == "district_editor" and not district:
        raise AccountError("district_needed")
    check_complexity(password)
    con = _connect(db_file)
    try:
        with con:
            if con.execute("select 1 from users where username = ?", (username,)).fetchone():
                raise AccountError("exists", username=username)
            stamp = _now(now).isoformat(timespec="seconds")
            con.execute("insert into users (username, display_name, role, district_code, password_hash, "
                        "password_set_at, created_at, created_by) values (?, ?, ?, ?, ?, ?, ?, ?)",
                        (username, display_name, role, district if role == "district_editor" else None,
                         hash_password(password), stamp, stamp, actor))
        audit("user_add", actor, f"{username} ({role}{' ' + district if district else ''})", con=con, now=now)
    finally:
        con.close()
    return Account(username, role, district if role == "district_editor" else None, display_name)


def _update(username: str, sql: str, params: tuple, event: str, actor: str, db_file, now) -> None:
    con = _connect(db_file)
    try:
        with con:
            cur = con.execute(sql, (*params, username))
            if cur.rowcount != 1:
                raise AccountError("unknown_user", username=username)
        audit(event, actor, username, con=con, now=now)
    finally:
        con.close()


def disable(username: str, actor: str = "cli", db_file=None, now: dt.datetime | None = None) -> None:
    _update(username, "update users set disabled = 1 where username = ?", (), "user_disable", actor, db_file, now)


def reset(username: str, password: str, actor: str = "cli", db_file=None, now: dt.datetime | None = None) -> None:
    """A new password (and the account unlocked and enabled again)."""
    check_complexity(password)
    stamp = _now(now).isoformat(timespec="seconds")
    _update(username, "update users set password_hash = ?, password_set_at = ?, failed_attempts = 0, "
            "locked_until = null, disabled = 0 where username = ?", (hash_password(password), stamp),
            "user_reset", actor, db_file, now)


def users(db_file=None) -> pd.DataFrame:
    """Every account without its hash: username, name, role, district, disabled, locked until, password age."""
    con = _connect(db_file)
    try:
        return pd.read_sql_query("select username, display_name, role, district_code, disabled, locked_until, "
                                 "password_set_at, created_at, created_by from users order by username", con)
    finally:
        con.close()


def any_accounts(db_file=None) -> bool:
    con = _connect(db_file)
    try:
        return con.execute("select count(*) from users").fetchone()[0] > 0
    finally:
        con.close()


def authenticate(username: str, password: str, place: str = "", db_file=None,
                 now: dt.datetime | None = None) -> Account:
    """The account for a correct password, or AccountError (unknown, wrong, locked, disabled, expired); each
    attempt is audited, and max_failures wrong passwords in a row lock the account for lock_minutes."""
    rule, moment = rules(), _now(now)
    con = _connect(db_file)
    try:
        row = con.execute("select username, role, district_code, display_name, password_hash, password_set_at, "
                          "failed_attempts, locked_until, disabled from users where username = ?",
                          ((username or "").strip(),)).fetchone()
        who = (username or "").strip()[:40] or "?"
        if row is None:
            audit("login_failed", who, "unknown user", place, con=con, now=now)
            raise AccountError("wrong")
        name, role, district, display, stored, set_at, failures, locked_until, disabled = row
        if disabled:
            audit("login_failed", name, "disabled", place, con=con, now=now)
            raise AccountError("disabled")
        if locked_until and dt.datetime.fromisoformat(locked_until) > moment:
            audit("login_failed", name, "locked", place, con=con, now=now)
            raise AccountError("locked", until=locked_until[11:16])
        if not verify_password(password, stored):
            failures += 1
            lock = (moment + dt.timedelta(minutes=rule["lock_minutes"])).isoformat(timespec="seconds") \
                if failures >= rule["max_failures"] else None
            with con:
                con.execute("update users set failed_attempts = ?, locked_until = ? where username = ?",
                            (0 if lock else failures, lock, name))
            audit("login_locked" if lock else "login_failed", name, "wrong password", place, con=con, now=now)
            raise AccountError("locked" if lock else "wrong", until=(lock or "")[11:16])
        with con:
            con.execute("update users set failed_attempts = 0, locked_until = null where username = ?", (name,))
        if dt.datetime.fromisoformat(set_at) + dt.timedelta(days=rule["expiry_days"]) < moment:
            audit("login_failed", name, "password expired", place, con=con, now=now)
            raise AccountError("expired", days=rule["expiry_days"])
        audit("login_ok", name, role, place, con=con, now=now)
        return Account(name, role, district, display)
    finally:
        con.close()


def single_sign_on(username: str, role: str | None = None, district: str | None = None, place: str = "sso",
                   db_file=None, now: dt.datetime | None = None) -> Account:
    """The account of a user the bureau's identity provider has signed in (OIDC through st.login): the role and
    district from the token's claims when it carries them (a district editor must have a district), else the enabled
    account of the same username in the users table; AccountError otherwise. Every attempt is audited."""
    who = (username or "").strip()[:80]
    if not who:
        audit("login_failed", "?", "single sign-on without a username", place, db_file=db_file, now=now)
        raise AccountError("wrong")
    if role:
        if role not in ROLES or (role == "district_editor" and not district):
            audit("login_failed", who, f"single sign-on with role {role!r}", place, db_file=db_file, now=now)
            raise AccountError("bad_role", roles="、".join(ROLES))
        account = Account(who, role, district if role == "district_editor" else None, "sso")
    else:
        con = _connect(db_file)
        try:
            row = con.execute("select username, role, district_code, display_name, disabled from users "
                              "where username = ?", (who,)).fetchone()
        finally:
            con.close()
        if row is None or row[4]:
            audit("login_failed", who, "single sign-on: no enabled account", place, db_file=db_file, now=now)
            raise AccountError("disabled" if row else "wrong")
        account = Account(row[0], row[1], row[2], row[3])
    audit("login_ok", account.username, f"single sign-on as {account.role}", place, db_file=db_file, now=now)
    return account
