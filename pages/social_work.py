"""Social work (社工服务): organisations, projects, sites and person-times; one organisation's projects on a map."""

import streamlit as st

from caremap.app import downloads, parts, urlstate, widgets
from caremap.common import facts
from caremap.common.i18n import fmt_int, lang, t
from caremap.report import charts, maps, metrics
from caremap.store import db

scope = urlstate.current_scope()
st.title(t("social_work.heading"))
st.caption(t("social_work.scope_note", scope=scope.label()))
widgets.demo_note()

values = metrics.values(**scope.params())
change = widgets.compare_with("social_work_compare", scope)  # deltas since an earlier period
cols = st.columns(6)
for col, key in zip(cols, ["sw_orgs", "social_workers", "sw_projects", "sw_sites", "person_times"]):
    widgets.metric(col, key, values, scope, key, change=change)
widgets.metric(cols[5], "online_person_times", values, scope, change=change)
st.caption(t("social_work.published_note") if scope.level == "city" else t("social_work.scope_rule"))
widgets.source(facts.SEED_SOURCE + "；" + t("social_work.source_sw", "zh"),
          facts.SEED_SOURCE_EN + "; " + t("social_work.source_sw", "en"))


def show(chart_id: str, where=st) -> None:
    fig = charts.build(chart_id, lang=lang(), **scope.params())
    where.altair_chart(fig.chart, width="stretch")
    where.caption(fig.takeaway)


st.subheader(t("social_work.projects"))
left, right = st.columns(2)
show("projects_by_domain", left)
show("projects_by_target_group", right)
show("sw_by_district")
widgets.source(t("social_work.source_sw", "zh"), t("social_work.source_sw", "en"))

st.subheader(t("social_work.trend"))
show("service_trend")
widgets.source(t("social_work.source_sw", "zh"), t("social_work.source_sw", "en"))


@parts.part
def organisations() -> None:
    """The ranking and one organisation's projects and sites: choosing a measure or an organisation reruns only this
    part."""
    st.subheader(t("social_work.ranking"))
    ranking = db.query("sw_org_ranking", **scope.params())
    measures = ["projects", "sites", "social_workers", "person_times"]
    by = st.segmented_control(t("social_work.rank_by"), measures, default="person_times", key="social_work_rank_by",
                              format_func=lambda m, lg=lang(): t(f"social_work.col_{m}", lg)) or "person_times"
    ranked = ranking.sort_values([by, "org_id"], ascending=[False, True])
    shown = downloads.localise(ranked, "social_work", ["org_name", "home_district", *measures])
    st.dataframe(shown, hide_index=True, key="social_work_ranking_table")
    downloads.download_buttons(shown, t("social_work.ranking"), "social_work_ranking",
                               source=t("social_work.source_sw"))

    st.subheader(t("social_work.drill"))
    if ranked.empty:
        st.info(t("social_work.no_orgs"))
    else:
        organisation(ranked)
    widgets.source(t("social_work.source_sw", "zh"), t("social_work.source_sw", "en"))


def organisation(ranked) -> None:
    """One organisation's projects in scope, and their sites on a map and in a list."""
    names = dict(zip(ranked["org_id"], ranked["org_name"]))
    urlstate.bind("social_work_org", next(iter(names), None), list(names))
    org = st.selectbox(t("social_work.col_org_name"), list(names), format_func=names.get, key="social_work_org",
                       placeholder=t("common.choose_placeholder"))
    projects = db.query("sw_projects_in_scope", org_id=org, **scope.params())
    st.markdown(f"**{t('social_work.org_projects', org=names[org])}**")
    shown = downloads.localise(projects, "social_work", ["name", "domain", "target_group", "district_name", "start_on",
                                                      "end_on", "funding_wan", "social_workers", "sites",
                                                      "person_times", "online_person_times"])
    st.dataframe(shown, hide_index=True, column_config=downloads.column_config(shown), key="social_work_org_projects")
    # the projects' sites in scope add up to the organisation's; past the map's threshold the map bins them in the
    # database and the table lists the first LIST_ROWS_BESIDE_BINS, so a page never carries tens of thousands of rows
    total = int(projects["sites"].sum())
    binned = total > maps.MAX_RAW_POINTS
    sites = db.query("sw_org_sites", org_id=org, **scope.params(),
                     max_rows=downloads.LIST_ROWS_BESIDE_BINS if binned else maps.MAX_RAW_POINTS)
    st.markdown(f"**{t('social_work.org_sites', org=names[org], n=fmt_int(total))}**")
    left, right = st.columns([3, 2])
    boundaries = db.query("sw_district_boundaries", district=scope.district)
    if binned:
        cell_m = maps.bin_size_m(scope.district, scope.street)
        bins = db.query("map_site_bins", org_id=org, cell_m=cell_m, **scope.params())
        left.pydeck_chart(maps.bins_deck(bins, boundaries, t("social_work.bin_title"), cell_m), height=360)
        left.caption(t("social_work.map_binned", m=fmt_int(cell_m)))
    else:
        left.pydeck_chart(maps.points_deck(sites[["name", "project_name", "street_name", "lon", "lat"]],
                                                 boundaries, "{name}\n{project_name}\n{street_name}"), height=360)
    left.caption(t("social_work.map_note"))
    right.dataframe(downloads.localise(sites, "social_work", ["name", "street_name", "community_name", "project_name"]),
                    hide_index=True, height=360, key="social_work_org_sites")
    if len(sites) < total:
        right.caption(t("social_work.sites_first", shown=fmt_int(len(sites)), total=fmt_int(total)))


organisations()

st.subheader(t("social_work.presence"))
presence = db.query("sw_street_presence", **scope.params())
cols = st.columns(2)
cols[0].metric(t("social_work.gap_streets"), fmt_int(presence["has_gap"].sum()))
cols[1].metric(t("social_work.gap_no_project"), fmt_int(presence["gap_without_project"].sum()))
shown = downloads.localise(presence, "social_work", ["district_name", "street_name", "workstations", "units",
                                                  "units_without_home", "sw_projects", "sw_sites", "has_gap",
                                                  "gap_without_project"])
st.dataframe(shown, hide_index=True, key="social_work_presence_table")
downloads.download_buttons(shown, t("social_work.presence"), "social_work_presence",
                           source=t("social_work.source_gaps"))
st.caption(t("social_work.presence_note"))
widgets.source(t("social_work.source_gaps", "zh"), t("social_work.source_gaps", "en"))
