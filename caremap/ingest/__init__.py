"""Reading, normalising and checking the bureau's own files before an import, and loading them.

`check(data, file_name, kind, con)` reads what people really send (GBK CSV, title rows, notes, header
synonyms, full-width digits, variant place names, GCJ-02/BD-09 coordinates, swapped lat/lon) and returns
the rows ready for the table plus one Problem per row problem; `load.publish_import` publishes a checked
file as a new version. Modules: read (files to rows), normalise (text, names, dates,
phones), validate (one table kind against the reference), geography (boundaries and locations), problems
(Problem, Checked), checks (the entry point for any kind), report (what a person reads), templates, load; demo
and reference generate the data sets the build reads.

The names below are the package's public face, used by the app, the command line and the tests.
"""

from caremap.ingest.checks import check, check_current
from caremap.ingest.normalise import parse_phone
from caremap.ingest.problems import Checked, Problem
from caremap.ingest.read import MAX_FILE_BYTES, Unreadable, cell_text, read_rows
from caremap.ingest.report import problems_table, report_lines, styled_preview, summary
from caremap.ingest.templates import template_bytes, write_templates
from caremap.ingest.validate import FIELDS, KIND_NAMES, TABLE_KINDS

__all__ = ["FIELDS", "KIND_NAMES", "TABLE_KINDS", "MAX_FILE_BYTES", "Checked", "Problem", "Unreadable", "cell_text",
           "check", "check_current", "parse_phone", "problems_table", "read_rows", "report_lines",
           "styled_preview", "summary", "template_bytes", "write_templates"]
