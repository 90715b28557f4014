"""Policies and service announcements (政策与资讯): the policy list, the policy behind each coverage
standard, and the loader that checks an announcements file (title, date, district, body, link).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from caremap import db
from caremap.i18n import t
from caremap.paths import REFERENCE

LEVELS = ("national", "provincial", "city", "district")
TOPICS = ("minor_protection", "vulnerable_children", "child_development", "family", "planning", "welfare")
POLICY_REQUIRED = ("code", "title", "issuer", "issued_on", "level", "topic", "summary_zh", "summary_en")
ANNOUNCEMENT_COLUMNS = ("title", "date", "district_code", "body", "link")
DEMO_PREFIX = "【示例】"
MAX_TITLE, MAX_BODY = 100, 2000
CITY_WORDS = {"", "全市", "深圳市", "市级", "city"}
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?")
_LINK = re.compile(r"https?://[^\s]+")


# -- queries (pages call these; parameters are passed, never formatted into SQL)

def search(text: str | None = None, level: str | None = None, topic: str | None = None,
           year: int | None = None) -> pd.DataFrame:
    """Policies whose title, summary, issuer or number contains `text`, filtered by level, topic and year."""
    return db.query("policy_list", search=(text or "").strip() or None, policy_level=level or None,
                    topic=topic or None, year=int(year) if year else None)


def facets() -> dict[str, list]:
    """The filter choices: every level and topic of the vocabulary, and the years that occur, newest first."""
    every = search()
    return {"level": list(LEVELS), "topic": list(TOPICS),
            "year": sorted({int(y) for y in every["issued_year"]}, reverse=True)}


def policy_for_standard(standard_id: str) -> dict | None:
    """The policy a coverage standard rests on (coverage_standard.basis → policy.code), or None.

    The coverage page links each standard to it with policy_link(standard_id).
    """
    rows = db.query("policy_standards")
    row = rows[(rows["standard_id"] == standard_id) & rows["policy_code"].notna()]
    if row.empty:
        return None
    p = row.iloc[0]

    def text(v):
        return v if isinstance(v, str) and v else None  # a missing value may come back as None or NaN

    out = {"code": p["policy_code"], "title": p["title"], "title_en": text(p["title_en"]), "issuer": p["issuer"],
           "issued_on": pd.Timestamp(p["issued_on"]).date().isoformat(), "doc_number": text(p["doc_number"]),
           "url": text(p["url"])}
    out["citation"] = citation(out)
    return out


def policy_link(standard_id: str, language: str = "zh") -> str | None:
    """A Markdown link from a coverage standard to its policy on the 政策与资讯 page, which opens it first.

    A relative URL (the page's url_path is "policies"), so it also works when the app runs under a base
    path and in a page's standalone AppTest, where st.page_link cannot resolve other pages.
    """
    p = policy_for_standard(standard_id)
    return None if p is None else f"[{citation(p, language)}](policies?policy={p['code']})"


def citation(policy: Mapping, language: str = "zh") -> str:
    """《title》（issuer，2020-10-17，number） — or the English title with the date and number."""
    issued = policy["issued_on"]
    issued = issued if isinstance(issued, str) else pd.Timestamp(issued).date().isoformat()
    number = policy.get("doc_number")
    number = number if isinstance(number, str) and number else None
    if language == "en":
        parts = [p for p in (policy.get("issuer"), issued, number) if p]
        return f"{policy.get('title_en') or policy['title']} ({', '.join(parts)})"
    return f"《{policy['title']}》（{'，'.join(p for p in (policy['issuer'], issued, number) if p)}）"


def put_first(found: pd.DataFrame, code: str | None) -> pd.DataFrame:
    """The search result with the policy `code` (a link from the coverage page) moved to the top."""
    return found.sort_values("code", key=lambda c: c != code, kind="stable") if code else found


def basis_table(language: str = "zh") -> pd.DataFrame:
    """Each coverage standard, the level it applies to and the citation of its policy (for display)."""
    rows = db.query("policy_standards")
    en = language == "en"
    cite = [citation(r, language) if isinstance(r["policy_code"], str) else "—" for r in rows.to_dict("records")]
    return pd.DataFrame({
        t("policies.col_standard", language): rows["label_en" if en else "label_zh"],
        t("policies.col_level", language): [t(f"policies.unit_{v}", language) for v in rows["standard_level"]],
        t("policies.col_policy", language): cite,
    })


def colon(language: str = "zh") -> str:
    return ": " if language == "en" else "："


def fact_lines(p, language: str = "zh") -> list[str]:
    """'**发布机关**：国务院' lines for a policy row of policy_list: issuer, dates, number, level and topic."""
    c = colon(language)
    lines = [f"**{t('policies.issuer', language)}**{c}{p.issuer}",
             f"**{t('policies.issued_on', language)}**{c}{p.issued_on:%Y-%m-%d}"]
    if not pd.isna(p.effective_on):
        lines.append(f"**{t('policies.effective_on', language)}**{c}{p.effective_on:%Y-%m-%d}")
    if p.doc_number:
        lines.append(f"**{t('policies.doc_number', language)}**{c}{p.doc_number}")
    lines.append(f"**{t('policies.level', language)}**{c}{t(f'policies.level_{p.level}', language)} · "
                 f"**{t('policies.topic', language)}**{c}{t(f'policies.topic_{p.topic}', language)}")
    if language == "en":
        lines.append(f"**{t('policies.official_title', language)}**{c}《{p.title}》")
    return lines


def announcement_line(row, language: str = "zh") -> str:
    """'2020-05-29 · 光明区' — the date and where an announcement applies (city-wide when no district)."""
    where = row.district_name_en if language == "en" else row.district_name
    where = where if isinstance(where, str) and where else t("policies.citywide", language)
    return f"{pd.Timestamp(row.published_on):%Y-%m-%d} · {where}"


def latest_announcements(district: str | None = None, limit: int = 3) -> pd.DataFrame:
    """Announcements for a district (and city-wide ones), newest first."""
    return db.query("announcement_list", district=district, max_rows=int(limit))


# -- the announcements file administrators import

@dataclass
class AnnouncementLoad:
    """The checked rows of an announcements file; `errors` names the line of every problem."""
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _districts() -> dict[str, str]:
    frame = pd.read_csv(REFERENCE / "districts.csv", dtype=str)
    return dict(zip(frame["code"], frame["name"]))


def _read(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(path, dtype=str).fillna("")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:  # Excel on Chinese Windows saves CSV as GB18030
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030")


def parse_date(value: str) -> date | None:
    """2020-05-31, 2020/5/31 or 2020.05.31 (a spreadsheet's midnight time is allowed); None if not a date."""
    m = _DATE.fullmatch(value.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def load_announcements(path: str | Path, districts: Mapping[str, str] | None = None) -> AnnouncementLoad:
    """Read and check an announcements CSV/XLSX (title, date, district_code, body, link).

    district_code may be a code (440305) or a name (南山区); empty means city-wide. Returns the rows
    (id, title, published_on, district_code, body, link) when every row is valid, else no rows and
    one message per problem, each naming its line in the file (the header is line 1).
    """
    path = Path(path)
    districts = dict(districts) if districts is not None else _districts()
    by_name = {name: code for code, name in districts.items()}
    try:
        frame = _read(path)
    except Exception as exc:  # any unreadable file is reported, never raised
        return AnnouncementLoad(errors=[f"无法读取文件 {path.name}：{exc}"])
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "district" in frame.columns and "district_code" not in frame.columns:
        frame = frame.rename(columns={"district": "district_code"})
    missing = [c for c in ANNOUNCEMENT_COLUMNS if c not in frame.columns]
    if missing:
        return AnnouncementLoad(errors=[f"{path.name}：缺少列 {'、'.join(missing)}"
                                        f"（应有列：{', '.join(ANNOUNCEMENT_COLUMNS)}）"])
    rows, errors, seen = [], [], {}
    for i, rec in enumerate(frame.to_dict("records")):
        line = i + 2
        cell = {c: str(rec[c]).strip() for c in ANNOUNCEMENT_COLUMNS}
        problems = []
        if not cell["title"]:
            problems.append("标题（title）不能为空")
        elif len(cell["title"]) > MAX_TITLE:
            problems.append(f"标题过长（{len(cell['title'])} 字，最多 {MAX_TITLE} 字）")
        published = parse_date(cell["date"]) if cell["date"] else None
        if not cell["date"]:
            problems.append("日期（date）不能为空")
        elif published is None:
            problems.append(f"日期 {cell['date']!r} 无法识别，应为 YYYY-MM-DD（如 2020-05-31）")
        district = cell["district_code"]
        code = None if district in CITY_WORDS else district if district in districts else by_name.get(district)
        if district not in CITY_WORDS and code is None:
            problems.append(f"区 {district!r} 不存在：请填写区代码（如 440305）或区名（如 南山区），全市资讯留空")
        if not cell["body"]:
            problems.append("正文（body）不能为空")
        elif len(cell["body"]) > MAX_BODY:
            problems.append(f"正文过长（{len(cell['body'])} 字，最多 {MAX_BODY} 字）")
        if cell["link"] and not _LINK.fullmatch(cell["link"]):
            problems.append(f"链接 {cell['link']!r} 应以 http:// 或 https:// 开头")
        key = (cell["title"], published)
        if cell["title"] and published and key in seen:
            problems.append(f"与第 {seen[key]} 行重复（标题和日期相同）")
        seen.setdefault(key, line)
        errors += [f"第 {line} 行：{p}" for p in problems]
        if not problems:
            rows.append({"id": len(rows) + 1, "title": cell["title"], "published_on": published.isoformat(),
                         "district_code": code, "body": cell["body"], "link": cell["link"] or None})
    return AnnouncementLoad(rows=[] if errors else rows, errors=errors)
