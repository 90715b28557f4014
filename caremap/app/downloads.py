"""Download buttons: the 下载 menu under a chart (PNG/SVG/PDF/CSV/XLSX) and CSV/XLSX buttons under a table.

Files are rendered only when a button is clicked; their bytes come from caremap.report.files."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pandas as pd
import streamlit as st

from caremap.common.i18n import lang, t
from caremap.report import files, fonts, terms
from caremap.report.charts import Figure
from caremap.store import db

# Rows a list shows beside a map that had to bin its points (the heading gives the full count).
LIST_ROWS_BESIDE_BINS = 1_000


def download_buttons(df: pd.DataFrame | Callable[[], pd.DataFrame], title: str, key: str,
                     definition: str | None = None, source: str | None = None) -> None:
    """The 下载 menu under a table, in the style of a chart's: CSV (data only, UTF-8 with BOM) and a report-ready
    XLSX (title, scope, data date and version, definition, source and 示例数据 above a frozen, filtered header),
    both named <title>_<place>_<data date>. Mask personal data first: the table is exported as shown.

    The files are written only when a button is clicked. Pass a function instead of a frame to defer producing the
    table itself, e.g. a full search result; it must not rely on the session (it runs when the click is served).
    The table also joins the page's all-sheets workbook (导出本页)."""
    from caremap.app import urlstate

    table = df if callable(df) else (lambda: df)
    language, meta = lang(), db.meta()
    scope_label = urlstate.current_scope().label(language)
    lines = files.table_lines(title, scope_label, language, definition, source, meta)
    name = files.stem(title, scope_label, meta)
    _register(key, lambda: files.Sheet(title, lines, table()))
    with st.popover(t("export.download"), icon=":material/download:", help=t("export.table_help")):
        st.download_button(t("export.csv"), lambda: files.csv_bytes(table()), f"{name}.csv", files.MIME["csv"],
                           key=f"{key}_csv", on_click="ignore", width="stretch")
        st.download_button(t("export.xlsx"), lambda: files.table_xlsx(table(), lines), f"{name}.xlsx",
                           files.MIME["xlsx"], key=f"{key}_xlsx", on_click="ignore", width="stretch")


# --- 导出本页: every table and chart a page run offered, in one workbook -------------------------------------------

_PAGE = "_page_exports"


def begin_page() -> None:
    """Forget the previous run's tables (dashboard.py calls it before the page runs). A new dict each run: the page
    workbook's button reads the one of the run that drew it, which a part of the page rerunning alone (st.fragment)
    updates under the same keys."""
    st.session_state[_PAGE] = {}


_OWNER = "_page_exports_owner"   # the part of the page (caremap.app.parts) whose body is running, if any


def _register(key: str, sheet: Callable[[], files.Sheet]) -> None:
    st.session_state.setdefault(_PAGE, {})[key] = (st.session_state.get(_OWNER), sheet)


@contextlib.contextmanager
def offered_by(part: str, alone: bool) -> Iterator[None]:
    """The tables offered inside belong to this part of the page; when it reruns alone, the ones it offered in its
    previous run are dropped first (it offers what it shows now)."""
    sheets = st.session_state.get(_PAGE)
    if alone and sheets:
        for key in [k for k, (owner, _) in sheets.items() if owner == part]:
            del sheets[key]
    st.session_state[_OWNER] = part
    try:
        yield
    finally:
        st.session_state[_OWNER] = None


def page_workbook_button(page_title: str) -> None:
    """One download of every table and chart's data the page offers, a sheet each (nothing when there was none): what
    its parts show when the button is clicked, as they may have rerun alone since."""
    from caremap.app import urlstate

    sheets = st.session_state.get(_PAGE) or {}
    if not sheets:
        return
    scope_label = urlstate.current_scope().label()
    name = files.stem(f"{t('export.page_file')}_{page_title}", scope_label)
    st.divider()
    st.download_button(t("export.page_all"), lambda: files.workbook([make() for _, make in list(sheets.values())]),
                       f"{name}.xlsx", files.MIME["xlsx"], key="export_page_all", icon=":material/table_view:",
                       on_click="ignore", help=t("export.page_all_help"))


def localise(df: pd.DataFrame, section: str, columns: list[str]) -> pd.DataFrame:
    """The given columns of df, renamed to their labels `<section>.col_<column>` in the session's language; in English
    place names and vocabulary (owning systems, roles, domains …) as caremap.report.terms gives them."""
    return terms.frame(df[columns]).rename(columns={c: t(f"{section}.col_{c}") for c in columns})


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
    _register(prefix, lambda: files.figure_sheet(fig, language, meta))
    with st.popover(t("export.download"), icon=":material/download:", help=t("export.help")):
        font_warning()
        for fmt in files.FORMATS:
            st.download_button(t(f"export.{fmt}"), data=_renderer(fig, fmt, language, meta),
                               file_name=files.filename(fig, fmt, meta), mime=files.MIME[fmt], key=f"{prefix}_{fmt}",
                               on_click="ignore", width="stretch")

