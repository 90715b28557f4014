"""Every chart, defined once, with a stable id: used by the pages, the exports and the briefing deck alike.

A chart function takes the scope and language and returns a Figure: the Altair chart (titled with the
scope, with the source and 示例数据 note in its footer, so an exported image carries them), the data
behind it (for CSV/XLSX), and a one-line takeaway computed from the data. Register with @chart("id").
Chart functions read data only through db.query (named queries) and never call st.*. build() caches each
Figure per (chart, scope, language, published data version), so a chart function must depend on nothing else.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import altair as alt
import pandas as pd

from caremap.common.i18n import fmt_int, t
from caremap.report import metrics, terms
from caremap.report.scope import label_of, place_of
from caremap.store import db

CJK_FONT = "Noto Sans CJK SC"  # Debian fonts-noto-cjk; vl-convert and browsers find it by this name
CHARTS: dict[str, Callable[..., Figure]] = {}
INK = "#222"   # the map's scale bar and north arrow (a dark screen turns this ink light)


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


def finish(chart_obj, title: str, subtitle: str, source: str, lang: str, width=640, height=320):
    """Title with the scope as subtitle, the source (and 示例数据) as a footer line, the CJK font."""
    demo = t("common.demo_suffix", lang) if db.is_demo() else ""
    footer = t("common.source_line", lang, source=f"{source}{demo}")
    size = {} if width is None else {"width": width, "height": height}  # None: a concatenation sizes its panels
    titled = chart_obj.properties(
        title=alt.Title(title, subtitle=[subtitle, footer], anchor="start", subtitleColor="#555"), **size)
    return titled.configure(font=CJK_FONT).configure_title(font=CJK_FONT, fontSize=16, subtitleFontSize=11) \
        .configure_axis(labelFont=CJK_FONT, titleFont=CJK_FONT).configure_legend(labelFont=CJK_FONT,
                                                                                  titleFont=CJK_FONT)


def build(chart_id: str, district: str | None = None, street: str | None = None, lang: str = "zh") -> Figure:
    """The Figure for a chart id at a scope; KeyError names the known ids.

    Built once per (chart, scope, language, published database version) and then served from the cache:
    building the Altair chart costs far more than the queries behind it. Each call returns its own copy.
    """
    if chart_id not in CHARTS:
        raise KeyError(f"unknown chart {chart_id!r}; known: {', '.join(sorted(CHARTS))}")
    fn = CHARTS[chart_id]
    return copy.deepcopy(_built(chart_id, district, street, lang, db.cache_key(), fn))


@lru_cache(maxsize=512)
def _built(chart_id: str, district: str | None, street: str | None, lang: str, data: tuple,
           fn: Callable[..., Figure]) -> Figure:
    # `data` is db.cache_key(): the published version and the file this run reads, so a new version is built
    # anew; `fn` (hashed by identity) is the registered function, so a replaced registration is built anew too.
    return fn(district=district, street=street, lang=lang)


TOP_SERIES = 5        # more colours than this in one chart: the largest series and 其他 (not 15 colours)
OTHER_COLOUR = "#BAB0AC"
TABLEAU10 = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F")


def top_and_other(totals: pd.Series, lang: str, top: int = TOP_SERIES) -> dict[str, str]:
    """Each series (the index of `totals`) → the name it is drawn under, largest total first (ties in their order):
    itself when there are at most top + 1 series, else itself for the `top` largest and 其他 (Other) for the rest.
    The one rule for stacked colours, shared by the page charts and the deck's native charts."""
    ranked = [str(n) for n in totals.sort_values(ascending=False, kind="stable").index]
    if len(ranked) <= top + 1:
        return {n: n for n in ranked}
    other = t("common.other", lang)
    return {n: (n if i < top else other) for i, n in enumerate(ranked)}


def _lumped(data: pd.DataFrame, keys: list[str], series: str, value: str, lang: str) -> tuple[pd.DataFrame, list]:
    """The frame with its `series` column lumped by top_and_other (values summed per key and drawn name), and the
    drawn names in legend order (largest first, 其他 last)."""
    shown = top_and_other(data.groupby(series, sort=False)[value].sum(), lang)
    lumped = data.assign(**{series: data[series].astype(str).map(shown)})
    lumped = lumped.groupby([*keys, series], as_index=False, sort=False)[value].sum()
    return lumped, list(dict.fromkeys(shown.values()))


@chart("points_by_system")
def points_by_system(district=None, street=None, lang="zh") -> Figure:
    """Service points by owning system and network level (overview)."""
    data = terms.frame(db.query("points_by_system", district=district, street=street), lang)
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
    scope = label_of(district, street, lang)
    title = "各系统儿童服务点（按层级）" if lang == "zh" else "Service points by owning system and level"
    total = int(data["points"].sum())
    top = data.groupby("system")["points"].sum().sort_values(ascending=False)
    total_text, top_text = fmt_int(total, lang), (fmt_int(top.iloc[0], lang) if total else "")
    takeaway = (f"{scope}共有儿童服务点 {total_text} 个，其中{top.index[0]}系统最多（{top_text} 个）。"
                if lang == "zh" and total else
                f"{scope}: {total_text} service points; most from {top.index[0]} ({top_text})." if total else "")
    source = "CareMap 服务点数据库" if lang == "zh" else "CareMap service-point database"
    out = data.rename(columns={"system": sys_title, "level_label": lvl_title, "points": n_title})[
        [sys_title, lvl_title, n_title]]
    return Figure("points_by_system", title, finish(bars, title, scope, source, lang), out, source, scope, takeaway)


# --- Workforce and social work ---------------------------------------------------------------

def _zh_en(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


@chart("workforce_by_district")
def workforce_by_district(district=None, street=None, lang="zh") -> Figure:
    """Community units by child-director status (in post / vacant record / no record), per district or street."""
    from caremap.common import facts

    by_street = district is not None or street is not None
    data = terms.frame(db.query("workforce_by_street" if by_street else "workforce_by_district", district=district,
                                **({"street": street} if by_street else {})), lang)
    place_col = "street_name" if by_street else ("district_name" if lang == "zh" else "district_name_en")
    place = _zh_en(lang, "街道" if by_street else "区（新区）", "Street" if by_street else "District")
    status = _zh_en(lang, "儿童主任状态", "Child director")
    units = _zh_en(lang, "社区级单位数", "Community units")
    names = {"filled": _zh_en(lang, "在岗", "In post"), "vacant": _zh_en(lang, "空缺（有岗位记录）", "Vacant post"),
             "no_record": _zh_en(lang, "无在册儿童主任", "No director on record")}
    long = data.melt(id_vars=[place_col], value_vars=list(names), var_name="status", value_name="n")
    long["status_label"] = long["status"].map(names)
    long["order"] = long["status"].map({k: i for i, k in enumerate(names)})
    bars = alt.Chart(long).mark_bar().encode(
        y=alt.Y(f"{place_col}:N", title=place, sort=data[place_col].tolist()),
        x=alt.X("n:Q", title=units),
        color=alt.Color("status_label:N", title=status, sort=list(names.values()),
                        scale=alt.Scale(domain=list(names.values()), range=["#2ca02c", "#ff7f0e", "#c7c7c7"])),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip(f"{place_col}:N", title=place), alt.Tooltip("status_label:N", title=status),
                 alt.Tooltip("n:Q", title=units)])
    scope = label_of(district, street, lang)
    title = _zh_en(lang, "社区儿童主任配备（按社区级单位）", "Community child directors by unit")
    total, filled = int(data["units"].sum()), int(data["filled"].sum())
    vacant, no_record = int(data["vacant"].sum()), int(data["no_record"].sum())
    worst = data.sort_values(["no_record", place_col], ascending=[False, True]).iloc[0] if len(data) else None
    if not total:
        takeaway = ""
    else:
        n = {k: fmt_int(v, lang) for k, v in {"total": total, "filled": filled, "vacant": vacant,
                                               "no_record": no_record, "most": worst["no_record"]}.items()}
        takeaway = (f"{scope}：{n['total']}个社区级单位中，{n['filled']}个有在岗儿童主任，{n['vacant']}个岗位空缺，"
                    f"{n['no_record']}个无在册儿童主任（最多：{worst[place_col]} {n['most']}个；口径见注）。"
                    if lang == "zh" else
                    f"{scope}: of {n['total']} community units, {n['filled']} have a director in post, {n['vacant']} "
                    f"a vacant post, {n['no_record']} no director on record (most: {worst[place_col]}, {n['most']}; "
                    "see the note on units).")
    source = _zh_en(lang, "CareMap 人员与区划数据库", "CareMap workforce and geography database")
    out = data[[place_col, "supervisors", "units", "posts", "filled", "vacant", "no_record", "units_with_home"]]
    out = out.rename(columns={place_col: place, "supervisors": _zh_en(lang, "儿童督导员", "Child supervisors"),
                              "units": units, "posts": _zh_en(lang, "儿童主任岗位记录", "Director posts on record"),
                              "filled": names["filled"], "vacant": names["vacant"], "no_record": names["no_record"],
                              "units_with_home": _zh_en(lang, "有儿童之家的单位", "Units with a children's home")})
    note = facts.UNITS_CAVEAT_ZH if lang == "zh" else facts.UNITS_CAVEAT_EN
    height = max(300, 30 * len(data) + 140)  # Streamlit fits title, axes and plot into this height
    return Figure("workforce_by_district", title, finish(bars, title, scope, source, lang, height=height), out,
                  source, scope, takeaway, [note])


