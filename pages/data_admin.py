"""Data admin (数据管理): upload the bureau's files, preview the problems, publish, history, rollback, templates."""

import streamlit as st

from caremap import ingest
from caremap.app import auth, downloads, widgets
from caremap.app.pages_v1 import leave_pages_v1
from caremap.common.crs import SYSTEMS
from caremap.common.i18n import fmt_int, lang, t
from caremap.ingest import load
from caremap.store import accounts, db, feedback, versions

leave_pages_v1()   # first: a fresh server's first visitor here would otherwise run this page without the frame
st.title(t("data_admin.heading"))
widgets.demo_note()
if not auth.configured():
    st.info(t("data_admin.not_configured"))
    st.code(auth.EXAMPLE, language="toml")
    st.stop()

if not auth.is_admin():
    if auth.timed_out():
        st.warning(t("data_admin.timed_out", minutes=accounts.rules()["session_minutes"]))
    with st.form("data_admin_login"):
        who = st.text_input(t("data_admin.who"), key="data_admin_who")
        password = st.text_input(t("data_admin.password"), type="password", key="data_admin_password")
        submitted = st.form_submit_button(t("data_admin.login"), disabled=auth.attempts_left() <= 0)
    if submitted and auth.login(password, who):
        st.rerun()
    if auth.attempts_left() <= 0:
        st.error(t("data_admin.locked"))
    elif submitted and auth.error():
        code, params = auth.error()
        st.error(t(f"accounts.{code}", **params))
    elif submitted:
        st.error(t("data_admin.wrong_password", n=auth.attempts_left()))
    elif auth.error():   # a single sign-on the accounts refused (no account, a viewer, a bad role claim)
        code, params = auth.error()
        st.error(t(f"accounts.{code}", **params))
    for provider in auth.sso_providers():   # the bureau's own sign-on (OIDC), where configured
        if st.button(t("data_admin.sso", provider=provider), key=f"data_admin_sso_{provider}"):
            auth.login_with_provider(provider)
    st.stop()

st.caption(t("data_admin.intro"))
if flash := st.session_state.pop("data_admin_flash", None):
    st.success(flash)
st.caption(t("data_admin.logged_in", who=auth.user()))
st.button(t("data_admin.logout"), on_click=auth.logout, key="data_admin_logout")
demo_tables = db.meta().get("demo_tables")
if demo_tables:
    st.warning(t("data_admin.demo_tables", tables=demo_tables.replace(",", "、")))

tab_import, tab_geography, tab_feedback, tab_history, tab_templates, tab_audit = st.tabs(
    [t("data_admin.tab_import"), t("data_admin.tab_geography"), t("data_admin.tab_feedback"),
     t("data_admin.tab_history"), t("data_admin.tab_templates"), t("data_admin.tab_audit")])

with tab_import:
    language = lang()
    c1, c2, c3 = st.columns(3)
    kind = c1.selectbox(t("data_admin.kind"), ingest.KIND_NAMES,
                        format_func=lambda k: t(f"data_admin.kind_{k}", language), key="data_admin_kind",
                        placeholder=t("common.choose_placeholder"))
    mode = c2.radio(t("data_admin.mode"), ["replace", "append"],
                    format_func=lambda m: t(f"data_admin.mode_{m}", language), key="data_admin_mode")
    geographic = kind in ("streets", "communities")
    make_valid = False
    if geographic:
        crs = c3.text_input(t("data_admin.crs_geo"), key="data_admin_crs_geo").strip() or None
        make_valid = c3.checkbox(t("data_admin.make_valid"), key="data_admin_make_valid")
        types = ["zip", "gpkg", "geojson", "json", "kml"] + (["csv", "xlsx", "xls"] if kind == "communities" else [])
    else:
        crs = c3.selectbox(t("data_admin.crs"), SYSTEMS, key="data_admin_crs",
                           placeholder=t("common.choose_placeholder")) if kind != "population" else None
        types = ["csv", "txt", "xlsx", "xls"]
    upload = st.file_uploader(t("data_admin.upload_geo" if geographic else "data_admin.upload"), type=types,
                              key="data_admin_upload")
    if upload is not None:
        data = upload.getvalue()
        done = st.session_state.get("data_admin_done", {})
        try:
            checked = ingest.check_current(data, upload.name, kind, crs=crs, mode=mode, make_valid=make_valid)
        except ingest.Unreadable as exc:
            st.error(str(exc))
            checked = None
        if checked is not None and checked.sha256 in done:
            st.success(t("data_admin.already", version=done[checked.sha256]))
        elif checked is not None:
            (st.success if checked.ok else st.error)(ingest.summary(checked, lang()))
            if checked.problems:
                st.subheader(t("data_admin.problems"))
                st.dataframe(ingest.problems_table(checked, lang()), hide_index=True)
            if not checked.preview.empty:
                st.subheader(t("data_admin.preview"))
                st.dataframe(checked.preview if geographic else ingest.styled_preview(checked))
            if not checked.ok:
                st.error(t("data_admin.rejected"))
            elif st.button(t("data_admin.confirm", n=len(checked.rows)), type="primary", key="data_admin_confirm"):
                try:
                    result = load.publish_import(checked, data, mode, who=auth.user(), account=auth.account())
                except versions.PublishError as exc:   # e.g. another import got in first and the file no longer fits
                    st.error(str(exc))
                else:
                    st.session_state["data_admin_done"] = {**done, checked.sha256: result.data_version}
                    published = t("data_admin.published", version=result.data_version,
                                  previous=result.previous_version, rows=result.rows)
                    st.session_state["data_admin_flash"] = "  \n".join(   # a re-check is said, not hidden
                        [published, result.rechecked] if result.rechecked else [published])
                    st.rerun()

