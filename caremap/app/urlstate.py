"""The view kept in the URL: scope (?district=…&street=…) and language (?lang=…), read and written here only.

st.query_params holds them so that a copied link opens the same view; pages read the scope with
current_scope() and never parse the URL themselves.
"""

from __future__ import annotations

import streamlit as st

from caremap.app.pages_v1 import leave_pages_v1
from caremap.report.scope import Scope
from caremap.store import db

_SCOPE_KEYS = ("district", "street", "lang")


def remember(**changes) -> None:
    """Remember scope or language changes in the session, so a page switch keeps them."""
    kept = dict(st.session_state.get("_scope", {}))
    kept.update(changes)
    st.session_state["_scope"] = {k: v for k, v in kept.items() if v}


def keep_scope_across_pages() -> None:
    """st.navigation drops the query string when the user switches pages: restore the session's scope.

    The scope and language the user chose are remembered in the session whenever they change, so a
    page switch keeps them, and choosing 全市 or 中文 again is remembered too.
    """
    present = {k: st.query_params.get(k) for k in _SCOPE_KEYS if st.query_params.get(k)}
    if present or "_scope" not in st.session_state:
        st.session_state["_scope"] = present
        return
    for key, value in st.session_state["_scope"].items():
        st.query_params[key] = value


def current_scope() -> Scope:
    """The scope from the URL, checked against the reference tables (unknown codes fall back to 全市)."""
    leave_pages_v1()
    district = st.query_params.get("district") or None
    street = st.query_params.get("street") or None
    districts = db.query("districts").set_index("code")
    if district not in districts.index:
        district, street = None, None
    streets = db.query("streets", district=district).set_index("code")["name"]
    if street not in streets.index:
        street = None
    if district is None:
        return Scope()
    return Scope(district, street, districts["name"].get(district), streets.get(street) if street else None,
                 districts["name_en"].get(district))


def set_scope(district: str | None, street: str | None = None) -> None:
    """Drill the scope (used by pages that click down from a chart or the map)."""
    for key, value in (("district", district), ("street", street)):
        if value:
            st.query_params[key] = value
        elif key in st.query_params:
            del st.query_params[key]
    remember(district=district, street=street)


def set_language(language: str) -> None:
    st.query_params["lang"] = language
    remember(lang=language)


def url_language() -> str | None:
    """The language the URL asks for (?lang=en), or None outside a Streamlit script run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.query_params.get("lang")
