"""Presenter: the briefing deck one slide at a time, in large type, with previous/next (← →)."""

import streamlit as st

from caremap.app import presenter, urlstate, widgets
from caremap.common.i18n import lang, t
from caremap.report import briefing

scope = urlstate.current_scope()
widgets.demo_note()
st.markdown(presenter.CSS, unsafe_allow_html=True)

deck = briefing.outline(scope.district, scope.street, lang(), lazy=True)  # charts built one at a time
total = len(deck.slides)
st.session_state["presenter_index"] = presenter.clamp(st.session_state.get("presenter_index", 0), total)


def _step(delta: int) -> None:
    st.session_state["presenter_index"] = presenter.clamp(st.session_state["presenter_index"] + delta, total)


index = st.session_state["presenter_index"]
slide = deck.slide(index)

st.markdown(presenter.heading_html(slide), unsafe_allow_html=True)
if slide.kind == "chart" and slide.figure is not None:
    st.altair_chart(presenter.enlarge(slide.figure.chart), width="stretch", height=620, key=f"presenter_chart_{index}")
else:
    st.markdown(presenter.body_html(slide), unsafe_allow_html=True)
if slide.source:
    widgets.source(slide.source)

prev_col, counter_col, next_col = st.columns([1, 2, 1], vertical_alignment="center")
prev_col.button(t("presenter.previous"), on_click=_step, args=(-1,), disabled=index == 0, key="presenter_prev",
                shortcut="Left", width="stretch", icon=":material/arrow_back:")
counter_col.markdown(presenter.counter_html(t("presenter.counter", n=index + 1, total=total), deck.footer),
                     unsafe_allow_html=True)
next_col.button(t("presenter.next"), on_click=_step, args=(1,), disabled=index == total - 1, key="presenter_next",
                shortcut="Right", width="stretch", icon=":material/arrow_forward:")
with st.expander(t("presenter.notes")):
    st.text(slide.notes)
st.caption(t("presenter.hint"))