def _profile_hist(chart_id, field, bin_step, title_zh, title_en, axis_zh, axis_en, district, street, lang):
    data = db.query("workforce_profile", district=district, street=street)
    role_title, n_title, axis = _zh_en(lang, "角色", "Role"), _zh_en(lang, "人数", "People"), _zh_en(lang, axis_zh,
                                                                                                     axis_en)
    roles = {"儿童主任": _zh_en(lang, "儿童主任", "Child director"), "儿童督导员": _zh_en(lang, "儿童督导员",
                                                                                   "Child supervisor")}
    data["role_label"] = data["role"].map(roles).fillna(data["role"])
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{field}:Q", bin=alt.Bin(step=bin_step), title=axis),
        y=alt.Y("count():Q", title=n_title, stack=True),
        color=alt.Color("role_label:N", title=role_title, sort=list(roles.values()),
                        scale=alt.Scale(scheme="tableau10"),   # a third of the page wide: one entry a line, whole
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0, symbolLimit=0,
                                          titleLimit=0)),
        tooltip=[alt.Tooltip("role_label:N", title=role_title), alt.Tooltip(f"{field}:Q", bin=alt.Bin(step=bin_step),
                                                                              title=axis),
                 alt.Tooltip("count():Q", title=n_title)])
    scope = label_of(district, street, lang)
    title = _zh_en(lang, title_zh, title_en)
    directors = data.loc[data["role"] == "儿童主任", field].dropna()
    if directors.empty:
        takeaway = ""
    elif lang == "zh":
        takeaway = f"{scope}：在岗儿童主任{len(directors)}人，{axis_zh}中位数 {directors.median():g}。"
    else:
        takeaway = (f"{scope}: {len(directors)} child directors in post; "
                    f"median {axis_en.lower()} {directors.median():g}.")
    source = _zh_en(lang, "CareMap 人员数据库（在岗人员）", "CareMap workforce database (in post)")
    out = data[["role_label", field]].rename(columns={"role_label": role_title, field: axis})
    return Figure(chart_id, title, finish(bars, title, scope, source, lang, height=340), out, source, scope, takeaway)


@chart("workforce_tenure")
def workforce_tenure(district=None, street=None, lang="zh") -> Figure:
    """Tenure (years from appointment to the data date) of in-post supervisors and directors."""
    return _profile_hist("workforce_tenure", "tenure_years", 0.5, "任职年限分布", "Tenure", "任职年限（年）",
                         "Tenure (years)", district, street, lang)


@chart("workforce_training")
def workforce_training(district=None, street=None, lang="zh") -> Figure:
    """Training hours of in-post supervisors and directors."""
    return _profile_hist("workforce_training", "training_hours", 10, "培训学时分布", "Training hours",
                         "培训学时", "Training hours", district, street, lang)


CERT_BAR = 16  # px: the certificate chart's bar, its name written above it


@chart("workforce_certificates")
def workforce_certificates(district=None, street=None, lang="zh") -> Figure:
    """Professional certificates of in-post supervisors and directors."""
    data = db.query("workforce_profile", district=district, street=street)
    counts = data.groupby(["role", "certificate"]).size().reset_index(name="n")
    certified = int(counts.loc[counts["certificate"] != "无", "n"].sum())
    counts["certificate"] = counts["certificate"].map(lambda v: terms.term("certificate", v, lang))
    roles = {"儿童主任": _zh_en(lang, "儿童主任", "Child director"),
             "儿童督导员": _zh_en(lang, "儿童督导员", "Child supervisor")}
    counts["role_label"] = counts["role"].map(roles).fillna(counts["role"])
    role_title, cert_title, n_title = (_zh_en(lang, "角色", "Role"), _zh_en(lang, "证书", "Certificate"),
                                       _zh_en(lang, "人数", "People"))
    # The page shows this chart in a third of its width: each certificate's name written above its bar (no axis
    # labels beside the plot, which pushed the legend under it off the right edge), the legend one entry a line.
    order = counts.groupby("certificate")["n"].sum().sort_values(ascending=False, kind="stable").index.tolist()
    y = alt.Y("certificate:N", sort=order, axis=None, scale=alt.Scale(paddingInner=0.55, paddingOuter=0.45))
    bars = alt.Chart(counts).mark_bar(size=CERT_BAR).encode(
        y=y, x=alt.X("n:Q", title=n_title),
        color=alt.Color("role_label:N", title=role_title, scale=alt.Scale(scheme="tableau10"),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0, symbolLimit=0,
                                          titleLimit=0)),
        tooltip=[alt.Tooltip("role_label:N", title=role_title), alt.Tooltip("certificate:N", title=cert_title),
                 alt.Tooltip("n:Q", title=n_title)])
    names = alt.Chart(pd.DataFrame({"certificate": order})).mark_text(
        align="left", baseline="bottom", dy=-CERT_BAR / 2 - 3, fontSize=12, limit=0).encode(
        y=y, x=alt.value(0), text="certificate:N")
    scope = label_of(district, street, lang)
    title = _zh_en(lang, "职业资格证书", "Professional certificates")
    total = int(counts["n"].sum())
    takeaway = "" if not total else (
        f"{scope}：在岗人员{fmt_int(total, lang)}人，持社会工作者职业资格证书{fmt_int(certified, lang)}人"
        f"（{certified / total:.0%}）。" if lang == "zh"
        else f"{scope}: {fmt_int(certified, lang)} of {fmt_int(total, lang)} people in post ({certified / total:.0%}) "
             "hold a social-work certificate.")
    source = _zh_en(lang, "CareMap 人员数据库（在岗人员）", "CareMap workforce database (in post)")
    out = counts[["role_label", "certificate", "n"]].rename(
        columns={"role_label": role_title, "certificate": cert_title, "n": n_title})
    # taller than its neighbours: in a third of the page the legend under it takes room from the plot
    return Figure("workforce_certificates", title, finish(alt.layer(bars, names), title, scope, source, lang,
                                                          height=400), out, source, scope, takeaway)


