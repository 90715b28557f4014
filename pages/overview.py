"""Overview: the headline figures of the network for the chosen scope, beside the published ones."""

import streamlit as st

from caremap.app import downloads, guide, urlstate, widgets
from caremap.common import facts
from caremap.common.i18n import lang, t
from caremap.report import charts, metrics, policies

scope = urlstate.current_scope()
st.title(t("overview.heading"))
st.caption(t("overview.scope_note", scope=scope.label()))
widgets.demo_note()

guide.first_run_guide()
values = metrics.values(**scope.params())

st.subheader(t("overview.network"))
cols = st.columns(3)
for col, (metric_id, pub) in zip(cols, [("service_points", "service_points"), ("supervisors_in_post", "supervisors"),
                                        ("directors_in_post", "directors")]):
    widgets.metric(col, metric_id, values, scope, pub)

st.subheader(t("overview.social_work"))
cols = st.columns(5)
for col, key in zip(cols, ["sw_orgs", "social_workers", "sw_projects", "sw_sites", "person_times"]):
    widgets.metric(col, key, values, scope, key)

st.caption(t("overview.published_note"))
widgets.source(facts.SEED_SOURCE, facts.SEED_SOURCE_EN)
if lang() == "zh":
    st.caption(facts.UNITS_CAVEAT_ZH)
else:
    st.caption(facts.UNITS_CAVEAT_EN)

fig = charts.build("points_by_system", lang=lang(), **scope.params())
st.subheader(fig.title)
st.altair_chart(fig.chart, width="stretch")
st.caption(fig.takeaway)
downloads.export_buttons(fig)

st.subheader(t("policies.latest_news"))  # the latest three announcements (政策与资讯 page has them all)
latest = policies.latest_announcements(scope.district, limit=3)
for a in latest.itertuples():
    st.markdown(f"{policies.announcement_line(a, lang())} · **{policies.announcement_text(a, lang())[0]}**")
if latest.empty:
    st.caption(t("policies.news_none"))
widgets.source(t("policies.news_source", "zh"), t("policies.news_source", "en"))
