"""Policies and service news (政策与资讯): the policy table, the standard → policy link, search and filters,
the announcement loader, and the page and Overview block as a user sees them."""

import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import factories
from caremap.common.paths import DEMO, REFERENCE
from caremap.report import policies
from caremap.store import announcements, build, db, standards
from conftest import ROOT, app_test

REQUIRED_CODES = {"minor_protection_law_2020", "ten_ministries_opinion_2019", "child_development_outline_2021",
                  "gb50180_2018"}


# -- the policy list (data/reference/policies.csv → policy)

def test_policy_file_has_every_required_field_and_a_known_vocabulary():
    frame = pd.read_csv(REFERENCE / "policies.csv", dtype=str, keep_default_na=False)
    for column in policies.POLICY_REQUIRED:
        empty = frame.loc[frame[column].str.strip() == "", "code"].tolist()
        assert not empty, f"{column} is empty for {empty}"
    assert frame["code"].is_unique
    assert set(frame["level"]) <= set(policies.LEVELS)
    assert set(frame["topic"]) <= set(policies.TOPICS)
    assert pd.to_datetime(frame["issued_on"], format="%Y-%m-%d").notna().all()
    assert frame["url"].str.match(r"^https?://").all()
    assert REQUIRED_CODES <= set(frame["code"])


def test_policy_table_loads_every_row_with_no_missing_required_field(con):
    rows = pd.read_csv(REFERENCE / "policies.csv", dtype=str)
    assert con.execute("select count(*) from policy").fetchone()[0] == len(rows)
    missing = " or ".join(f"{c} is null" for c in policies.POLICY_REQUIRED)
    assert con.execute(f"select count(*) from policy where {missing}").fetchone()[0] == 0


def test_the_named_documents_carry_their_known_dates_and_numbers(con):
    got = {r[0]: r[1:] for r in con.execute(
        "select code, issued_on::varchar, effective_on::varchar, doc_number, issuer from policy").fetchall()}
    assert got["minor_protection_law_2020"][:2] == ("2020-10-17", "2021-06-01")
    assert got["child_development_outline_2021"][0] == "2021-09-08"
    assert got["child_development_outline_2021"][2] == "国发〔2021〕16号"
    assert got["ten_ministries_opinion_2019"][3].count("、") == 9  # ten issuing bodies
    assert got["gb50180_2018"][3] == "住房和城乡建设部"


def test_every_coverage_standard_names_a_policy_that_exists(con):
    codes = {r[0] for r in con.execute("select code from policy").fetchall()}
    for item in standards.load():
        assert item["basis"] in codes, f"standard {item['id']} rests on unknown policy {item['basis']!r}"
        linked = policies.policy_for_standard(item["id"])
        assert linked["code"] == item["basis"]
        assert linked["citation"].startswith(f"《{linked['title']}》（")
    assert policies.policy_for_standard("no_such_standard") is None
    assert policies.policy_link("no_such_standard") is None
    assert policies.policy_link("community_walking_access") == (  # opens the policy first on its page
        "[《城市居住区规划设计标准（GB 50180-2018）》（住房和城乡建设部，2018-07-10，GB 50180-2018）]"
        "(policies?policy=gb50180_2018)")
    assert policies.policy_for_standard("community_children_home")["citation"] == \
        "《中国儿童发展纲要（2021—2030年）》（国务院，2021-09-08，国发〔2021〕16号）"


def test_build_refuses_a_standard_resting_on_an_unknown_policy(tmp_path):
    ref = tmp_path / "reference"
    shutil.copytree(REFERENCE, ref)
    toml = ref / "coverage_standards.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('basis = "gb50180_2018"', 'basis = "gb_typo"'),
                    encoding="utf-8")
    with pytest.raises(build.BuildError, match="coverage_standard.basis 不在 policy 中"):
        build.build(tmp_path / "x.duckdb", reference=ref)
    assert not (tmp_path / "x.duckdb").exists()


# -- search and filters, on a small database whose right answers are known by construction

FIXTURE_POLICIES = [
    # code, title, title_en, issuer, issued_on, level, topic, summary_zh, doc_number
    ("law_a", "甲法", "Law A", "全国人民代表大会常务委员会", "2020-10-17", "national", "minor_protection",
     "规定工作站建设。", "主席令第一号"),
    ("opinion_b", "乙意见", "Opinion B", "国务院", "2016-02-04", "national", "vulnerable_children",
     "强制报告制度，含 100% 覆盖目标。", None),
    ("rule_c", "丙条例", "Regulation C", "广东省人民代表大会常务委员会", "2020-03-01", "provincial",
     "minor_protection", "儿童之家建设。", None),
    ("plan_d", "丁规划", "Plan D", "深圳市人民政府", "2021-05-01", "city", "child_development",
     "儿童友好城市建设。", "深府〔2021〕1号"),
]


