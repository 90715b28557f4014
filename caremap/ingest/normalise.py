"""Normalising what people type: full-width characters, header synonyms, notes rows, loose place names, dates,
phones and numbers."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from caremap.ingest.read import HEADER_SCAN_ROWS
from caremap.store import db

NOTE_MARKERS = ("注", "备注", "说明", "填表", "制表", "审核", "合计", "总计", "数据来源", "来源", "note", "*")



@dataclass(frozen=True)
class Field:
    key: str
    names: tuple[str, ...]   # header synonyms; the first is the template's Chinese header
    required: bool = False



# ---------------------------------------------------------------- normalising

def nfkc(text: str) -> str:
    """Full-width digits, letters and punctuation to half-width; trimmed; inner whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip()


_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}


def clean_text(text: str) -> str:
    """Free text (names, addresses): full-width digits and letters to half-width, Chinese punctuation kept."""
    return re.sub(r"\s+", " ", (text or "").translate(_FULLWIDTH_ALNUM).replace("\u3000", " ")).strip()


def header_key(text: str) -> str:
    return re.sub(r"[\s*]|\(必填\)|\(选填\)", "", nfkc(text).lower())


def match_key(text: str) -> str:
    """Loose key for duplicate checks: NFKC, no spaces, lower case."""
    return re.sub(r"\s", "", nfkc(text).lower())


def find_header(rows, fields) -> tuple[int, dict[int, Field]] | None:
    synonyms = {header_key(n): f for f in fields for n in f.names}
    best = None
    for i, (_, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping = {c: synonyms[header_key(v)] for c, v in enumerate(cells) if header_key(v) in synonyms}
        score = len({f.key for f in mapping.values()})
        if score >= 2 and (best is None or score > best[0]):
            best = (score, i, mapping)
    return (best[1], best[2]) if best else None


def is_note(cells: list[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    return len(filled) == 1 and nfkc(filled[0]).lower().startswith(NOTE_MARKERS)


class Matcher:
    """Names in variant forms (南山, 南山区, 南山街道办事处, 440305, Nanshan) to one reference code."""

    def __init__(self, entries: list[tuple[str, str, list[str]]], suffixes: tuple[str, ...], prefixes=()):
        self.suffixes, self.prefixes = suffixes, prefixes
        self.entries = entries  # (code, display name, [names])
        self.keys: dict[str, set[str]] = {}
        for code, _, names in entries:
            for n in names:
                if n:
                    self.keys.setdefault(self.key(n), set()).add(code)
        self.display = {code: name for code, name, _ in entries}

    def key(self, text: str) -> str:
        k = re.sub(r"\s", "", nfkc(text)).lower()
        for p in ("广东省", "深圳市", "深圳", *self.prefixes):
            if k.startswith(p) and len(k) > len(p):
                k = k[len(p):]
        for s in self.suffixes:
            if k.endswith(s) and len(k) > len(s):
                k = k[: -len(s)]
                break
        return k

    def match(self, text: str, within: set[str] | None = None) -> tuple[str | None, str | None, tuple]:
        """(code, None, ()) or (None, 'ambiguous'|'unknown', params)."""
        def allowed(codes):
            return {c for c in codes if within is None or c in within}
        raw = nfkc(text)
        if raw in self.display and allowed({raw}):
            return raw, None, ()
        k = self.key(text)
        codes = allowed(self.keys.get(k, set()))
        if not codes and k:
            codes = allowed({c for key, cs in self.keys.items() if key.startswith(k) for c in cs})
        if len(codes) == 1:
            return codes.pop(), None, ()
        if codes:
            return None, "ambiguous", (("names", "、".join(sorted(self.display[c] for c in codes))),)
        pool = {key: c for key, cs in self.keys.items() for c in allowed(cs)}
        close = difflib.get_close_matches(k, list(pool), n=3, cutoff=0.3)
        names = list(dict.fromkeys(self.display[pool[c]] for c in close))
        if not names:
            names = sorted({self.display[c] for c in pool.values()})[:5]
        return None, "unknown", (("names", "、".join(names)),)


@dataclass
class Reference:
    """What the current database already holds: places, categories, existing rows for duplicate checks."""
    districts: Matcher
    streets: Matcher
    communities: Matcher
    categories: Matcher
    street_district: dict
    community_street: dict
    existing: dict

    @classmethod
    def load(cls, con) -> Reference:
        d = db.run(con, "import_districts")
        s = db.run(con, "import_streets")
        c = db.run(con, "import_communities")
        k = db.run(con, "import_categories")
        districts = Matcher([(r.code, r.name, [r.name, r.name_en or ""]) for r in d.itertuples()], ("新区", "区"))
        dnames = tuple(re.sub(r"\s", "", n).lower() for n in d["name"])
        streets = Matcher([(r.code, r.name, [r.name]) for r in s.itertuples()],
                          ("街道办事处", "街道办", "办事处", "街道"), dnames)
        communities = Matcher([(r.code, r.name, [r.name, r.official_name or ""]) for r in c.itertuples()],
                              ("社区居民委员会", "社区居委会", "居民委员会", "居委会", "社区工作站", "社区"), dnames)
        categories = Matcher([(r.code, r.name, [r.code, r.name, r.name_en or ""]) for r in k.itertuples()], ())
        existing = {name: db.run(con, f"import_existing_{name}") for name in
                    ("points", "workers", "projects", "orgs", "sites", "population")}
        return cls(districts, streets, communities, categories, dict(zip(s["code"], s["district_code"])),
                   dict(zip(c["code"], c["street_code"])), existing)


def parse_phone(text: str) -> tuple[str | None, bool]:
    """Mainland mobile, landline with area code, Shenzhen 8-digit local, 400/800 and 5-digit hotlines.

    Returns (normalised text, area code added) or (None, False). Several numbers may be separated by 、,;/.
    """
    out, added = [], False
    for part in re.split(r"[、,;/]", nfkc(text)):
        d = re.sub(r"[\s\-()]", "", part)
        if not d:
            continue
        if m := re.fullmatch(r"(?:\+?86)?(1[3-9]\d{9})", d):
            out.append(m.group(1))
        elif re.fullmatch(r"0(?:[12]\d)\d{7,8}", d):
            out.append(f"{d[:3]}-{d[3:]}")
        elif re.fullmatch(r"0[3-9]\d{2}\d{7,8}", d):
            out.append(f"{d[:4]}-{d[4:]}")
        elif re.fullmatch(r"(?:755)?[2-8]\d{7}", d):   # no area code, or Excel dropped the leading 0 of 0755
            out.append(f"0755-{d[-8:]}")
            added = True
        elif re.fullmatch(r"[48]00\d{7}", d):
            out.append(f"{d[:3]}-{d[3:6]}-{d[6:]}")
        elif re.fullmatch(r"1\d{4}", d):
            out.append(d)
        else:
            return None, False
    return ("、".join(out) or None), added


def parse_number(text: str) -> float | None:
    try:
        v = float(nfkc(text).replace(",", ""))
    except ValueError:
        return None
    return v if v == v and abs(v) != float("inf") else None
