"""The first-run guide on the Overview: shown until dismissed, and remembered in the browser (a cookie), not per
rerun or per session."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from caremap.common.i18n import t

COOKIE = "caremap_guide"
_DISMISSED = "guide_dismissed"  # session flag: the cookie is read on the next visit, the flag hides it now
_SET_COOKIE = "guide_set_cookie"


def _dismiss() -> None:
    st.session_state[_DISMISSED] = True
    st.session_state[_SET_COOKIE] = True


def _link(page: str, label: str, icon: str) -> None:
    """A link to a page of the navigation; plain text when the page runs on its own (a test of one page)."""
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitPageNotFoundError:
        st.markdown(f"- {label}")


def dismissed() -> bool:
    return bool(st.session_state.get(_DISMISSED)) or st.context.cookies.get(COOKIE) == "dismissed"


def first_run_guide() -> None:
    """What CareMap is for, what 示例数据 means, three things to try, own data, where definitions are."""
    if st.session_state.pop(_SET_COOKIE, False):
        # A year; SameSite=Lax and the app's own path: the cookie goes to this app only, never elsewhere.
        st.html(f"<script>document.cookie = '{COOKIE}=dismissed; max-age=31536000; path=/; SameSite=Lax';</script>",
                unsafe_allow_javascript=True)
    if dismissed():
        return
    with st.container(border=True, key="overview_guide"):
        st.markdown(f"#### {t('overview.guide_title')}")
        st.markdown(t("overview.guide_what"))
        st.markdown(t("overview.guide_demo"))
        st.markdown(t("overview.guide_try"))
        for page, key, icon in (("pages/coverage.py", "coverage", ":material/fact_check:"),
                                ("pages/map.py", "map", ":material/map:"),
                                ("pages/briefing.py", "briefing", ":material/slideshow:")):
            _link(page, t(f"overview.guide_try_{key}"), icon)
        st.markdown(t("overview.guide_own_data"))
        st.markdown(t("overview.guide_definitions"))
        _link("pages/glossary.py", t("glossary.title"), ":material/menu_book:")
        st.button(t("overview.guide_dismiss"), key="overview_guide_dismiss", on_click=_dismiss, type="primary")