@chart("projects_by_domain")
def projects_by_domain(district=None, street=None, lang="zh") -> Figure:
    """Child social-work projects by service domain (the ten published domains)."""
    data = terms.frame(db.query("sw_by_domain", district=district, street=street), lang)
    domain, n_title = _zh_en(lang, "服务领域", "Service domain"), _zh_en(lang, "项目数", "Projects")
    sw_title, pt_title = _zh_en(lang, "社工人数", "Social workers"), _zh_en(lang, "服务人次", "Person-times")
    bars = alt.Chart(data).mark_bar(color="#1f77b4").encode(
        y=alt.Y("domain:N", title=domain, sort=data["domain"].tolist(), axis=alt.Axis(labelLimit=220)),
        x=alt.X("projects:Q", title=n_title),
        tooltip=[alt.Tooltip("domain:N", title=domain), alt.Tooltip("projects:Q", title=n_title),
                 alt.Tooltip("social_workers:Q", title=sw_title), alt.Tooltip("person_times:Q", title=pt_title,
                                                                              format=",")])
    scope = label_of(district, street, lang)
    title = _zh_en(lang, "儿童社工项目（按服务领域）", "Child social-work projects by service domain")
    total = int(data["projects"].sum())
    most = int(data["projects"].max()) if total else 0
    tops = data.loc[data["projects"] == most, "domain"].tolist()  # ties named together, in domain order
    each = ("各" if len(tops) > 1 else "", " each" if len(tops) > 1 else "")
    n, top = fmt_int(total, lang), fmt_int(most, lang)
    takeaway = "" if not total else (
        f"{scope}：共有儿童社工项目{n}个，{'、'.join(tops)}领域最多（{each[0]}{top}个）。" if lang == "zh"
        else f"{scope}: {n} child social-work projects; most in {', '.join(tops)} ({top}{each[1]}).")
    source = _zh_en(lang, "CareMap 社工项目数据库", "CareMap social-work project database")
    out = data[["domain", "projects", "social_workers", "person_times"]].rename(
        columns={"domain": domain, "projects": n_title, "social_workers": sw_title, "person_times": pt_title})
    return Figure("projects_by_domain", title, finish(bars, title, scope, source, lang, height=440), out, source,
                  scope, takeaway)


@chart("projects_by_target_group")
def projects_by_target_group(district=None, street=None, lang="zh") -> Figure:
    """Child social-work projects by target group."""
    data = terms.frame(db.query("sw_by_target_group", district=district, street=street), lang)
    group, n_title = _zh_en(lang, "服务对象", "Target group"), _zh_en(lang, "项目数", "Projects")
    bars = alt.Chart(data).mark_bar(color="#9467bd").encode(
        y=alt.Y("target_group:N", title=group, sort="-x"), x=alt.X("projects:Q", title=n_title),
        tooltip=[alt.Tooltip("target_group:N", title=group), alt.Tooltip("projects:Q", title=n_title)])
    scope = label_of(district, street, lang)
    title = _zh_en(lang, "儿童社工项目（按服务对象）", "Child social-work projects by target group")
    total = int(data["projects"].sum())
    first, first_n = (data["target_group"].iloc[0], int(data["projects"].iloc[0])) if total else ("", 0)
    takeaway = "" if not total else (
        f"{scope}：项目最多的服务对象：{first}（{first_n}个）。" if lang == "zh"
        else f"{scope}: most projects serve {first} ({first_n}).")
    source = _zh_en(lang, "CareMap 社工项目数据库", "CareMap social-work project database")
    out = data.rename(columns={"target_group": group, "projects": n_title,
                               "social_workers": _zh_en(lang, "社工人数", "Social workers"),
                               "person_times": _zh_en(lang, "服务人次", "Person-times")})
    return Figure("projects_by_target_group", title, finish(bars, title, scope, source, lang, height=360), out,
                  source, scope, takeaway)


@chart("service_trend")
def service_trend(district=None, street=None, lang="zh") -> Figure:
    """Monthly person-times of child social work, with the epidemic-period online services marked."""
    data = db.query("sw_service_trend", district=district, street=street)
    month_t, total_t = _zh_en(lang, "月份", "Month"), _zh_en(lang, "服务人次", "Person-times")
    online_t = _zh_en(lang, "线上服务人次", "Online person-times")
    series_t, period_t = _zh_en(lang, "类别", "Series"), _zh_en(lang, "疫情期间线上服务", "Epidemic: online services")
    long = data.melt(id_vars=["month"], value_vars=["person_times", "online_person_times"], var_name="series",
                     value_name="n")
    long["series_label"] = long["series"].map({"person_times": total_t, "online_person_times": online_t})
    online = data[data["online_person_times"] > 0]
    layers = []
    if len(online):
        period = pd.DataFrame({"start": [online["month"].min() - pd.Timedelta(days=15)],
                               "end": [online["month"].max() + pd.Timedelta(days=15)], "label": [period_t]})
        layers.append(alt.Chart(period).mark_rect(color="#ff7f0e", opacity=0.12).encode(
            x="start:T", x2="end:T", tooltip=[alt.Tooltip("label:N", title=series_t)]))
        layers.append(alt.Chart(period).mark_text(align="left", dx=4, dy=8, baseline="top", color="#b35900").encode(
            x="start:T", y=alt.value(0), text="label:N"))
    layers.append(alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("month:T", title=month_t, axis=alt.Axis(format="%Y-%m", tickCount={"interval": "month", "step": 1})),
        y=alt.Y("n:Q", title=total_t),
        color=alt.Color("series_label:N", title=series_t, sort=[total_t, online_t],
                        scale=alt.Scale(domain=[total_t, online_t], range=["#1f77b4", "#ff7f0e"])),
        tooltip=[alt.Tooltip("month:T", title=month_t, format="%Y-%m"),
                 alt.Tooltip("series_label:N", title=series_t), alt.Tooltip("n:Q", title=total_t, format=",")]))
    scope = label_of(district, street, lang)
    title = _zh_en(lang, "儿童社工服务人次（按月）", "Child social-work person-times by month")
    total = int(data["person_times"].sum())
    if not total:
        takeaway = ""
    elif len(online):
        first, last = online["month"].min(), online["month"].max()
        on, during = int(online["online_person_times"].sum()), int(online["person_times"].sum())
        takeaway = (f"{scope}：{first:%Y年%-m月}至{last:%Y年%-m月}疫情期间线上服务{fmt_int(on, lang)}人次，"
                    f"占同期服务人次的{on / during:.0%}；全期共{fmt_int(total, lang)}人次。" if lang == "zh" else
                    f"{scope}: {on:,} online person-times during the epidemic ({first:%b %Y}–{last:%b %Y}), "
                    f"{on / during:.0%} of that period's services; {total:,} in all.")
    else:
        takeaway = (f"{scope}：全期共服务{fmt_int(total, lang)}人次。" if lang == "zh"
                    else f"{scope}: {total:,} person-times in all.")
    source = _zh_en(lang, "CareMap 社工服务月报数据库", "CareMap social-work monthly service records")
    out = data.assign(month=data["month"].dt.strftime("%Y-%m"))[["month", "person_times", "online_person_times"]]
    out = out.rename(columns={"month": month_t, "person_times": total_t, "online_person_times": online_t})
    return Figure("service_trend", title, finish(alt.layer(*layers), title, scope, source, lang, height=400), out,
                  source, scope, takeaway)


