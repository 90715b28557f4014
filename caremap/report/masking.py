"""Personal-data masking (names 张*明, phones 138****5678): the one function pages and exports use.

Worker names and phone numbers are personal data: every page and export outside the admin data page
shows them only through mask_personal(). Service-point phones are public institution numbers and are
not masked (they are not passed through here).
"""

from __future__ import annotations

import re

import pandas as pd

# Columns holding personal data, by the names queries and exports give them.
NAME_COLUMNS = {"name", "worker_name", "姓名", "Name"}
PHONE_COLUMNS = {"phone", "worker_phone", "电话", "联系电话", "Phone"}

_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1\d{2})[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_MOBILE = re.compile(r"^(\+?86)?(1\d{2})(\d{4})(\d{4})$")
_LANDLINE = re.compile(r"^(0\d{2,3})(\d{3,4})(\d{4})$")


def mask_name(value) -> str | None:
    """张三明 → 张*明, 张三 → 张*, 欧阳小明 → 欧**明; a single character becomes *; empty stays empty."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    if not text:
        return text
    if len(text) == 1:
        return "*"
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_phone(value) -> str | None:
    """13812345678 → 138****5678, 0755-12345678 → 0755-****5678; other numbers keep only the last 4 digits."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    digits = re.sub(r"[\s\-()]", "", text)
    if not digits:
        return text
    if m := _MOBILE.match(digits):
        return f"{m.group(2)}****{m.group(4)}"
    if m := _LANDLINE.match(digits):
        return f"{m.group(1)}-{'*' * len(m.group(2))}{m.group(3)}"
    only = re.sub(r"\D", "", digits)
    if len(only) <= 4:
        return "*" * len(only)
    return "*" * (len(only) - 4) + only[-4:]


def mask_mobiles(value):
    """Mobile numbers inside any text masked (138****5678); landlines and other text unchanged.

    For public records (service points) whose phone or address should show an institution's landline but
    might carry a person's mobile number.
    """
    if not isinstance(value, str):
        return value
    return _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(3)}", value)


def mask_personal(df: pd.DataFrame, account=None) -> pd.DataFrame:
    """A copy of df with every personal name and phone column masked (see NAME_COLUMNS, PHONE_COLUMNS), except in
    the rows an `account` may see unmasked (Account.sees_personal by the row's district_code: a district editor
    their district, a city administrator all). No account: everything masked."""
    out = df.copy()
    if account is not None and "district_code" in out.columns:
        open_rows = out["district_code"].map(account.sees_personal).astype(bool)
    else:
        open_rows = pd.Series(False, index=out.index)
    for col in out.columns:
        if col in NAME_COLUMNS:
            out[col] = out[col].where(open_rows, out[col].map(mask_name)).astype(object)
        elif col in PHONE_COLUMNS:
            out[col] = out[col].where(open_rows, out[col].map(mask_phone)).astype(object)
    return out


def unmasked_rows(df: pd.DataFrame, account=None) -> int:
    """How many rows of df an account sees unmasked (what the audit log records for a view or an export)."""
    if account is None or "district_code" not in df.columns:
        return 0
    return int(df["district_code"].map(account.sees_personal).sum())
