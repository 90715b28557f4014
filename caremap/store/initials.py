"""Pinyin initials of names ("ftjd" → 福田街道), derived in the database when a version is published.

The initials are derived in the database when a data version is published (derive_initials, called by
build.derive at build and at every import), so a search is one named query, directory_search, and no
Python loop over the points. A search made only of Latin letters (at least two; spaces ignored) also
matches the points whose name, street or category has those initials.

Readings are per character: pypinyin is asked once per distinct character (Style.FIRST_LETTER,
heteronym=True); ASCII letters and digits are kept (lowercased) and other characters dropped. Asked for a
whole phrase, pypinyin picks one reading for the words it knows (重庆 → cq only; 社区 → sq); per character
every reading counts (重庆 → cq, zq, tq; 社区 → sq, so), a superset, so a search by any reading finds
the name.

The database keeps each name's readings as one pattern, a slot per character: its letter, or for a
polyphonic character all its letters in capitals between brackets (长岭 → [CZ]l). The search matches
the pattern with a regular expression, so every combination of readings is found, however many
polyphonic characters a name holds (a list of combinations would have to stop somewhere: at 16, names
with many polyphones lost common readings such as 社区 → sq). Two derived tables hold them:
name_initials, one row per distinct search key (the name with each run of digits written as a single 0:
a search holds letters only and digits only separate them, so "…之家·12" and "…之家·345" share a row),
and service_point_initials, each point's key.
"""

from __future__ import annotations

import functools
import itertools

import pandas as pd

_MAX_VARIANTS = 16  # initials(): polyphonic characters (长, 重, 行 …) give at most this many readings


@functools.cache  # one entry per distinct character
def _letters(ch: str) -> tuple[str, ...]:
    """The initials one character can read as: 长 → ('c', 'z'); 'A' → ('a',); '·' → ()."""
    from pypinyin import Style, pinyin  # here: a tenth of a second to import, needed only when deriving

    chunks = pinyin(ch, style=Style.FIRST_LETTER, heteronym=True, errors=lambda s: list(s))
    return tuple(sorted({r.lower() for chunk in chunks for r in chunk if r.isascii() and r.isalnum()}))


def _slot(letters: tuple[str, ...]) -> str | None:
    """A character's slot in a pattern: its letter, [ABC] for several, nothing (None) for none."""
    if len(letters) > 1:
        return "[" + "".join(letters).upper() + "]"
    return letters[0] if letters else None


def pattern(text: str | None) -> str:
    """The initials pattern of a text, as name_initials stores it: 长岭社区 → '[CZ]ls[OQ]'; 福田街道 → 'ftjd'."""
    return str(text or "").translate({ord(ch): _slot(_letters(ch)) for ch in set(str(text or ""))})


def initials(text: str | None) -> tuple[str, ...]:
    """The pinyin initials of a name, one string per reading (the first 16): 福田街道 → ('ftjd',); 长岭 → ('cl', 'zl').

    The search itself matches pattern() in SQL, which holds every reading.
    """
    options = [v for v in map(_letters, str(text or "")) if v]
    if not options:
        return ()
    return tuple(itertools.islice(map("".join, itertools.product(*options)), _MAX_VARIANTS))


def derive_initials(con) -> None:
    """(Re)fill name_initials and service_point_initials from the points, streets and categories.

    Called by build.derive inside the publishing transaction. pypinyin runs once per distinct character
    (a few thousand), then one str.translate per distinct search key writes its pattern.
    """
    con.execute("delete from service_point_initials")
    con.execute("delete from name_initials")
    con.execute("insert into service_point_initials "
                "select id, regexp_replace(name, '[0-9]+', '0', 'g') from service_point")
    con.execute("""
        create or replace temp table initials_keys as
        select name_key from service_point_initials
        union
        select regexp_replace(name, '[0-9]+', '0', 'g') from street
        union
        select regexp_replace(name, '[0-9]+', '0', 'g') from service_category""")
    try:
        chars = con.execute("select distinct unnest(string_split(name_key, '')) from initials_keys").fetchall()
        slots = {ord(c): _slot(_letters(c)) for (ch,) in chars for c in ch}  # ch: one code point
        keys = [key for (key,) in con.execute("select name_key from initials_keys").fetchall()]
        rows = pd.DataFrame({"name_key": keys, "initials": [key.translate(slots) for key in keys]}, dtype=object)
        con.register("initials_rows", rows)
        con.execute("insert into name_initials select name_key, initials from initials_rows where initials <> ''")
        con.unregister("initials_rows")
    finally:
        con.execute("drop table if exists initials_keys")