@pytest.fixture()
def small(tmp_path):
    c = factories.schema_db(str(tmp_path / "small.duckdb"))
    for code, title, title_en, issuer, issued, level, topic, summary, number in FIXTURE_POLICIES:
        c.execute("insert into policy values (?, ?, ?, ?, ?, null, ?, ?, ?, ?, ?, 'https://www.gov.cn/')",
                  [code, title, title_en, issuer, issued, number, level, topic, summary, f"{title_en} summary"])
    for i, (sid, basis, label) in enumerate([("s1", "law_a", "工作站"), ("s2", "rule_c", "儿童之家"),
                                             ("s3", "law_a", "救助保护中心")], 1):
        c.execute("insert into coverage_standard values (?, ?, 'street', 'category', 'x', null, null, null, "
                  "?, ?, ?)", [sid, i, label, label + "_en", basis])
    c.execute("insert into district (code, name, name_en) values ('440305', '南山区', 'Nanshan'), "
              "('440303', '罗湖区', 'Luohu')")
    for i, (title, day, district) in enumerate([("一", "2020-01-01", None), ("二", "2020-03-01", "440305"),
                                                ("三", "2020-02-01", "440303"), ("四", "2020-03-01", None)], 1):
        c.execute("insert into announcement (id, title, published_on, district_code, body, link) "
                  "values (?, ?, ?, ?, '正文', null)", [i, title, day, district])
    yield c
    c.close()


def _codes(con, search=None, level=None, topic=None, year=None):
    out = db.run(con, "policy_list", search=search, policy_level=level, topic=topic, year=year)
    return out["code"].tolist()


def test_no_filter_lists_every_policy_national_first_then_newest(small):
    assert _codes(small) == ["law_a", "opinion_b", "rule_c", "plan_d"]
    assert _codes(small, search="") == _codes(small)


def test_search_matches_titles_summaries_issuers_and_numbers_as_plain_substrings(small):
    assert _codes(small, search="乙意见") == ["opinion_b"]
    assert _codes(small, search="儿童") == ["rule_c", "plan_d"]        # in summaries
    assert _codes(small, search="law A") == ["law_a"]                  # English title, any case
    assert _codes(small, search="深府〔2021〕") == ["plan_d"]          # document number
    assert _codes(small, search="国务院") == ["opinion_b"]             # issuer
    assert _codes(small, search="100%") == ["opinion_b"]               # % is a character, not a wildcard
    assert _codes(small, search="%") == ["opinion_b"]
    assert _codes(small, search="' or '1'='1") == []                   # a parameter, never SQL


def test_filters_by_level_topic_and_year_combine(small):
    assert _codes(small, level="provincial") == ["rule_c"]
    assert _codes(small, level="district") == []
    assert _codes(small, topic="minor_protection") == ["law_a", "rule_c"]
    assert _codes(small, year=2020) == ["law_a", "rule_c"]
    assert _codes(small, topic="minor_protection", year=2020, level="national") == ["law_a"]
    assert _codes(small, search="儿童", year=2021) == ["plan_d"]


def test_each_policy_lists_the_standards_resting_on_it(small):
    out = db.run(small, "policy_list", search=None, policy_level=None, topic=None, year=None).set_index("code")
    assert out.loc["law_a", "standard_count"] == 2
    assert out.loc["law_a", "standards_zh"] == "工作站、救助保护中心"
    assert out.loc["rule_c", "standards_en"] == "儿童之家_en"
    assert out.loc["plan_d", "standard_count"] == 0 and pd.isna(out.loc["plan_d", "standards_zh"])


def test_announcements_newest_first_with_city_wide_ones_in_every_district(small):
    def titles(district, n=10):
        return db.run(small, "announcement_list", district=district, max_rows=n)["title"].tolist()
    assert titles(None) == ["四", "二", "三", "一"]   # same day: the later row first
    assert titles("440305") == ["四", "二", "一"]
    assert titles("440303") == ["四", "三", "一"]
    assert titles(None, 3) == ["四", "二", "三"]


# -- the announcement loader administrators use

HEADER = "title,date,district_code,body,link\n"


