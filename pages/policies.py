"""Policies and news (政策与资讯): search the policy documents, the policy behind each standard, announcements."""

import streamlit as st

from caremap.app import urlstate, widgets
from caremap.common.i18n import fmt_int, lang, t
from caremap.report import policies

scope = urlstate.current_scope()
en = lang() == "en"
st.title(t("policies.heading"))
st.caption(t("policies.intro"))
widgets.demo_note()

tab_docs, tab_news = st.tabs([t("policies.tab_policies"), t("policies.tab_news")])

with tab_docs:
    options = policies.facets()
    c1, c2, c3, c4 = st.columns([3, 1, 2, 1])
    urlstate.bind("policies_search", "")
    text = c1.text_input(t("policies.search"), key="policies_search", placeholder=t("policies.search_hint"))
    urlstate.bind("policies_level", None, [None, *options["level"]])
    level = c2.selectbox(t("policies.level"), [None, *options["level"]], key="policies_level",
                         format_func=lambda v: t("policies.all") if v is None else t(f"policies.level_{v}"),
                         placeholder=t("common.choose_placeholder"))
    urlstate.bind("policies_topic", None, [None, *options["topic"]])
    topic = c3.selectbox(t("policies.topic"), [None, *options["topic"]], key="policies_topic",
                         format_func=lambda v: t("policies.all") if v is None else t(f"policies.topic_{v}"),
                         placeholder=t("common.choose_placeholder"))
    urlstate.bind("policies_year", None, [None, *options["year"]])
    year = c4.selectbox(t("policies.year"), [None, *options["year"]], key="policies_year",
                        format_func=lambda v: t("policies.all") if v is None else str(v),
                        placeholder=t("common.choose_placeholder"))
    focus = st.query_params.get("policy")
    found = policies.put_first(policies.search(text, level, topic, year), focus)
    st.caption(t("policies.count", n=fmt_int(len(found))))
    if found.empty:
        st.info(t("policies.none"))
    for p in found.itertuples():
        title = p.title_en if en and p.title_en else p.title
        if p.code == focus:
            st.success(t("policies.focus_note", title=title))
        with st.expander(f"{title if en else f'《{title}》'} · {p.issued_on:%Y-%m-%d}", expanded=p.code == focus):
            st.markdown("  \n".join(policies.fact_lines(p, lang())))
            st.write(p.summary_en if en else p.summary_zh)
            on_it = (p.standards_en if en else p.standards_zh) or t("policies.no_standards")
            st.markdown(f"**{t('policies.standards')}**{policies.colon(lang())}{on_it}")
            if p.url:
                st.markdown(f"[{t('policies.read')} ↗]({p.url})")
    widgets.source(t("policies.policy_source", "zh"), t("policies.policy_source", "en"))

    st.subheader(t("policies.basis_heading"))
    st.dataframe(policies.basis_table(lang()), hide_index=True, width="stretch")
    widgets.source(t("policies.policy_source", "zh"), t("policies.policy_source", "en"))

with tab_news:
    news = policies.latest_announcements(scope.district, limit=200)
    st.caption(t("policies.news_scope", scope=scope.label()))
    if news.empty:
        st.info(t("policies.news_none"))
    for a in news.itertuples():
        with st.container(border=True):
            title, body = policies.announcement_text(a, lang())
            st.markdown(f"**{title}**")
            st.caption(policies.announcement_line(a, lang()))
            st.markdown(body)
            if a.link:
                st.markdown(f"[{t('policies.link')} ↗]({a.link})")
    widgets.source(t("policies.news_source", "zh"), t("policies.news_source", "en"))
