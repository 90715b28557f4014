"""The shared sidebar: scope, language, data version and whether the data are demo data."""

from __future__ import annotations

import streamlit as st

from caremap.app import urlstate
from caremap.common.i18n import lang, t
from caremap.report import terms
from caremap.report.scope import Scope
from caremap.store import db


def _on_scope_change() -> None:
    urlstate.set_scope(st.session_state.get("sidebar_district") or None,
                       st.session_state.get("sidebar_street") or None)


def _on_district_change() -> None:
    st.session_state["sidebar_street"] = ""
    _on_scope_change()


def _on_lang_change() -> None:
    urlstate.set_language(st.session_state["sidebar_lang"])


def sidebar() -> Scope:
    """Draw the sidebar and return the scope it shows."""
    urlstate.keep_scope_across_pages()
    scope = urlstate.current_scope()
    # The URL is the truth: a drill-down on a page (chart or map click) changes it, and the widgets follow.
    st.session_state["sidebar_lang"] = lang()
    st.session_state["sidebar_district"] = scope.district or ""
    st.session_state["sidebar_street"] = scope.street or ""
    language = lang()  # bound into format_func: Streamlit may call it after this run's URL is read
    with st.sidebar:
        st.radio(t("common.language"), ["zh", "en"], format_func=lambda v: "中文" if v == "zh" else "English",
                 horizontal=True, key="sidebar_lang", on_change=_on_lang_change)
        districts = db.query("districts")
        options = [""] + districts["code"].tolist()
        names = dict(zip(districts["code"], districts["name"].map(lambda n: terms.place(n, language))))
        st.selectbox(t("common.district"), options,
                     format_func=lambda c: names.get(c, t("common.city", language)), key="sidebar_district",
                     on_change=_on_district_change, placeholder=t("common.choose_placeholder"))
        if scope.district:
            streets = db.query("streets", district=scope.district)
            s_options = [""] + streets["code"].tolist()
            s_names = dict(zip(streets["code"], streets["name"].map(lambda n: terms.place(n, language))))
            st.selectbox(t("common.street"), s_options,
                         format_func=lambda c: s_names.get(c, t("common.all_streets", language)), key="sidebar_street",
                         on_change=_on_scope_change, placeholder=t("common.choose_placeholder"))
        m = db.meta()
        st.divider()
        st.caption(t("common.data_version", version=m.get("data_version", "?"), date=m.get("data_date", "?")))
        if db.is_demo():
            st.warning(t("common.demo_badge"), icon=":material/science:")
    return scope
