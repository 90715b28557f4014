"""Citizens' corrections and questions (纠错 / 提问) from the public view: a review queue, never published by itself.

The queue is its own small SQLite file beside the live database (feedback.sqlite), not a table of the published
versions: a report is a write from any visitor and must neither publish a new data version nor wait for the
import lock. Reports are limited in size and rate (per browser session and per client address, a sliding minute);
administrators read them on the data page and accept or reject each one. Text is stored and shown as text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from caremap.store import sidecar

MAX_CHARS = 500
MAX_CONTACT_CHARS = 60
PER_MINUTE = 5           # reports per session and per client address within any 60 seconds
KINDS = ("wrong_info", "question")
STATUSES = ("new", "accepted", "rejected")
_SCHEMA = """
create table if not exists feedback (
    id integer primary key autoincrement, received_at text not null, point_id text, point_name text,
    kind text not null, body text not null, contact text, session_hash text not null, client_hash text not null,
    status text not null default 'new', reviewed_by text, reviewed_at text, note text
)"""


class FeedbackRefused(ValueError):
    """A report that is not stored: `code` names why (label feedback.<code>)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def queue_path(db_file=None) -> Path:
    return sidecar.path("feedback.sqlite", db_file)


def _connect(db_file=None) -> sqlite3.Connection:
    return sidecar.connect("feedback.sqlite", _SCHEMA, db_file)


def _hash(value: str) -> str:
    """Who sent it, as a salted digest: enough to count a sender's reports, not to know who they are."""
    return hashlib.sha256(f"caremap-feedback:{value}".encode()).hexdigest()[:16]


def clean(text: str | None) -> str:
    """Printable text (line breaks kept), trimmed (the callers refuse what is too long: never cut)."""
    kept = "".join(ch for ch in str(text or "") if ch in "\n" or unicodedata.category(ch)[0] != "C")
    return kept.strip()


@dataclass(frozen=True)
class Stored:
    id: int


def submit(kind: str, body: str, session_id: str, client: str, point_id: str | None = None,
           point_name: str | None = None, contact: str | None = None, db_file=None,
           now: dt.datetime | None = None) -> Stored:
    """Store one report in the queue, or raise FeedbackRefused (empty, too_long, bad_kind, too_many)."""
    if kind not in KINDS:
        raise FeedbackRefused("bad_kind")
    text = clean(body)
    if not text:
        raise FeedbackRefused("empty")
    if len(text) > MAX_CHARS:
        raise FeedbackRefused("too_long")
    contact = clean(contact) or None
    if contact and len(contact) > MAX_CONTACT_CHARS:
        raise FeedbackRefused("contact_too_long")
    now = now or dt.datetime.now()
    since = (now - dt.timedelta(seconds=60)).isoformat(timespec="seconds")
    session_hash, client_hash = _hash(session_id), _hash(client or "unknown")
    con = _connect(db_file)
    try:
        with con:   # one transaction: the count and the insert together
            recent = con.execute("select count(*) from feedback where received_at > ? and (session_hash = ? or "
                                 "client_hash = ?)", (since, session_hash, client_hash)).fetchone()[0]
            if recent >= PER_MINUTE:
                raise FeedbackRefused("too_many")
            cur = con.execute("insert into feedback (received_at, point_id, point_name, kind, body, contact, "
                              "session_hash, client_hash) values (?, ?, ?, ?, ?, ?, ?, ?)",
                              (now.isoformat(timespec="seconds"), point_id, point_name, kind, text, contact,
                               session_hash, client_hash))
            return Stored(int(cur.lastrowid))
    finally:
        con.close()


def queue(status: str | None = None, db_file=None) -> pd.DataFrame:
    """The reports, newest first (all, or of one status), without the senders' digests."""
    con = _connect(db_file)
    try:
        return pd.read_sql_query(
            "select id, received_at, status, kind, point_id, point_name, body, contact, reviewed_by, reviewed_at "
            "from feedback where ? is null or status = ? order by id desc", con, params=(status, status))
    finally:
        con.close()


def decide(report_id: int, status: str, who: str, note: str | None = None, db_file=None) -> None:
    """Mark a report accepted or rejected (what an administrator then changes goes through an import)."""
    if status not in ("accepted", "rejected"):
        raise ValueError(f"status must be accepted or rejected, not {status!r}")
    con = _connect(db_file)
    try:
        with con:
            cur = con.execute("update feedback set status = ?, reviewed_by = ?, reviewed_at = ?, note = ? "
                              "where id = ?", (status, who, dt.datetime.now().isoformat(timespec="seconds"),
                                               clean(note) or None, int(report_id)))
            if cur.rowcount != 1:
                raise KeyError(report_id)
    finally:
        con.close()
