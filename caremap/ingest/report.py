"""What an import check tells a person: report lines, a summary, the problems table and the highlighted preview."""

from __future__ import annotations

import pandas as pd

from caremap.common.i18n import t
from caremap.ingest.problems import Checked

# ---------------------------------------------------------------- reporting and templates

def report_lines(checked: Checked, language: str = "zh") -> list[str]:
    """One line per problem, file-level first, then by row; errors before warnings within a row."""
    order = sorted(checked.problems, key=lambda p: (p.row or 0, p.severity != "error", p.column or ""))
    return [p.text(language) for p in order]


def summary(checked: Checked, language: str = "zh") -> str:
    return t("ingest.summary", language, file=checked.file_name, rows=checked.data_rows,
             accepted=checked.data_rows - checked.rows_rejected if checked.ok else 0,
             rejected=checked.rows_rejected, errors=len(checked.errors), warnings=len(checked.warnings))


def problems_table(checked: Checked, language: str = "zh") -> pd.DataFrame:
    """The problems as a table for the data page: row, column, header, value, what, fix, severity."""
    rows = []
    for p in sorted(checked.problems, key=lambda p: (p.row or 0, p.severity != "error")):
        params = dict(p.params)
        rows.append({t("ingest.col_severity", language): t(f"ingest.{p.severity}", language),
                     t("ingest.col_row", language): p.row, t("ingest.col_column", language): p.column,
                     t("ingest.col_header", language): p.header, t("ingest.col_value", language): p.value,
                     t("ingest.col_what", language): t(f"ingest.{p.code}", language, **params),
                     t("ingest.col_fix", language): t(f"ingest.{p.code}_fix", language, **params)})
    return pd.DataFrame(rows)


def styled_preview(checked: Checked):
    """The rows as read, cells with an error in red and with a warning in amber (a pandas Styler)."""
    marks = {}
    for p in checked.problems:
        if p.row is not None and p.header:
            if marks.get((p.row, p.header)) != "error":
                marks[(p.row, p.header)] = p.severity
    colours = {"error": "background-color: #f8d7da", "warning": "background-color: #fff3cd"}

    def style(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame([[colours.get(marks.get((i, c)), "") for c in frame.columns] for i in frame.index],
                            index=frame.index, columns=frame.columns)
    return checked.preview.style.apply(style, axis=None)
