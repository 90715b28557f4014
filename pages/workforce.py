"""Workforce (儿童工作队伍): street supervisors and community child directors — deployment, tenure, training.

Names and phone numbers are shown and downloaded only through caremap.report.masking.mask_personal. The CSV/XLSX
files are written only when their download button is clicked (downloads.download_buttons).
"""

import streamlit as st

from caremap.app import auth, downloads, session, urlstate, widgets
from caremap.common import facts
from caremap.common.i18n import fmt_int, lang, t
from caremap.report import charts, masking, metrics
from caremap.store import accounts, db

scope = urlstate.current_scope()
st.title(t("workforce.heading"))
st.caption(t("workforce.scope_note", scope=scope.label()))
widgets.demo_note()

values = metrics.values(**scope.params())
change = widgets.compare_with("workforce_compare", scope)  # deltas since an earlier period
cols = st.columns(4)
widgets.metric(cols[0], "supervisors_in_post", values, scope, "supervisors", change=change)
widgets.metric(cols[1], "directors_in_post", values, scope, "directors", change=change)
widgets.metric(cols[2], "units_director_vacant", values, scope, change=change)  # the three states of a record
widgets.metric(cols[3], "units_director_no_record", values, scope, "communities", change=change)
st.caption(t("workforce.units_note", units=fmt_int(values["community_units"])))
st.caption(facts.UNITS_CAVEAT_ZH if lang() == "zh" else facts.UNITS_CAVEAT_EN)
if scope.level == "city":
    st.caption(t("workforce.published_note"))
widgets.source(facts.SEED_SOURCE + "；" + t("workforce.source_workers", "zh"),
          facts.SEED_SOURCE_EN + "; " + t("workforce.source_workers", "en"))

st.subheader(t("workforce.deployment"))
fig = charts.build("workforce_by_district", lang=lang(), **scope.params())
st.altair_chart(fig.chart, width="stretch")
st.caption(fig.takeaway)
widgets.source(fig.source, fig.source)

percent = {t("workforce.col_home_coverage"): st.column_config.NumberColumn(format="percent")}
deploy_cols = ["supervisors", "units", "posts", "filled", "vacant", "no_record", "units_with_home", "home_coverage"]
tabs = st.tabs([t("workforce.by_district"), t("workforce.by_street")])
with tabs[0]:
    name_col = "district_name" if lang() == "zh" else "district_name_en"
    by_district = db.query("workforce_by_district", district=scope.district)
    shown = downloads.localise(by_district, "workforce", [name_col, "streets", *deploy_cols])
    st.dataframe(shown, hide_index=True, column_config=percent, key="workforce_by_district_table")
    downloads.download_buttons(shown, t("workforce.by_district"), "workforce_district",
                               source=t("workforce.source_workers"))
with tabs[1]:
    by_street = db.query("workforce_by_street", **scope.params())
    shown = downloads.localise(by_street, "workforce", ["district_name", "street_name", *deploy_cols,
                                                     "avg_training_hours"])
    st.dataframe(shown, hide_index=True, column_config=percent, key="workforce_by_street_table")
    downloads.download_buttons(shown, t("workforce.by_street"), "workforce_street",
                               source=t("workforce.source_workers"))
st.caption(t("workforce.table_hint"))

st.subheader(t("workforce.distributions"))
cols = st.columns(3)
for col, chart_id in zip(cols, ["workforce_tenure", "workforce_training", "workforce_certificates"]):
    fig = charts.build(chart_id, lang=lang(), **scope.params())
    col.altair_chart(fig.chart, width="stretch")
    col.caption(fig.takeaway)
widgets.source(t("workforce.source_workers", "zh"), t("workforce.source_workers", "en"))

st.subheader(t("workforce.least_trained"))
k = 10
least = db.query("workforce_least_trained", k=k, **scope.params())
st.dataframe(downloads.localise(least, "workforce", ["district_name", "street_name", "directors", "avg_training_hours",
                                                  "min_training_hours", "under_20_hours"]),
             hide_index=True, key="workforce_least_trained_table")
st.caption(t("workforce.least_trained_note", k=k))

with st.expander(t("workforce.roster")):
    me = auth.reach()   # a district editor sees their district's names and phones, a city administrator all
    raw = db.query("workforce_roster", **scope.params())
    roster = masking.mask_personal(raw, me)
    opened = masking.unmasked_rows(raw, me)
    seen = f"workforce_roster_audited_{me.username if me else ''}_{scope.label('zh')}"
    if opened and not st.session_state.get(seen):   # each view of unmasked personal data, once per scope shown
        accounts.audit("view_personal", me.username, f"workforce roster · {scope.label('zh')} · {opened} rows",
                       place=f"web:{session.client_address()}")
        st.session_state[seen] = True
        st.caption(t("workforce.roster_unmasked", who=me.username, n=fmt_int(opened)))
    shown = downloads.localise(roster, "workforce", ["role", "district_name", "street_name", "community_name", "name",
                                                  "phone", "status", "appointed_on", "tenure_years",
                                                  "training_hours", "certificate"])
    st.dataframe(shown, hide_index=True, column_config=downloads.column_config(shown), key="workforce_roster_table")

    def roster_file():   # runs when a download is clicked: an export with personal data is audited
        if opened:
            accounts.audit("export_personal", me.username, f"workforce roster · {scope.label('zh')} · {opened} rows",
                           place="web")
        return shown

    downloads.download_buttons(roster_file, t("workforce.roster"), "workforce_roster",
                               source=t("workforce.source_workers"))
    st.caption(t("workforce.roster_note"))
widgets.source(t("workforce.source_workers", "zh"), t("workforce.source_workers", "en"))