@chart("sw_by_district")
def sw_by_district(district=None, street=None, lang="zh") -> Figure:
    """Child social-work projects and sites per district (a project counts in each district it has a site in); within
    a district, per street of that district (a project counts in each street it has a site in), the chosen street
    highlighted."""
    by_street = district is not None
    if by_street:
        data = terms.frame(db.query("sw_by_street", district=district), lang)
        key, place_col, place = "street_code", "street_name", _zh_en(lang, "街道", "Street")
    else:
        data = db.query("sw_by_district", district=None)
        key, place_col = "district_code", "district_name" if lang == "zh" else "district_name_en"
        place = _zh_en(lang, "区（新区）", "District")
    n_title = _zh_en(lang, "数量", "Count")
    kinds = {"projects": _zh_en(lang, "项目数", "Projects"), "sites": _zh_en(lang, "项目点数", "Sites")}
    long = data.melt(id_vars=[key, place_col], value_vars=list(kinds), var_name="kind", value_name="n")
    long["kind_label"] = long["kind"].map(kinds)
    bars = alt.Chart(long).mark_bar().encode(
        y=alt.Y(f"{place_col}:N", title=place, sort=data[place_col].tolist(), axis=alt.Axis(labelLimit=0)),
        x=alt.X("n:Q", title=n_title),
        yOffset=alt.YOffset("kind_label:N", sort=list(kinds.values())),
        color=alt.Color("kind_label:N", title="", sort=list(kinds.values()), scale=alt.Scale(scheme="tableau10")),
        tooltip=[alt.Tooltip(f"{place_col}:N", title=place), alt.Tooltip("kind_label:N", title=""),
                 alt.Tooltip("n:Q", title=n_title)])
    if street is not None:
        bars = bars.encode(opacity=alt.condition(alt.datum.street_code == street, alt.value(1.0), alt.value(0.3),
                                                 legend=None))
    scope = label_of(district, street, lang)
    district_name = place_of(district, None, lang)
    if by_street:
        title = _zh_en(lang, f"{district_name}各街道儿童社工项目与项目点",
                       f"Child social-work projects and sites per street of {district_name}")
    else:
        title = _zh_en(lang, "各区儿童社工项目与项目点", "Child social-work projects and sites by district")
    top = data.sort_values(["sites", key], ascending=[False, True]).iloc[0] if len(data) else None
    where = "" if top is None else top[place_col]
    sites, projects = ("" if top is None else fmt_int(top[c], lang) for c in ("sites", "projects"))
    takeaway = "" if top is None or not int(top["sites"]) else (
        f"{scope}：项目点最多的是{where}（{sites}个项目点、{projects}个项目）。" if lang == "zh" else
        f"{scope}: most sites in {where} ({sites} sites, {projects} projects).")
    source = _zh_en(lang, "CareMap 社工项目数据库", "CareMap social-work project database")
    out = data[[place_col, "orgs", "projects", "sites", "social_workers", "person_times"]].rename(columns={
        place_col: place, "orgs": _zh_en(lang, "机构数", "Organisations"), "projects": kinds["projects"],
        "sites": kinds["sites"], "social_workers": _zh_en(lang, "社工人数", "Social workers"),
        "person_times": _zh_en(lang, "服务人次", "Person-times")})
    height = max(240, 34 * len(data) + 140)
    return Figure("sw_by_district", title, finish(bars, title, scope, source, lang, height=height), out, source,
                  scope, takeaway)


# --- coverage analysis: gap_matrix, coverage_by_district, points_by_street --------------------------

MATRIX_STEP = 124  # px per standard column of the coverage matrix
_WORD = re.compile(r"（[^（）]*）|[A-Za-z0-9&'’,.()\-–]+|\s|.")  # a word, a number or a （…） stays whole


def wrap_label(text: str, width: float, size: int = 11) -> list[str]:
    """The label in lines no wider than `width` px at `size` px of the CJK font (a word wider than that on its own
    line): for headers that must show whole, never cut with "…"."""
    from caremap.report import fonts

    font = fonts.pil_font(size)
    lines, current = [], ""
    for atom in _WORD.findall(text):
        if current.strip() and not atom.isspace() and font.getlength((current + atom).strip()) > width:
            lines.append(current.strip())
            current = atom
        else:
            current += atom
    if current.strip():
        lines.append(current.strip())
    return lines or [text]

@chart("gap_matrix")
def gap_matrix(district=None, street=None, lang="zh") -> Figure:
    """Compliance with each coverage standard: rows one level below the scope × standards, coloured by rate."""
    from caremap.common import facts
    from caremap.report import coverage

    comp = coverage.compliance(district, street)
    cells = coverage.matrix(comp, lang)
    zh = lang == "zh"
    row_title = t("coverage.level_" + ("community" if street else "street" if district else "district"), lang)
    std_title, rate_title = t("coverage.col_standard", lang), ("达标率" if zh else "Share met")
    met_title, units_title, cell_title = (("达标单位数", "单位数", "达标情况") if zh
                                          else ("Units met", "Units", "Met / units"))
    std_order = cells.drop_duplicates("standard_id").sort_values("sort_order")["standard"].tolist()
    row_order = cells.drop_duplicates("row_code").sort_values("row_code")["row_name"].tolist()
    # Column headers on top, level, each wrapped to its column's width in whole words (never cut): a line break
    # in the axis field, drawn as lines by the labelExpr; the tooltip and the data keep the name on one line.
    # Vega draws a label's lines downwards from its first: every header gets as many lines (blank ones on top) and
    # the padding makes room for them, so the last lines all sit just above the matrix.
    wrapped = {s: wrap_label(s, MATRIX_STEP - 12, 11) for s in std_order}
    depth = max(len(lines) for lines in wrapped.values()) if wrapped else 1
    headers = {s: "\n".join([""] * (depth - len(lines)) + lines) for s, lines in wrapped.items()}
    cells = cells.assign(header=cells["standard"].map(headers))
    base = alt.Chart(cells).encode(
        x=alt.X("header:N", sort=[headers[s] for s in std_order], title=None,
                axis=alt.Axis(orient="top", labelAngle=0, labelLimit=0, labelOverlap=False, labelFontSize=11,
                              labelExpr="split(datum.value, '\\n')", labelLineHeight=14,
                              labelPadding=4 + 14 * (depth - 1), ticks=False, domain=False,
                              labelFlush=False)),   # Streamlit's theme flushes the end labels off their columns
        y=alt.Y("row_name:N", sort=row_order, title=None, axis=alt.Axis(labelOverlap=False, labelLimit=0)))
    # A click on a cell selects its row ("pick"): the coverage page drills down to it.
    rect = base.mark_rect(stroke="white", cursor="pointer").add_params(
        alt.selection_point(name="pick", fields=["row_code"], on="click")).encode(
        color=alt.Color("rate:Q", title=rate_title, scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen"),
                        legend=alt.Legend(format="%", orient="bottom", titleOrient="left", gradientLength=240,
                                          values=[0, 0.5, 1])),
        tooltip=[alt.Tooltip("row_name:N", title=row_title), alt.Tooltip("standard:N", title=std_title),
                 alt.Tooltip("met:Q", title=met_title), alt.Tooltip("units:Q", title=units_title),
                 alt.Tooltip("rate:Q", title=rate_title, format=".0%")])
    text = base.mark_text(fontSize=11).encode(text="cell:N", color=alt.condition(
        "datum.rate >= 0.9 || datum.rate <= 0.15", alt.value("white"), alt.value("black")))
    scope = label_of(district, street, lang)
    title = "覆盖标准达标矩阵" if zh else "Coverage-standard compliance matrix"
    source = t("coverage.standards_source", lang)
    totals = coverage.standard_totals(comp)
    # The takeaway names the weakest standard, leaving out "director on record" (see facts.UNITS_CAVEAT_ZH).
    ranked = totals[~((totals["kind"] == "worker") & (totals["level"] == "community"))].assign(
        rate=lambda d: d["standard_met"] / d["standard_units"]).sort_values(["rate", "sort_order"], kind="stable")
    place = place_of(district, street, lang)
    takeaway = ""
    if not ranked.empty:
        w = ranked.iloc[0]
        units, miss = int(w["standard_units"]), int(w["standard_units"] - w["standard_met"])
        what = coverage.missing_text({**w.to_dict(), "has_location": True}, lang)
        noun = coverage.unit_noun(w["level"], lang)
        directors = totals[(totals["kind"] == "worker") & (totals["level"] == "community")]
        no_record = int((directors["standard_units"] - directors["standard_met"]).sum())
        if miss == 0 and no_record:
            takeaway = (f"{place}其余覆盖标准均已达标；{no_record} 个社区无在册儿童主任（口径见注）。" if zh else
                        f"{place}: other standards met; {no_record} communities have no director on record (see note).")
        elif miss == 0:
            takeaway = f"{place}各项覆盖标准均已达标。" if zh else f"{place}: every coverage standard is met."
        else:
            takeaway = (f"{place} {units} {noun}中 {miss} 个{what}。" if zh
                        else f"{place}: {miss} of {units} {noun} — {what[0].lower() + what[1:]}.")
    notes = [facts.UNITS_CAVEAT_ZH if zh else facts.UNITS_CAVEAT_EN] \
        if ((totals["kind"] == "worker") & (totals["level"] == "community")).any() else []
    out = cells.rename(columns={"row_name": row_title, "standard": std_title, "met": met_title, "units": units_title,
                                "rate": rate_title, "cell": cell_title})[
        [row_title, std_title, met_title, units_title, rate_title, cell_title]]
    # Step sizes, not fixed ones: Streamlit fits a fixed-height chart, title and axes included, into that height.
    return Figure("gap_matrix", title, finish(rect + text, title, scope, source, lang, width=alt.Step(MATRIX_STEP),
                                              height=alt.Step(26)), out, source, scope, takeaway, notes)


