"""The scope of a view (全市, a district or a street) and its names: the one breadcrumb every page, chart,
file and slide shows."""

from __future__ import annotations

from dataclasses import dataclass

from caremap.common.i18n import t
from caremap.store import db


@dataclass(frozen=True)
class Scope:
    district: str | None = None
    street: str | None = None
    district_name: str | None = None
    street_name: str | None = None
    district_name_en: str | None = None

    @property
    def level(self) -> str:
        return "street" if self.street else "district" if self.district else "city"

    def params(self) -> dict:
        return {"district": self.district, "street": self.street}

    def names(self, language: str | None = None) -> list[str]:
        """['全市', '南山区', '粤海街道']; in English ['Whole city', 'Nanshan District (南山区)',
        'Yuehai Subdistrict (粤海街道)']."""
        from caremap.report import terms

        parts = [t("common.city", language)]
        if self.district:
            parts.append(terms.place(self.district_name or self.district, language))
        if self.street:
            parts.append(terms.place(self.street_name or self.street, language))
        return parts

    def label(self, language: str | None = None) -> str:
        """Breadcrumb: 全市 › 南山区 › 粤海街道."""
        return " › ".join(self.names(language))

    def place(self, language: str | None = None) -> str:
        """The innermost place: 全市, 南山区 or 粤海街道."""
        return self.names(language)[-1]


def resolve(district: str | None, street: str | None = None) -> Scope:
    """The scope of these codes with their names; codes not in the reference tables keep the code as name."""
    if not district and not street:
        return Scope()
    districts = db.query("districts").set_index("code")
    d_name = districts["name"].get(district, district) if district else None
    d_en = districts["name_en"].get(district) if district else None
    s_name = db.query("streets", district=district).set_index("code")["name"].get(street, street) if street else None
    return Scope(district or None, street or None, d_name, s_name, d_en)


def label_of(district: str | None, street: str | None, language: str | None = None) -> str:
    """Breadcrumb of a scope given by codes: 全市 › 南山区 › 粤海街道."""
    return resolve(district, street).label(language)


def place_of(district: str | None, street: str | None, language: str | None = None) -> str:
    """The innermost place of a scope given by codes: 全市, 南山区 or 粤海街道."""
    return resolve(district, street).place(language)
