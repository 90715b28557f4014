"""Presenter: the briefing deck full screen, one slide a screen, moved by ← → / Page Up, Page Down or a clicker."""

import streamlit as st

from caremap.app import parts, presenter, urlstate, widgets
from caremap.common.i18n import lang, t
from caremap.report import briefing
from caremap.store import db

scope = urlstate.current_scope()
st.markdown(presenter.CSS, unsafe_allow_html=True)   # no sidebar, toolbar or header: the slide is the screen

deck = briefing.outline(scope.district, scope.street, lang(), lazy=True)  # charts built one at a time
presenter.warm(deck)   # the chart pictures drawn in the background while the first slides are shown
total = len(deck.slides)
urlstate.bind("presenter_slide", 1, range(1, total + 1))   # ?presenter_slide=~3 reopens slide 3
st.session_state["presenter_slide"] = presenter.clamp(st.session_state.get("presenter_slide", 1) - 1, total) + 1


def _step(delta: int) -> None:
    st.session_state["presenter_slide"] = presenter.clamp(st.session_state["presenter_slide"] - 1 + delta, total) + 1


@parts.part
def show() -> None:
    """The slide and its controls: the next slide is this part's own run, the deck's outline is not read again."""
    index = st.session_state["presenter_slide"] - 1
    slide = deck.slide(index)
    chart = (presenter.chart_svg(slide.chart_id, deck.district, deck.street, deck.lang, db.cache_key())
             if slide.kind == "chart" and slide.chart_id else None)
    demo = db.is_demo()
    source = (t("common.source_line", source=slide.source + (t("common.demo_suffix") if demo else ""))
              if slide.source else "")
    st.markdown(presenter.slide_html(slide, chart, source), unsafe_allow_html=True)
    with st.container(key="presenter_demo"):   # a small, fixed demo mark (the slide's source line says it too)
        widgets.demo_note_short()

    with st.container(key="presenter_nav"):
        prev_col, counter_col, notes_col, next_col = st.columns([2, 5, 2, 2], vertical_alignment="center")
        prev_col.button(t("presenter.previous"), on_click=_step, args=(-1,), disabled=index == 0, key="presenter_prev",
                        shortcut="Left", width="stretch")
        counter_col.markdown(presenter.counter_html(t("presenter.counter", n=index + 1, total=total), deck.footer),
                             unsafe_allow_html=True)
        with notes_col.popover(t("presenter.notes"), width="stretch"):   # over the slide, never below it
            st.text(slide.notes)
            st.caption(t("presenter.hint"))
        next_col.button(t("presenter.next"), on_click=_step, args=(1,), disabled=index == total - 1,
                        key="presenter_next", shortcut="Right", width="stretch")
    with st.container(key="presenter_keys"):   # a clicker sends Page Up / Page Down: hidden buttons take them
        st.button("PageUp", on_click=_step, args=(-1,), key="presenter_page_up", shortcut="PageUp")
        st.button("PageDown", on_click=_step, args=(1,), key="presenter_page_down", shortcut="PageDown")


show()