@chart("coverage_by_district")
def coverage_by_district(district=None, street=None, lang="zh") -> Figure:
    """Service points per district, stacked by owning system (the largest five and 其他); within a district, per
    street of that district (one bar for the district told a planner nothing), the chosen street highlighted."""
    zh = lang == "zh"
    by_street = district is not None
    if by_street:   # every street of the district, also when one street is chosen: it is seen among its neighbours
        raw = terms.frame(db.query("points_by_street", district=district, street=None), lang)
        key, name_col = "street_code", "street_name"
        p_title = "街道" if zh else "Street"
    else:
        raw = terms.frame(db.query("points_by_district", district=None, street=None), lang)
        key, name_col = "district_code", "district_name" if zh else "district_name_en"
        p_title = "区" if zh else "District"
    data = raw.groupby([key, name_col, "system"], as_index=False, sort=False)["points"].sum()
    s_title, n_title = ("所属系统", "服务点数") if zh else ("Owning system", "Service points")
    per = data.groupby(name_col, sort=False)["points"].sum()
    places = per.sort_values(ascending=False, kind="stable").index.tolist() if by_street \
        else data.drop_duplicates(key)[name_col].tolist()
    drawn, systems = _lumped(data, [key, name_col], "system", "points", lang)  # the download keeps every system
    colours = [OTHER_COLOUR if s == t("common.other", lang) else TABLEAU10[i % len(TABLEAU10)]
               for i, s in enumerate(systems)]
    drawn["system_order"] = drawn["system"].map({s: i for i, s in enumerate(systems)})
    place_axis = dict(field=name_col, type="nominal", title=p_title, sort=places)
    encoding = dict(
        color=alt.Color("system:N", title=s_title, sort=systems, scale=alt.Scale(domain=systems, range=colours),
                        legend=alt.Legend(labelLimit=0)),
        order=alt.Order("system_order:Q"),
        tooltip=[alt.Tooltip(f"{name_col}:N", title=p_title), alt.Tooltip("system:N", title=s_title),
                 alt.Tooltip("points:Q", title=n_title)])
    if by_street:   # streets' names are long in English: bars across, a row per street
        bars = alt.Chart(drawn).mark_bar().encode(
            y=alt.Y(**place_axis, axis=alt.Axis(labelOverlap=False, labelLimit=0)),
            x=alt.X("points:Q", title=n_title, stack="zero"), **encoding)
        if street is not None:
            bars = bars.encode(opacity=alt.condition(alt.datum.street_code == street, alt.value(1.0),
                                                     alt.value(0.3), legend=None))
    else:
        bars = alt.Chart(drawn).mark_bar().encode(
            x=alt.X(**place_axis, axis=alt.Axis(labelAngle=0)), y=alt.Y("points:Q", title=n_title, stack="zero"),
            **encoding)
    scope = label_of(district, street, lang)
    district_name = place_of(district, None, lang)
    if not by_street:
        title = "各区儿童服务点（按所属系统）" if zh else "Service points per district by owning system"
    else:
        title = (f"{district_name}各街道儿童服务点（按所属系统）" if zh
                 else f"Service points per street of {district_name} by owning system")
    source = t("coverage.points_source", lang)
    total = int(per.sum())
    ranked = per.sort_values(ascending=False, kind="stable")
    chosen = data.loc[data[key] == street, name_col].iloc[0] if street is not None and (data[key] == street).any() \
        else None
    if not total:
        takeaway = ""
    elif street is not None:
        here = int(per.get(chosen, 0)) if chosen else 0
        rank = int((per > here).sum()) + 1   # ties share a place
        place = place_of(district, street, lang)
        takeaway = (f"{place}共 {fmt_int(here, lang)} 个儿童服务点，在{district_name} {len(ranked)} 个街道中排第 "
                    f"{rank} 位。" if zh else
                    f"{place}: {fmt_int(here, lang)} service points, {rank} of {len(ranked)} streets in "
                    f"{district_name}.")
    else:
        takeaway = (f"{place_of(district, None, lang)}共 {fmt_int(total, lang)} 个儿童服务点，{ranked.index[0]}最多"
                    f"（{fmt_int(int(ranked.iloc[0]), lang)} 个）。" if zh
                    else f"{place_of(district, None, lang)}: {fmt_int(total, lang)} service points; "
                         f"most in {ranked.index[0]} ({fmt_int(int(ranked.iloc[0]), lang)}).")
    out = data.rename(columns={name_col: p_title, "system": s_title, "points": n_title})[[p_title, s_title, n_title]]
    height = max(240, 24 * len(places) + 140) if by_street else 320
    return Figure("coverage_by_district", title, finish(bars, title, scope, source, lang, height=height), out,
                  source, scope, takeaway)


