"""Download buttons: the 下载 menu under a chart (PNG/SVG/PDF/CSV/XLSX) and CSV/XLSX buttons under a table.

Files are rendered only when a button is clicked; their bytes come from caremap.report.files."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from caremap.common.i18n import lang, t
from caremap.report import files, fonts
from caremap.report.charts import Figure
from caremap.store import db

# Rows a list shows beside a map that had to bin its points (the heading gives the full count).
LIST_ROWS_BESIDE_BINS = 1_000


def download_buttons(df: pd.DataFrame | Callable[[], pd.DataFrame], file_stem: str, key: str) -> None:
    """CSV and XLSX download buttons side by side for a table exactly as shown (mask personal data first).

    The files are written only when a button is clicked (an XLSX of a few hundred rows takes longer than the
    rest of a page's run). Pass a function instead of a frame to defer producing the table itself, e.g. a
    full search result; it must not rely on the session (it runs when the click is served)."""
    table = df if callable(df) else (lambda: df)
    left, right = st.columns(2, width=360)
    left.download_button(t("tables.csv"), lambda: files.csv_bytes(table()), f"{file_stem}.csv", "text/csv",
                         key=f"{key}_csv", icon="⬇️", on_click="ignore")
    right.download_button(t("tables.xlsx"), lambda: files.xlsx_bytes(table()), f"{file_stem}.xlsx",
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


def _renderer(fig: Figure, fmt: str, language: str, meta: dict) -> Callable[[], bytes]:
    # Streamlit calls this on another thread when the button is clicked: it must not touch st.* or the URL.
    return lambda: files.render(fig, fmt, language, meta)


def font_warning() -> None:
    """Warn (once per page) when no CJK font is installed: exported Chinese would show as boxes."""
    if not fonts.cjk_font_status().ok:
        st.warning(t("export.no_font"), icon="⚠️")


def export_buttons(fig: Figure, key: str | None = None) -> None:
    """A 下载 popover with one button per format for this Figure (what is exported is what is shown)."""
    language, meta = lang(), db.meta()
    prefix = key or f"export_{fig.id}"
    with st.popover(t("export.download"), icon=":material/download:", help=t("export.help")):
        font_warning()
        for fmt in files.FORMATS:
            st.download_button(t(f"export.{fmt}"), data=_renderer(fig, fmt, language, meta),
                               file_name=files.filename(fig, fmt), mime=files.MIME[fmt], key=f"{prefix}_{fmt}",
                               on_click="ignore", width="stretch")

