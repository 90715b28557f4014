"""The one fix for Streamlit's old pages/ mechanism, which this project's layout (pages/ beside dashboard.py)
triggers.

Streamlit treats a `pages/` folder beside the main script as the old multipage mechanism. A page opened by
its own URL as the very first session of a freshly started server is then run on its own, without
dashboard.py (no sidebar, no navigation). leave_pages_v1() switches the server to st.navigation mode and
reruns, so the frame runs and routes to the same page. tests/test_e2e.py opens a page first on a fresh
server to prove it.
"""

from __future__ import annotations

import streamlit as st


def leave_pages_v1() -> None:
    """Rerun inside dashboard.py's navigation when Streamlit started this run through the old pages/ mechanism."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if PagesManager.uses_pages_directory and get_script_run_ctx(suppress_warning=True) is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()