@chart("points_by_street")
def points_by_street(district=None, street=None, lang="zh") -> Figure:
    """Service points per street in scope, stacked by category (category colours from service_category)."""
    zh = lang == "zh"
    data = terms.frame(db.query("points_by_street", district=district, street=street), lang)
    cats = db.query("coverage_categories")
    cat_col = "category_name" if zh else "category_name_en"
    s_title, c_title, n_title = ("街道", "服务类别", "服务点数") if zh else ("Street", "Category", "Service points")
    order = data.groupby("street_name")["points"].sum().sort_values(ascending=False, kind="stable")
    # The five largest categories in their own colours and 其他 (15 colours could not be told apart); the download
    # keeps every category.
    drawn, shown = _lumped(data, ["street_code", "street_name"], cat_col, "points", lang)
    colour_of = dict(zip(cats["name" if zh else "name_en"], cats["color"]))
    drawn["category_order"] = drawn[cat_col].map({c: i for i, c in enumerate(shown)})
    bars = alt.Chart(drawn).mark_bar().encode(
        y=alt.Y("street_name:N", title=s_title, sort=order.index.tolist(),
                axis=alt.Axis(labelOverlap=False, labelLimit=0)),
        x=alt.X("points:Q", title=n_title, stack="zero"),
        color=alt.Color(f"{cat_col}:N", title=c_title, sort=shown, legend=alt.Legend(labelLimit=0),
                        scale=alt.Scale(domain=shown, range=[colour_of.get(c, OTHER_COLOUR) for c in shown])),
        order=alt.Order("category_order:Q"),
        tooltip=[alt.Tooltip("street_name:N", title=s_title), alt.Tooltip(f"{cat_col}:N", title=c_title),
                 alt.Tooltip("points:Q", title=n_title)])
    scope = label_of(district, street, lang)
    title = "各街道儿童服务点（按类别）" if zh else "Service points per street by category"
    source = t("coverage.points_source", lang)
    place = place_of(district, street, lang)
    top, low = (fmt_int(order.max(), lang), fmt_int(order.min(), lang)) if not order.empty else ("", "")
    if order.empty:
        takeaway = ""
    elif len(order) == 1:
        takeaway = f"{place}共有儿童服务点 {top} 个。" if zh else f"{place}: {top} service points."
    else:
        takeaway = (f"{place} {len(order)} 个街道中，{order.index[0]}服务点最多（{top} 个），"
                    f"{order.index[-1]}最少（{low} 个）。" if zh else
                    f"{place}: of {len(order)} streets, {order.index[0]} has the most service points ({top}), "
                    f"{order.index[-1]} the fewest ({low}).")
    out = data.rename(columns={"street_name": s_title, cat_col: c_title, "points": n_title})[
        [s_title, c_title, n_title]]
    # a row per street, but never lower than its legend (one street: the legend was cut at the bottom)
    height = max(22 * len(order) + 120, 26 * len(shown) + 130)   # Streamlit fits title and axes into the height
    return Figure("points_by_street", title, finish(bars, title, scope, source, lang, height=height),
                  out, source, scope, takeaway)


# A static map draws at most this many dots (Altair's own limit for a chart's rows): above it, grid cells instead
STATIC_MAX_POINTS = 5_000


@chart("district_map")
def district_map(district=None, street=None, lang="zh") -> Figure:
    """The resource map as a static figure for reports: district choropleth (points per 10,000 residents) and the
    service points, with legends, a scale bar, a north arrow, the data date, the source and the internal-use notice."""
    import json as _json
    import math as _math

    from caremap.report import maps

    zh = lang == "zh"
    districts = db.query("map_districts", categories=None, system=None, level=None)
    categories = db.query("map_categories")
    where = dict(district=district, street=street, categories=None, system=None, level=None)
    n_points = int(db.query("map_point_count", **where)["points"].iloc[0])
    binned, cell_m = n_points > STATIC_MAX_POINTS, maps.bin_size_m(district, street)
    if binned:   # more dots than a printed map can show apart: DuckDB's grid cells, coarser until few enough
        bins = db.query("map_point_bins", **where, cell_m=cell_m)
        while len(bins) > STATIC_MAX_POINTS:
            cell_m *= 2
            bins = db.query("map_point_bins", **where, cell_m=cell_m)
        colour_name = dict(zip(categories["color"], categories["name"]))
        points = pd.DataFrame({"lon": bins["lon"], "lat": bins["lat"], "points": bins["points"],
                               "category_name": bins["color"].map(colour_name),
                               "name": [f"本格 {fmt_int(n, lang)} 个服务点" if zh else
                                        f"{fmt_int(n, lang)} points in this cell" for n in bins["points"]]})
    else:
        points = db.query("map_points", **where, max_rows=STATIC_MAX_POINTS)
    data_date = db.meta().get("data_date", "")
    metric_title = "每万常住人口服务点数" if zh else "Points per 10,000 residents"
    breaks = maps.class_breaks(districts["points_per_10k"])
    colors = ["#{:02x}{:02x}{:02x}".format(*c) for c in maps.palette("points_per_10k", max(len(breaks) - 1, 1))]
    features = [{"type": "Feature", "geometry": _json.loads(r.geojson),
                 "properties": {"code": r.code, "name": r.name if zh else r.name_en, "value": r.points_per_10k,
                                "focus": district is None or r.code == district}}
                for r in districts.itertuples() if r.geojson]
    # the extent to show: the city, the district, or the street's point and its service points
    if street and not points.empty:
        west, south = points["lon"].min() - 0.01, points["lat"].min() - 0.01
        east, north = points["lon"].max() + 0.01, points["lat"].max() + 0.01
    else:
        chosen = districts[districts["code"] == district] if district else districts
        west, south, east, north = maps.geojson_bbox(chosen["geojson"])
    corners = {"type": "Feature", "properties": {}, "geometry": {  # fit by points: no polygon winding to get wrong
        "type": "MultiPoint", "coordinates": [[west, south], [east, south], [east, north], [west, north]]}}
    base = alt.Chart(alt.Data(values=features)).mark_geoshape(stroke="#555", strokeWidth=0.8, clip=True).encode(
        color=alt.Color("properties.value:Q", title=metric_title,
                        scale=alt.Scale(type="threshold", domain=breaks[1:-1], range=colors),
                        legend=alt.Legend(format=".2f", orient="right")),
        opacity=alt.condition("datum.properties.focus", alt.value(1.0), alt.value(0.35)),
        tooltip=[alt.Tooltip("properties.name:N", title="区" if zh else "District"),
                 alt.Tooltip("properties.value:Q", title=metric_title, format=".2f")])
    shown = categories[categories["name"].isin(points["category_name"].unique())] if not points.empty else categories
    category_title = ("服务点类别（格内最多）" if zh else "Service-point category (most in the cell)") if binned else (
        "服务点类别" if zh else "Service-point category")
    dots = alt.Chart(points[["lon", "lat", "category_name", "name", *(["points"] if binned else [])]]
                     if not points.empty else pd.DataFrame({"lon": [], "lat": [], "category_name": [], "name": []})
                     ).mark_circle(
        size=14 if district or street else 8, opacity=0.9, stroke="white", strokeWidth=0.3, clip=True).encode(
        longitude="lon:Q", latitude="lat:Q",
        color=alt.Color("category_name:N", title=category_title,
                        scale=alt.Scale(domain=shown["name"].tolist(), range=shown["color"].tolist()),
                        legend=alt.Legend(orient="right", symbolSize=90, labelLimit=300)),
        tooltip=[alt.Tooltip("name:N", title="名称" if zh else "Name"),
                 alt.Tooltip("category_name:N", title="类别" if zh else "Category")],
        **({"size": alt.Size("points:Q", legend=None, scale=alt.Scale(range=[6, 160]))} if binned else {}))
    # scale bar (a round length about a fifth of the width) at the lower left, north arrow at the upper right
    km_per_deg = 111.32 * _math.cos(_math.radians((south + north) / 2))
    target = (east - west) * km_per_deg / 5
    length = max([x for x in (0.5, 1, 2, 5, 10, 20, 50) if x <= target] or [0.5])
    x0, y0 = west + (east - west) * 0.04, south + (north - south) * 0.05
    bar = pd.DataFrame({"lon": [x0], "lat": [y0], "lon2": [x0 + length / km_per_deg],
                        "mid": [x0 + length / km_per_deg / 2],
                        "label": [(f"{length:g} 公里" if zh else f"{length:g} km")]})
    scale_bar = alt.Chart(bar).mark_rule(strokeWidth=4, color=INK).encode(
        longitude="lon:Q", latitude="lat:Q", longitude2="lon2:Q", latitude2="lat:Q")
    scale_text = alt.Chart(bar).mark_text(dy=-12, fontSize=14, color=INK, font=CJK_FONT).encode(
        longitude="mid:Q", latitude="lat:Q", text="label:N")
    arrow = pd.DataFrame({"lon": [east - (east - west) * 0.04], "lat": [north - (north - south) * 0.06]})
    north_arrow = alt.Chart(arrow).mark_text(text="▲", fontSize=26, color=INK, font=CJK_FONT).encode(
        longitude="lon:Q", latitude="lat:Q") + alt.Chart(arrow).mark_text(
        text="N", dy=22, fontSize=16, fontWeight="bold", color=INK, font=CJK_FONT).encode(
        longitude="lon:Q", latitude="lat:Q")
    layered = alt.layer(base, dots, scale_bar, scale_text, north_arrow).resolve_scale(color="independent") \
        .project(type="mercator", fit=corners)
    scope = label_of(district, street, lang)
    notice = t("map.notice", lang)
    subtitle = (f"{scope}｜数据日期：{data_date}｜{notice}" if zh else f"{scope} | data date {data_date} | {notice}")
    title = "儿童关爱服务资源地图" if zh else "Child-care service resource map"
    source = t("map.source", lang)
    table = districts.assign(name=districts["name"] if zh else districts["name_en"])[
        ["name", "points", "population_2020", "points_per_10k", "compliance", "gaps"]]
    table.columns = (["区", "服务点数", "常住人口（2020）", "每万常住人口服务点数", "标准达标率", "缺口数"] if zh else
                     ["District", "Service points", "Residents (2020)", "Points per 10,000", "Compliance", "Gaps"])

    def rate(v) -> str:   # a rate as every page writes it ("—" where the residents are not known)
        return metrics.fmt("points_per_10k_residents", v, lang)
    city = rate(metrics.value("points_per_10k_residents"))   # the city's figure, as every page shows it
    top, low = districts.loc[districts["points_per_10k"].idxmax()], districts.loc[districts["points_per_10k"].idxmin()]
    if district:
        here = rate(districts.set_index("code").at[district, "points_per_10k"])
        drawn = fmt_int(n_points, lang)   # map_point_count: the located points, every one drawn or in a cell
        takeaway = (f"{scope}每万常住人口有儿童服务点 {here} 个（全市 {city}），图中 {drawn} 个"
                    + (f"，按 {int(cell_m)} 米网格汇总。" if binned else "。")
                    if zh else f"{scope}: {here} points per 10,000 residents (city {city}); "
                    f"{drawn} shown" + (f" in {int(cell_m)} m cells." if binned else "."))
    elif zh:
        takeaway = (f"全市每万常住人口有儿童服务点 {city} 个，"
                    f"{top['name']}最高（{rate(top['points_per_10k'])}），{low['name']}最低（{rate(low['points_per_10k'])}）。")
    else:
        takeaway = (f"City: {city} points per 10,000 residents; highest {top['name_en']} "
                    f"({rate(top['points_per_10k'])}), lowest {low['name_en']} ({rate(low['points_per_10k'])}).")
    fig = Figure("district_map", title, finish(layered, title, subtitle, source, lang, width=640, height=480),
                 table, source, scope, takeaway, notes=[notice, f"{'数据日期' if zh else 'Data date'}：{data_date}"])
    if binned:
        fig.notes.append(f"服务点按 {int(cell_m)} 米网格汇总：圆面积随格内服务点数增大，颜色为格内最多的类别" if zh else
                         f"Service points in {int(cell_m)} m cells: a circle grows with the points in its cell, "
                         "coloured by the cell's most common category")
    return fig