with tab_geography:
    st.caption(t("data_admin.geo_intro"))
    status = db.query("geography_status")
    st.subheader(t("data_admin.geo_status"))
    shown = status.assign(level=status["level"].map(lambda v: t(f"data_admin.level_{v}")))
    st.dataframe(shown.rename(columns={"level": t("data_admin.geo_col_level"), "units": t("data_admin.geo_col_units"),
                                       "boundary": t("data_admin.geo_col_boundary"),
                                       "point": t("data_admin.geo_col_point"),
                                       "fallback": t("data_admin.geo_col_fallback"),
                                       "with_children": t("data_admin.geo_col_children")}), hide_index=True)
    widgets.geography_note()
    st.subheader(t("data_admin.population_heading"))
    population = db.query("population_list")
    if population.empty:
        st.info(t("data_admin.population_none"))
    else:
        st.dataframe(population, hide_index=True)
    st.subheader(t("data_admin.mismatch_heading"))
    mismatches = db.query("place_mismatches", district=None)
    if mismatches.empty:
        st.info(t("data_admin.mismatch_none"))
    else:
        st.warning(t("data_admin.mismatch_intro", n=len(mismatches)))
        st.dataframe(mismatches, hide_index=True)
        st.download_button(t("data_admin.mismatch_download"), mismatches.to_csv(index=False).encode("utf-8-sig"),
                           file_name="place_mismatches.csv", mime="text/csv", key="data_admin_mismatch_csv")

with tab_feedback:   # citizens' corrections and questions from the public view: reviewed here, never auto-published
    st.caption(t("data_admin.feedback_intro"))
    reports = feedback.queue()
    if reports.empty:
        st.info(t("data_admin.feedback_none"))
    else:
        language = lang()
        shown = reports.assign(kind=reports["kind"].map(lambda k: t(f"public.feedback_kind_{k}", language)),
                               status=reports["status"].map(lambda s: t(f"data_admin.feedback_{s}", language)))
        st.dataframe(shown.rename(columns={c: t(f"data_admin.feedback_col_{c}", language) for c in shown.columns}),
                     hide_index=True, key="data_admin_feedback_table")
        waiting = reports.loc[reports["status"] == "new", "id"].tolist()
        if waiting:
            c1, c2, c3 = st.columns([2, 1, 1])
            chosen = c1.selectbox(t("data_admin.feedback_pick"), waiting, key="data_admin_feedback_pick",
                                  placeholder=t("common.choose_placeholder"))
            for col, status in ((c2, "accepted"), (c3, "rejected")):
                if col.button(t(f"data_admin.feedback_mark_{status}"), key=f"data_admin_feedback_{status}"):
                    feedback.decide(int(chosen), status, auth.user())
                    st.session_state["data_admin_flash"] = t(f"data_admin.feedback_done_{status}", id=chosen)
                    st.rerun()

