"""Page furniture shared by every page: the 示例数据 note, 来源 captions, headline metrics."""

from __future__ import annotations

import streamlit as st

from caremap.common import facts
from caremap.common.i18n import fmt_int, lang, t
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


def headline_metric(col, label_key: str, value, published_key: str | None, scope: Scope) -> None:
    """A metric with the published 2020 figure beside it (city scope only: the figures are city totals)."""
    help_text = None
    if published_key and scope.level == "city":
        help_text = f"{published(published_key)}（{facts.SEED_SOURCE if lang() == 'zh' else facts.SEED_SOURCE_EN}）"
    col.metric(t(label_key), fmt_int(value), help=help_text)
    if published_key and scope.level == "city":
        col.caption(published(published_key))
