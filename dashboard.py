"""CareMap Shenzhen: page config, navigation over pages/, the shared sidebar. Nothing else."""

from pathlib import Path

import streamlit as st

from caremap.app import downloads, heap, parts, sidebar, urlstate
from caremap.common import config
from caremap.common.i18n import t
from caremap.store import db, startup

here = Path(__file__).parent
urlstate.check_language()  # ?lang=EN is English, ?lang=fr a notice: before the first label is chosen
st.set_page_config(page_title="深圳儿童关爱服务资源地图 CareMap", page_icon=str(here / "assets" / "icon.png"),
                   layout="wide")
started = startup.ensure_built()
if started.refused:
    st.error(started.message(), icon=":material/error:")
    st.stop()
if started.outcome is startup.Outcome.FIRST_START:
    st.info(started.message(), icon=":material/rocket_launch:")
elif message := started.message():
    st.warning(message, icon=":material/build:")
if problem := config.secrets_problem():
    st.error(problem, icon=":material/error:")
# one data version for the whole run and its parts' own reruns, even if an import publishes a new one meanwhile
parts.begin_run(db.pin())

PAGES = [  # (file, label key, icon); a page joins the navigation when its file exists
    ("pages/overview.py", "overview.title", ":material/home:"),
    ("pages/coverage.py", "coverage.title", ":material/fact_check:"),
    ("pages/map.py", "map.title", ":material/map:"),
    ("pages/workforce.py", "workforce.title", ":material/groups:"),
    ("pages/social_work.py", "social_work.title", ":material/diversity_3:"),
    ("pages/directory.py", "directory.title", ":material/contact_page:"),
    ("pages/policies.py", "policies.title", ":material/gavel:"),
    ("pages/glossary.py", "glossary.title", ":material/menu_book:"),
    ("pages/briefing.py", "briefing.title", ":material/slideshow:"),
    ("pages/presenter.py", "presenter.title", ":material/present_to_all:"),
    ("pages/bigscreen.py", "bigscreen.title", ":material/tv:"),
    ("pages/data_admin.py", "data_admin.title", ":material/admin_panel_settings:"),
]
urlstate.name_unknown_pages()   # an unknown page path: the Overview, with a notice in the user's language
nav = st.navigation([st.Page(f, title=t(label), icon=icon, default=(i == 0))
                     for i, (f, label, icon) in enumerate(PAGES) if (here / f).exists()])
sidebar.sidebar()
notices = st.container()  # above the page: what the URL asked for that could not be shown
urlstate.begin_run()
downloads.begin_page()
nav.run()
downloads.page_workbook_button(nav.title)   # 导出本页: every table and chart the page offered, one sheet each
urlstate.write_bound()
with notices:
    for text in urlstate.take_notices():
        st.warning(text, icon=":material/link_off:")
heap.freeze_once()   # once per process, after the first whole run: later full collections walk less
