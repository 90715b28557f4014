"""Service directory (服务目录): search service points by text or pinyin initials; paged list, map pins, download."""

import streamlit as st

from caremap.app import downloads, parts, urlstate, widgets
from caremap.common.i18n import fmt_int, lang, t
from caremap.report import maps, search, terms
from caremap.store import db

scope = urlstate.current_scope()
st.title(t("directory.heading"))
st.caption(t("directory.scope_note", scope=scope.label()))
widgets.demo_note()


def _first_page() -> None:
    st.session_state["directory_page"] = 1


def _turn(step: int, pages: int) -> None:
    """Previous / next: the page is plain session state (no widget), kept in the URL by urlstate.bind; kept within
    1 … pages (a second click on a button drawn before the first click's run is not disabled yet)."""
    st.session_state["directory_page"] = min(max(1, st.session_state.get("directory_page", 1) + step), pages)


language = lang()  # bound into format_func: widget labels must not depend on state read later
categories = db.query("directory_categories", **scope.params())
cat_names = dict(zip(categories["code"], categories["name" if language == "zh" else "name_en"]))


@parts.part
def results() -> None:
    """The search, its filters, the page of results, their map and the download: a search or a page turn reruns only
    this part."""
    cols = st.columns([3, 2, 1])
    urlstate.bind("directory_q", "")
    text = cols[0].text_input(t("directory.search"), key="directory_q", placeholder=t("directory.placeholder"),
                              help=t("directory.search_help"), on_change=_first_page, max_chars=search.MAX_QUERY_CHARS)
    urlstate.bind("directory_category", None, [None, *cat_names])
    category = cols[1].selectbox(t("directory.category"), [None, *cat_names], key="directory_category",
                                 format_func=lambda c: t("directory.any", language) if c is None else cat_names[c],
                                 on_change=_first_page, placeholder=t("common.choose_placeholder"))
    systems = [None, *sorted(categories["system"].unique())]
    urlstate.bind("directory_system", None, systems)
    system = cols[2].selectbox(t("directory.system"), systems, key="directory_system",
                               format_func=lambda s: t("directory.any", language) if s is None
                               else terms.term("system", s, language),
                               on_change=_first_page, placeholder=t("common.choose_placeholder"))

    filters = dict(district=scope.district, street=scope.street, category=category, system=system)
    first = search.search(text, **filters)
    pages = first.pages
    urlstate.bind("directory_page", 1, range(1, pages + 1))  # a page the result lacks: a notice, page 1
    if st.session_state.get("directory_page", 1) > pages:  # the result shrank under the chosen page
        st.session_state["directory_page"] = 1
    page = st.session_state.get("directory_page", 1)
    result = first if page == 1 else search.search(text, page=page, **filters)
    st.markdown(f"**{t('directory.found', n=fmt_int(result.total))}**")

    if result.total == 0:
        st.info(t("directory.no_result"))
    else:
        paging = st.container(horizontal=True, vertical_alignment="center", key="directory_paging")
        paging.button(t("directory.previous"), key="directory_previous", on_click=_turn, args=(-1, pages),
                      disabled=page <= 1,
                      icon=":material/chevron_left:")
        paging.markdown(t("directory.page_of", page=fmt_int(page), pages=fmt_int(pages)), width="content")
        paging.button(t("directory.next"), key="directory_next", on_click=_turn, args=(1, pages),
                      disabled=page >= pages,
                      icon=":material/chevron_right:", icon_position="right")
        paging.caption(t("directory.page_size", size=search.PAGE_SIZE), width="content")
        rows = result.rows.assign(colour="●")
        cat_col = "category_name" if language == "zh" else "category_name_en"
        shown = downloads.localise(rows, "directory", ["colour", "name", cat_col, "system", "district_name",
                                                    "street_name", "address", "phone"])
        colours = rows["color"].tolist()
        styled = shown.style.apply(lambda s: [f"color: {c}" for c in colours], subset=[t("directory.col_colour")])
        st.dataframe(styled, hide_index=True, key="directory_results")
        boundaries = db.query("sw_district_boundaries", district=scope.district)
        st.pydeck_chart(maps.points_deck(rows, boundaries, "{name}\n{address}\n{phone}", color_column="color",
                                               radius_m=80), height=380)
        st.caption(t("directory.map_note"))
        # the full result is queried only when a download is clicked, on the data version this run showed
        columns = ["name", cat_col, "system", "district_name", "street_name", "community_name", "address", "phone",
                   "lon", "lat", "updated_on"]
        names = {c: t(f"directory.col_{c}") for c in columns}
        con = db.connect()
        downloads.download_buttons(lambda: search.search_all(text, **filters, con=con)[columns].rename(columns=names),
                                   t("directory.title"), "directory", source=t("directory.source_points"),
                                   definition=t("directory.file_query", q=text.strip()) if text.strip() else None)
        st.caption(t("directory.download_note"))


results()
widgets.source(t("directory.source_points", "zh"), t("directory.source_points", "en"))
