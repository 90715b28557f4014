"""找服务: the service points nearest to a chosen street or community or a typed place, as cards with a call
link and directions in AMap, Baidu and Tencent Maps. Phone first: one column, large touch targets."""

import streamlit as st

from caremap.app import urlstate
from caremap.common.i18n import lang, t
from caremap.report import public
from caremap.store import db

language = lang()   # bound into format_func: Streamlit may call it after this run
en = language == "en"


def _on_lang() -> None:
    urlstate.set_language(st.session_state["public_lang"])


st.session_state["public_lang"] = language
st.segmented_control(t("common.language"), ["zh", "en"], key="public_lang", on_change=_on_lang,
                     format_func=lambda v: "中文" if v == "zh" else "English", label_visibility="collapsed")
st.title(t("public.find_heading"))
if db.is_demo():
    st.caption(t("public.demo"))

places = public.places()
districts = places[places["kind"] == "district"]
names = dict(zip(districts["code"], districts["name"]))
urlstate.bind("public_how", "place", ["place", "landmark"])
how = st.radio(t("public.from_how"), ["place", "landmark"], horizontal=True, key="public_how",
               format_func=lambda v: t(f"public.from_{v}", language))
origin = None
if how == "place":
    urlstate.bind("public_district", None, [None, *names])
    district = st.selectbox(t("public.district"), list(names), key="public_district", format_func=names.get,
                            placeholder=t("public.choose_district"))
    if district:
        inside = places[(places["district_code"] == district) & (places["kind"] != "district")]
        streets = dict(zip(inside.loc[inside["kind"] == "street", "code"], inside.loc[inside["kind"] == "street",
                                                                                     "name"]))
        units = inside[inside["kind"] == "community"]
        labels = {None: t("public.any_place", language), **streets,
                  **{c: f"{n} · {streets.get(s, '')}" for c, n, s in zip(units["code"], units["name"],
                                                                        units["street_code"])}}
        labels = {"" if k is None else k: v for k, v in labels.items()}
        urlstate.bind("public_place", "", list(labels))
        code = st.selectbox(t("public.place"), list(labels), key="public_place", format_func=labels.get) or None
        origin = public.origin_of_place(code or district)
else:
    urlstate.bind("public_q", "")
    text = st.text_input(t("public.landmark"), key="public_q", placeholder=t("public.landmark_hint"),
                         max_chars=100).strip()
    if text:
        origin = public.origin_of_landmark(text)
        if origin is None:
            st.info(t("public.landmark_none", q=text))

cats = public.categories()
cat_names = dict(zip(cats["code"], cats["name_en" if en else "name"]))
urlstate.bind("public_category", "", ["", *cat_names])
category = st.selectbox(t("public.category"), ["", *cat_names], key="public_category",
                        format_func=lambda c: cat_names.get(c) or t("public.any_category", language)) or None

if origin is None:
    if how == "place":
        st.info(t("public.pick_first"))
    st.stop()

rows = public.near(origin, category)
st.markdown(f"**{public.plain(t('public.from_label', place=origin.label))}**")
if rows.empty:
    st.info(t("public.none_near"))
for r in rows.itertuples():
    with st.container(border=True, key=f"public_card_{r.id}"):
        kind = r.category_name_en if en and r.category_name_en else r.category_name
        st.markdown(f"### {public.plain(r.name)}")
        distance = t("public.distance", d=public.distance_text(r.distance_m, language))
        st.markdown(f"{public.plain(kind)} · {public.plain(distance)}")
        st.markdown(public.plain(t("public.address", address=r.address or "—")))
        tel = public.tel_link(r.phone)
        if tel:
            st.link_button(t("public.call", phone=r.phone.split("、")[0]), tel, width="stretch", type="primary")
        else:
            st.caption(t("public.no_phone"))
        links = public.nav_links(float(r.lon), float(r.lat), str(r.name), str(r.address or ""))
        st.caption(t("public.navigate"))
        cols = st.columns(3)
        for col, app in zip(cols, ("amap", "baidu", "tencent")):
            col.link_button(t(f"public.{app}"), links[app], width="stretch")
        if r.updated_on is not None:
            st.caption(t("public.updated", date=f"{r.updated_on:%Y-%m-%d}"))
if db.is_demo():
    st.caption(t("public.location_note"))
