"""Labels in Chinese and English (caremap/labels/*.toml) and Chinese-first number formats."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import lru_cache

from caremap.common.paths import LABELS

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


# Where the session's language comes from: the app installs a function that reads its URL (?lang=en); the
# command line and the tests pass a language explicitly or get Chinese.
_language_source: Callable[[], str | None] = lambda: None  # noqa: E731


def set_language_source(source: Callable[[], str | None]) -> None:
    """Install the function that tells the current session's language (caremap.app does, from the URL)."""
    global _language_source
    _language_source = source


def lang() -> str:
    """The language of the current session ('zh' or 'en'); Chinese unless the session asked for English."""
    value = _language_source()
    return value if value in LANGS else "zh"


def has_label(key: str) -> bool:
    """Whether labels/*.toml define key ("section.name")."""
    return key in _labels()


def t(key: str, language: str | None = None, **fmt) -> str:
    """The label for key ("section.name") in the session's language, with {placeholders} filled."""
    zh, en = _labels()[key]
    text = en if (language or lang()) == "en" else zh
    return text.format(**fmt) if fmt else text


def fmt_int(n, language: str | None = None) -> str:
    """A count as written: in Chinese with 万 from 10,000 (3300000 → '330万', one decimal) and 亿 from 100,000,000
    (330000000 → '3.3亿', two decimals), as the bureau's reports write them; in English, and below 10,000 in either
    language, with thousands separators ('3,300,000', '1,513')."""
    if n is None:
        return "—"
    n = int(round(float(n)))
    if (language or lang()) == "zh" and abs(n) >= 10_000:
        wan = round(n / 10_000, 1)
        if abs(wan) >= 10_000:   # 9,999.96万 rounds to 10,000万: that is 1亿
            return f"{n / 100_000_000:,.2f}".rstrip("0").rstrip(".") + "亿"
        return f"{wan:,.1f}".rstrip("0").rstrip(".") + "万"
    return f"{n:,}"


def fmt_pct(x, digits: int = 1) -> str:
    return "—" if x is None else f"{100 * float(x):.{digits}f}%"
