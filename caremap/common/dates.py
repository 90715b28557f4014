"""Dates as people write them in spreadsheets, read one way everywhere (imports, announcements)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")  # a spreadsheet's time after the date


def parse_date(text) -> dt.date | None:
    """'2020-05-01', '2020/5/1', '2020.5.1', '2020年5月1日', '20200501', full-width digits, an Excel date serial
    that lost its format (43952), or any of these followed by a time → date(2020, 5, 1); None if not a date."""
    s = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text or ""))).strip()
    if re.fullmatch(r"[2-7]\d{4}", s):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(s))
    s = _TIME.sub("", s)
    s = s.replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-").strip("-")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    if not m:
        return None
    try:
        return dt.date(*map(int, m.groups()))
    except ValueError:
        return None


def iso_date(text) -> str | None:
    """parse_date() as 'YYYY-MM-DD', or None."""
    day = parse_date(text)
    return day.isoformat() if day else None
