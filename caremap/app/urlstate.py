"""The view kept in the URL, read and written here only: the scope (?district=…&street=…), the language
(?lang=…) and each page's settings that a copied link must reopen (widgets bound with bind()).

st.query_params holds them so that a copied link opens the same view; pages read the scope with
current_scope() and never parse the URL themselves. A value the app cannot use (an unknown district code, a
street of another district, an unsupported language, an option that does not exist) is removed from the URL
and named in a notice, never silently ignored.
"""

from __future__ import annotations

import json

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


_NOTICES = "_url_notices"


def _notice(text: str) -> None:
    notices = st.session_state.setdefault(_NOTICES, [])
    if text not in notices:
        notices.append(text)


def name_unknown_pages() -> None:
    """Streamlit answers a page path it does not know with an English "Page not found" dialog over the default
    page; the app says it in the user's language instead, as one of these notices (dashboard.py calls this before
    st.navigation; Streamlit looks the function up when it needs it)."""
    from streamlit.commands import navigation

    if getattr(navigation.send_page_not_found, "caremap", False):
        return

    def notice_instead(ctx) -> None:
        from caremap.common.i18n import t

        _notice(t("common.unknown_page", page=ctx.pages_manager.intended_page_name or ""))

    notice_instead.caremap = True
    navigation.send_page_not_found = notice_instead


def take_notices() -> list[str]:
    """The notices about URL values this run could not use (each shown once)."""
    return st.session_state.pop(_NOTICES, [])


def check_language() -> None:
    """?lang=EN is English; ?lang=fr is named in a notice and removed (Chinese is shown)."""
    from caremap.common.i18n import LANGS, t

    value = st.query_params.get("lang")
    if value is None:
        return
    if value.lower() in LANGS and value != value.lower():
        st.query_params["lang"] = value.lower()
    elif value not in LANGS:
        del st.query_params["lang"]
        _notice(t("common.unknown_lang", "zh", lang=value))


def current_scope() -> Scope:
    """The scope from the URL, checked against the reference tables: an unknown or mismatched code is removed from
    the URL and named in a notice (the view falls back to the district, or to 全市)."""
    from caremap.common.i18n import t

    leave_pages_v1()
    district = st.query_params.get("district") or None
    street = st.query_params.get("street") or None
    districts = db.query("districts").set_index("code")
    if district is not None and district not in districts.index:
        _notice(t("common.unknown_district", code=district))
        del st.query_params["district"]
        district = None
    if district is None and street is not None:  # a street alone: its district is in its code
        guess = street[:6]
        district = guess if guess in districts.index and street.startswith(guess) else None
        if district is None and "4403DP" in districts.index and street in set(
                db.query("streets", district="4403DP")["code"]):
            district = "4403DP"
        if district is not None:
            st.query_params["district"] = district
    streets = db.query("streets", district=district).set_index("code")["name"]
    if street is not None and street not in streets.index:
        everywhere = db.query("streets", district=None).set_index("code")
        place = districts["name"].get(district) if district else t("common.city")
        if street in everywhere.index and district is not None:
            _notice(t("common.street_elsewhere", street=everywhere["name"].get(street), code=street, district=place))
        else:
            _notice(t("common.unknown_street", code=street, scope=place))
        if "street" in st.query_params:
            del st.query_params["street"]
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


def go(district: str | None, street: str | None = None) -> None:
    """Drill to a scope from a widget's callback (a chart or map click): the link and the sidebar's choice both,
    before the run, so that one run draws the new scope. A click inside a part of the page (caremap.app.parts)
    would rerun only that part: the whole page is run instead, as the scope is everywhere on it."""
    set_scope(district, street)
    st.session_state["sidebar_district"], st.session_state["sidebar_street"] = district or "", street or ""
    if part_alone():
        st.rerun()   # from a callback: replaces the part's own run by the whole page's