@chart("standard_trend")
def standard_trend(district=None, street=None, lang="zh") -> Figure:
    """Each standard's share of units meeting it in every published period (Coverage, 达标率趋势)."""
    from caremap.report import compare

    zh = lang == "zh"
    rows = compare.trend(district, street)
    rows["standard"] = rows["standard_zh" if zh else "standard_en"]
    data = pd.DataFrame({"as_of": pd.to_datetime(rows["as_of"]), "standard": rows["standard"],
                         "met": rows["met"], "units": rows["units"], "share": rows["share"].astype(float)})
    x_title, y_title, s_title = ("数据截止日期", "达标率", "标准") if zh else ("As of", "Share meeting it", "Standard")
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("as_of:T", title=x_title, axis=alt.Axis(format="%Y-%m-%d")),
        y=alt.Y("share:Q", title=y_title, axis=alt.Axis(format="%"), scale=alt.Scale(zero=False)),
        color=alt.Color("standard:N", title=s_title, scale=alt.Scale(scheme="tableau10")),
        tooltip=[alt.Tooltip("standard:N", title=s_title), alt.Tooltip("as_of:T", title=x_title, format="%Y-%m-%d"),
                 alt.Tooltip("share:Q", title=y_title, format=".1%"), alt.Tooltip("met:Q"), alt.Tooltip("units:Q")])
    dates = sorted(rows["as_of"].unique())
    takeaway = ""
    if len(dates) > 1:
        first, last = rows[rows["as_of"] == dates[0]], rows[rows["as_of"] == dates[-1]]
        both = first.merge(last, on="standard_id", suffixes=("_a", "_b"))
        both["gain"] = both["share_b"] - both["share_a"]
        top = both.sort_values("gain", ascending=False).iloc[0]
        name = top["standard_zh_b" if zh else "standard_en_b"]
        change = f"{top['share_a']:.1%} → {top['share_b']:.1%}"
        takeaway = (f"{dates[0]} 至 {dates[-1]}，“{name}”达标率提高最多：{change}。" if zh
                    else f"From {dates[0]} to {dates[-1]}, “{name}” rose most: {change}.")
    elif dates:
        takeaway = ("只有一期数据：导入新一期数据后可见变化。" if zh
                    else "One period only: the change shows once another period is imported.")
    title = "各项标准达标率的变化" if zh else "Share meeting each standard, period by period"
    source = "各期已发布数据版本的达标率（同一套指标）" if zh else "Each published period's shares (the same metrics)"
    out = data.assign(as_of=rows["as_of"].astype(str).to_numpy()).rename(columns={
        "as_of": x_title, "standard": s_title, "met": "达标单位数" if zh else "Units meeting it",
        "units": "考核单位数" if zh else "Units checked", "share": y_title})
    scope = label_of(district, street, lang)
    return Figure("standard_trend", title, finish(lines, title, scope, source, lang), out, source, scope, takeaway)


PROGRESS_WORDS = {
    "met": ("已达到目标", "target reached"), "on_track": ("按当前速度可按期达到", "on track"),
    "late": ("按当前速度将晚于目标日期", "behind the target date"), "projected": ("按当前速度可达到", "reachable"),
    "no_progress": ("没有进展或进展过慢：按当前速度 50 年内达不到", "no (or too little) progress: not within 50 years "
                                                                  "at this pace"),
    "too_few": ("只有一期数据，无法推算", "one period only: no projection")}


