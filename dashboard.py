"""CareMap Shenzhen: page config, navigation over pages/, the shared sidebar. Nothing else."""

from pathlib import Path

import streamlit as st

from caremap import build, db, ui
from caremap.i18n import t

st.set_page_config(page_title="深圳儿童关爱服务资源地图 CareMap", page_icon="🧒", layout="wide")
if build.ensure_built():
    st.toast(t("common.built_notice"))
db.pin()  # one data version for the whole run, even if an import publishes a new one meanwhile

PAGES = [  # (file, label key, icon); a page joins the navigation when its file exists
    ("pages/overview.py", "overview.title", "🏠"),
    ("pages/coverage.py", "coverage.title", "✅"),
    ("pages/map.py", "map.title", "🗺️"),
    ("pages/workforce.py", "workforce.title", "👥"),
    ("pages/social_work.py", "social_work.title", "🤝"),
    ("pages/directory.py", "directory.title", "📇"),
    ("pages/policies.py", "policies.title", "📜"),
    ("pages/briefing.py", "briefing.title", "📊"),
    ("pages/presenter.py", "presenter.title", "🎞️"),
    ("pages/data_admin.py", "data_admin.title", "🔐"),
]
here = Path(__file__).parent
nav = st.navigation([st.Page(f, title=t(label), icon=icon, default=(i == 0))
                     for i, (f, label, icon) in enumerate(PAGES) if (here / f).exists()])
ui.sidebar()
nav.run()
