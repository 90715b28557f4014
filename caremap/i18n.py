"""Labels in Chinese and English (caremap/labels/*.toml) and Chinese-first number formats."""

from __future__ import annotations

import tomllib
from functools import lru_cache

import streamlit as st

from caremap.paths import LABELS

LANGS = ("zh", "en")


@lru_cache(maxsize=1)
def _labels() -> dict[str, tuple[str, str]]:
    """{"section.key": (zh, en)} from every labels/<section>.toml, where a label is key = ["中文", "English"]."""
    out = {}
    for path in sorted(LABELS.glob("*.toml")):
        for key, value in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if not (isinstance(value, list) and len(value) == 2):
                raise ValueError(f"{path.name}: label {key!r} must be [\"中文\", \"English\"]")
            out[f"{path.stem}.{key}"] = (value[0], value[1])
    return out


def lang() -> str:
    """The language of the session: ?lang=en in the URL switches to English."""
    value = st.query_params.get("lang", "zh")
    return value if value in LANGS else "zh"


def t(key: str, language: str | None = None, **fmt) -> str:
    """The label for key ("section.name") in the session's language, with {placeholders} filled."""
    zh, en = _labels()[key]
    text = en if (language or lang()) == "en" else zh
    return text.format(**fmt) if fmt else text


def has(key: str) -> bool:
    return key in _labels()


def fmt_int(n, language: str | None = None) -> str:
    """3300000 → '330万' (zh, for ≥ 10,000) or '3,300,000' (en); small numbers with separators."""
    if n is None:
        return "—"
    n = int(round(float(n)))
    if (language or lang()) == "zh" and abs(n) >= 10_000:
        wan = n / 10_000
        text = f"{wan:,.1f}".rstrip("0").rstrip(".")
        return f"{text}万"
    return f"{n:,}"


def fmt_pct(x, digits: int = 1) -> str:
    return "—" if x is None else f"{100 * float(x):.{digits}f}%"


def fmt_m(metres) -> str:
    """Distances: metres below 1 km, kilometres above."""
    if metres is None:
        return "—"
    m = float(metres)
    return f"{m:,.0f} 米" if lang() == "zh" and m < 1000 else (
        f"{m / 1000:.1f} 公里" if lang() == "zh" else (f"{m:,.0f} m" if m < 1000 else f"{m / 1000:.1f} km"))
