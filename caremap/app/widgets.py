"""Page furniture shared by every page: the 示例数据 note, 来源 captions, headline metrics."""

from __future__ import annotations

import streamlit as st

from caremap.common import facts
from caremap.common.i18n import lang, t
from caremap.report import metrics
from caremap.report.scope import Scope
from caremap.store import db


def demo_note() -> None:
    """The 示例数据 label every page shows above its figures when the data are the demo set."""
    if db.is_demo():
        st.caption(t("common.demo_caption"))


def source(text_zh: str, text_en: str | None = None) -> None:
    """A 来源 caption under a figure."""
    body = text_en if (lang() == "en" and text_en) else text_zh
    suffix = t("common.demo_suffix") if db.is_demo() else ""
    st.caption(f"{t('common.source')}：{body}{suffix}")


def published(key: str) -> str:
    """'公布数：1500余个' for a published figure key of facts.PUBLISHED."""
    value, zh, en = facts.PUBLISHED[key]
    return t("common.published", figure=zh if lang() == "zh" else en)


def metric(col, metric_id: str, values: dict, scope: Scope, published_key: str | None = None) -> None:
    """A figure of the metrics layer: its label and value as defined once, its definition and source as help, and
    the published 2020 figure beside it at city scope (the published figures are city totals)."""
    help_text = metrics.help_text(metric_id)
    city_published = published_key and scope.level == "city"
    if city_published:
        source = facts.SEED_SOURCE if lang() == "zh" else facts.SEED_SOURCE_EN
        help_text += f"\n\n{published(published_key)}（{source}）"
    col.metric(metrics.get(metric_id).text("label"), metrics.fmt(metric_id, values.get(metric_id)), help=help_text)
    if city_published:
        col.caption(published(published_key))
