"""找服务: the service points nearest to a chosen street or community or a typed place, as cards with a call
link and directions in AMap, Baidu and Tencent Maps. Phone first: one column, large touch targets."""

import streamlit as st

from caremap.app import geolocate, session, urlstate
from caremap.common.i18n import lang, t
from caremap.report import public
from caremap.store import db

language = lang()   # bound into format_func: Streamlit may call it after this run
en = language == "en"


def _on_lang() -> None:
    urlstate.set_language(st.session_state["public_lang"])



def _card(r, distance_m: float | None = None, share: bool = True) -> None:
    """One service point: name, kind (and distance), address, what it offers, a call button, directions."""
    with st.container(border=True, key=f"public_card_{r.id}" if distance_m is not None else "public_shared_card"):
        kind = r.category_name_en if en and r.category_name_en else r.category_name
        st.markdown(f"### {public.plain(r.name)}")
        if distance_m is None:
            st.markdown(public.plain(kind))
        else:
            distance = t("public.distance", d=public.distance_text(distance_m, language))
            st.markdown(f"{public.plain(kind)} · {public.plain(distance)}")
        st.markdown(public.plain(t("public.address", address=r.address or "—")))
        if facts := public.card_facts(r, language):
            st.markdown("  \n".join(public.plain(f) for f in facts))
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
        if share:
            st.link_button(t("public.share"), f"?point={r.id}", width="stretch")


st.session_state["public_lang"] = language
st.segmented_control(t("common.language"), ["zh", "en"], key="public_lang", on_change=_on_lang,
                     format_func=lambda v: "中文" if v == "zh" else "English", label_visibility="collapsed")
st.title(t("public.find_heading"))
if db.is_demo():
    st.caption(t("public.demo"))

shared = st.query_params.get("point")
if shared:   # a shared link (?point=ID): that point first, with its QR code and the link to pass on
    found = public.point(shared)
    if found is None:
        st.warning(t("public.point_unknown", id=shared))
    else:
        st.subheader(t("public.shared_heading"))
        _card(found, share=False)
        link = public.share_link(st.context.url or "", found.id)
        st.image(public.qr_png(link), caption=t("public.qr_caption"), output_format="PNG")
        st.code(link, language=None)

places = public.places()
districts = places[places["kind"] == "district"]
names = dict(zip(districts["code"], districts["name"]))
urlstate.bind("public_how", "place", ["place", "landmark", "location"])
how = st.radio(t("public.from_how"), ["place", "landmark", "location"], horizontal=True, key="public_how",
               format_func=lambda v: t(f"public.from_{v}", language))
origin = None
if how == "location":   # the browser's geolocation, asked only now and only if the visitor presses the button
    where = geolocate.my_location({k: t(f"public.geo_{k}", language) for k in ("button", "asking", "denied",
                                                                               "unavailable")})
    if isinstance(where, dict) and "lon" in where:
        origin = public.Origin(float(where["lon"]), float(where["lat"]), t("public.your_location", language),
                               "location")
    elif isinstance(where, dict) and where.get("error"):
        st.info(t(f"public.geo_{where['error']}", language))
elif how == "place":
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

c1, c2 = st.columns(2)
ages = {"": t("public.any_age", language), **{a: t(f"public.age_{a}", language) for a in public.AGE_GROUPS}}
urlstate.bind("public_age", "", list(ages))
age = c1.selectbox(t("public.age"), list(ages), key="public_age", format_func=ages.get) or None
forms = {"": t("public.any_form", language),
         **{f: t(f"public.form_{k}", language) for f, k in public.FORMS.items()}}
urlstate.bind("public_form", "", list(forms))
form = c2.selectbox(t("public.form"), list(forms), key="public_form", format_func=forms.get) or None

if origin is None:
    if how == "place":
        st.info(t("public.pick_first"))
    elif how == "location":
        st.caption(t("public.geo_note"))
    st.stop()

rows = public.near(origin, category, age=age, form=form)
st.markdown(f"**{public.plain(t('public.from_label', place=origin.label))}**")
if rows.empty:
    st.info(t("public.none_near"))
for r in rows.itertuples():
    _card(r, r.distance_m)
if db.is_demo():
    st.caption(t("public.location_note"))

st.subheader(t("public.feedback_heading"))
st.caption(t("public.feedback_intro"))
about = {"": t("public.feedback_general", language), **dict(zip(rows["id"], rows["name"]))}
with st.form("public_feedback", clear_on_submit=True, border=True):
    point = st.selectbox(t("public.feedback_point"), list(about), format_func=about.get, key="public_fb_point")
    kind = st.radio(t("public.feedback_kind"), ["wrong_info", "question"], horizontal=True, key="public_fb_kind",
                    format_func=lambda k: t(f"public.feedback_kind_{k}", language))
    body = st.text_area(t("public.feedback_body", n=public.FEEDBACK_MAX_CHARS), key="public_fb_body",
                        max_chars=public.FEEDBACK_MAX_CHARS)
    contact = st.text_input(t("public.feedback_contact"), key="public_fb_contact", max_chars=60)
    sent = st.form_submit_button(t("public.feedback_send"), type="primary", width="stretch")
if sent:
    try:
        stored = public.send_feedback(kind, body, session.session_id(), session.client_address(), point or None,
                                      about.get(point) if point else None, contact)
        st.success(t("public.feedback_thanks", id=stored.id))
    except public.FeedbackRefused as exc:
        st.error(t(f"public.feedback_{exc.code}", n=public.FEEDBACK_MAX_CHARS if exc.code == "too_long"
                   else public.FEEDBACK_PER_MINUTE))
