"""CareMap for citizens: the public, phone-first view of the service points (`streamlit run public/app.py`).

Read-only over the same published snapshots as the dashboard, with its own navigation (找服务 · 地图 · 政策与资讯 ·
关于) and nothing else: no admin page, no workforce, no personal data. Its pages use only
caremap.report.public, whose named queries never read the workforce.

It lives in public/, away from the dashboard's pages/: Streamlit lists the pages/ folder beside the main script to
every new session, and the citizens' view must not even name the dashboard's pages.
"""

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:   # Streamlit puts public/ on the path, not the project
    sys.path.insert(0, str(ROOT))

from caremap.app import heap, urlstate  # noqa: E402 (after the path is set)
from caremap.common.i18n import t  # noqa: E402
from caremap.store import db, startup  # noqa: E402

here = ROOT
urlstate.check_language()
st.set_page_config(page_title="深圳儿童关爱服务地图", page_icon=str(here / "assets" / "icon.png"), layout="centered",
                   initial_sidebar_state="collapsed")
started = startup.ensure_built()
if started.refused:
    st.error(started.message(), icon=":material/error:")
    st.stop()
db.pin()

PAGES = [("find.py", "public.nav_find", ":material/near_me:"), ("map.py", "public.nav_map", ":material/map:"),
         ("policies.py", "public.nav_policies", ":material/article:"),
         ("about.py", "public.nav_about", ":material/info:")]
folder = Path(__file__).resolve().parent
nav = st.navigation([st.Page(folder / f, title=t(label), icon=icon, default=(i == 0),
                             url_path=None if i == 0 else Path(f).stem)
                     for i, (f, label, icon) in enumerate(PAGES)], position="top")
urlstate.begin_run()
nav.run()
urlstate.write_bound()
heap.freeze_once()   # once per process, after the first whole run: later full collections walk less