def _write(tmp_path, text, name="news.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_loader_accepts_codes_names_city_wide_and_slashed_dates(tmp_path):
    path = _write(tmp_path, HEADER + "开放日,2020/5/9,南山区,欢迎参加,https://example.org/a\n"
                                     "培训,2020-05-10,440303,内容,\n"
                                     "全市通知,2020.05.11,,内容,\n")
    loaded = announcements.load_announcements(path)
    assert loaded.ok, loaded.errors
    assert [(r["id"], r["published_on"], r["district_code"], r["link"]) for r in loaded.rows] == [
        (1, "2020-05-09", "440305", "https://example.org/a"), (2, "2020-05-10", "440303", None),
        (3, "2020-05-11", None, None)]


def test_loader_takes_optional_english_title_and_body(tmp_path):
    path = _write(tmp_path, "title,date,district_code,body,link,title_en,body_en\n"
                            "开放日,2020-05-09,南山区,欢迎参加,,Open day,All welcome\n"
                            "培训,2020-05-10,,内容,,,\n")
    loaded = announcements.load_announcements(path)
    assert loaded.ok, loaded.errors
    assert [(r["title_en"], r["body_en"]) for r in loaded.rows] == [("Open day", "All welcome"), (None, None)]
    too_long = _write(tmp_path, f"title,date,district_code,body,link,title_en\n标题,2020-05-09,,正文,,{'x' * 101}\n",
                      name="long.csv")
    assert announcements.load_announcements(too_long).errors == ["第 2 行：英文标题过长（101 字符，最多 100）"]


def test_the_news_shows_its_english_where_the_file_gives_it(con):
    from caremap.report import policies as report

    rows = db.run(con, "announcement_list", district=None, max_rows=50)
    first = next(rows.itertuples())
    assert report.announcement_text(first, "zh") == (first.title, first.body)
    title, body = report.announcement_text(first, "en")
    assert title.startswith("[Demo] ") and "示例数据" in body   # the demo's English, glossed "demo data (示例数据)"
    chinese_only = first._replace(title_en=None, body_en=None)
    assert report.announcement_text(chinese_only, "en") == (first.title, first.body)


def test_loader_rejects_bad_rows_with_one_clear_message_each(tmp_path):
    path = _write(tmp_path, HEADER + "好的,2020-05-09,,正文,\n"
                                     ",2020-05-09,,正文,\n"
                                     "日期错,2020-13-01,,正文,\n"
                                     "区错,2020-05-09,南山,正文,\n"
                                     "缺正文,2020-05-09,,,ftp://x\n"
                                     "好的,2020-05-09,440305,又一条,\n")
    loaded = announcements.load_announcements(path)
    assert not loaded.ok and loaded.rows == []
    assert loaded.errors == [
        "第 3 行：标题（title）不能为空",
        "第 4 行：日期 '2020-13-01' 无法识别，应为 YYYY-MM-DD（如 2020-05-31）",
        "第 5 行：区 '南山' 不存在：请填写区代码（如 440305）或区名（如 南山区），全市资讯留空",
        "第 6 行：正文（body）不能为空",
        "第 6 行：链接 'ftp://x' 应以 http:// 或 https:// 开头",
        "第 7 行：与第 2 行重复（标题和日期相同）",
    ]


def test_loader_names_missing_columns_and_unreadable_files(tmp_path):
    loaded = announcements.load_announcements(_write(tmp_path, "title,body\n标题,正文\n"))
    assert loaded.errors == ["news.csv：缺少列 date、district_code、link"
                             "（应有列：title, date, district_code, body, link）"]
    loaded = announcements.load_announcements(tmp_path / "absent.csv")
    assert len(loaded.errors) == 1 and loaded.errors[0].startswith("无法读取文件 absent.csv：")


def test_loader_reads_excel_and_gb18030_csv(tmp_path):
    frame = pd.DataFrame({"title": ["表格导入"], "date": [pd.Timestamp("2020-05-09")], "district": ["福田区"],
                          "body": ["正文"], "link": [None]})
    frame.to_excel(tmp_path / "news.xlsx", index=False)
    loaded = announcements.load_announcements(tmp_path / "news.xlsx")
    assert loaded.ok, loaded.errors
    assert loaded.rows[0]["published_on"] == "2020-05-09" and loaded.rows[0]["district_code"] == "440304"
    path = _write(tmp_path, HEADER + "国标编码,2020-05-09,大鹏新区,正文,\n", encoding="gb18030")
    assert announcements.load_announcements(path).rows[0]["district_code"] == "4403DP"


def test_build_loads_the_announcements_and_refuses_a_bad_file(tmp_path, con):
    assert con.execute("select count(*) from announcement").fetchone()[0] == len(
        pd.read_csv(DEMO / "announcements.csv"))
    dataset = tmp_path / "dataset"
    shutil.copytree(DEMO, dataset)
    before = build.data_version(build._input_files(REFERENCE, dataset))
    (dataset / "announcements.csv").write_text(HEADER + "标题,2020-02-30,,正文,\n", encoding="utf-8")
    assert build.data_version(build._input_files(REFERENCE, dataset)) != before  # a new file is a new version
    with pytest.raises(build.BuildError, match="第 2 行：日期 '2020-02-30' 无法识别"):
        build.build(tmp_path / "x.duckdb", dataset=dataset)
    (dataset / "announcements.csv").unlink()  # optional: a data set without news builds with none
    counts = build.build(tmp_path / "y.duckdb", dataset=dataset)
    assert counts["announcement"] == 0 and counts["policy"] == len(pd.read_csv(REFERENCE / "policies.csv"))


def test_demo_announcements_are_labelled_and_fictitious():
    frame = pd.read_csv(DEMO / "announcements.csv", dtype=str, keep_default_na=False)
    assert len(frame) >= 10
    assert frame["title"].str.startswith(policies.DEMO_PREFIX).all()
    assert frame["body"].str.contains("虚构").all()
    assert frame["link"].isin(["", "https://www.mca.gov.cn/"]).all()
    assert announcements.load_announcements(DEMO / "announcements.csv").ok


# -- the page and the Overview block

def _policy_page(**query):
    at = AppTest.from_file(str(ROOT / "pages/policies.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _titles(frame, en=False):
    return [(f"{r.title_en}" if en else f"《{r.title}》") + f" · {r.issued_on:%Y-%m-%d}" for r in frame.itertuples()]


def test_page_lists_every_policy_with_its_standards_and_the_basis_table():
    at = _policy_page()
    every = policies.search()
    assert [e.label for e in at.expander] == _titles(every)
    assert f"共 {len(every)} 份文件" in [c.value for c in at.caption]
    assert "**依据本文件的覆盖标准**：未成年人救助保护中心、未成年人保护工作站" in [m.value for m in at.markdown]
    basis = at.dataframe[0].value
    assert basis["覆盖标准"].tolist() == [s["label_zh"] for s in standards.load()]
    assert basis["政策依据"].iloc[1].startswith("《关于进一步健全农村留守儿童和困境儿童关爱服务体系的意见》")
    assert any(c.value.startswith("来源：本系统整理的政策文件清单") for c in at.caption)


def test_page_search_and_filters_show_the_query_rows():
    at = _policy_page()
    at.text_input(key="policies_search").input("儿童之家").run()
    assert [e.label for e in at.expander] == _titles(policies.search("儿童之家"))
    assert len(at.expander) == 2
    at.text_input(key="policies_search").input("").run()
    at.selectbox(key="policies_topic").select("vulnerable_children").run()
    at.selectbox(key="policies_year").select(2016).run()
    assert [e.label for e in at.expander] == _titles(policies.search(topic="vulnerable_children", year=2016))
    assert len(at.expander) == 2
    at.selectbox(key="policies_level").select("provincial").run()
    assert len(at.expander) == 0 and at.info[0].value == "没有符合条件的政策文件。"


def test_link_from_a_coverage_standard_opens_its_policy_first():
    at = _policy_page(policy="gb50180_2018")
    assert at.expander[0].label == "《城市居住区规划设计标准（GB 50180-2018）》 · 2018-07-10"
    assert at.expander[0].proto.expanded and not at.expander[1].proto.expanded
    assert at.success[0].value == "已定位到覆盖标准所依据的文件：城市居住区规划设计标准（GB 50180-2018）"


def test_page_in_english_shows_english_titles_and_the_official_title():
    at = _policy_page(lang="en")
    assert [e.label for e in at.expander] == _titles(policies.search(), en=True)
    assert any("**Official title**: 《中华人民共和国未成年人保护法（2020年修订）》" in m.value for m in at.markdown)


def test_news_tab_lists_announcements_newest_first_for_the_scope(con):
    at = app_test("pages/policies.py", district="440305")
    news = con.execute("""select title from announcement where district_code is null or district_code = '440305'
                          order by published_on desc, id desc""").fetchall()
    shown = [m.value.strip("*") for m in at.markdown if m.value.startswith("**【示例】")]
    assert shown == [r[0] for r in news]
    assert "范围：全市 › 南山区（含全市资讯）" in [c.value for c in at.caption]
    assert "来源：服务资讯表（由管理员导入）（示例数据）" in [c.value for c in at.caption]


@pytest.mark.parametrize("district", [None, "440311"])
def test_overview_shows_the_latest_three_announcements(con, district):
    at = app_test("pages/overview.py", district=district)
    assert not at.exception
    latest = con.execute("""select published_on::varchar, title from announcement
                            where $d is null or district_code is null or district_code = $d
                            order by published_on desc, id desc limit 3""", {"d": district}).fetchall()
    shown = [m.value for m in at.markdown if "【示例】" in m.value]
    assert len(shown) == 3
    for (day, title), line in zip(latest, shown):
        assert line.startswith(day) and line.endswith(f"**{title}**")
    if district == "440311":
        assert "光明区" in shown[0]  # 2020-05-29, 光明区's own notice, is the newest
