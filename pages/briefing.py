"""Briefing: choose the scope, build the 16:9 deck (PPTX) and its PDF in one click, download both."""

import streamlit as st

from caremap.app import downloads, parts, urlstate, widgets
from caremap.common.i18n import lang, t
from caremap.report import briefing
from caremap.store import db

scope = urlstate.current_scope()
st.title(t("briefing.heading"))
widgets.demo_note()
st.caption(t("briefing.intro"))
downloads.font_warning()

districts = db.query("districts")
options = [""] + districts["code"].tolist()
names = dict(zip(districts["code"], districts["name"] if lang() == "zh" else districts["name_en"]))
district = st.selectbox(t("briefing.choose_scope"), options, index=options.index(scope.district or ""),
                        format_func=lambda c: names.get(c, t("common.city")), key="briefing_district",
                        placeholder=t("common.choose_placeholder"))
if district != (scope.district or ""):
    urlstate.set_scope(district or None)  # the deck follows the sidebar scope, and the sidebar this choice
    st.rerun()

deck = briefing.outline(scope.district, scope.street, lang())
briefing.warm_in_background(deck)  # the chart pictures render while the outline is read
st.subheader(t("briefing.outline"))
for number, slide in enumerate(deck.slides, start=1):
    st.markdown(f"{number}. **{slide.title}**" + (f" — {slide.takeaway}" if slide.takeaway else ""))
if deck.skipped:
    st.info(t("briefing.skipped", ids=", ".join(deck.skipped)))


@parts.part
def build() -> None:
    """The build button and the files: building is this part's own run, the outline above is not read again."""
    files_key = (scope.district, scope.street, lang(), db.meta().get("data_version"))
    if st.button(t("briefing.build"), type="primary", key="briefing_build"):
        with st.spinner(t("briefing.building")):
            st.session_state["briefing_files"] = (files_key, briefing.pptx_file(deck), deck)  # PDF on its click

    stored = st.session_state.get("briefing_files")
    if stored and stored[0] == files_key:
        _, pptx, built = stored
        st.success(t("briefing.ready", n=len(deck.slides), scope=deck.scope_label))
        stem = f"briefing_{scope.street or scope.district or 'city'}"
        left, right = st.columns(2)
        left.download_button(t("briefing.download_pptx"), pptx, file_name=f"{stem}.pptx", key="briefing_pptx",
                             mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                             on_click="ignore", type="primary", width="stretch")
        right.download_button(t("briefing.download_pdf"), lambda: briefing.to_pdf(built), file_name=f"{stem}.pdf",
                              mime="application/pdf",
                              key="briefing_pdf", on_click="ignore", width="stretch")


build()
widgets.source(t("briefing.sources", "zh"), t("briefing.sources", "en"))
