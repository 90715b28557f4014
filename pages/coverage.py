"""Coverage analysis: standards compliance by district/street/community, gaps, walking access, site proposals."""

import pandas as pd
import streamlit as st

from caremap.app import downloads, parts, urlstate, widgets
from caremap.common import facts
from caremap.common.i18n import fmt_int, fmt_pct, lang, t
from caremap.report import charts, compare, coverage, maps, metrics, planner, policies, terms
from caremap.store import db

scope, L = urlstate.current_scope(), lang()
here = scope.street or scope.district
st.title(t("coverage.heading"))
st.caption(t("coverage.breadcrumb", scope=scope.label()))
widgets.demo_note()
comp = coverage.compliance(**scope.params())
caveat = facts.UNITS_CAVEAT_ZH if L == "zh" else facts.UNITS_CAVEAT_EN


def _drill(code=None):
    code = code or st.session_state.get("coverage_drill")
    if code in options:
        urlstate.go(scope.district or code, code if scope.district else None)


def _pick():
    picked = st.session_state[pick_key].selection.get("pick") or [{}]
    _drill(picked[0].get("row_code"))


pick_key = f"coverage_pick_{here or 'city'}"   # the matrix: a click on a row drills down
options = {c: terms.place(n, L) for c, n in coverage.drill_options(comp, here).items()}
cols = st.columns([3, 1])
if scope.level != "street":
    cols[0].selectbox(t("coverage.drill"), [""] + list(options), key="coverage_drill", on_change=_drill,
                      format_func=lambda c: options.get(c, t("coverage.drill_none", L)),
                      placeholder=t("common.choose_placeholder"))
if scope.level != "city":
    cols[1].button(t("coverage.up"), key="coverage_up", on_click=urlstate.go,
                   args=(scope.district if scope.street else None,))

change = widgets.compare_with("coverage_compare", scope)  # what changed since an earlier period

totals = coverage.standard_totals(comp)
values = metrics.standard_values(comp)
per_row = len(totals) if L == "zh" else 3   # the English names are longer: three to a row, none cut
for i, (_, s) in enumerate(totals.iterrows()):
    if i % per_row == 0:
        row = st.columns(per_row)
    col = row[i % per_row]
    met, units = (f"standard.{s['standard_id']}.{part}" for part in ("met", "units"))
    col.metric(s["label_zh"] if L == "zh" else s["label_en"],
               f"{metrics.fmt(met, values[met])}/{metrics.fmt(units, values[units])}", delta=widgets.delta(met, change),
               help=metrics.help_text(f"standard.{s['standard_id']}.share"))
if change:
    counts, kinds = change.gap_counts(), pd.concat([change.points["change"], change.workers["change"]])
    st.info(t("coverage.compare_summary", as_of=change.before.as_of, new=counts["new"], closed=counts["closed"],
              still=counts["still"], **{k: int((kinds == k).sum()) for k in ("added", "moved", "removed",
                                                                               "appointed", "vacated")}))

with st.expander(t("coverage.basis_heading")):
    for _, s in totals.iterrows():
        link = policies.policy_link(s["standard_id"], L) or t("coverage.basis_missing")
        st.markdown(f"- **{s['label_zh'] if L == 'zh' else s['label_en']}** — {link}")

cats = coverage.categories()   # the categories walking access and the planner choose from
names = dict(zip(cats["code"], cats["name" if L == "zh" else "name_en"]))
TABS = ["matrix", "points", "gaps", "walk", "rank", "sites", "trend"]


def _matrix() -> None:
    fig = charts.build("gap_matrix", lang=L, **scope.params())
    st.altair_chart(fig.chart, width="content", key=pick_key, selection_mode="pick",
                    on_select=_pick if scope.level != "street" else "ignore")
    st.caption(fig.takeaway)
    with st.expander(t("coverage.matrix_table")):
        st.dataframe(fig.data, hide_index=True)
    widgets.source(t("coverage.standards_source", "zh"), t("coverage.standards_source", "en"))
    st.caption(f"{t('coverage.director_caveat')} {caveat}")


def _points() -> None:
    for chart_id in ("coverage_by_district", "points_by_street"):
        fig = charts.build(chart_id, lang=L, **scope.params())
        st.altair_chart(fig.chart, width="stretch")
        st.caption(fig.takeaway)
        widgets.source(t("coverage.points_source", "zh"), t("coverage.points_source", "en"))
    st.subheader(t("coverage.per_10k_heading"))
    per, missing = coverage.per_10k(scope.district, L)
    st.dataframe(per, hide_index=True)
    if missing:
        st.caption(t("coverage.per_10k_missing", names=("、" if L == "zh" else ", ").join(missing)))
    st.caption(t("coverage.per_10k_street_note"))
    # real census figures, not demo data: no 示例数据 suffix
    st.caption(t("common.source_line", source=t("coverage.population_source")))
    st.subheader(t("coverage.children_heading"))
    scope_values = metrics.values(scope.district, scope.street)
    rates = coverage.children_rates(scope.district, scope.street, L)
    if scope_values["children"] is None and rates[t("coverage.col_children", L)].isna().all():
        st.info(t("coverage.children_none"))
    else:
        if scope_values["children"] is not None:
            for col, mid in zip(st.columns(3), ("children", "points_per_10k_children", "homes_per_10k_children")):
                widgets.metric(col, mid, scope_values, scope)
        st.dataframe(rates, hide_index=True, key="coverage_children_rates")
        widgets.source(metrics.source_text("children", "zh"), metrics.source_text("children", "en"))