def progress_table(district=None, street=None, lang="zh") -> pd.DataFrame:
    """Each standard at a scope: share now, target, pace and the projected date of reaching it (Coverage, trend)."""
    from caremap.report import compare

    zh = lang == "zh"
    names = db.query("coverage_standards").set_index("id")["label_zh" if zh else "label_en"]
    rows = []
    for p in compare.projections(district, street):
        rows.append({
            ("标准" if zh else "Standard"): names.get(p.standard_id, p.standard_id),
            t("coverage.col_share_now", lang): p.share_now,
            t("coverage.col_target", lang): p.target_share,
            ("目标日期" if zh else "Target date"): p.target_date or "—",
            ("每年变化（百分点）" if zh else "Pace (points a year)"): None if p.pace_per_year is None
            else round(100 * p.pace_per_year, 1),
            ("预计达到日期" if zh else "Projected date"): p.reached_on or "—",
            ("判断" if zh else "Assessment"): PROGRESS_WORDS[p.status][0 if zh else 1],
            ("期数" if zh else "Periods"): p.periods})
    return pd.DataFrame(rows)


@chart("standard_progress")
def standard_progress(district=None, street=None, lang="zh") -> Figure:
    """For every standard, the share meeting it in each period: one line per district (the one in scope
    highlighted), the whole city in bold over the band from the lowest to the highest district, and the target line
    from the standards file (Coverage, 达标率趋势)."""
    from caremap.report import compare

    zh = lang == "zh"
    rows = compare.progress()
    names = db.query("districts").set_index("code")["name" if zh else "name_en"]
    city_word = "全市" if zh else "Whole city"
    rows["place"] = [city_word if k == "city" else names.get(c, c) for k, c in zip(rows["place_kind"],
                                                                                    rows["place_code"])]
    rows["standard"] = rows["standard_zh" if zh else "standard_en"]
    rows["date"] = pd.to_datetime(rows["as_of"])
    targets = db.query("standard_targets").set_index("standard_id")
    x_title, y_title = ("数据截止日期", "达标率") if zh else ("As of", "Share meeting it")
    here = district  # at street scope the district's line is the one highlighted
    panels = []
    for sid, part in rows.groupby("standard_id", sort=False):
        label = part["standard"].iloc[0]
        districts = part[part["place_kind"] == "district"]
        band = districts.groupby("date", as_index=False)["share"].agg(low="min", high="max")
        x = alt.X("date:T", title=x_title, axis=alt.Axis(format="%Y-%m", labelAngle=0, tickCount=4))
        y = alt.Y("share:Q", title=y_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]))
        tip = [alt.Tooltip("place:N", title="地区" if zh else "Place"),
               alt.Tooltip("date:T", title=x_title, format="%Y-%m-%d"),
               alt.Tooltip("share:Q", title=y_title, format=".1%"), alt.Tooltip("met:Q", title="达标" if zh else "Met"),
               alt.Tooltip("units:Q", title="单位" if zh else "Units")]
        layers = [
            alt.Chart(band).mark_area(opacity=0.18, color="#4c78a8").encode(x=x, y="low:Q", y2="high:Q"),
            alt.Chart(districts[districts["place_code"] != here]).mark_line(strokeWidth=1, color="#9aa7b4",
                                                                           opacity=0.8).encode(
                x=x, y=y, detail="place:N", tooltip=tip),
            alt.Chart(part[part["place_kind"] == "city"]).mark_line(strokeWidth=3.5, color="#1f4e79",
                                                                   point=True).encode(x=x, y=y, tooltip=tip)]
        if here is not None and (districts["place_code"] == here).any():
            layers.append(alt.Chart(districts[districts["place_code"] == here]).mark_line(
                strokeWidth=3, color="#e07b00", point=True).encode(x=x, y=y, tooltip=tip))
        goal = float(targets.at[sid, "target_share"]) if sid in targets.index else 1.0
        when = targets.at[sid, "target_date"] if sid in targets.index else None
        when = None if when is None or pd.isna(when) else pd.Timestamp(when).date().isoformat()
        goal_text = (f"目标 {goal:.0%}" + (f"（{when}）" if when else "")) if zh else (
            f"target {goal:.0%}" + (f" ({when})" if when else ""))
        rule = pd.DataFrame({"share": [goal], "text": [goal_text]})
        layers.append(alt.Chart(rule).mark_rule(color="#c0392b", strokeDash=[6, 4], strokeWidth=1.5).encode(
            y="share:Q"))
        layers.append(alt.Chart(rule).mark_text(align="left", dx=4, dy=-7, color="#c0392b", fontSize=11,
                                                font=CJK_FONT).encode(y="share:Q", text="text:N", x=alt.value(0)))
        panels.append(alt.layer(*layers).properties(title=label, width=250, height=150))
    grid = alt.concat(*panels, columns=3)
    focus = names.get(here, city_word) if here else city_word
    projected = compare.projections(district, street)
    words = {p.standard_id: p for p in projected}
    behind = [rows.loc[rows["standard_id"] == p.standard_id, "standard"].iloc[0] for p in projected
              if p.status in ("late", "no_progress")]
    soonest = sorted((p for p in words.values() if p.reached_on), key=lambda p: p.reached_on)
    if zh:
        takeaway = f"{focus}：{len(projected)} 项标准中 {sum(p.status == 'met' for p in projected)} 项已达到目标"
        takeaway += (f"，按当前速度 {'、'.join(behind)} 不能按期达到" if behind else "") + "。"
        if soonest:
            takeaway += (f"“{rows.loc[rows['standard_id'] == soonest[0].standard_id, 'standard'].iloc[0]}”预计 "
                         f"{soonest[0].reached_on} 达到目标。")
    else:
        takeaway = (f"{focus}: {sum(p.status == 'met' for p in projected)} of {len(projected)} standards at target"
                    + (f"; behind at this pace: {', '.join(behind)}" if behind else "") + ".")
        if soonest:
            takeaway += (f" “{rows.loc[rows['standard_id'] == soonest[0].standard_id, 'standard'].iloc[0]}” is "
                         f"projected to reach its target on {soonest[0].reached_on}.")
    title = "各项标准达标率：各区、全市与目标" if zh else "Share meeting each standard: districts, city and target"
    source = ("各期已发布数据版本的达标率（同一套指标）；目标取自覆盖标准的达标目标设置"
              if zh else "Each published period's shares (the same metrics); targets from the coverage standards")
    out = rows.assign(as_of=rows["as_of"].astype(str))[["as_of", "standard", "place", "met", "units", "share"]]
    out.columns = (["数据截止日期", "标准", "地区", "达标单位数", "考核单位数", "达标率"] if zh else
                   ["As of", "Standard", "Place", "Units meeting it", "Units checked", "Share meeting it"])
    scope = label_of(district, street, lang)
    key = (f"深蓝粗线：全市；{'橙线：' + focus + '；' if here else ''}"
           "灰线：各区；浅蓝带：各区最低至最高；红虚线：目标" if zh
           else f"bold blue: whole city; {'orange: ' + focus + '; ' if here else ''}grey: each district; "
                f"band: lowest to highest district; red dashes: target")
    return Figure("standard_progress", title, finish(grid, title, f"{scope}｜{key}" if zh else f"{scope} | {key}",
                                                     source, lang, width=None), out, source,
                  scope, takeaway, notes=[PROJECTION_METHOD[0 if zh else 1]])


PROJECTION_METHOD = ("推算方法：对各期达标率按数据截止日期做最小二乘直线拟合，以其斜率为当前速度，"
                     "从最新一期的达标率延伸到目标。期数少或变化不均匀时，推算只作参考。",
                     "Method: a least-squares straight line through every period's share against its as-of date; its "
                     "slope is the current pace, continued from the latest period's share to the target. With few or "
                     "uneven periods the projection is only indicative.")
