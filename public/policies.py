"""政策与资讯: the policies on child care and protection, newest first, in plain words, and the service notices."""

import streamlit as st

from caremap.common.i18n import lang, t
from caremap.report import public
from caremap.store import db

en = lang() == "en"
st.title(t("public.policies_heading"))
st.caption(t("public.policies_intro"))
if db.is_demo():
    st.caption(t("public.demo"))
tab_docs, tab_news = st.tabs([t("public.tab_policies"), t("public.tab_news")])
with tab_docs:
    for p in public.policies().itertuples():
        title = p.title_en if en and p.title_en else p.title
        with st.container(border=True):
            st.markdown(f"**{public.plain(title if en else f'《{title}》')}**")
            st.caption(t("public.issued", issuer=p.issuer, date=f"{p.issued_on:%Y-%m-%d}"))
            st.markdown(public.plain(p.summary_en if en else p.summary_zh))
            if p.url:
                st.link_button(t("public.read_more"), p.url)
with tab_news:
    for a in public.news().itertuples():
        with st.container(border=True):
            st.markdown(f"**{public.plain(str(a.title))}**")
            st.caption(f"{a.published_on:%Y-%m-%d}")
            st.markdown(public.plain(str(a.body)))