def part_alone() -> bool:
    """Whether this run is a part of the page rerunning alone (st.fragment), not the whole page."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def set_language(language: str) -> None:
    st.query_params["lang"] = language
    remember(lang=language)


def url_language() -> str | None:
    """The language the URL asks for (?lang=en), or None outside a Streamlit script run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.query_params.get("lang")


# --- page settings in the URL ----------------------------------------------------------------------------------
_BOUND = "_url_bound"      # this run's bound keys and their defaults (begin_run empties it)
_SEEDED = "_url_seeded"    # keys already read from the URL in this session (a link seeds a widget once)
_WRITTEN = "_url_written"  # what write_bound last left in the URL for each key (None: removed)
_PAGE = "_url_page"        # the page of the previous run, and whether this run changed page


def begin_run() -> None:
    """Forget the previous run's bound widgets and note whether this run opened another page (dashboard.py,
    after st.navigation, before the page runs)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    st.session_state[_BOUND] = {}
    ctx = get_script_run_ctx(suppress_warning=True)
    page = ctx.page_script_hash if ctx is not None else None
    previous = st.session_state.get(_PAGE, (None, True))[0]
    st.session_state[_PAGE] = (page, page != previous)


def _encode(value) -> str:
    """Strings as they are; numbers, booleans and lists as ~JSON (a string starting with ~ is escaped the same way)."""
    if isinstance(value, str) and not value.startswith("~"):
        return value
    return "~" + json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _decode(text: str):
    if text.startswith("~"):
        return json.loads(text[1:])
    return text


def bind(key: str, default, options=None) -> None:
    """Keep the widget `key` in the URL: call it just before the widget is made, and give the widget no default of
    its own (bind sets it). On the session's first run the widget starts from the URL's value when that is valid
    (one of `options`, or a list of them), else from `default`; every run writes the value back (dashboard.py calls
    write_bound() after the page), and drops it from the URL when it equals `default`."""
    from caremap.common.i18n import t

    st.session_state.setdefault(_BOUND, {})[key] = default
    seeded = st.session_state.setdefault(_SEEDED, set())
    written = st.session_state.setdefault(_WRITTEN, {})
    raw = st.query_params.get(key)
    moved = False
    if key in seeded and key in st.session_state:
        changed_page = st.session_state.get(_PAGE, (None, True))[1]
        if changed_page or key not in written or raw == written[key]:
            return   # the URL says what this session last wrote (a page switch drops the query: kept, rewritten)
        moved = True   # on the same page the URL moved by itself (Back, Forward): the widget follows, to its default
    seeded.add(key)
    written[key] = raw
    value = default
    if raw is not None:
        try:
            value = _decode(raw)
        except ValueError:
            value = _INVALID
        if not _valid(value, default, options):
            del st.query_params[key]
            _notice(t("common.unknown_value", name=key, value=raw))
            value = default
    if key not in st.session_state or raw is not None or moved:
        st.session_state[key] = list(value) if isinstance(value, tuple) else value


_INVALID = object()


def _valid(value, default, options) -> bool:
    if value is _INVALID:
        return False
    if options is not None:
        allowed = list(options)
        if isinstance(default, (list, tuple)):
            return isinstance(value, list) and all(v in allowed for v in value)
        return value in allowed
    if default is None:
        return True
    if isinstance(default, (list, tuple)):
        return isinstance(value, list)
    return type(value) is type(default) or (isinstance(default, float) and isinstance(value, int))


def write_bound() -> None:
    """Write every bound widget's current value into the URL (its default: removed), after the page has run."""
    written = st.session_state.setdefault(_WRITTEN, {})
    for key, default in st.session_state.get(_BOUND, {}).items():
        if key not in st.session_state:
            continue
        value = st.session_state[key]
        if isinstance(value, tuple):
            value = list(value)
        if value == default or value == (list(default) if isinstance(default, tuple) else default) or value is None:
            if key in st.query_params:
                del st.query_params[key]
            written[key] = None
        else:
            if st.query_params.get(key) != _encode(value):
                st.query_params[key] = _encode(value)
            written[key] = _encode(value)