def _gaps() -> None:
    labels = dict(zip(totals["standard_id"], totals["label_zh" if L == "zh" else "label_en"]))
    urlstate.bind("coverage_gap_standards", list(labels), list(labels))
    chosen = st.multiselect(t("coverage.filter_standards"), list(labels),
                            format_func=labels.get, key="coverage_gap_standards",
                            placeholder=t("common.choose_placeholder"))
    gaps = coverage.gap_list(comp, L, tuple(chosen))
    st.caption(t("coverage.gap_count", n=fmt_int(len(gaps))))
    if change:  # each gap: new since the chosen period, or still short
        status = {(u, sid): v for u, sid, v in zip(change.gaps["unit_code"], change.gaps["standard_id"],
                                                    change.gaps["status"])}
        ids = comp[~comp["met"].astype(bool) & comp["standard_id"].isin(chosen)].assign(
            _lv=lambda f: f["level"].map(coverage.LEVEL_ORDER)).sort_values(
            ["_lv", "district_code", "street_code", "unit_code", "sort_order"])
        gaps.insert(0, t("coverage.col_status"), [compare.STATUS[status.get((u, sid), "still")][L == "en"]
                                                  for u, sid in zip(ids["unit_code"], ids["standard_id"])])
    st.dataframe(gaps, hide_index=True)

    gap_term = metrics.terms(L).set_index("key").at["gap", "definition"]
    downloads.download_buttons(gaps, t("coverage.gaps_file"), "coverage_gaps", definition=gap_term,
                               source=t("coverage.standards_source"))
    st.caption(f"{t('coverage.director_caveat')} {caveat}")
    widgets.source(t("coverage.standards_source", "zh"), t("coverage.standards_source", "en"))
    if change:
        st.subheader(t("coverage.changes_heading"))
        listed = compare.change_list(change, L)
        st.dataframe(listed, hide_index=True, key="coverage_changes")
        downloads.download_buttons(listed, t("coverage.changes_file", since=change.before.as_of),
                                   "coverage_changes", source=t("briefing.since_source"))


def _walk() -> None:
    urlstate.bind("coverage_walk_categories", coverage.walking_default(), list(names))
    picked = st.multiselect(t("coverage.walk_categories"), list(names),
                            format_func=names.get, key="coverage_walk_categories",
                            placeholder=t("common.choose_placeholder"))
    walk = coverage.walking(scope.district, scope.street, tuple(picked))
    first = walk.iloc[0] if len(walk) else None
    for col, m in zip(st.columns(3), (500, 1000, 1500)):
        col.metric(t("coverage.walk_within", m=f"{m:,}"), fmt_pct(None if first is None else first[f"share_{m}"]))
        col.caption(t("coverage.walk_share", k=fmt_int(0 if first is None else first[f"within_{m}"]),
                      n=fmt_int(0 if first is None else first["units_located"])))
    if len(walk) and walk["units_unlocated"].iloc[0]:
        st.caption(t("coverage.walk_unlocated", n=int(walk["units_unlocated"].iloc[0])))
    st.subheader(t("coverage.walk_farthest"))
    st.dataframe(coverage.farthest(walk, L), hide_index=True)
    st.caption(t("coverage.walk_method"))
    widgets.geography_note(scope.district, scope.street)
    widgets.source(t("coverage.points_source", "zh"), t("coverage.points_source", "en"))
    st.subheader(t("coverage.access_heading"))
    reach = coverage.access(scope.district, scope.street, tuple(picked))
    if reach.empty:
        st.info(t("coverage.access_none"))
    else:
        st.dataframe(coverage.access_table(reach, L), hide_index=True, key="coverage_access")
        basis = "capacity" if set(",".join(reach["supply_basis"]).split(",")) == {"capacity"} else "points"
        st.caption(t("coverage.access_method", basis=t(f"coverage.access_basis_{basis}")))


def _rank() -> None:
    st.info(t("coverage.rank_formula"))
    st.dataframe(coverage.street_ranking(comp, L), hide_index=True)
    st.caption(f"{t('coverage.director_caveat')} {caveat}")
    widgets.source(t("coverage.standards_source", "zh"), t("coverage.standards_source", "en"))


