"""The citizens' view (public.py): service points near a place, with a call link and directions in the three
map apps people use, and nothing else of the database.

Only the named queries in PUBLIC_QUERIES are ever run for it; none of them reads the workforce (tests check
the queries' text), and mobile numbers in the points' phones are masked as everywhere.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import quote

import pandas as pd

from caremap.common import crs
from caremap.common.i18n import t
from caremap.report import masking, search
from caremap.store import db, feedback

PUBLIC_QUERIES = ("public_near", "public_point", "public_places", "public_categories", "policy_list",
                  "announcement_list", "sw_district_boundaries")
NEAR_ROWS = 20


def _query(name: str, **params) -> pd.DataFrame:
    if name not in PUBLIC_QUERIES:
        raise ValueError(f"{name!r} is not a query of the public view")
    return db.query(name, **params)


@dataclass(frozen=True)
class Origin:
    lon: float
    lat: float
    label: str       # what the distances are measured from, as the page says it
    kind: str        # district, street, community, landmark, location


def places(district: str | None = None) -> pd.DataFrame:
    return _query("public_places", district=district)


def categories() -> pd.DataFrame:
    return _query("public_categories")


def origin_of_place(code: str) -> Origin | None:
    rows = places()
    row = rows[rows["code"] == code]
    if row.empty or pd.isna(row["lon"].iloc[0]):
        return None
    r = row.iloc[0]
    return Origin(float(r["lon"]), float(r["lat"]), str(r["name"]), str(r["kind"]))


def origin_of_landmark(text: str) -> Origin | None:
    """A typed name or address matched against the directory: the first located match is the starting point."""
    found = search.search(text, page_size=20).rows
    found = found[found["lon"].notna()] if "lon" in found else found.iloc[0:0]
    if found.empty:
        return None
    r = found.iloc[0]
    return Origin(float(r["lon"]), float(r["lat"]), str(r["name"]), "landmark")


AGE_GROUPS = ("0-2", "3-5", "6-11", "12-17")
FORMS = {"到站": "onsite", "上门": "home", "线上": "online"}   # the stored form → its label key


def near(origin: Origin, category: str | None = None, n: int = NEAR_ROWS, age: str | None = None,
         form: str | None = None) -> pd.DataFrame:
    """The n located service points nearest to the origin (straight line), nearest first, of the category,
    serving the child's age group and in the form of service asked (a point stating none is kept)."""
    rows = _query("public_near", lon=origin.lon, lat=origin.lat, category=category, age=age, form=form,
                  max_rows=int(n))
    for col in ("phone", "address"):
        rows[col] = rows[col].map(masking.mask_mobiles)
    return rows


def tel_link(phone: str | None) -> str | None:
    """tel: for the first public number of a phone field ('0755-1234 5678、…' → tel:075512345678)."""
    if not phone:
        return None
    first = re.split(r"[、,;/]", str(phone))[0]
    if "*" in first:   # a masked mobile: a person's number is never dialled from here
        return None
    digits = re.sub(r"[^\d+]", "", first)
    return f"tel:{digits}" if len(digits) >= 5 else None


def nav_links(lon: float, lat: float, name: str, address: str = "") -> dict[str, str]:
    """Directions in AMap and Tencent Maps (GCJ-02) and Baidu Maps (BD-09), the WGS-84 point converted by
    caremap.common.crs; the links open the app or its web page, nothing is fetched here."""
    glon, glat = crs.convert(lon, lat, "WGS84", "GCJ02")
    blon, blat = crs.convert(lon, lat, "WGS84", "BD09")
    n, a = quote(name or ""), quote(address or "")
    return {
        "amap": f"https://uri.amap.com/marker?position={glon:.6f},{glat:.6f}&name={n}&coordinate=gaode"
                "&callnative=1&src=caremap",
        "baidu": f"https://api.map.baidu.com/marker?location={blat:.6f},{blon:.6f}&title={n}&content={a}"
                 "&output=html&coord_type=bd09ll&src=caremap",
        "tencent": f"https://apis.map.qq.com/uri/v1/marker?marker=coord:{glat:.6f},{glon:.6f};title:{n};addr:{a}"
                   "&referer=caremap",
    }


def card_facts(r, language: str = "zh") -> list[str]:
    """What a card says of a point beyond its name and address: hours, services, ages, forms, appointment
    (only those the data give)."""
    facts = []
    if r.hours:
        facts.append(t("public.hours", language, hours=r.hours))
    if r.services:
        facts.append(t("public.services", language, services=r.services))
    if r.ages:
        facts.append(t("public.ages", language, ages="、".join(t(f"public.age_{a}", language)
                                                              for a in r.ages.split(",") if a in AGE_GROUPS)))
    if r.service_forms:
        facts.append(t("public.forms", language, forms="、".join(t(f"public.form_{FORMS[f]}", language)
                                                                for f in r.service_forms.split(",") if f in FORMS)))
    if r.appointment is not None and r.appointment == r.appointment:   # NaN: not said
        facts.append(t("public.appointment_yes" if r.appointment else "public.appointment_no", language))
    return facts


def distance_text(metres: float, language: str = "zh") -> str:
    if metres < 1000:
        return f"{int(round(metres, -1))} 米" if language == "zh" else f"{int(round(metres, -1))} m"
    return f"{metres / 1000:.1f} 公里" if language == "zh" else f"{metres / 1000:.1f} km"


def policies() -> pd.DataFrame:
    """Every policy, newest first, with its plain summary (the policy table's own fields)."""
    rows = _query("policy_list", search=None, policy_level=None, topic=None, year=None)
    return rows.sort_values("issued_on", ascending=False).reset_index(drop=True)


def news(limit: int = 50) -> pd.DataFrame:
    """Service announcements, newest first (city-wide and every district's)."""
    return _query("announcement_list", district=None, max_rows=int(limit))


def boundaries(district: str | None = None) -> pd.DataFrame:
    """District outlines for the small map's base (district in scope filled darker)."""
    return _query("sw_district_boundaries", district=district)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")


def plain(value) -> str:
    """A data value as Markdown that shows as the very text: HTML and Markdown characters escaped (a name like
    '[点此](javascript:…)' stays text)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return _MARKDOWN.sub(r"\\\1", html.escape(str(value), quote=False))


def send_feedback(kind: str, body: str, session_id: str, client: str, point_id: str | None = None,
                  point_name: str | None = None, contact: str | None = None):
    """A citizen's correction or question into the review queue (store.feedback); raises FeedbackRefused."""
    return feedback.submit(kind, body, session_id, client, point_id, point_name, contact)


FeedbackRefused = feedback.FeedbackRefused
FEEDBACK_MAX_CHARS = feedback.MAX_CHARS
FEEDBACK_PER_MINUTE = feedback.PER_MINUTE


def point(point_id: str):
    """One service point's card fields (phones masked as in the list) as a row tuple like the list's, or None."""
    rows = _query("public_point", id=str(point_id)[:20])
    if rows.empty:
        return None
    for col in ("phone", "address"):
        rows[col] = rows[col].map(masking.mask_mobiles)
    return next(rows.itertuples(index=False))


def share_link(base_url: str, point_id: str) -> str:
    """The short link to one point: the public view's address with ?point=<id> and nothing else."""
    base = (base_url or "").split("?")[0].split("#")[0].rstrip("/")
    return f"{base}/?point={quote(str(point_id))}"


def qr_png(text: str) -> bytes:
    """A QR code (error correction M) of the text as PNG, drawn by segno (no Pillow, no network)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=6, border=2)
    return out.getvalue()