with tab_history:
    st.subheader(t("data_admin.history"))
    history = db.query("import_history")
    if history.empty:
        st.info(t("data_admin.no_history"))
    else:
        st.dataframe(history, hide_index=True)
    widgets.source(t("data_admin.history_source"))
    st.subheader(t("data_admin.versions"))
    kept = versions.versions()
    st.dataframe(kept, hide_index=True, key="data_admin_versions")
    st.caption(t("data_admin.versions_note"))
    earlier = kept.loc[~kept["live"], "data_version"].tolist()
    me = auth.account()
    if me is not None and me.role != "city_admin":
        st.info(t("data_admin.baseline_city_only"))
    else:
        period = dict(zip(kept["data_version"], kept["as_of"].astype(str) + " " + kept["label"].astype(str)))
        marked = set(kept.loc[kept["baseline"], "data_version"])
        c1, c2 = st.columns([3, 1])
        chosen = c1.selectbox(t("data_admin.baseline_pick"), kept["data_version"].tolist(), key="data_admin_baseline",
                              format_func=lambda v: f"{v} ({period[v].strip()})" + (
                                  t("coverage.compare_baseline") if v in marked else ""),
                              placeholder=t("common.choose_placeholder"))
        unmark = chosen in marked
        if c2.button(t("data_admin.baseline_unmark" if unmark else "data_admin.baseline_mark"),
                     key="data_admin_baseline_go"):
            versions.mark_baseline(chosen, auth.user(), on=not unmark)
            st.session_state["data_admin_flash"] = t("data_admin.baseline_undone" if unmark
                                                     else "data_admin.baseline_done", version=chosen)
            st.rerun()
    if me is not None and me.role != "city_admin":   # a rollback changes every district: city administrators
        st.info(t("data_admin.rollback_city_only"))
    elif not earlier:
        st.info(t("data_admin.no_versions"))
    else:
        labels = dict(zip(kept["data_version"], kept["seq"].astype(str) + " · " + kept["made_by"]))
        target = st.selectbox(t("data_admin.rollback_to"), earlier, format_func=lambda v: f"{v} ({labels[v]})",
                              key="data_admin_rollback_to", placeholder=t("common.choose_placeholder"))
        sure = st.checkbox(t("data_admin.rollback_confirm"), key="data_admin_rollback_sure")
        if st.button(t("data_admin.rollback"), disabled=not sure, key="data_admin_rollback"):
            result = versions.rollback(target, who=auth.user())
            st.session_state["data_admin_flash"] = t("data_admin.rolled_back", to=target, version=result.data_version)
            st.rerun()

with tab_templates:
    st.caption(t("data_admin.templates_intro"))
    for k in ingest.TABLE_KINDS:
        c1, c2 = st.columns(2)
        name = t(f"data_admin.kind_{k}")
        c1.download_button(t("data_admin.download_xlsx", kind=name), ingest.template_bytes(k, "xlsx"),
                           file_name=f"{k}.xlsx", key=f"data_admin_tpl_{k}_xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        c2.download_button(t("data_admin.download_csv", kind=name), ingest.template_bytes(k, "csv"),
                           file_name=f"{k}.csv", mime="text/csv", key=f"data_admin_tpl_{k}_csv")

with tab_audit:   # who did what, when and from where: city administrators only
    if auth.reach() is None or auth.reach().role != "city_admin":
        st.info(t("data_admin.audit_city_only"))
    else:
        st.caption(t("data_admin.audit_intro"))
        c1, c2, c3, c4, c5 = st.columns([2, 1, 1, 1, 2])
        events = c1.multiselect(t("data_admin.audit_events"), accounts.audit_events(), key="data_admin_audit_events",
                                placeholder=t("common.all_placeholder"))
        who = c2.text_input(t("data_admin.audit_who"), key="data_admin_audit_who")
        since = c3.date_input(t("data_admin.audit_since"), value=None, key="data_admin_audit_since")
        until = c4.date_input(t("data_admin.audit_until"), value=None, key="data_admin_audit_until")
        text = c5.text_input(t("data_admin.audit_text"), key="data_admin_audit_text")
        found = accounts.audit_search(events, who.strip() or None, since and since.isoformat(),
                                      until and until.isoformat(), text.strip() or None)
        st.caption(t("data_admin.audit_found", n=fmt_int(len(found))))
        shown = found.rename(columns={c: t(f"data_admin.audit_col_{c}") for c in found.columns})
        st.dataframe(shown, hide_index=True, key="data_admin_audit_table")
        reader = auth.user()

        def audit_file():   # an export of the audit log is itself audited
            accounts.audit("audit_export", reader, f"{len(shown)} rows", place="web")
            return shown

        downloads.download_buttons(audit_file, t("data_admin.tab_audit"), "data_admin_audit",
                                   source=t("data_admin.audit_source"))
