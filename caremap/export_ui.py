"""Download buttons under a chart (PNG/SVG/PDF/CSV/XLSX); files are rendered only when a button is clicked."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from caremap import export, fonts
from caremap.charts import Figure
from caremap.i18n import lang, t


def _renderer(fig: Figure, fmt: str, language: str, meta: dict) -> Callable[[], bytes]:
    # Streamlit calls this on another thread when the button is clicked: it must not touch st.* or the URL.
    return lambda: export.render(fig, fmt, language, meta)


def font_warning() -> None:
    """Warn (once per page) when no CJK font is installed: exported Chinese would show as boxes."""
    if not fonts.cjk_font_status().ok:
        st.warning(t("export.no_font"), icon="⚠️")


def export_buttons(fig: Figure, key: str | None = None) -> None:
    """A 下载 popover with one button per format for this Figure (what is exported is what is shown)."""
    language, meta = lang(), export.meta()
    prefix = key or f"export_{fig.id}"
    with st.popover(t("export.download"), icon=":material/download:", help=t("export.help")):
        font_warning()
        for fmt in export.FORMATS:
            st.download_button(t(f"export.{fmt}"), data=_renderer(fig, fmt, language, meta),
                               file_name=export.filename(fig, fmt), mime=export.MIME[fmt], key=f"{prefix}_{fmt}",
                               on_click="ignore", width="stretch")

