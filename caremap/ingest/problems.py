"""What a check of one file finds: a Problem per cell, feature or file, and the Checked outcome of the file."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from caremap.common.i18n import t


@dataclass(frozen=True)
class Problem:
    """One problem in one cell (or the whole file when row is None), rendered from labels/ingest.toml."""
    file: str
    row: int | None
    column: str | None      # the spreadsheet column letter, as Excel shows it
    header: str | None      # the header text as written in the file
    value: str
    code: str               # label key in ingest.toml: what is wrong; <code>_fix: how to fix it
    params: tuple = ()
    severity: str = "error"
    unit: str = "row"       # "feature": a geographic file's feature number, not a spreadsheet row

    def text(self, language: str = "zh") -> str:
        p = dict(self.params)
        what = t(f"ingest.{self.code}", language, **p)
        fix = t(f"ingest.{self.code}_fix", language, **p)
        sev = t(f"ingest.{self.severity}", language)
        if self.row is None:
            return t("ingest.file_line", language, severity=sev, file=self.file, what=what, fix=fix)
        if self.unit == "feature":
            return t("ingest.feature_line", language, severity=sev, file=self.file, row=self.row,
                     header=self.header or "-", value=self.value, what=what, fix=fix)
        return t("ingest.row_line", language, severity=sev, file=self.file, row=self.row, col=self.column,
                 header=self.header, value=self.value, what=what, fix=fix)


@dataclass
class Checked:
    """The outcome of check(): table-ready rows, problems, and the file as read for the preview."""
    kind: str
    file_name: str
    sha256: str
    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    data_rows: int = 0
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    new_orgs: pd.DataFrame = field(default_factory=pd.DataFrame)
    # what it was checked against and how: publishing re-checks the same file when another import got in first
    base_version: str = ""
    options: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors and self.data_rows > 0

    @property
    def rows_rejected(self) -> int:
        return len({p.row for p in self.errors if p.row is not None})
