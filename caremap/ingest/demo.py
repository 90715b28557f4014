"""Generate the demo data set (示例数据) deterministically: same seed and scale, byte-identical files.

The demo reproduces the published 2020 figures (docs/facts.md): 1,500+ service points, 74 street child
supervisors, 662 community child directors, 33 organisations, 1,097 social workers, 191 projects at
378 sites and 3.3 million person-times. Places are real (data/reference); everything placed on them
— points, people, phones, organisations — is invented and obviously so: people are named 某示例,
phones start with 100 (no such mobile prefix exists) or 0755-0000.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd

from caremap.common.paths import DEMO, REFERENCE
from caremap.store import geo

PUBLISHED = {
    "service_points_min": 1500, "supervisors": 74, "directors": 662, "sw_orgs": 33,
    "social_workers": 1097, "sw_projects": 191, "sw_sites": 378, "person_times": 3_300_000,
}
# Points per category at scale 1; community-level categories are placed on community units.
CATEGORY_COUNTS = {
    "rescue_centre": 10, "welfare_centre": 2, "relief_station": 10, "workstation": 68,
    "sw_station": 50, "party_centre": 480, "children_home": 716, "women_station": 30,
    "special_school": 12, "mch_hospital": 11, "health_centre": 48, "procuratorate": 10,
    "youth_centre": 11, "youth_station": 30, "rehab_centre": 25,
}
DOMAINS = ["人际交往与学习能力提升", "自我管理能力增进", "兴趣范围拓展", "亲子关系促进", "心理服务网络搭建",
           "安全知识增进与能力提升", "反家暴宣导", "校园欺凌预防", "性安全保护促进", "儿童友好型社区打造"]
ONLINE_SERVICES = ["防疫知识科普", "居家安全排查", "亲子互动", "云课堂", "复学防疫应对"]
TARGET_GROUPS = ["困境儿童", "留守儿童", "流动儿童", "残疾儿童", "社区一般儿童", "青少年", "儿童家庭"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘")
ORG_WORDS = ["晨曦", "启航", "繁星", "向阳", "春苗", "彩虹", "新芽", "蒲公英", "暖阳", "同心", "翼展",
             "知行", "绿荫", "青禾", "拾光", "萤火", "海帆", "山语", "云帆", "鹏程", "木棉", "朝露",
             "稻穗", "竹林", "晴空", "星河", "远航", "麦田", "花语", "和风", "明月", "清泉", "悦己"]
MONTHS = [f"{y}-{m:02d}-01" for y, m in [(2019, m) for m in range(6, 13)] + [(2020, m) for m in range(1, 6)]]
EPIDEMIC_MONTHS = {"2020-02-01", "2020-03-01", "2020-04-01", "2020-05-01"}
METRES_PER_DEG_LAT = 111_320.0


def _jitter_inside(rng, district, lon0, lat0, sigma_m, folder):
    """Points scattered around (lon0, lat0) with a normal spread, redrawn until inside the district."""
    lon0, lat0 = np.asarray(lon0, float), np.asarray(lat0, float)
    lon, lat = lon0.copy(), lat0.copy()
    todo = np.ones(len(lon0), bool)
    sigma = np.broadcast_to(np.asarray(sigma_m, float), lon0.shape)
    shrink = 1.0
    for attempt in range(60):
        n = int(todo.sum())
        if n == 0:
            break
        spread = sigma[todo] * shrink
        dy = rng.normal(0, 1, n) * spread / METRES_PER_DEG_LAT
        dx = rng.normal(0, 1, n) * spread / (METRES_PER_DEG_LAT * np.cos(np.radians(lat0[todo])))
        lon[todo], lat[todo] = lon0[todo] + dx, lat0[todo] + dy
        ok = np.zeros(len(lon0), bool)
        for code in np.unique(district[todo]):
            sel = todo & (district == code)
            ok[sel] = geo.inside(code, lon[sel], lat[sel], folder)
        todo &= ~ok
        if attempt > 20:
            shrink = 0.25  # fall back close to the anchor, which lies inside
    if todo.any():  # anchors are inside by construction; keep them where jitter kept failing
        lon[todo], lat[todo] = lon0[todo], lat0[todo]
    return np.round(lon, 6), np.round(lat, 6)


def _reference(folder: Path):
    districts = pd.read_csv(folder / "districts.csv", dtype={"code": str})
    streets = pd.read_csv(folder / "streets.csv", dtype={"code": str, "district_code": str})
    communities = pd.read_csv(folder / "communities.csv", dtype={"code": str, "street_code": str})
    communities = communities.merge(streets[["code", "district_code", "lon", "lat", "name"]].rename(
        columns={"code": "street_code", "lon": "s_lon", "lat": "s_lat", "name": "street_name"}), on="street_code")
    categories = pd.read_csv(folder / "service_categories.csv")
    return districts, streets, communities, categories


def _community_points(rng, communities, folder):
    """Demo locations of community units: spread around their street office (no public source has them)."""
    per_street = communities.groupby("street_code")["code"].transform("count").to_numpy()
    sigma = 500 + 180 * np.sqrt(per_street)  # streets with more units cover more ground
    lon, lat = _jitter_inside(rng, communities["district_code"].to_numpy(), communities["s_lon"],
                              communities["s_lat"], sigma, folder)
    return pd.DataFrame({"community_code": communities["code"], "lon": lon, "lat": lat,
                         "location_note": "示例位置"})


def _people(rng, n):
    surnames = rng.choice(SURNAMES, n)
    return [f"{s}示例" for s in surnames]


def _phones(start, n, mobile=True):
    if mobile:
        return [f"100{(start + i) % 100_000_000:08d}" for i in range(n)]
    return [f"0755-0000{(start + i) % 10_000:04d}" for i in range(n)]


# What a citizen's card shows, per category (示例: invented for the demonstration, as plausible wording, marked
# 示例 in every value): hours, services, ages served, forms of service, appointment needed. No random draws, so
# the rest of the demo data stays the same.
ALL_AGES = "0-2,3-5,6-11,12-17"
SERVICE_PROFILE = {
    "rescue_centre": ("24小时（示例）", "临时监护、救助保护、转介安置（示例）", ALL_AGES, "到站,上门", False),
    "welfare_centre": ("周一至周五 8:30–17:30（示例）", "养育照料、康复、特殊教育（示例）", ALL_AGES, "到站", True),
    "children_home": ("周二至周日 9:00–17:00（示例）", "课后托管、亲子阅读、兴趣活动（示例）", "3-5,6-11,12-17",
                      "到站,线上", False),
    "workstation": ("周一至周五 9:00–18:00（示例）", "困境儿童帮扶、个案转介、政策咨询（示例）", ALL_AGES, "到站,上门",
                    False),
    "special_school": ("周一至周五 8:00–17:00（示例）", "特殊教育、康复训练（示例）", "6-11,12-17", "到站", True),
    "rehab_centre": ("周一至周六 8:30–17:30（示例）", "康复训练、家长培训（示例）", "0-2,3-5,6-11", "到站,上门", True),
    "mch_hospital": ("全天门诊（示例）", "儿童保健、疫苗接种、儿科诊疗（示例）", ALL_AGES, "到站", True),
    "youth_centre": ("周二至周日 9:00–21:00（示例）", "青少年活动、心理咨询（示例）", "6-11,12-17", "到站,线上", False),
}
DEFAULT_PROFILE = ("工作日 9:00–17:30（示例）", "咨询与转介（示例）", ALL_AGES, "到站", False)


def generate(seed: int = 2020, scale: int = 1, out: Path = DEMO, folder: Path = REFERENCE) -> dict:
    """Write the demo CSVs into `out`; return the counts written."""
    if scale < 1:
        raise ValueError("--scale must be a whole number of at least 1")
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    districts, streets, communities, categories = _reference(folder)
    cpoints = _community_points(rng, communities, folder)
    comm = communities.merge(cpoints, left_on="code", right_on="community_code")

    # -- which units get which community-level resources (the gaps are deliberate and reproducible)
    n_comm = len(comm)
    # Outer districts lag behind: weight units in 大鹏/坪山/光明/宝安 towards missing a children's home.
    lag = comm["district_code"].isin(["4403DP", "440310", "440311", "440306"]).to_numpy()
    weights = np.where(lag, 3.0, 1.0)
    missing_home = rng.choice(n_comm, n_comm - CATEGORY_COUNTS["children_home"], replace=False,
                              p=weights / weights.sum())
    has_home = np.ones(n_comm, bool)
    has_home[missing_home] = False
    has_director = np.zeros(n_comm, bool)
    has_director[rng.choice(n_comm, PUBLISHED["directors"], replace=False,
                            p=(1 / weights) / (1 / weights).sum())] = True

    # -- service points at scale 1
    rows = []
    street_ids = streets["code"].to_numpy()
    no_workstation = set(rng.choice(street_ids, len(streets) - CATEGORY_COUNTS["workstation"], replace=False))
    comm_by_street = {s: g.index.to_numpy() for s, g in comm.groupby("street_code")}
    comm_by_district = {d: g.index.to_numpy() for d, g in comm.groupby("district_code")}
    cat = categories.set_index("code")
    for code, count in CATEGORY_COUNTS.items():
        level = cat.loc[code, "level"]
        if code == "children_home":
            anchors = np.flatnonzero(has_home)
        elif code == "party_centre":
            anchors = np.sort(rng.choice(n_comm, count, replace=False))
        elif code == "workstation":
            anchors = np.array([rng.choice(comm_by_street[s]) for s in street_ids if s not in no_workstation])
        elif level == "street":
            chosen = rng.choice(street_ids, count, replace=count > len(street_ids))
            anchors = np.array([rng.choice(comm_by_street[s]) for s in chosen])
        elif code in ("rescue_centre", "procuratorate", "relief_station") or (level == "district" and count == 10):
            anchors = np.array([rng.choice(comm_by_district[d]) for d in districts["code"]])
        elif level == "city":
            anchors = rng.choice(comm_by_district["440304"], count, replace=False)
        else:
            anchors = rng.choice(n_comm, count, replace=count > n_comm)
        for i, a in enumerate(anchors):
            rows.append((code, int(a), i))
    sp = pd.DataFrame(rows, columns=["category", "anchor", "ordinal"])
    sp = _scale_points(rng, sp, scale)
    anchor = comm.loc[sp["anchor"].to_numpy()].reset_index(drop=True)
    level = cat.loc[sp["category"], "level"].to_numpy()
    sigma = np.select([level == "community", level == "street"], [150.0, 350.0], 600.0)
    lon, lat = _jitter_inside(rng, anchor["district_code"].to_numpy(), anchor["lon"], anchor["lat"], sigma, folder)
    dname = districts.set_index("code")["name"]
    names = []
    for c, a, o in zip(sp["category"], anchor.itertuples(), sp["ordinal"]):
        cname = cat.loc[c, "name"]
        lvl = cat.loc[c, "level"]
        if lvl == "community":
            names.append(f"{a.name}{cname}")
        elif lvl == "street":
            names.append(f"{a.street_name}{cname}" + (f"（{o + 1}）" if c not in ("workstation",) else ""))
        elif lvl == "district":
            names.append(f"{dname[a.district_code]}{cname}" + (f"（{o + 1}）" if CATEGORY_COUNTS[c] > 10 else ""))
        else:
            names.append(f"深圳市{cname}（{o + 1}）")
    if scale > 1:
        names = [f"{n}·{k}" if k else n for n, k in zip(names, sp["copy"])]
    n_sp = len(sp)
    service_points = pd.DataFrame({
        "id": [f"SP{i + 1:07d}" for i in range(n_sp)],
        "name": names,
        "category": sp["category"],
        "district_code": anchor["district_code"],
        "street_code": anchor["street_code"],
        "community_code": anchor["code"],
        "address": [f"深圳市{dname[d]}{s}示例路{rng.integers(1, 300)}号" for d, s in
                    zip(anchor["district_code"], anchor["street_name"])],
        "phone": _phones(0, n_sp, mobile=False),
        "lon": lon, "lat": lat, "source_crs": "WGS84", "updated_on": "2020-05-31",
    })
    profiles = [SERVICE_PROFILE.get(c, DEFAULT_PROFILE) for c in sp["category"]]
    for i, col in enumerate(("hours", "services", "ages", "service_forms", "appointment")):
        service_points[col] = [p[i] for p in profiles]
    service_points["appointment"] = service_points["appointment"].map({True: "true", False: "false"})

    workers = _workers(rng, streets, comm, has_director, scale=1)
    orgs, projects, sites, months = _social_work(rng, districts, comm, scale)

    files = {"community_points.csv": cpoints, "service_points.csv": service_points, "workers.csv": workers,
             "sw_orgs.csv": orgs, "sw_projects.csv": projects, "sw_sites.csv": sites,
             "sw_service_month.csv": months}
    files["announcements.csv"] = _announcements()
    for name, frame in files.items():
        frame.to_csv(out / name, index=False, lineterminator="\n", float_format="%.6f", quoting=csv.QUOTE_MINIMAL)
    manifest = {"label": "示例数据", "seed": seed, "scale": scale,
                "note": "演示用虚构数据：地点名称为真实区划，其余（点位坐标、人员、电话、机构、项目）均为虚构。",
                "rows": {name.removesuffix(".csv"): len(frame) for name, frame in files.items()}}
    (out / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest["rows"]


def _scale_points(rng, sp, scale):
    """Repeat the scale-1 points `scale` times (copies get jittered positions and numbered names)."""
    if scale == 1:
        sp["copy"] = 0
        return sp
    rep = sp.loc[sp.index.repeat(scale)].reset_index(drop=True)
    rep["copy"] = np.tile(np.arange(scale), len(sp))
    return rep


def _workers(rng, streets, comm, has_director, scale):
    rows = []
    n_sup = len(streets)
    for s in streets.itertuples():
        rows.append({"role": "儿童督导员", "district_code": s.district_code, "street_code": s.code,
                     "community_code": "", "status": "在岗"})
    director_units = comm.index[has_director]
    for idx in director_units:
        c = comm.loc[idx]
        rows.append({"role": "儿童主任", "district_code": c.district_code, "street_code": c.street_code,
                     "community_code": c.code, "status": "在岗"})
    # A few vacancies on record among the units without a director (distinct from "no record").
    vacant = rng.choice(comm.index[~has_director], 10, replace=False)
    for idx in np.sort(vacant):
        c = comm.loc[idx]
        rows.append({"role": "儿童主任", "district_code": c.district_code, "street_code": c.street_code,
                     "community_code": c.code, "status": "空缺"})
    w = pd.DataFrame(rows)
    n = len(w)
    in_post = (w["status"] == "在岗").to_numpy()
    w.insert(0, "id", [f"W{i + 1:05d}" for i in range(n)])
    w.insert(2, "name", np.where(in_post, _people(rng, n), ""))
    w.insert(3, "phone", np.where(in_post, _phones(0, n), ""))
    start = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 365 * 5, n), unit="D")
    w["appointed_on"] = np.where(in_post, start.strftime("%Y-%m-%d"), "")
    hours = np.where(w["role"] == "儿童督导员", rng.gamma(6, 8, n), rng.gamma(3, 7, n))
    w["training_hours"] = np.where(in_post, np.round(hours).astype(int), 0)
    cert = rng.choice(["社会工作者职业资格（中级）", "社会工作者职业资格（初级）", "无"], n, p=[0.2, 0.45, 0.35])
    w["certificate"] = np.where(in_post, cert, "")
    assert (w["role"] == "儿童督导员").sum() == n_sup
    return w


def _split_total(rng, total, n, concentration=2.0):
    """Split an integer total into n positive integer parts with a random (Dirichlet) profile."""
    share = rng.dirichlet(np.full(n, concentration))
    parts = np.maximum(1, np.floor(share * (total - n)).astype(int) + 1)
    parts[np.argmax(parts)] += total - parts.sum()
    return parts


def _social_work(rng, districts, comm, scale):
    n_org, n_proj, n_site = PUBLISHED["sw_orgs"], PUBLISHED["sw_projects"] * scale, PUBLISHED["sw_sites"] * scale
    home = rng.choice(districts["code"].to_numpy(), n_org)
    orgs = pd.DataFrame({
        "id": [f"ORG{i + 1:02d}" for i in range(n_org)],
        "name": [f"示例·{ORG_WORDS[i]}社会工作服务中心" for i in range(n_org)],
        "district_code": home,
        "founded_year": rng.integers(2007, 2019, n_org),
    })
    # Projects: a few large organisations run many (Zipf-like), every organisation at least one.
    weight = 1 / np.arange(1, n_org + 1) ** 0.8
    owner = np.concatenate([np.arange(n_org), rng.choice(n_org, n_proj - n_org, p=weight / weight.sum())])
    owner = np.sort(owner)
    workers = _split_total(rng, PUBLISHED["social_workers"] * scale, n_proj, 4.0)
    proj_district = np.where(rng.random(n_proj) < 0.7, home[owner], rng.choice(districts["code"].to_numpy(), n_proj))
    start_year = rng.integers(2017, 2020, n_proj)
    domain_idx = rng.integers(0, 10, n_proj)
    projects = pd.DataFrame({
        "id": [f"P{i + 1:05d}" for i in range(n_proj)],
        "org_id": orgs["id"].to_numpy()[owner],
        "name": [f"示例·{DOMAINS[d]}项目{i + 1:03d}" for i, d in enumerate(domain_idx)],
        "domain": [DOMAINS[d] for d in domain_idx],
        "target_group": rng.choice(TARGET_GROUPS, n_proj),
        "district_code": proj_district,
        "start_on": [f"{y}-{m:02d}-01" for y, m in zip(start_year, rng.integers(1, 13, n_proj))],
        "end_on": [f"{y + 3}-12-31" for y in start_year],
        "funding_wan": [f"{v:.1f}" for v in rng.gamma(4, 12, n_proj)],
        "social_workers": workers,
    })
    # Sites: every project has one; the remaining 187 go to larger projects; each in the project's district.
    extra = rng.choice(n_proj, n_site - n_proj, p=workers / workers.sum())
    site_project = np.sort(np.concatenate([np.arange(n_proj), extra]))
    by_district = {d: g.index.to_numpy() for d, g in comm.groupby("district_code")}
    anchor = np.array([rng.choice(by_district[proj_district[p]]) for p in site_project])
    a = comm.loc[anchor]
    sites = pd.DataFrame({
        "id": [f"S{i + 1:05d}" for i in range(n_site)],
        "project_id": projects["id"].to_numpy()[site_project],
        "name": [f"{c}项目点" for c in a["name"]],
        "district_code": a["district_code"].to_numpy(),
        "street_code": a["street_code"].to_numpy(),
        "community_code": a["code"].to_numpy(),
        "lon": np.round(a["lon"].to_numpy() + rng.normal(0, 0.001, n_site), 6),
        "lat": np.round(a["lat"].to_numpy() + rng.normal(0, 0.001, n_site), 6),
    })
    sites = _keep_inside(rng, sites, a)
    # Person-times: split the published total over projects (by staff), then over months.
    per_project = _split_total(rng, PUBLISHED["person_times"] * scale, n_proj, 1.0)
    recs = []
    month_shape = np.array([1.0, 1.0, 0.9, 1.1, 1.1, 1.2, 1.0, 0.6, 0.5, 0.6, 0.8, 1.0])
    for pid, total in zip(projects["id"], per_project):
        parts = np.floor(total * month_shape / month_shape.sum()).astype(int)
        parts[-1] += total - parts.sum()
        for month, pt in zip(MONTHS, parts):
            online = int(pt * rng.uniform(0.5, 0.9)) if month in EPIDEMIC_MONTHS else 0
            recs.append((pid, month, int(pt), online))
    months = pd.DataFrame(recs, columns=["project_id", "month", "person_times", "online_person_times"])
    return orgs, projects, sites, months


def _keep_inside(rng, sites, anchors):
    """Project sites jittered around a community point; any that fall outside go back to the point."""
    for code in sites["district_code"].unique():
        sel = (sites["district_code"] == code).to_numpy()
        ok = geo.inside(code, sites.loc[sel, "lon"], sites.loc[sel, "lat"])
        bad = np.flatnonzero(sel)[~ok]
        sites.loc[bad, "lon"] = anchors["lon"].to_numpy()[bad]
        sites.loc[bad, "lat"] = anchors["lat"].to_numpy()[bad]
    return sites


# (date, district code or "" for city-wide, title after 【示例】, what it says, link: "" or an issuer's official site,
#  then the title and what it says in English)
DEMO_ANNOUNCEMENTS = [
    ("2019-11-20", "", "“世界儿童日”主题宣传周活动安排", "各区将开展儿童权利主题宣传活动。", "https://www.mca.gov.cn/",
     "World Children's Day: programme of the theme week", "Every district holds events on children's rights."),
    ("2019-12-12", "440303", "罗湖区儿童督导员冬季业务培训通知", "培训内容为个案发现与转介流程。", "",
     "Luohu: winter training for child supervisors", "The training covers finding cases and referring them."),
    ("2020-01-08", "440306", "宝安区寒假儿童之家开放时间调整", "寒假期间儿童之家每日开放至晚上七点。", "",
     "Bao'an: winter-holiday opening hours of children's homes",
     "In the winter holiday children's homes open until 7 pm every day."),
    ("2020-02-10", "", "疫情期间儿童关爱服务转为线上开展", "社工项目暂停线下活动，改为电话探访与线上服务。", "",
     "Child care services move online during the epidemic",
     "Social-work projects pause activities in person and serve by phone and online."),
    ("2020-02-24", "440305", "南山区“云课堂”亲子互动课程上线", "每周三晚在线开展亲子互动课程。", "",
     "Nanshan: online parent-child classes start", "Parent-child classes online every Wednesday evening."),
    ("2020-03-09", "440307", "龙岗区困境儿童居家安全排查", "儿童主任将电话联系辖区困境儿童家庭。", "",
     "Longgang: home-safety check of children in difficulty",
     "Child directors call the families of children in difficulty in their area."),
    ("2020-03-30", "", "农村留守儿童和困境儿童关爱服务政策学习会", "组织学习十部门关爱服务体系意见。", "https://www.mca.gov.cn/",
     "Study session on the care policy for left-behind children and children in difficulty",
     "A study of the ten departments' opinion on the care-service system."),
    ("2020-04-15", "440309", "龙华区复学防疫知识讲座", "为即将复学的儿童讲解防疫知识。", "",
     "Longhua: epidemic-prevention talk before school reopens",
     "Epidemic prevention explained to children about to return to school."),
    ("2020-04-28", "4403DP", "大鹏新区儿童友好社区共建议事会", "邀请儿童代表参与社区公共空间讨论。", "",
     "Dapeng: council on child-friendly communities",
     "Children's representatives join the discussion of the community's public spaces."),
    ("2020-05-11", "440304", "福田区未成年人保护工作站开放日", "开放日介绍工作站的咨询与转介服务。", "",
     "Futian: open day of the minor-protection workstations",
     "The open day presents the workstations' advice and referral services."),
    ("2020-05-20", "", "“六一”儿童节系列活动报名", "各社区儿童之家将举办游园与亲子活动。", "",
     "Children's Day (1 June): sign up for the events",
     "Community children's homes hold fairs and parent-child activities."),
    ("2020-05-29", "440311", "光明区儿童服务志愿者招募", "招募志愿者协助社区儿童活动。", "",
     "Guangming: volunteers wanted for children's services",
     "Volunteers are wanted to help with community activities for children."),
]


def _announcements() -> pd.DataFrame:
    """Demo service announcements (服务资讯): fixed, no randomness, every title marked 【示例】 ([Demo] in English),
    bodies invented."""
    return pd.DataFrame([{"title": f"【示例】{title}", "date": day, "district_code": district,
                          "body": f"本条为演示用虚构资讯（示例数据），并非真实通知：{body}", "link": link,
                          "title_en": f"[Demo] {title_en}",
                          "body_en": f"An invented announcement, demo data (示例数据), not a real notice: {body_en}"}
                         for day, district, title, body, link, title_en, body_en in DEMO_ANNOUNCEMENTS])
