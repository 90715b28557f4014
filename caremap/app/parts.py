"""Parts of a page that rerun alone: a widget inside a part reruns only that part (st.fragment), not the dashboard,
the sidebar and the rest of the page, so a filter, a tab or a slide answers in the time its own part takes.

A part reads the data version the page was drawn from, keeps its widgets in the link (urlstate.write_bound) and
offers its tables to the page's workbook again. A click inside a part that changes the scope reruns the whole page
(urlstate.go), since the title, the sidebar and every other part show the scope.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

from caremap.app import downloads, urlstate
from caremap.store import db

_PIN = "_parts_pin"   # the data version the page's last whole run read


def begin_run(token) -> None:
    """Remember the data version this whole run pinned (dashboard.py, after db.pin())."""
    st.session_state[_PIN] = token


def part(fn: Callable) -> Callable:
    """Decorate a page's function: it runs with the page, and alone when one of its widgets changes."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @st.fragment
    @functools.wraps(fn)
    def run(*args, **kwargs):
        alone = urlstate.part_alone()
        if alone:
            db.pin(token=st.session_state.get(_PIN))   # what the rest of the page shows
        with downloads.offered_by(name, alone):
            fn(*args, **kwargs)
        if alone:
            urlstate.write_bound()   # the whole run writes them after the page; a part's own run, here
    return run
