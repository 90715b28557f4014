"""Values of the data as the English UI shows them: places as "Yuehai Subdistrict (粤海街道)" (their English
names derived once, caremap.common.places) and the controlled vocabulary (owning systems, roles, statuses,
certificates, social-work domains and target groups) from caremap/common/labels/vocab.toml. In Chinese every
value is shown as stored."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from caremap.common.i18n import has_label, lang, t
from caremap.common.places import bilingual
from caremap.store import db

# Columns of query results that hold vocabulary, and the vocabulary kind (vocab.toml's "<kind>.<value>").
VOCAB_COLUMNS = {"system": "system", "role": "role", "status": "status", "certificate": "certificate",
                 "domain": "domain", "target_group": "target_group", "point_note": "note", "location_note": "note",
                 "ref_note": "note"}
# Columns that hold Chinese place names (district, street or community).
PLACE_COLUMNS = ("district_name", "street_name", "community_name", "home_district", "row_name", "unit_name")


def term(kind: str, value, language: str | None = None):
    """A vocabulary value in the language: term("system", "妇联", "en") → "Women's Federation"; unknown values
    (and every value in Chinese) as stored."""
    if (language or lang()) != "en" or not isinstance(value, str) or not has_label(f"vocab.{kind}.{value}"):
        return value
    return t(f"vocab.{kind}.{value}", "en")


def issuer(text, language: str | None = None):
    """The issuing bodies of a policy in the language: "民政部、教育部" → "Ministry of Civil Affairs, Ministry of
    Education" (a body not in vocab.toml as stored)."""
    if (language or lang()) != "en" or not isinstance(text, str):
        return text
    return ", ".join(term("issuer", body, "en") for body in text.split("、"))


def place_names() -> dict[str, str]:
    """{Chinese name: "English (中文)"} of every district, street and community unit (built once per published
    version of the database)."""
    return _place_names(db.cache_key())


@lru_cache(maxsize=4)
def _place_names(version: tuple) -> dict[str, str]:
    rows = db.query("place_names")
    return {r.name: bilingual(r.name_en, r.name) for r in rows.itertuples() if r.name_en}


def place(name, language: str | None = None):
    """A place name in the language: place("粤海街道", "en") → "Yuehai Subdistrict (粤海街道)"."""
    if (language or lang()) != "en" or not isinstance(name, str):
        return name
    return place_names().get(name, name)


def frame(df: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    """df with its vocabulary and place-name columns in the language (a copy; unchanged in Chinese)."""
    if (language or lang()) != "en":
        return df
    out = df.copy()
    if "category_name" in out and "category_name_en" in out:   # the categories' own English names
        out["category_name"] = out["category_name_en"].where(out["category_name_en"].notna(), out["category_name"])
    for col in out.columns:
        if col in VOCAB_COLUMNS:
            out[col] = out[col].map(lambda v, k=VOCAB_COLUMNS[col]: term(k, v, "en"))
        elif col in PLACE_COLUMNS:
            names = place_names()
            out[col] = out[col].map(lambda v, names=names: names.get(v, v) if isinstance(v, str) else v)
    return out
