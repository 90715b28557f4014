"""Shared page furniture: the scope kept in the URL, the sidebar, source captions, the demo badge.

The scope (?district=…&street=…&lang=…) lives in st.query_params so that a copied link opens the
same view; pages read it with current_scope() and never parse the URL themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from caremap import db, facts
from caremap.i18n import fmt_int, lang, t


@dataclass(frozen=True)
class Scope:
    district: str | None = None
    street: str | None = None
    district_name: str | None = None
    street_name: str | None = None

    @property
    def level(self) -> str:
        return "street" if self.street else "district" if self.district else "city"

    def label(self) -> str:
        """Breadcrumb: 全市 › 南山区 › 粤海街道."""
        parts = [t("common.city")]
        if self.district_name:
            parts.append(self.district_name)
        if self.street_name:
            parts.append(self.street_name)
        return " › ".join(parts)

    def params(self) -> dict:
        return {"district": self.district, "street": self.street}


def meta() -> dict:
    return dict(db.query("meta").itertuples(index=False, name=None))


def _leave_pages_v1() -> None:
    """A page opened by its URL as the very first session of a fresh server is run by Streamlit's old
    pages/ mechanism, without dashboard.py (no sidebar, no navigation). Switch to st.navigation mode and
    rerun, so the frame runs and routes to the same page."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if PagesManager.uses_pages_directory and get_script_run_ctx(suppress_warning=True) is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()


_SCOPE_KEYS = ("district", "street", "lang")


def _remember(**changes) -> None:
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
    _leave_pages_v1()
    district = st.query_params.get("district") or None
    street = st.query_params.get("street") or None
    districts = db.query("districts").set_index("code")["name"]
    if district not in districts.index:
        district, street = None, None
    streets = db.query("streets", district=district).set_index("code")["name"]
    if street not in streets.index:
        street = None
    return Scope(district, street, districts.get(district), streets.get(street) if street else None)


def set_scope(district: str | None, street: str | None = None) -> None:
    """Drill the scope (used by pages that click down from a chart or the map)."""
    for key, value in (("district", district), ("street", street)):
        if value:
            st.query_params[key] = value
        elif key in st.query_params:
            del st.query_params[key]
    _remember(district=district, street=street)


def _on_scope_change() -> None:
    set_scope(st.session_state.get("sidebar_district") or None, st.session_state.get("sidebar_street") or None)


def _on_district_change() -> None:
    st.session_state["sidebar_street"] = ""
    _on_scope_change()


def _on_lang_change() -> None:
    st.query_params["lang"] = st.session_state["sidebar_lang"]
    _remember(lang=st.session_state["sidebar_lang"])


def sidebar() -> Scope:
    """The shared sidebar: scope, language, data version and whether the data are demo data."""
    keep_scope_across_pages()
    scope = current_scope()
    # The URL is the truth: a drill-down on a page (chart or map click) changes it, and the widgets follow.
    st.session_state["sidebar_lang"] = lang()
    st.session_state["sidebar_district"] = scope.district or ""
    st.session_state["sidebar_street"] = scope.street or ""
    with st.sidebar:
        st.radio(t("common.language"), ["zh", "en"], format_func=lambda v: "中文" if v == "zh" else "English",
                 horizontal=True, key="sidebar_lang", on_change=_on_lang_change)
        districts = db.query("districts")
        options = [""] + districts["code"].tolist()
        names = dict(zip(districts["code"], districts["name"] if lang() == "zh" else districts["name_en"]))
        st.selectbox(t("common.district"), options,
                     format_func=lambda c: names.get(c, t("common.city")), key="sidebar_district",
                     on_change=_on_district_change)
        if scope.district:
            streets = db.query("streets", district=scope.district)
            s_options = [""] + streets["code"].tolist()
            s_names = dict(zip(streets["code"], streets["name"]))
            st.selectbox(t("common.street"), s_options,
                         format_func=lambda c: s_names.get(c, t("common.all_streets")), key="sidebar_street",
                         on_change=_on_scope_change)
        m = meta()
        st.divider()
        st.caption(t("common.data_version", version=m.get("data_version", "?"), date=m.get("data_date", "?")))
        if m.get("is_demo") == "true":
            st.warning(t("common.demo_badge"), icon=":material/science:")
    return scope


def demo_note() -> None:
    """The 示例数据 label every page shows above its figures when the data are the demo set."""
    if meta().get("is_demo") == "true":
        st.caption(t("common.demo_caption"))


def source(text_zh: str, text_en: str | None = None) -> None:
    """A 来源 caption under a figure."""
    body = text_en if (lang() == "en" and text_en) else text_zh
    suffix = t("common.demo_suffix") if meta().get("is_demo") == "true" else ""
    st.caption(f"{t('common.source')}：{body}{suffix}")


def published(key: str) -> str:
    """'公布数：1500余个' for a published figure key of facts.PUBLISHED."""
    value, zh, en = facts.PUBLISHED[key]
    return t("common.published", figure=zh if lang() == "zh" else en)


def headline_metric(col, label_key: str, value, published_key: str | None, scope: Scope) -> None:
    """A metric with the published 2020 figure beside it (city scope only: the figures are city totals)."""
    help_text = None
    if published_key and scope.level == "city":
        help_text = f"{published(published_key)}（{facts.SEED_SOURCE if lang() == 'zh' else facts.SEED_SOURCE_EN}）"
    col.metric(t(label_key), fmt_int(value), help=help_text)
    if published_key and scope.level == "city":
        col.caption(published(published_key))
