"""Every chart, defined once, with a stable id: used by the pages, the exports and the briefing deck alike.

A chart function takes the scope and language and returns a Figure: the Altair chart (titled with the
scope, with the source and 示例数据 note in its footer, so an exported image carries them), the data
behind it (for CSV/XLSX), and a one-line takeaway computed from the data. Register with @chart("id").
Chart functions read data only through db.query (named queries) and never call st.*.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from caremap import db
from caremap.i18n import t

CJK_FONT = "Noto Sans CJK SC"  # Debian fonts-noto-cjk; vl-convert and browsers find it by this name
CHARTS: dict[str, Callable[..., Figure]] = {}


@dataclass
class Figure:
    id: str
    title: str
    chart: alt.TopLevelMixin
    data: pd.DataFrame
    source: str
    scope_label: str
    takeaway: str = ""
    notes: list[str] = field(default_factory=list)


def chart(chart_id: str):
    """Register a chart function under its stable id."""
    def register(fn):
        CHARTS[chart_id] = fn
        return fn
    return register


def scope_label(district: str | None, street: str | None, lang: str) -> str:
    parts = [t("common.city", lang)]
    if district:
        parts.append(db.query("districts").set_index("code")["name"].get(district, district))
    if street:
        parts.append(db.query("streets", district=district).set_index("code")["name"].get(street, street))
    return " › ".join(parts)


def is_demo() -> bool:
    return dict(db.query("meta").itertuples(index=False, name=None)).get("is_demo") == "true"


def finish(chart_obj, title: str, subtitle: str, source: str, lang: str, width=640, height=320):
    """Title with the scope as subtitle, the source (and 示例数据) as a footer line, the CJK font."""
    demo = t("common.demo_suffix", lang) if is_demo() else ""
    footer = f"{t('common.source', lang)}：{source}{demo}"
    titled = chart_obj.properties(
        title=alt.Title(title, subtitle=[subtitle, footer], anchor="start", subtitleColor="#555"),
        width=width, height=height)
    return titled.configure(font=CJK_FONT).configure_title(font=CJK_FONT, fontSize=16, subtitleFontSize=11) \
        .configure_axis(labelFont=CJK_FONT, titleFont=CJK_FONT).configure_legend(labelFont=CJK_FONT,
                                                                                  titleFont=CJK_FONT)


def build(chart_id: str, district: str | None = None, street: str | None = None, lang: str = "zh") -> Figure:
    """The Figure for a chart id at a scope; KeyError names the known ids."""
    if chart_id not in CHARTS:
        raise KeyError(f"unknown chart {chart_id!r}; known: {', '.join(sorted(CHARTS))}")
    return CHARTS[chart_id](district=district, street=street, lang=lang)


@chart("points_by_system")
def points_by_system(district=None, street=None, lang="zh") -> Figure:
    """Service points by owning system and network level (overview)."""
    data = db.query("points_by_system", district=district, street=street)
    level_name = {"city": "市级", "district": "区级", "street": "街道级", "community": "社区级"} if lang == "zh" \
        else {"city": "City", "district": "District", "street": "Street", "community": "Community"}
    data["level_label"] = data["level"].map(level_name)
    sys_title, lvl_title, n_title = (("所属系统", "层级", "服务点数") if lang == "zh"
                                     else ("Owning system", "Level", "Service points"))
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("system:N", title=sys_title, sort="-x"),
        x=alt.X("points:Q", title=n_title),
        color=alt.Color("level_label:N", title=lvl_title,
                        sort=list(level_name.values()), scale=alt.Scale(scheme="tableau10")),
        order=alt.Order("level_order:Q"),
        tooltip=[alt.Tooltip("system:N", title=sys_title), alt.Tooltip("level_label:N", title=lvl_title),
                 alt.Tooltip("points:Q", title=n_title)],
    )
    scope = scope_label(district, street, lang)
    title = "各系统儿童服务点（按层级）" if lang == "zh" else "Service points by owning system and level"
    total = int(data["points"].sum())
    top = data.groupby("system")["points"].sum().sort_values(ascending=False)
    takeaway = (f"{scope}共有儿童服务点 {total} 个，其中{top.index[0]}系统最多（{int(top.iloc[0])} 个）。"
                if lang == "zh" and total else
                f"{scope}: {total} service points; most from {top.index[0]} ({int(top.iloc[0])})." if total else "")
    source = "CareMap 服务点数据库" if lang == "zh" else "CareMap service-point database"
    out = data.rename(columns={"system": sys_title, "level_label": lvl_title, "points": n_title})[
        [sys_title, lvl_title, n_title]]
    return Figure("points_by_system", title, finish(bars, title, scope, source, lang), out, source, scope, takeaway)
