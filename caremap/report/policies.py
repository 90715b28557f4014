"""Policies and service announcements (政策与资讯): the policy list, the policy behind each coverage
standard, citations and the latest announcements. The announcements file is checked at build time by
caremap.store.announcements.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from caremap.common.i18n import t
from caremap.report import terms
from caremap.store import db

LEVELS = ("national", "provincial", "city", "district")
TOPICS = ("minor_protection", "vulnerable_children", "child_development", "family", "planning", "welfare")
POLICY_REQUIRED = ("code", "title", "issuer", "issued_on", "level", "topic", "summary_zh", "summary_en")
DEMO_PREFIX = "【示例】"


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
    if language == "en":   # a number written in Chinese (国发〔2016〕36号) is on the policy's own entry
        number = number if number and number.isascii() else None
        parts = [p for p in (terms.issuer(policy.get("issuer"), language), issued, number) if p]
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
    lines = [f"**{t('policies.issuer', language)}**{c}{terms.issuer(p.issuer, language)}",
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


def announcement_text(row, language: str = "zh") -> tuple[str, str]:
    """(title, body) of an announcement in the language: the English ones where the file gave them, else the
    Chinese."""
    def given(v):
        return isinstance(v, str) and v != ""

    title_en, body_en = getattr(row, "title_en", None), getattr(row, "body_en", None)
    if language == "en" and given(title_en):
        return title_en, body_en if given(body_en) else row.body
    return row.title, row.body


def announcement_line(row, language: str = "zh") -> str:
    """'2020-05-29 · 光明区' — the date and where an announcement applies (city-wide when no district)."""
    where = row.district_name_en if language == "en" else row.district_name
    where = where if isinstance(where, str) and where else t("policies.citywide", language)
    return f"{pd.Timestamp(row.published_on):%Y-%m-%d} · {where}"


def latest_announcements(district: str | None = None, limit: int = 3) -> pd.DataFrame:
    """Announcements for a district (and city-wide ones), newest first."""
    return db.query("announcement_list", district=district, max_rows=int(limit))
