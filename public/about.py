"""关于: what the map shows and does not show, where its data come from, and what a distance means."""

import streamlit as st

from caremap.common.i18n import t
from caremap.store import db

st.title(t("public.about_heading"))
st.markdown(t("public.about_body"))
meta = db.meta()
label = t("public.about_data_demo") if db.is_demo() else t("public.about_data_real")
st.markdown(t("public.about_data", label=label, version=meta.get("data_version", "—"),
              date=meta.get("as_of") or meta.get("data_date") or "—"))
st.markdown(t("public.about_distance"))
st.info(t("public.about_emergency"))
