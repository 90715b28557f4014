"""English names of places: pinyin with English suffixes, and "English (中文)" as the English UI shows them.

Street and community names are derived once, by the reference generator (caremap.ingest.reference), into the
`name_en` columns of data/reference/streets.csv and communities.csv; districts keep their official English
names (DISTRICT_EN there). The pinyin comes from pypinyin's phrase dictionary (so 长岭 reads chang, 重庆 chong),
with the readings place names use where the dictionary picks another (READINGS), and an apostrophe before a
syllable starting with a, o or e that follows another (Bao'an, Xi'an)."""

from __future__ import annotations

import re

# The English of the administrative words a name ends with (or holds), longest first.
SUFFIXES = (
    ("社区居民委员会", " Community"), ("社区居委会", " Community"), ("居民委员会", " Residents' Committee"),
    ("居委会", " Residents' Committee"), ("居委", " Residents' Committee"), ("社区", " Community"),
    ("街道", " Subdistrict"), ("新区", " New Area"), ("区", " District"),
)
# Readings place names use where pypinyin's phrase dictionary reads the character otherwise, by name part.
# 长岭 changling (not zhangling), 岗厦 gangxia, 梅都 meidu, 布吉圩 bujixu, 山咀头 shanzuitou, 葵涌 kuichong.
READINGS = {"长": "chang", "厦": "xia", "都": "du", "圩": "xu", "咀": "zui", "涌": "chong"}

_SPLIT = re.compile("(" + "|".join(zh for zh, _ in SUFFIXES) + ")")
_EN = dict(SUFFIXES)


def _pinyin(text: str) -> str:
    """葵涌 → 'Kuichong', 宝安 → "Bao'an": one capitalised word, syllables joined, ' before a/o/e syllables."""
    from pypinyin import Style, lazy_pinyin  # imported only where names are derived (reference generation)

    syllables = []
    for ch, reading in zip(text, lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors=lambda s: list(s))):
        syllables.append(READINGS.get(ch, reading) if "\u4e00" <= ch <= "\u9fff" else reading)
    word = ""
    for s in syllables:
        word += ("'" if word and s[:1] in "aoe" and word[-1].isalpha() else "") + s
    return word[:1].upper() + word[1:]


def english_name(name: str) -> str:
    """The English of a street's or community's name: 粤海街道 → 'Yuehai Subdistrict', 长岭社区 → 'Changling
    Community', 杨美社区嘉丽园居委会 → "Yangmei Community Jialiyuan Residents' Committee"."""
    parts = [p for p in _SPLIT.split(name) if p]
    out = []
    for i, part in enumerate(parts):
        if part in _EN and i > 0:
            out[-1] += _EN[part]
        else:
            out.append(_pinyin(part))
    return " ".join(out)


def bilingual(name_en: str | None, name: str | None) -> str:
    """How the English UI shows a place: 'Yuehai Subdistrict (粤海街道)'; the Chinese alone when there is no
    English name."""
    if not name_en or not name:
        return name or name_en or ""
    return f"{name_en} ({name})"
