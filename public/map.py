"""地图: the service points around a district on a small offline map (no tiles, district outlines as the base),
at most MAP_POINTS of them so the page stays light on a phone connection."""

import streamlit as st

from caremap.app import urlstate
from caremap.common.i18n import lang, t
from caremap.report import maps, public
from caremap.store import db

MAP_POINTS = 2000
language = lang()
en = language == "en"
st.title(t("public.map_heading"))
if db.is_demo():
    st.caption(t("public.demo"))
places = public.places()
districts = places[places["kind"] == "district"]
names = dict(zip(districts["code"], districts["name"]))
urlstate.bind("public_map_district", "", ["", *names])
district = st.selectbox(t("public.district"), ["", *names], key="public_map_district",
                        format_func=lambda c: names.get(c) or t("public.whole_city", language)) or None
origin = public.origin_of_place(district) if district else public.Origin(114.06, 22.62, "深圳", "city")
rows = public.near(origin, None, MAP_POINTS)
if district:
    rows = rows[rows["district_name"] == names[district]]
points = rows.assign(category_label=rows["category_name_en" if en else "category_name"])[
    ["lon", "lat", "name", "category_label", "address", "color"]].round({"lon": 6, "lat": 6})
boundaries = public.boundaries(district)
st.pydeck_chart(maps.points_deck(points, boundaries, "{name}\n{category_label}\n{address}", color_column="color",
                                 radius_m=80), height=420, key="public_map_deck")
st.caption(t("public.map_caption"))
