"""Tables users download: CSV (UTF-8 with BOM, so Excel reads the Chinese) and XLSX bytes, and the two buttons."""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import streamlit as st

from caremap.export import neutralise
from caremap.i18n import t

# Rows a list shows beside a map that had to bin its points (the heading gives the full count).
LIST_ROWS_BESIDE_BINS = 1_000


def _safe(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as formulas ('=…', '+…') are kept as text (export.neutralise)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(neutralise)
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    return _safe(df).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        _safe(df).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buf.getvalue()


def download_buttons(df: pd.DataFrame | Callable[[], pd.DataFrame], file_stem: str, key: str) -> None:
    """CSV and XLSX download buttons side by side for a table exactly as shown (mask personal data first).

    The files are written only when a button is clicked (an XLSX of a few hundred rows takes longer than the
    rest of a page's run). Pass a function instead of a frame to defer producing the table itself, e.g. a
    full search result; it must not rely on the session (it runs when the click is served)."""
    table = df if callable(df) else (lambda: df)
    left, right = st.columns(2, width=360)
    left.download_button(t("tables.csv"), lambda: csv_bytes(table()), f"{file_stem}.csv", "text/csv",
                         key=f"{key}_csv", icon="⬇️", on_click="ignore")
    right.download_button(t("tables.xlsx"), lambda: xlsx_bytes(table()), f"{file_stem}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
                          icon="⬇️", on_click="ignore")


def localise(df: pd.DataFrame, section: str, columns: list[str]) -> pd.DataFrame:
    """The given columns of df, renamed to their labels `<section>.col_<column>` in the session's language."""
    return df[columns].rename(columns={c: t(f"{section}.col_{c}") for c in columns})


def column_config(df: pd.DataFrame, **extra) -> dict:
    """Dates shown as dates (YYYY-MM-DD), not timestamps; plus any extra column settings."""
    dates = {c: st.column_config.DateColumn(format="YYYY-MM-DD") for c in df.columns
             if pd.api.types.is_datetime64_any_dtype(df[c]) or df[c].map(type).astype(str).str.contains("date").any()}
    return {**dates, **extra}