def _sites() -> None:
    urlstate.bind("coverage_plan_mode", planner.MODES[0], planner.MODES)
    mode = st.radio(t("coverage.plan_mode"), planner.MODES, format_func=lambda m: t(f"coverage.plan_mode_{m}", L),
                    horizontal=True, key="coverage_plan_mode")
    c1, c2 = st.columns(2)
    urlstate.bind("coverage_site_k", 3, range(1, 11))
    k = c1.slider(t("coverage.sites_k"), 1, 10, key="coverage_site_k")
    if mode == "home":
        urlstate.bind("coverage_plan_home_m", 0, [0, 500, 1000])
        walk_m = c2.radio(t("coverage.plan_walk_home"), [0, 500, 1000], horizontal=True, key="coverage_plan_home_m",
                          format_func=lambda m: t("coverage.plan_walk_home_unit", L) if m == 0
                          else t("coverage.plan_walk_m", L, m=fmt_int(m, L)))
        picked_categories = (planner.HOME_CATEGORY,)
        rule = t("coverage.plan_rule_home_walk", m=fmt_int(walk_m)) if walk_m else t("coverage.plan_rule_home_unit")
    else:
        urlstate.bind("coverage_plan_walk_m", 1000, [500, 1000, 1500])
        walk_m = c2.radio(t("coverage.plan_distance"), [500, 1000, 1500], horizontal=True,
                          key="coverage_plan_walk_m",
                          format_func=lambda m: t("coverage.plan_walk_m", L, m=fmt_int(m, L)))
        urlstate.bind("coverage_plan_categories", coverage.walking_default(), list(names))
        picked_categories = tuple(st.multiselect(t("coverage.plan_categories"), list(names), format_func=names.get,
                                                 key="coverage_plan_categories",
                                                 placeholder=t("common.choose_placeholder"))) or tuple(names)
        rule = t("coverage.plan_rule_walk", m=fmt_int(walk_m))
    st.info(rule)
    plan = planner.plan(scope.district, scope.street, mode, k, float(walk_m), picked_categories)
    by = "_children" if plan.weight_basis == "children" else ""
    m1, m2, m3 = st.columns(3)
    m1.metric(t(f"coverage.plan_demand{by}"), fmt_int(plan.demand_total))
    m2.metric(t(f"coverage.plan_after{by}", k=k), fmt_int(plan.closed_exact))
    m3.metric(t(f"coverage.plan_greedy{by}"), fmt_int(plan.closed_greedy))
    gap = plan.closed_exact - plan.closed_greedy
    st.caption(t(f"coverage.plan_gap{by}", n=fmt_int(gap)) if gap > 0 else t("coverage.plan_gap_none"))
    if plan.unlocated:
        st.caption(t("coverage.plan_unlocated", n=fmt_int(plan.unlocated)))
    if plan.demand_total == 0:
        st.success(t("coverage.plan_none"))
    else:
        texts = {key: t(f"coverage.plan_tip_{key}") for key in ("open", "closed", "met", "site")}
        closed = set(plan.newly["unit_code"])

        def named(rows):  # the units and sites are community units: their names in the language
            return rows.assign(name=rows["name"].map(lambda n: terms.place(n, L)))

        st.pydeck_chart(maps.planner_deck(named(plan.units), named(plan.chosen), closed,
                                          db.query("sw_district_boundaries", district=scope.district), texts,
                                          float(walk_m)), height=420, key="coverage_plan_map")
        st.caption(t("coverage.plan_map_legend"))
        proposal = planner.table(plan, L)
        st.dataframe(proposal, hide_index=True, key="coverage_plan_table")
        downloads.download_buttons(proposal, t("coverage.plan_file"), "coverage_plan",
                                   definition=rule, source=t("coverage.points_source"))
    st.caption(t(f"coverage.plan_method{by}"))
    widgets.geography_note(scope.district, scope.street)
    widgets.source(t("coverage.points_source", "zh"), t("coverage.points_source", "en"))


def _trend() -> None:
    # each standard's share in every published period: districts, city, target and the projected date
    fig = charts.build("standard_progress", lang=L, **scope.params())
    st.altair_chart(fig.chart, width="content")
    st.caption(fig.takeaway)
    downloads.export_buttons(fig)
    st.subheader(t("coverage.progress_heading"))
    progress = charts.progress_table(scope.district, scope.street, L)
    st.dataframe(progress, hide_index=True, key="coverage_progress",
                 column_config={c: st.column_config.NumberColumn(format="percent") for c in (
                     t("coverage.col_share_now"), t("coverage.col_target"))})
    downloads.download_buttons(progress, t("coverage.progress_heading"), "coverage_progress",
                               definition=charts.PROJECTION_METHOD[L == "en"], source=t("briefing.progress_source"))
    st.caption(charts.PROJECTION_METHOD[L == "en"])
    fig = charts.build("standard_trend", lang=L, **scope.params())
    st.altair_chart(fig.chart, width="stretch")
    st.caption(fig.takeaway)
    downloads.export_buttons(fig)
    st.caption(t("coverage.trend_note"))


@parts.part
def analyses() -> None:
    """The tabs, only the open one built: switching tabs or changing a filter in one reruns only this part (a click
    on a matrix row drills the whole page down: urlstate.go)."""
    tabs = widgets.lazy_tabs("coverage_tab", TABS, [t(f"coverage.tab_{k}") for k in TABS])
    for tab, draw in zip(tabs, (_matrix, _points, _gaps, _walk, _rank, _sites, _trend)):
        with tab:
            if tab.open:
                draw()


analyses()
