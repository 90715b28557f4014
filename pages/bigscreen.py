"""Big screen (数据大屏): a dark wall screen of the scope's key figures, map, gap ranking and trend; with
?bigscreen_cycle=~N it moves through the city and each district every N seconds."""

import streamlit as st

from caremap.app import bigscreen, presenter, urlstate, widgets
from caremap.common.i18n import lang, t
from caremap.report import charts, metrics
from caremap.report.scope import resolve
from caremap.store import db

scope = urlstate.current_scope()
st.markdown(bigscreen.CSS, unsafe_allow_html=True)   # no sidebar, toolbar or header: the screen is the page
urlstate.bind("bigscreen_cycle", 0, [0, 10, 15, 20, 30, 60, 120, 300])   # seconds; 0: stays on the scope
seconds = st.session_state["bigscreen_cycle"]
language = lang()
codes = db.query("districts")["code"].tolist()
key = db.cache_key()
if seconds:   # moving through the districts: their pictures drawn ahead, in the background
    presenter.warm_charts([job for d in codes if d != scope.district for job in (
        (bigscreen.MAP, d, None, language, key, True),
        (bigscreen.TREND, d, None, language, key, True, bigscreen.TREND_SIZE))])
st.session_state["bigscreen_full_run"] = True   # the screen's own reruns (auto-advance) do not pass here
st.session_state.setdefault("bigscreen_district", scope.district)
if st.session_state.pop("bigscreen_scope_seen", None) != scope.district:   # a new scope from the link
    st.session_state["bigscreen_district"] = scope.district
st.session_state["bigscreen_scope_seen"] = scope.district


@st.fragment(run_every=seconds or None)
def screen() -> None:
    if not st.session_state.pop("bigscreen_full_run", False):   # a timed rerun: the next place
        st.session_state["bigscreen_district"] = bigscreen.cycle(codes, st.session_state["bigscreen_district"])
    district = st.session_state["bigscreen_district"]
    values = metrics.values(district, None)
    fig = charts.build(bigscreen.MAP, district, None, language)
    meta = t("bigscreen.meta", scope=resolve(district).label(language), date=db.meta().get("data_date", ""))
    st.markdown(bigscreen.screen_html(
        title=t("bigscreen.heading"), meta=meta,
        values=values, ranked=bigscreen.ranking(district, language),
        map_svg=presenter.chart_svg(bigscreen.MAP, district, None, language, key, True),
        trend_svg=presenter.chart_svg(bigscreen.TREND, district, None, language, key, True, bigscreen.TREND_SIZE),
        language=language, source=t("common.source_line", source=fig.source)), unsafe_allow_html=True)
    with st.container(key="bigscreen_marks"):   # small, fixed at the top right: demo data, auto-advance
        widgets.demo_note_short()
        if seconds:
            st.caption(t("bigscreen.cycle_note", seconds=seconds))


screen()
