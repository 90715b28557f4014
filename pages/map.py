"""Resource map: districts as the base map and choropleth, service points, street symbols, optional layers."""

import html

import streamlit as st

from caremap.app import parts, secrets, urlstate, widgets
from caremap.common import facts
from caremap.common.i18n import fmt_int, lang, t
from caremap.report import compare, maps, terms, tiles
from caremap.report.scope import Scope
from caremap.store import db

scope = urlstate.current_scope()
st.title(t("map.heading"))
st.caption(t("map.scope_note", scope=scope.label()))
widgets.demo_note()

try:
    source, tile_error = secrets.tile_source(), None
except tiles.TileConfigError as exc:
    source, tile_error = None, str(exc)
language = lang()  # bound into format_func: Streamlit may call it after this run's URL is read
categories = db.query("map_categories")
cat_name = dict(zip(categories["code"], categories["name" if language == "zh" else "name_en"]))
# with an earlier period kept, the map can also colour districts and streets by the change in gaps since then
with_change = (maps.CHANGE,) if any(not p.live for p in compare.periods()) else ()
metric_name = {m: t(f"map.{m}") for m in (*maps.METRICS, maps.CHANGE)}

@parts.part
def view() -> None:
    """The controls, the map and its legend: a control reruns only this part (the title, the scope and the sidebar
    stay), a click on a district or street the whole page (urlstate.go)."""
    c1, c2, c3, c4 = st.columns([1.2, 2, 1, 1])
    urlstate.bind("map_metric", maps.METRICS[0], (*maps.METRICS, *with_change))
    metric = c1.selectbox(t("map.metric"), (*maps.METRICS, *with_change), format_func=metric_name.get, key="map_metric",
                          placeholder=t("common.choose_placeholder"))
    urlstate.bind("map_category", [], categories["code"].tolist())
    chosen = c2.multiselect(t("map.category"), categories["code"].tolist(), format_func=cat_name.get,
                            key="map_category", placeholder=t("common.all_placeholder"))
    urlstate.bind("map_system", "", ["", *categories["system"].unique()])
    system = c3.selectbox(t("map.system"), [""] + sorted(categories["system"].unique()), key="map_system",
                          format_func=lambda s: terms.term("system", s, language) if s else t("map.all", language),
                          placeholder=t("common.choose_placeholder"))
    urlstate.bind("map_level", "", ["", "city", "district", "street", "community"])
    level = c4.selectbox(t("map.level"), ["", "city", "district", "street", "community"], key="map_level",
                         format_func=lambda v: t(f"map.level_{v}") if v else t("map.all"),
                         placeholder=t("common.choose_placeholder"))
    c1, c2, c3 = st.columns([1.2, 2, 2])
    urlstate.bind("map_street_metric", maps.STREET_METRICS[0], (*maps.STREET_METRICS, *with_change))
    street_metric = c1.selectbox(t("map.street_metric"), (*maps.STREET_METRICS, *with_change),
                                 format_func=metric_name.get, key="map_street_metric",
                                 placeholder=t("common.choose_placeholder"))
    urlstate.bind("map_layers", [], maps.OPTIONAL_LAYERS)
    extra = c2.multiselect(t("map.layers"), maps.OPTIONAL_LAYERS, format_func=lambda v: t(f"map.layer_{v}"),
                           placeholder=t("common.none_placeholder"),
                           key="map_layers")
    urlstate.bind("map_search", "")
    query_text = c3.text_input(t("map.search"), placeholder=t("map.search_placeholder"), key="map_search")
    # what only some runs show (the rings' options, the search results, the compared period) goes into this one
    # container, which every run has: the blocks below it keep their places, so the browser updates the map
    # instead of building it again (a new WebGL context, every shader compiled anew: 1.2-1.7 s without a GPU)
    shifting = st.container()
    ring_categories, ring_m = ("children_home",), 1000
    if "rings" in extra:
        c1, c2 = shifting.columns([3, 1])
        ring_categories = tuple(c1.multiselect(t("map.ring_categories"), categories["code"].tolist(),
                                               default=["children_home"], format_func=cat_name.get, key="map_ring_cats",
                                               placeholder=t("common.choose_placeholder")))
        ring_m = c2.radio(t("map.ring_radius"), [500, 1000], index=1, horizontal=True, key="map_ring_m",
                          format_func=lambda m: t("map.ring_m", m=fmt_int(m)))

    focus = focus_code = None
    if query_text.strip():
        found = db.query("map_search", search=query_text.strip(), district=scope.district, max_rows=20)
        if found.empty:
            shifting.info(t("map.search_none", q=query_text.strip()))
        else:
            pick = shifting.selectbox(t("map.search_results", n=len(found)), found.index, key="map_search_pick",
                                format_func=lambda i: f"{found.at[i, 'name']} · {t('map.kind_' + found.at[i, 'kind'])}"
                                + (f" · {found.at[i, 'detail']}" if found.at[i, "detail"] else ""),
                                placeholder=t("common.choose_placeholder"))
            hit = found.loc[pick]
            focus = (float(hit["lon"]), float(hit["lat"]),
                     {"point": 15.5, "community": 15.0, "street": 13.5}.get(hit["kind"], 11.5))
            focus_code = hit["code"] if hit["kind"] in ("street", "community") else None
            if hit["kind"] == "point":
                st.session_state["map_point"] = hit["code"]

    changes, change = (), None
    if maps.CHANGE in (metric, street_metric):   # the whole city is compared: every district is drawn
        with shifting:
            change = widgets.compare_with("map_compare", Scope())
        if change is None:
            shifting.info(t("map.change_none"))
        else:
            changes = tuple(sorted(compare.gap_change_by_place(change).items()))
            shifting.caption(t("map.change_note", as_of=change.before.as_of, now=change.after.as_of))
    opts = maps.MapOptions(scope.district, scope.street, metric, street_metric, tuple(chosen) or None, system or None,
                           level or None, tuple(extra), ring_categories, ring_m, focus, focus_code, changes)
    result = maps.build_map(db.query, opts, maps.labels(t), source, language=lang())

    def _on_pick() -> None:
        """A click on the map, handled before the page runs, so that one run draws what it asks for: a district or
        street drills the scope down (the scope shown when it was clicked is `scope`), a point opens its card."""
        picked = maps.picked(st.session_state.get("map_deck"))
        if not picked:
            return
        layer, obj = picked
        props = obj.get("properties") or {}
        ident = (layer, props.get("code") or obj.get("code") or obj.get("id"))
        if ident == st.session_state.get("map_last_pick"):
            return
        st.session_state["map_last_pick"] = ident
        if layer == "districts" and ident[1] != scope.district:
            urlstate.go(ident[1])
        elif layer == "community-areas" and props.get("street_code") != scope.street:
            urlstate.go(props.get("district_code") or scope.district, props.get("street_code"))
        elif layer in ("streets", "street-areas") and ident[1] != scope.street:
            urlstate.go((props or obj).get("district_code") or scope.district, ident[1])
        elif layer == "points":
            st.session_state["map_point"] = ident[1]


    left, right = st.columns([3, 1])
    with left:
        st.markdown(maps.TOOLBAR_INSIDE_CSS, unsafe_allow_html=True)   # the full-screen button over the map, not the
        frame = st.container(key="map_frame")                          # search box above it
        widgets.source(t("map.source", "zh"), t("map.source", "en"))
        st.caption(t("map.notice"))
        if tile_error:
            st.warning(t("map.tiles_error", error=tile_error))
        elif source:
            st.caption(t("map.tiles_on", name=t(f"map.tiles_kind_{source.name}") if source.offline else source.name,
                         crs=source.crs, attribution=source.attribution)
                       + ("；" + t("map.tiles_shifted") if source.crs == "GCJ02" else "")
                       + "；" + (t("map.review_no", review_no=source.review_no) if source.review_no
                                else t("map.review_no_missing")))
        else:
            st.caption(t("map.tiles_none"))
        if "no_director" in extra:
            st.caption(facts.UNITS_CAVEAT_ZH if lang() == "zh" else facts.UNITS_CAVEAT_EN)

    with right:
        st.markdown(f"**{t('map.legend_metric', metric=metric_name[metric])}**")
        st.markdown(maps.legend_html(result.legend), unsafe_allow_html=True)
        areas = int(maps.has_boundary(result.streets).sum()) if result.streets is not None else 0
        if areas:
            st.caption(t("map.legend_street_areas", metric=metric_name[street_metric], n=areas))
        if areas < len(result.streets):
            st.caption(t("map.legend_streets", metric=metric_name[street_metric]))
        widgets.geography_note(scope.district, scope.street)
        if result.binned:
            st.caption(t("map.legend_bins", n=fmt_int(maps.MAX_RAW_POINTS), m=int(result.cell_m)))
        shown = categories if not chosen else categories[categories["code"].isin(chosen)]
        st.markdown(f"**{t('map.legend_categories')}**")
        st.markdown(maps.category_legend_html(shown, cat_name), unsafe_allow_html=True)
        for key, text in (("rings", t("map.legend_rings", m=fmt_int(ring_m))), ("sites", t("map.legend_sites")),
                          ("no_director", t("map.legend_gaps", what=t("map.no_director"))),
                          ("no_home", t("map.legend_gaps", what=t("map.no_home")))):
            if key in extra:
                st.caption(text)
        st.caption(t("map.shown_points", n=fmt_int(result.n_points)))
        card = maps.point_card(result.points, st.session_state.get("map_point"))
        with st.container(border=True):
            st.markdown(f"**{t('map.detail')}**")
            if card is None:
                st.caption(t("map.detail_hint"))
            else:
                st.markdown(f"**{html.escape(card['name'])}**")
                for label, value in card["fields"]:
                    st.text(f"{t('map.label_' + label)}{value}")

    # the map is sent last, into its place at the top: the legend and the captions beside and below it are drawn
    # first, and do not wait behind the browser's reading of the deck (the largest message of the page)
    with frame:
        st.pydeck_chart(result.deck, on_select=_on_pick, selection_mode="single-object", key="map_deck",
                        height=maps.MAP_HEIGHT)


view()
