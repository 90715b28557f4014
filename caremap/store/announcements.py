"""The announcements file (服务资讯: title, date, district, body, link), checked line by line at build time."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from caremap.common.dates import parse_date
from caremap.common.paths import REFERENCE

ANNOUNCEMENT_COLUMNS = ("title", "date", "district_code", "body", "link")
OPTIONAL_COLUMNS = ("title_en", "body_en")   # the English UI shows them where given, else the Chinese
MAX_TITLE, MAX_BODY = 100, 2000
CITY_WORDS = {"", "全市", "深圳市", "市级", "city"}
_LINK = re.compile(r"https?://[^\s]+")


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


def load_announcements(path: str | Path, districts: Mapping[str, str] | None = None) -> AnnouncementLoad:
    """Read and check an announcements CSV/XLSX (title, date, district_code, body, link; optionally title_en and
    body_en, which the English UI shows).

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
        cell = {c: str(rec.get(c, "")).strip() for c in (*ANNOUNCEMENT_COLUMNS, *OPTIONAL_COLUMNS)}
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
        if len(cell["title_en"]) > MAX_TITLE:
            problems.append(f"英文标题过长（{len(cell['title_en'])} 字符，最多 {MAX_TITLE}）")
        if len(cell["body_en"]) > MAX_BODY:
            problems.append(f"英文正文过长（{len(cell['body_en'])} 字符，最多 {MAX_BODY}）")
        if cell["link"] and not _LINK.fullmatch(cell["link"]):
            problems.append(f"链接 {cell['link']!r} 应以 http:// 或 https:// 开头")
        key = (cell["title"], published)
        if cell["title"] and published and key in seen:
            problems.append(f"与第 {seen[key]} 行重复（标题和日期相同）")
        seen.setdefault(key, line)
        errors += [f"第 {line} 行：{p}" for p in problems]
        if not problems:
            rows.append({"id": len(rows) + 1, "title": cell["title"], "published_on": published.isoformat(),
                         "district_code": code, "body": cell["body"], "link": cell["link"] or None,
                         "title_en": cell["title_en"] or None, "body_en": cell["body_en"] or None})
    return AnnouncementLoad(rows=[] if errors else rows, errors=errors)
