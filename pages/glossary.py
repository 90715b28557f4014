"""Glossary (术语与口径): every figure's definition, unit, source and value at the scope, and the words gap, vacant
and no record, all read from the metrics layer (caremap/report/metrics.toml)."""

import streamlit as st

from caremap.app import downloads, urlstate, widgets
from caremap.common.i18n import lang, t
from caremap.report import metrics

scope = urlstate.current_scope()
st.title(t("glossary.heading"))
st.caption(t("glossary.intro"))
widgets.demo_note()

urlstate.bind("glossary_q", "")
found = st.text_input(t("glossary.search"), key="glossary_q").strip().lower()

st.subheader(t("glossary.terms"))
terms = metrics.terms(lang())
if found:
    terms = terms[terms["term"].str.lower().str.contains(found, regex=False)
                  | terms["definition"].str.lower().str.contains(found, regex=False)]
for row in terms.itertuples():
    st.markdown(f"**{row.term}**  \n{row.definition}")

st.subheader(t("glossary.figures"))
table = metrics.table(scope.district, scope.street, lang())
if found:
    table = table[table["label"].str.lower().str.contains(found, regex=False)
                  | table["definition"].str.lower().str.contains(found, regex=False)
                  | table["id"].str.contains(found, regex=False)]
shown = table[["label", "shown", "unit", "definition", "source", "id"]].rename(columns={
    "label": t("glossary.col_label"), "shown": t("glossary.values_at", scope=scope.label()),
    "unit": t("glossary.col_unit"), "definition": t("glossary.col_definition"), "source": t("glossary.col_source"),
    "id": t("glossary.col_id")})
st.dataframe(shown, hide_index=True, key="glossary_table")
downloads.download_buttons(shown, t("glossary.title"), "glossary")
