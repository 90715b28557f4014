"""Who is on the other end of this script run, as far as rate limits need: the browser session and the address."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx


def session_id() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "no-session"


def client_address() -> str:
    """The client's address as Streamlit sees it (behind a proxy: the proxy's, unless it forwards it)."""
    try:
        return st.context.ip_address or "unknown"
    except Exception:  # noqa: BLE001 (outside a served session, e.g. AppTest, there is none)
        return "unknown"
