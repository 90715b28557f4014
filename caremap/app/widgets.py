"""Page furniture shared by every page: the 示例数据 note, 来源 captions, headline metrics."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from caremap.app import urlstate
from caremap.common import facts
from caremap.common.i18n import lang, t
from caremap.report import compare, metrics
from caremap.report.scope import Scope
from caremap.store import db


def demo_note() -> None:
    """The 示例数据 label every page shows above its figures when the data are the demo set."""
    if db.is_demo():
        st.caption(t("common.demo_caption"))


def demo_note_short() -> None:
    """The 示例数据 mark where a page has no room for the whole sentence (presenter, big screen)."""
    if db.is_demo():
        st.caption(t("common.demo_short"))


def geography_note(district: str | None = None, street: str | None = None) -> None:
    """Which figures of the scope still rest on demo or approximate locations (said wherever distances, siting or
    the map's positions are shown), from the metrics of the bureau's geography."""
    values = metrics.values(district, street)
    demo_units = (values["community_units"] or 0) - (values["units_located_bureau"] or 0)
    approx_streets = (values["streets"] or 0) - (values["streets_located_bureau"] or 0)
    if demo_units or approx_streets:
        st.caption(t("common.geo_rests_on", n=demo_units, s=approx_streets))
    else:
        st.caption(t("common.geo_all_bureau"))


def source(text_zh: str, text_en: str | None = None) -> None:
    """A 来源 caption under a figure."""
    body = text_en if (lang() == "en" and text_en) else text_zh
    suffix = t("common.demo_suffix") if db.is_demo() else ""
    st.caption(t("common.source_line", source=f"{body}{suffix}"))


def published(key: str) -> str:
    """'公布数：1500余个' for a published figure key of facts.PUBLISHED."""
    value, zh, en = facts.PUBLISHED[key]
    return t("common.published", figure=zh if lang() == "zh" else en)


def compare_with(key: str, scope: Scope):
    """The "compare with" selector of a page (an earlier period; default: the newest review baseline, else the one
    before the live version, kept in the URL) and the comparison it chose, or None when there is no earlier period
    or the user chose none."""
    periods = compare.periods()
    live = next((p for p in periods if p.live), None)
    others = [p for p in reversed(periods) if not p.live]
    if live is None or not others:
        return None
    language = lang()
    choices = {p.data_version: p for p in others}
    start = compare.default_before(periods) or others[0]
    urlstate.bind(key, start.data_version, ["", *choices])
    picked = st.selectbox(t("coverage.compare_with"), ["", *choices], key=key,
                          format_func=lambda v: t("coverage.compare_none", language) if not v else t(
                              "coverage.compare_option", language, as_of=choices[v].as_of,
                              label=choices[v].label, version=v) + (
                              t("coverage.compare_baseline", language) if choices[v].baseline else ""),
                          placeholder=t("common.choose_placeholder"))
    return compare.compare(choices[picked], live, scope.district, scope.street, language) if picked else None


def delta(metric_id: str, change) -> str | None:
    """The change of a figure since the compared period, as st.metric shows it (▲/▼ and colour): absolute and as a
    share of the earlier value, +3 (+2.1%), -2 (-0.4%); a share's change in percentage points, +1.5 pp."""
    if change is None:
        return None
    row = change.metrics.set_index("id")
    if metric_id not in row.index or pd.isna(row.at[metric_id, "change"]) or not row.at[metric_id, "change"]:
        return None
    value, share = row.at[metric_id, "change"], row.at[metric_id, "share_change"]
    if metrics.get(metric_id).is_share:
        return f"{100 * value:+.1f} pp"
    relative = "" if share is None or pd.isna(share) else f" ({share:+.1%})"   # absolute, then as a share
    return (f"{value:+.2f}" if metrics.get(metric_id).is_rate else f"{int(value):+,}") + relative


def metric(col, metric_id: str, values: dict, scope: Scope, published_key: str | None = None, change=None) -> None:
    """A figure of the metrics layer: its label and value as defined once, its definition and source as help, the
    change since a compared period (▲/▼) and the published 2020 figure beside it at city scope (the published
    figures are city totals)."""
    help_text = metrics.help_text(metric_id)
    city_published = published_key and scope.level == "city"
    if city_published:
        source = facts.SEED_SOURCE if lang() == "zh" else facts.SEED_SOURCE_EN
        help_text += "\n\n" + t("common.published_source", published=published(published_key), source=source)
    col.metric(metrics.get(metric_id).text("label"), metrics.fmt(metric_id, values.get(metric_id)), help=help_text,
               delta=delta(metric_id, change))
    if city_published:
        col.caption(published(published_key))


def lazy_tabs(key: str, ids: list[str], labels: list[str]):
    """Tabs whose choice is kept in the URL (?<key>=<tab id>, the same in every language) and that rerun when
    switched (the page, or the part of it they stand in: caremap.app.parts), so that only the open tab's content is
    built (each container's `.open`)."""
    urlstate.bind(key, ids[0], ids)
    current = st.session_state.get(key, ids[0])
    current = current if current in ids else ids[0]
    by_label = dict(zip(labels, ids))
    widget = f"{key}_tabs_{lang()}"   # a label-valued widget per language; the URL keeps the id

    def switched() -> None:
        st.session_state[key] = by_label.get(st.session_state.get(widget), ids[0])

    if st.session_state.get(widget) not in (None, labels[ids.index(current)]):
        st.session_state[widget] = labels[ids.index(current)]   # the id changed elsewhere (a link, Back)
    return st.tabs(labels, key=widget, default=labels[ids.index(current)], on_change=switched)
