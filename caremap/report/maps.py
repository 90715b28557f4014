"""The resource map as pydeck objects: layers, then the view, then the deck. Pure functions: no st.*, no queries.

The default deck fetches nothing: `map_provider=None` leaves the deck JSON with pydeck's "__MAP_STYLE__"
marker, which Streamlit 1.67 reads as "no base map" (a missing or null map style would make Streamlit
fall back to a Carto style from the internet). The district polygons are the base map; tiles are added
only when a tile source is configured (caremap.report.tiles), as BitmapLayers laid out on the server.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
from shapely.geometry import mapping

from caremap.common import crs
from caremap.report import metrics, terms, tiles

# The map's narrowest width on a page (671 px on a 1366-wide screen) and its height: the first view fits in it.
MAP_WIDTH, MAP_HEIGHT = 660, 600
# Streamlit draws a chart's toolbar (full screen) just above its top-right corner, over whatever control stands
# there (the map's search results): inside the map's corner instead.
TOOLBAR_INSIDE_CSS = ("<style>.st-key-map_frame [data-testid=stElementToolbar] {top: 0.5rem !important; "
                      "right: 0.5rem !important;}</style>")
# Above this many points the map ships DuckDB grid bins instead of raw points. Each point is sent with its tooltip,
# about 360 bytes: at 20,000 (until 2026-12-08) a district's drill-down at ×100 sent 6.8 MB and took 2.2 s in the
# browser; 5,000 points are about 1.8 MB. Shenzhen's whole network (~1,500 points) is always drawn point by point.
MAX_RAW_POINTS = 5_000
METRICS = ("points", "points_per_10k", "compliance", "gaps")
STREET_METRICS = ("points", "gaps")
CHANGE = "gap_change"  # colour by change since a compared period: new gaps minus closed gaps (offered when one exists)
# Fixed, symmetric classes for the change (fewer gaps green, more red, none grey), so that 0 is always its own class.
CHANGE_BREAKS = [-math.inf, -2.5, -0.5, 0.5, 2.5, math.inf]
CHANGE_RGB = ((26, 150, 65), (166, 217, 106), (225, 225, 225), (253, 174, 97), (215, 25, 28))
CHANGE_LABELS = ("≤ −3", "−2 – −1", "0", "+1 – +2", "≥ +3")
TIP_FIELDS = ("tip_title", "tip_1", "tip_2", "tip_3", "tip_4", "tip_5", "tip_6")
TOOLTIP = {
    "html": "<b>{tip_title}</b>" + "".join(f"<div>{{{f}}}</div>" for f in TIP_FIELDS[1:]),
    "style": {"backgroundColor": "rgba(255,255,255,0.96)", "color": "#222", "fontSize": "12px",
              "border": "1px solid #ccc", "maxWidth": "320px"},
}
# Sequential palettes, light to dark (ColorBrewer Blues and Reds, 5 classes).
BLUES = ((239, 243, 255), (189, 215, 231), (107, 174, 214), (49, 130, 189), (8, 81, 156))
REDS = ((254, 229, 217), (252, 174, 145), (251, 106, 74), (222, 45, 38), (165, 15, 21))
NO_DATA = (220, 220, 220)

# Characters that HTML gives meaning to, replaced by their full-width forms: the text stays readable in
# a Chinese UI and can never become markup, whichever renderer shows it (Streamlit escapes tooltip values
# itself, so html.escape() here would show "&amp;" to the user).
# The apostrophe becomes the typographic one (Bao’an) and & its entity (the tooltips are HTML), as English reads them.
_NEUTRAL = str.maketrans({"<": "＜", ">": "＞", "&": "&amp;", '"': "＂", "'": "’", "`": "｀"})
_MARKUP = re.compile("[" + re.escape("".join(chr(c) for c in _NEUTRAL)) + "]")


def safe_text(value) -> str:
    """A data value as tooltip text that cannot inject HTML (None and NaN become '')."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value).translate(_NEUTRAL)


def hex_rgb(color: str | None, alpha: int = 220, default: tuple[int, int, int] = (128, 128, 128)) -> list[int]:
    """'#1f77b4' → [31, 119, 180, alpha]; the default colour (grey) for a missing or malformed colour."""
    text = (color or "").lstrip("#")
    try:
        if len(text) == 6:
            return [int(text[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]
    except ValueError:
        pass
    return [*default, alpha]


def _rgb_column(colors: pd.Series) -> pd.Series:
    """hex_rgb() of a column of colours, each distinct colour worked out once (a dozen categories, 1,513 points)."""
    seen: dict = {}
    return pd.Series([seen[c] if c in seen else seen.setdefault(c, hex_rgb(c)) for c in colors], index=colors.index,
                     dtype=object)


def bin_radius(counts: pd.Series, cell_m: float) -> pd.Series:
    """Circle radius (m) of grid bins whose area is proportional to the count, never below an eighth of a cell."""
    top = max(float(counts.max()), 1.0) if not counts.empty else 1.0
    return (cell_m / 2 * np.sqrt(counts / top)).round(1).clip(lower=cell_m / 8)


# --- classes and legends -------------------------------------------------------------------------------

def class_breaks(values, k: int = 5, whole: bool = False) -> list[float]:
    """Quantile class breaks (k classes → up to k+1 ascending, distinct edges) of the non-missing values; `whole`
    (counts): every edge a whole number (rounded up), so that each class [a, b) holds the whole numbers a … b − 1."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    if v.empty:
        return []
    edges = np.quantile(v.to_numpy(dtype=float), np.linspace(0, 1, k + 1))
    edges = np.unique(np.ceil(edges) if whole else edges)
    return [float(e) for e in edges] if len(edges) > 1 else [float(edges[0]), float(edges[0])]


def classify(value, breaks: list[float]) -> int | None:
    """The class index (0-based) of a value; the top edge belongs to the last class."""
    if value is None or breaks == [] or pd.isna(value):
        return None
    n = max(len(breaks) - 1, 1)
    for i in range(n):
        if value < breaks[i + 1]:
            return i
    return n - 1


def palette(metric: str, n: int) -> list[tuple[int, int, int]]:
    if metric == CHANGE:
        return list(CHANGE_RGB)
    base = REDS if metric == "gaps" else BLUES
    if n >= len(base):
        return list(base)
    idx = np.linspace(0, len(base) - 1, max(n, 1)).round().astype(int)
    return [base[i] for i in idx]


# The figure of the metrics layer each choropleth metric shows (unfiltered, the same numbers as every page).
METRIC_IDS = {"points": "service_points", "points_per_10k": "points_per_10k_residents", "compliance": "checks_share",
              "gaps": "gaps_total"}


def is_count(metric: str) -> bool:
    """Whether the choropleth metric is a whole number: a count in the metrics layer (not a share, not a rate)."""
    if metric not in METRIC_IDS:
        return False
    m = metrics.get(METRIC_IDS[metric])
    return not (m.is_share or m.is_rate)


def format_value(metric: str, value) -> str:
    """A choropleth value written the way the metrics layer writes that figure (330万, 57.1%, 0.58)."""
    return value_formatter(metric)(value)


def value_formatter(metric: str) -> Callable[[object], str]:
    """format_value() of one choropleth metric as a function of the value (for a column of values)."""
    of_metric = metrics.formatter(METRIC_IDS[metric]) if metric in METRIC_IDS else None

    def write(value) -> str:
        if value is None or pd.isna(value):
            return "—"
        if metric == CHANGE:
            return f"{int(value):+d}" if value else "0"
        if of_metric is not None:
            return of_metric(value)
        return f"{int(round(float(value))):,}"
    return write


def legend_classes(metric: str, breaks: list[float]) -> list[dict]:
    """[{"label": "42–69", "color": "#bdd7e7"}, …] for the choropleth legend, light to dark: a count's classes as the
    whole numbers each holds ("14", "15–19", never "14 – 15" then "15 – 16"); shares and rates as their edges."""
    if metric == CHANGE:
        return [{"label": label, "color": "#{:02x}{:02x}{:02x}".format(*rgb)}
                for label, rgb in zip(CHANGE_LABELS, CHANGE_RGB)]
    n = max(len(breaks) - 1, 1) if breaks else 0
    colors = palette(metric, n)
    out = []
    for i in range(n):
        lo, hi = breaks[i], breaks[i + 1]
        if is_count(metric):   # whole numbers: the values the class holds, a single one alone ("14", "15–19")
            lo, hi = math.ceil(lo), (math.floor(hi) if i == n - 1 else math.ceil(hi) - 1)
            label = format_value(metric, lo) if lo >= hi else f"{format_value(metric, lo)}–{format_value(metric, hi)}"
        else:
            label = format_value(metric, lo) if lo == hi else f"{format_value(metric, lo)} – {format_value(metric, hi)}"
        out.append({"label": label, "color": "#{:02x}{:02x}{:02x}".format(*colors[i])})
    return out


# --- coordinates -----------------------------------------------------------------------------------------

def shift_frame(df: pd.DataFrame, target_crs: str, lon: str = "lon", lat: str = "lat") -> pd.DataFrame:
    """A copy with lon/lat converted from the stored WGS-84 to the tiles' system (no-op for WGS-84)."""
    if target_crs == "WGS84" or df.empty:
        return df
    out = df.copy()
    out[lon], out[lat] = crs.wgs84_to_gcj02_arrays(out[lon].to_numpy(float), out[lat].to_numpy(float))
    return out


def shift_geometry(geometry: dict, target_crs: str) -> dict:
    if target_crs == "WGS84":
        return geometry
    return {**geometry, "coordinates": crs.convert_geometry(geometry["coordinates"], crs.wgs84_to_gcj02)}


# A boundary is drawn simplified to half a pixel at one zoom level closer than the view opens at: the outline is
# exact to the eye there and one step in, and the map draws fewer vertices. Without a GPU (a browser drawing WebGL
# in software, as on many office PCs) a frame's cost follows the outlines' vertices: the city's 10 districts,
# 2,784 vertices, took 95 of a frame's 155 ms (headless Chromium, 2026-12-07); a bureau's own street and community
# boundaries are stored to ~5 m and can hold many times more.
EARTH_M_PER_PX_Z0 = 156_543.03392   # metres per pixel at zoom 0 at the equator (512-pixel world: deck.gl's /2)
M_PER_DEGREE = 111_320.0


def draw_tolerance(zoom: float, lat: float = 22.6) -> float:
    """Degrees a drawn boundary may be simplified by for a view at `zoom`: half a pixel at zoom + 1."""
    metres_per_px = EARTH_M_PER_PX_Z0 * math.cos(math.radians(lat)) / 2 ** (zoom + 1)
    return 0.5 * metres_per_px / M_PER_DEGREE


@lru_cache(maxsize=8192)
def _drawn_text(geojson: str, tolerance: float) -> str:
    geometry = shapely.from_geojson(geojson)
    simple = shapely.simplify(geometry, tolerance, preserve_topology=True)
    return json.dumps(mapping(simple)) if simple.is_valid and not simple.is_empty else geojson


def drawn(geojson: str, tolerance: float) -> dict:
    """A stored boundary (GeoJSON text) as the map draws it: simplified by `tolerance` degrees, topology kept (a new
    dict each time; the simplified text is kept per boundary and tolerance)."""
    return json.loads(_drawn_text(geojson, round(tolerance, 7)) if tolerance > 0 else geojson)


# An outline is drawn as a thin band of polygon, not as a line. Without a GPU, deck.gl's line layers (PathLayer,
# LineLayer) are drawn one instance per segment, each at a fixed cost: the city's 1,615 outline segments took 64 ms
# of a 117 ms frame, as a LineLayer 37; the same outlines as a band of triangles 13, the frame 67 (headless Chromium,
# 2026-12-08). The band is OUTLINE_PX pixels wide at the zoom the view opens at, like the simplification above; it
# widens as the user zooms in (3 pixels one level in) and every click that changes the scope draws it anew.
OUTLINE_PX = 1.5


def _to_mercator(c: np.ndarray) -> np.ndarray:
    return np.column_stack([np.radians(c[:, 0]), np.log(np.tan(np.pi / 4 + np.radians(c[:, 1]) / 2))])


def _from_mercator(c: np.ndarray) -> np.ndarray:
    return np.column_stack([np.degrees(c[:, 0]), np.degrees(2 * np.arctan(np.exp(c[:, 1])) - np.pi / 2)])


def band_width(zoom: float, px: float = OUTLINE_PX) -> float:
    """Web Mercator radians that `px` pixels span at `zoom` (deck.gl: the world is 512 · 2^zoom pixels wide)."""
    return px * 2 * math.pi / (512 * 2 ** zoom)


@lru_cache(maxsize=1024)
def _band_text(geojson: str, tolerance: float, width: float) -> str:
    boundary = shapely.boundary(shapely.transform(shapely.from_geojson(_drawn_text(geojson, tolerance)
                                                                       if tolerance > 0 else geojson), _to_mercator))
    band = shapely.buffer(boundary, width / 2, cap_style="flat", join_style="mitre", mitre_limit=2.0)
    # degrees written to a twentieth of the band's width, 5 decimals (1 m) at least: fewer breaks the band
    digits = max(5, math.ceil(math.log10(20 / math.degrees(width))))
    return shapely.to_geojson(shapely.transform(band, lambda c: np.round(_from_mercator(c), digits)))


def outline_band(geojson: str, tolerance: float, zoom: float, px: float = OUTLINE_PX) -> dict:
    """A stored boundary's outline as the map draws it: a polygon `px` pixels wide at `zoom` along the boundary
    (simplified by `tolerance` degrees: drawn()), centred on it; a new dict each time."""
    return json.loads(_band_text(geojson, round(tolerance, 7), round(band_width(zoom, px), 12)))


def geojson_bbox(geometries) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of GeoJSON geometries (dicts or JSON strings)."""
    lons, lats = [], []

    def walk(c):
        if c and isinstance(c[0], (int, float)):
            lons.append(c[0])
            lats.append(c[1])
        else:
            for part in c:
                walk(part)

    for g in geometries:
        if g is None or (isinstance(g, float) and math.isnan(g)):
            continue
        walk((json.loads(g) if isinstance(g, str) else g)["coordinates"])
    return (min(lons), min(lats), max(lons), max(lats)) if lons else None


# --- view ------------------------------------------------------------------------------------------------

def _merc_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit_view(bbox, width: int = MAP_WIDTH, height: int = MAP_HEIGHT, padding: float = 0.08,
             max_zoom: float = 15.0) -> pdk.ViewState:
    """The view state that shows bbox = (west, south, east, north) in a width × height map."""
    west, south, east, north = bbox
    y0, y1 = _merc_y(south), _merc_y(north)
    lon_c = (west + east) / 2
    lat_c = math.degrees(math.atan(math.sinh((y0 + y1) / 2)))
    usable_w, usable_h = width * (1 - 2 * padding), height * (1 - 2 * padding)
    # deck.gl: at zoom z the world is 512 · 2^z pixels wide.
    zx = math.log2(usable_w * 360.0 / (512.0 * max(east - west, 1e-6)))
    zy = math.log2(usable_h * 2 * math.pi / (512.0 * max(y1 - y0, 1e-6)))
    zoom = max(min(zx, zy, max_zoom), 1.0)
    return pdk.ViewState(longitude=round(lon_c, 6), latitude=round(lat_c, 6), zoom=round(zoom, 2), pitch=0,
                         bearing=0)


def point_view(lon: float, lat: float, zoom: float) -> pdk.ViewState:
    return pdk.ViewState(longitude=round(float(lon), 6), latitude=round(float(lat), 6), zoom=zoom, pitch=0,
                         bearing=0, transition_duration=800)


def scope_view(districts: pd.DataFrame, streets: pd.DataFrame, district: str | None, street: str | None,
               points: pd.DataFrame | None = None, target_crs: str = "WGS84") -> pdk.ViewState:
    """The view that fits the scope: the city, one district's polygon, or a street's point and its service points."""
    if street:
        row = streets[streets["code"] == street]
        if not row.empty:
            lons = [float(row.iloc[0]["lon"])]
            lats = [float(row.iloc[0]["lat"])]
            if points is not None and not points.empty and "street_code" in points:
                mine = points[points["street_code"] == street]
                lons += mine["lon"].astype(float).tolist()
                lats += mine["lat"].astype(float).tolist()
            bbox = (min(lons) - 0.01, min(lats) - 0.01, max(lons) + 0.01, max(lats) + 0.01)
            return fit_view(_shift_bbox(bbox, target_crs))
    chosen = districts[districts["code"] == district] if district else districts
    bbox = geojson_bbox(chosen["geojson"]) or geojson_bbox(districts["geojson"])
    return fit_view(_shift_bbox(bbox, target_crs))


def _shift_bbox(bbox, target_crs: str):
    if target_crs == "WGS84":
        return bbox
    (w, s), (e, n) = crs.wgs84_to_gcj02(bbox[0], bbox[1]), crs.wgs84_to_gcj02(bbox[2], bbox[3])
    return w, s, e, n


def view_bbox(view: pdk.ViewState, width: int = MAP_WIDTH, height: int = MAP_HEIGHT):
    """The (west, south, east, north) a view shows in a width × height map."""
    scale = 512.0 * 2 ** view.zoom
    half_lon = width / 2 * 360.0 / scale
    yc = _merc_y(view.latitude)
    half_y = height / 2 * 2 * math.pi / scale

    def lat(y: float) -> float:
        return math.degrees(math.atan(math.sinh(y)))

    return view.longitude - half_lon, lat(yc - half_y), view.longitude + half_lon, lat(yc + half_y)


def view_pixel(view: pdk.ViewState, lon: float, lat: float, width: float = MAP_WIDTH,
               height: float = MAP_HEIGHT) -> tuple[float, float]:
    """Where a point is drawn in a width × height map showing `view`: pixels from the map's top left corner."""
    scale = 512.0 * 2 ** view.zoom
    return (width / 2 + (lon - view.longitude) * scale / 360.0,
            height / 2 - (_merc_y(lat) - _merc_y(view.latitude)) * scale / (2 * math.pi))


# --- layers ----------------------------------------------------------------------------------------------

def _safe(values: pd.Series) -> pd.Series:
    """safe_text() of every value of a column, at once (a map's tooltips are thousands of values per click): the
    column is searched as one string for a character to replace, and only a column that has one is translated."""
    text = values.astype(object).where(values.notna(), "").astype(str)
    if len(text) and _MARKUP.search("".join(text.tolist())):
        return text.str.translate(_NEUTRAL)
    return text


def _tips(df: pd.DataFrame, title: pd.Series, lines: list[pd.Series]) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    out["tip_title"] = _safe(title)
    for i, name in enumerate(TIP_FIELDS[1:]):
        out[name] = _safe(lines[i]) if i < len(lines) else ""
    return out


def _records(frame: pd.DataFrame) -> list[dict]:
    """A layer's rows as the list of dicts pydeck sends (what DataFrame.to_dict("records") gives, in a fraction of
    its time: 1,513 service points are turned into JSON on every click)."""
    columns = list(frame.columns)
    return [dict(zip(columns, row)) for row in zip(*(frame[c].tolist() for c in columns))]


def _label(places: pd.DataFrame) -> pd.Series:
    """The name a map writes on a district or street: in English its English name (label_name, set by build_map),
    else its name."""
    return places["label_name"].fillna(places["name"]) if "label_name" in places else places["name"]


def _title(places: pd.DataFrame) -> pd.Series:
    """The tooltip title of a district, street or community unit: its name as the language shows it (tip_name, set
    by build_map), else its name."""
    return places["tip_name"] if "tip_name" in places else places["name"]


def _labelled(prefix: str, values: pd.Series) -> pd.Series:
    """Each value after its label ("地址：…"), and nothing where there is no value."""
    text = values.astype(object).where(values.notna(), "").astype(str)
    return (prefix + text).where(text.ne(""), "")


def district_layer(districts: pd.DataFrame, metric: str, labels: Mapping[str, str], breaks: list[float],
                   current: str | None = None, target_crs: str = "WGS84", tolerance: float = 0.0) -> pdk.Layer:
    """The district polygons as a choropleth of `metric`: the base map when there are no tiles (outlines simplified
    by `tolerance` degrees: draw_tolerance)."""
    colors = palette(metric, max(len(breaks) - 1, 1))
    # the chosen metric first, then the other three, then the hint
    shown = (*METRICS, CHANGE) if CHANGE in districts.columns else METRICS
    order = (metric, *[x for x in shown if x != metric])
    writers = {m: value_formatter(m) for m in order}
    features = []
    for row in districts.itertuples(index=False):
        value = getattr(row, metric)
        k = classify(value, breaks)
        rgb = NO_DATA if k is None else colors[k]
        alpha = 235 if (current is None or row.code == current) else 110
        geometry = shift_geometry(drawn(row.geojson, tolerance), target_crs) if row.geojson else None
        if geometry is None:
            continue
        lines = [f"{labels[m]}{labels['sep']}{writers[m](getattr(row, m))}" for m in order]
        # label: the map's own (with filters, the points are the filtered ones); the value: written like the metric
        texts = [*lines, labels["click_district"]]
        props = {"code": row.code, "fill": [*rgb, alpha], "tip_title": safe_text(getattr(row, "tip_name", row.name)),
                 # every field of the shared tooltip, empty where there is nothing: none shows as a raw {tip_n}
                 **{name: safe_text(texts[i]) if i < len(texts) else "" for i, name in enumerate(TIP_FIELDS[1:])}}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return pdk.Layer(
        "GeoJsonLayer", id="districts", data=features,  # an array: Streamlit checks selections against its length
        filled=True, stroked=False, get_fill_color="properties.fill", pickable=True, auto_highlight=True,
        highlight_color=[255, 255, 255, 60])


OUTLINE_RGBA = [90, 90, 90, 255]


def district_outline_layer(districts: pd.DataFrame, target_crs: str = "WGS84", tolerance: float = 0.0,
                           zoom: float = 9.0) -> pdk.Layer:
    """The districts' outlines, bands OUTLINE_PX wide at `zoom` (outline_band), in a layer of their own that answers
    no hover or click (the fill below does): without a GPU, picking draws every pickable layer again at each move of
    the mouse (hover picking 43 → 15 ms, headless Chromium, 2026-12-07). Unchanged by a metric or a filter, the
    browser keeps it (StableDeck)."""
    features = [{"type": "Feature", "geometry": shift_geometry(outline_band(row.geojson, tolerance, zoom), target_crs),
                 "properties": {"code": row.code}} for row in districts.itertuples(index=False) if row.geojson]
    return pdk.Layer("GeoJsonLayer", id="district-outlines", data=features, filled=True, stroked=False,
                     get_fill_color=OUTLINE_RGBA, pickable=False)


def point_rows(points: pd.DataFrame, labels: Mapping[str, str], target_crs: str = "WGS84") -> pd.DataFrame:
    """Only what the point layer needs: id, position, colour and the escaped tooltip lines."""
    shifted = shift_frame(points, target_crs)
    tips = _tips(shifted, shifted["name"], [
        _labelled(labels["label_category"], shifted["category_name"]),
        _labelled(labels["label_system"], shifted["system"]),
        _labelled(labels["label_address"], shifted["address"]),
        _labelled(labels["label_phone"], shifted["phone"]),
        _labelled(labels["label_street"], shifted["street_name"]),
        _labelled(labels["label_community"], shifted["community_name"]),
    ])
    out = pd.DataFrame({"id": shifted["id"], "lon": shifted["lon"].round(6), "lat": shifted["lat"].round(6),
                        "color": _rgb_column(shifted["color"])})
    return pd.concat([out, tips], axis=1).reset_index(drop=True)


def point_layer(rows: pd.DataFrame) -> pdk.Layer:
    """Service points coloured by category: 60 m circles, never smaller than 3 px nor larger than 10 px."""
    return pdk.Layer(
        "ScatterplotLayer", id="points", data=_records(rows), get_position=["lon", "lat"], get_fill_color="color",
        get_radius=60, radius_units="'meters'", radius_min_pixels=3, radius_max_pixels=10, stroked=True,
        get_line_color=[255, 255, 255, 200], line_width_min_pixels=0.5, pickable=True, auto_highlight=True)


def bin_layer(bins: pd.DataFrame, labels: Mapping[str, str], cell_m: float, target_crs: str = "WGS84") -> pdk.Layer:
    """Grid bins from DuckDB (used above MAX_RAW_POINTS points): circle area ∝ points in the cell."""
    b = shift_frame(bins, target_crs)
    tips = _tips(b, b["points"].map(lambda n: labels["bin_title"].format(n=int(n))),
                 [pd.Series(labels["bin_note"].format(m=int(cell_m)), index=b.index)])
    rows = pd.DataFrame({"lon": b["lon"].round(6), "lat": b["lat"].round(6),
                         "radius": bin_radius(b["points"], cell_m),
                         "color": _rgb_column(b["color"])})
    return pdk.Layer("ScatterplotLayer", id="bins", data=_records(pd.concat([rows, tips], axis=1)),
                     get_position=["lon", "lat"], get_radius="radius", radius_units="'meters'", radius_min_pixels=2,
                     get_fill_color="color",
                     pickable=True)


def site_bin_layer(bins: pd.DataFrame, labels: Mapping[str, str], cell_m: float,
                   target_crs: str = "WGS84") -> pdk.Layer:
    """Project sites binned in DuckDB (above MAX_RAW_POINTS sites): dark rings, area ∝ sites in the cell."""
    b = shift_frame(bins, target_crs)
    tips = _tips(b, b["sites"].map(lambda n: labels["site_bin_title"].format(n=int(n))),
                 [pd.Series(labels["bin_note"].format(m=int(cell_m)), index=b.index)])
    rows = pd.DataFrame({"lon": b["lon"].round(6), "lat": b["lat"].round(6),
                         "radius": bin_radius(b["sites"], cell_m)})
    return pdk.Layer("ScatterplotLayer", id="site_bins", data=_records(pd.concat([rows, tips], axis=1)),
                     get_position=["lon", "lat"], get_radius="radius", radius_units="'meters'", radius_min_pixels=2,
                     filled=False, stroked=True, get_line_color=[20, 20, 20, 230], line_width_min_pixels=1.5,
                     pickable=True)


def _street_tips(s: pd.DataFrame, metric: str, labels: Mapping[str, str]) -> pd.DataFrame:
    write, write_compliance = value_formatter(metric), value_formatter("compliance")
    return _tips(s, _title(s), [
        _labelled(labels["label_district"], s["district_name"]),
        pd.Series([f"{labels[metric]}{labels['sep']}{write(v)}" for v in s[metric]], index=s.index),
        pd.Series([f"{labels['compliance']}{labels['sep']}{write_compliance(v)}" for v in s["compliance"]],
                  index=s.index),
        _labelled("", s["point_note"]),
        pd.Series(labels["click_street"], index=s.index),
    ])


def has_boundary(streets: pd.DataFrame) -> pd.Series:
    return streets["boundary"].notna() if "boundary" in streets else pd.Series(False, index=streets.index)


GOLD = [255, 215, 0, 255]
SEARCHED = [0, 160, 255, 255]
PLAIN_LINE = [60, 60, 60, 220]
GAP_RGB = {0: (120, 190, 120), 1: (250, 190, 80)}   # community areas: no gap, one gap; more gaps in red
MANY_GAPS_RGB = (215, 60, 50)


def _outline(code: str, current: str | None, searched: str | None) -> tuple[list[int], int]:
    if code == searched:
        return SEARCHED, 4
    if code == current:
        return GOLD, 4
    return PLAIN_LINE, 1


def community_area_layer(units: pd.DataFrame, labels: Mapping[str, str], searched: str | None = None,
                         target_crs: str = "WGS84", tolerance: float = 0.0) -> pdk.Layer:
    """Community units with the bureau's boundaries, coloured by their gaps (community-level standards not met)."""
    tips = _tips(units, _title(units), [
        _labelled(labels["label_street"], units["street_name"]),
        pd.Series([f"{labels['gaps']}{labels['sep']}{int(g)} / {int(c)}"
                   for g, c in zip(units["gaps"], units["checks"])], index=units.index),
        _labelled("", units["location_note"]),
    ])
    features = []
    for (_, row), (_, tip) in zip(units.iterrows(), tips.iterrows()):
        line, width = _outline(row["code"], None, searched)
        rgb = GAP_RGB.get(int(row["gaps"]), MANY_GAPS_RGB)
        features.append({"type": "Feature", "geometry": shift_geometry(drawn(row["boundary"], tolerance), target_crs),
                         "properties": {"code": row["code"], "street_code": row["street_code"],
                                        "district_code": row["district_code"], "fill": [*rgb, 170], "line": line,
                                        "width": width, **tip.to_dict()}})
    return pdk.Layer(
        "GeoJsonLayer", id="community-areas", data=features, filled=True, stroked=False,
        get_fill_color="properties.fill", pickable=True, auto_highlight=True, highlight_color=[255, 255, 255, 60])


def street_area_layer(streets: pd.DataFrame, metric: str, labels: Mapping[str, str], current: str | None = None,
                      target_crs: str = "WGS84", searched: str | None = None, tolerance: float = 0.0) -> pdk.Layer:
    """The streets with the bureau's boundaries as a choropleth of `metric` (classes over these streets), the
    street in scope outlined in gold."""
    s = streets[has_boundary(streets)]
    breaks = CHANGE_BREAKS if metric == CHANGE else class_breaks(s[metric], whole=is_count(metric))
    colors = palette(metric, max(len(breaks) - 1, 1))
    tips = _street_tips(s, metric, labels)
    features = []
    for (_, row), (_, tip) in zip(s.iterrows(), tips.iterrows()):
        k = classify(row[metric], breaks)
        rgb = NO_DATA if k is None else colors[k]
        line, width = _outline(row["code"], current, searched)
        features.append({"type": "Feature", "geometry": shift_geometry(drawn(row["boundary"], tolerance), target_crs),
                         "properties": {"code": row["code"], "district_code": row["district_code"],
                                        "fill": [*rgb, 200], "line": line, "width": width, **tip.to_dict()}})
    return pdk.Layer(
        "GeoJsonLayer", id="street-areas", data=features, filled=True, stroked=False,
        get_fill_color="properties.fill", pickable=True, auto_highlight=True, highlight_color=[255, 255, 255, 60])


def area_outline_layer(areas: pdk.Layer, boundaries: Mapping[str, str], zoom: float,
                       tolerance: float = 0.0, target_crs: str = "WGS84") -> pdk.Layer:
    """The outlines of a street or community area layer, each in its own colour and width ("line", "width" pixels
    at `zoom`: outline_band) from the stored boundaries by code; a layer of its own that answers no hover or click
    (the areas' fill does)."""
    features = [{"type": "Feature", "properties": {"line": f["properties"]["line"]},
                 "geometry": shift_geometry(outline_band(boundaries[f["properties"]["code"]], tolerance, zoom,
                                                         px=f["properties"]["width"]), target_crs)}
                for f in areas.data]
    features.sort(key=lambda f: f["properties"]["line"] != PLAIN_LINE)   # the scope's, the searched: on top
    return pdk.Layer("GeoJsonLayer", id=f"{areas.id.removesuffix('s')}-outlines", data=features, filled=True,
                     stroked=False, get_fill_color="properties.line", pickable=False)


def street_layer(streets: pd.DataFrame, metric: str, labels: Mapping[str, str], current: str | None = None,
                 target_crs: str = "WGS84") -> pdk.Layer:
    """Streets without the bureau's boundary as proportional symbols (area ∝ value) at their representative
    points (the streets with one are drawn as areas: street_area_layer)."""
    s = shift_frame(streets[~has_boundary(streets)], target_crs)
    signed = s[metric].astype(float).fillna(0)
    values = signed.abs()   # the change is signed: the size shows how much, the colour which way
    top = max(values.max(), 1.0) if not s.empty else 1.0
    tips = _street_tips(s, metric, labels)
    if metric == CHANGE:
        colors = [[*CHANGE_RGB[classify(v, CHANGE_BREAKS)], 255] for v in signed]
    else:
        colors = [[200, 30, 30, 230] if metric == "gaps" else [40, 40, 40, 230]] * len(s)
    rows = pd.DataFrame({"code": s["code"], "district_code": s["district_code"], "lon": s["lon"].round(6),
                         "lat": s["lat"].round(6), "radius": (3 + 13 * np.sqrt(values / top)).round(1),
                         "line": [[255, 215, 0, 255] if c == current else color for c, color in zip(s["code"],
                                                                                                   colors)]})
    return pdk.Layer(
        "ScatterplotLayer", id="streets", data=_records(pd.concat([rows, tips], axis=1)), get_position=["lon", "lat"],
        get_radius="radius", radius_units="'pixels'", get_fill_color=[255, 255, 255, 70], stroked=True,
        get_line_color="line", line_width_units="'pixels'", get_line_width=2, pickable=True, auto_highlight=True)


LABEL_FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
_FONT = f"'{LABEL_FONT}'"  # quoted: a literal for pydeck


def _characters(names) -> str:
    """The characters a TextLayer must have in its font atlas (deck.gl draws only those it was given), quoted so
    that pydeck passes them as a string and not as an expression (names are safe_text: no quotes in them)."""
    return "'" + "".join(sorted(set("".join(str(n) for n in names)) | set("0123456789"))) + "'"


def district_labels_layer(districts: pd.DataFrame, target_crs: str = "WGS84") -> pdk.Layer:
    """Every district's name at its label point, always shown, a white halo so it reads over any fill."""
    d = shift_frame(districts.rename(columns={"label_lon": "lon", "label_lat": "lat"}), target_crs)
    d = d.dropna(subset=["lon", "lat"])
    rows = pd.DataFrame({"lon": d["lon"].round(5), "lat": d["lat"].round(5), "text": _safe(_label(d))})
    return pdk.Layer("TextLayer", id="district-labels", data=_records(rows), get_position=["lon", "lat"],
                     get_text="text", get_size=15, size_units="'pixels'", get_color=[30, 30, 30, 255],
                     font_family=_FONT,
                     font_weight=700, character_set=_characters(rows["text"]), outline_width=3,
                     outline_color=[255, 255, 255, 230], font_settings={"sdf": True}, pickable=False,
                     get_text_anchor="'middle'", get_alignment_baseline="'center'")


def street_labels_layer(streets: pd.DataFrame, target_crs: str = "WGS84") -> pdk.Layer:
    """Street names beside their symbols, sized in metres: too small to see at city zoom, readable from about
    zoom 12 on (a district's scale), so they appear as the user zooms in."""
    s = shift_frame(streets, target_crs)
    rows = pd.DataFrame({"lon": s["lon"].round(5), "lat": s["lat"].round(5), "text": _safe(_label(s))})
    return pdk.Layer("TextLayer", id="street-labels", data=_records(rows), get_position=["lon", "lat"], get_text="text",
                     get_size=260, size_units="'meters'", size_min_pixels=0, size_max_pixels=15,
                     get_color=[60, 60, 60, 255], font_family=_FONT, character_set=_characters(rows["text"]),
                     outline_width=2, outline_color=[255, 255, 255, 220], font_settings={"sdf": True},
                     get_pixel_offset=[0, -16], pickable=False, get_text_anchor="'middle'",
                     get_alignment_baseline="'bottom'")


def ring_layer(rows: pd.DataFrame, radius_m: float, layer_id: str = "rings") -> pdk.Layer:
    """Walking-access rings: an outline `radius_m` metres around each chosen service point."""
    data = rows[["lon", "lat", "color"]].copy()
    data["color"] = data["color"].map(lambda c: [c[0], c[1], c[2], 160])
    return pdk.Layer("ScatterplotLayer", id=layer_id, data=_records(data), get_position=["lon", "lat"],
                     get_radius=radius_m, radius_units="'meters'", filled=True, get_fill_color=[0, 120, 60, 18],
                     stroked=True,
                     get_line_color="color", line_width_min_pixels=1, pickable=False)


def density_layer(rows: pd.DataFrame) -> pdk.Layer:
    """Where service points cluster: a heat map of positions only (no tooltips)."""
    return pdk.Layer("HeatmapLayer", id="density", data=_records(rows[["lon", "lat"]]), get_position=["lon", "lat"],
                     radius_pixels=40, intensity=1, threshold=0.05, opacity=0.55, pickable=False)


def site_layer(sites: pd.DataFrame, labels: Mapping[str, str], target_crs: str = "WGS84") -> pdk.Layer:
    """Social-work project sites (sw_site) as small dark dots."""
    s = shift_frame(sites, target_crs)
    tips = _tips(s, s["name"], [
        _labelled(labels["label_project"], s["project_name"]), _labelled(labels["label_org"], s["org_name"]),
        _labelled(labels["label_domain"], s["domain"]), _labelled(labels["label_street"], s["street_name"]),
        pd.Series(labels["site_kind"], index=s.index),
    ])
    rows = pd.DataFrame({"lon": s["lon"].round(6), "lat": s["lat"].round(6)})
    return pdk.Layer("ScatterplotLayer", id="sites", data=_records(pd.concat([rows, tips], axis=1)),
                     get_position=["lon", "lat"], get_radius=45, radius_units="'meters'", radius_min_pixels=3,
                     radius_max_pixels=8, get_fill_color=[20, 20, 20, 230], stroked=True,
                     get_line_color=[255, 255, 255, 255], line_width_min_pixels=1, pickable=True)


def community_gap_layer(communities: pd.DataFrame, gap: str, labels: Mapping[str, str],
                        target_crs: str = "WGS84") -> pdk.Layer:
    """Community units without an in-post director on record (gap='director') or a children's home ('home')."""
    column = "has_director" if gap == "director" else "has_children_home"
    c = shift_frame(communities[~communities[column].astype(bool)], target_crs)
    what = labels["no_director"] if gap == "director" else labels["no_home"]
    tips = _tips(c, _title(c), [pd.Series(what, index=c.index), _labelled(labels["label_street"], c["street_name"]),
                                pd.Series(labels["gap_caveat"] if gap == "director" else "", index=c.index)])
    rows = pd.DataFrame({"code": c["code"], "lon": c["lon"].round(6), "lat": c["lat"].round(6)})
    return pdk.Layer("ScatterplotLayer", id="community_gaps", data=_records(pd.concat([rows, tips], axis=1)),
                     get_position=["lon", "lat"], get_radius=150, radius_units="'meters'", radius_min_pixels=5,
                     radius_max_pixels=14, filled=False, stroked=True, get_line_color=[214, 39, 40, 255],
                     line_width_min_pixels=2.5, pickable=True)


def tile_layers(source: tiles.TileSource, view: pdk.ViewState, width: int = MAP_WIDTH,
                height: int = MAP_HEIGHT) -> list[pdk.Layer]:
    """The configured raster tiles around the view, as BitmapLayers (one per tile) laid out on the server.

    Streamlit's deck.gl JSON cannot express a TileLayer's renderSubLayers function, so the tiles covering
    the view (at its zoom and at a coarser backdrop level for zooming out) are listed here. An offline source's
    tiles are read here and sent inside the map (data: URIs): the browser fetches nothing; a tile the source
    does not have is left out.
    """
    out = []
    fine = int(min(max(math.floor(view.zoom) + 1, 1), source.max_zoom))
    w, s, e, n = view_bbox(view, width, height)
    dx, dy = (e - w) * 0.35, (n - s) * 0.35
    levels = [(max(fine - 3, 1), (w - 6 * dx, s - 6 * dy, e + 6 * dx, n + 6 * dy)),
              (fine, (w - dx, s - dy, e + dx, n + dy))]
    if source.offline:
        read, close = tiles.tile_reader(source)
        try:
            for z, box in levels:
                for tz, tx, ty in tiles.tiles_covering(box, z):
                    if image := read(tz, tx, ty):
                        out.append(pdk.Layer("BitmapLayer", id=f"tiles-0-{tz}-{tx}-{ty}",   # String: a literal
                                             image=pdk.types.String(tiles.data_uri(image)),
                                             bounds=list(tiles.tile_bounds(tx, ty, tz)), pickable=False))
        finally:
            close()
        return out
    for z, box in levels:
        for template_no, template in enumerate(source.urls):
            for tz, tx, ty in tiles.tiles_covering(box, z):
                out.append(pdk.Layer("BitmapLayer", id=f"tiles-{template_no}-{tz}-{tx}-{ty}",
                                     image=tiles.tile_url(template, tz, tx, ty),
                                     bounds=list(tiles.tile_bounds(tx, ty, tz)), pickable=False))
    return out


class CompactDeck(pdk.Deck):
    """A pdk.Deck whose JSON has no indentation and keeps Chinese as UTF-8 (pydeck's own indents and escapes
    every Chinese character: about twice the bytes for the same map)."""

    def to_json(self) -> str:
        return _dumps(self)


def _dumps(value) -> str:
    """JSON as the decks send it: sorted keys, no spaces, Chinese kept as UTF-8, pydeck objects as pydeck has them."""
    from pydeck.bindings.json_tools import default_serialize

    return json.dumps(value, sort_keys=True, default=default_serialize, separators=(",", ":"), ensure_ascii=False)


ID_DIGEST = "~"   # a layer id as the browser gets it: points~1a2b3c4d5e (see StableDeck)


def base_id(layer_id: str) -> str:
    """A layer's own id, without the digest of its content that the browser's copy carries."""
    return layer_id.split(ID_DIGEST, 1)[0]


class StableDeck(CompactDeck):
    """A deck whose layers the browser keeps when a rerun sends them unchanged (the resource map's and the small
    maps': the directory's next page keeps the district outlines).

    Every rerun sends the whole deck again; the browser parses it anew, so each layer's data is a new array and
    deck.gl, comparing arrays by identity, rebuilds every layer: after a change of metric, the 1,513 service points,
    the streets and the place names as well as the districts that did change. Here each layer's id carries a digest
    of everything the layer is sent with (data, colours, sizes), and deck.gl is told that the data of a layer with an
    unchanged id is unchanged (`dataComparator`). A layer whose content changes has a new id and is built anew; one
    whose content does not keeps its buffers. (Streamlit replaces a layer's `updateTriggers` with its own once a chart
    has `on_select`, so a trigger that changes with the content cannot be used.) The page's click handling reads the
    layer's own id back with base_id()."""

    def to_json(self) -> str:
        from pydeck.bindings.json_tools import default_serialize

        layers = []
        for layer in self.layers:
            attrs = default_serialize(layer)
            own = attrs.pop("id")
            body = _dumps({**attrs, "dataComparator": "@@=true"})
            digest = hashlib.blake2b(body.encode("utf-8"), digest_size=5).hexdigest()
            layers.append('{"id":' + _dumps(f"{own}{ID_DIGEST}{digest}") + "," + body[1:])
        rest = _dumps({k: v for k, v in default_serialize(self).items() if k != "layers"})
        return '{"layers":[' + ",".join(layers) + "]," + rest[1:]


# A click on the map answers at once: deck.gl holds every click for 300 ms to see whether a second one makes it a
# double click, while double-click zoom is on. On this map a click drills into the district or street it is on (and
# shows a point's details), so a double click has nothing left to zoom; the wheel, a pinch and a drag still move it.
CONTROLLER = {"doubleClickZoom": False}


def deck(layers: list[pdk.Layer], view: pdk.ViewState, height: int = MAP_HEIGHT) -> pdk.Deck:
    """The deck: no map provider (nothing fetched), the shared tooltip, the given layers bottom to top, each kept by
    the browser while it is unchanged (StableDeck), clicks answered without waiting for a double click (CONTROLLER)."""
    return StableDeck(layers=layers, initial_view_state=view, map_provider=None, tooltip=TOOLTIP, height=height,
                      views=[pdk.View(type="MapView", controller=CONTROLLER)])


def deck_spec(d: pdk.Deck) -> dict:
    """The deck as the JSON dict the browser receives."""
    return json.loads(d.to_json())


def legend_html(classes: list[dict]) -> str:
    """The choropleth classes as HTML swatches (labels are numbers we format; escaped all the same)."""
    return "".join(f'<div><span style="display:inline-block;width:14px;height:14px;'
                   f'background:{html.escape(c["color"])};border:1px solid #888;margin-right:6px"></span>'
                   f'{html.escape(c["label"])}</div>' for c in classes)


def category_legend_html(categories: pd.DataFrame, names: Mapping[str, str]) -> str:
    """One coloured dot and name per service category (names come from the database: escaped)."""
    return "".join(f'<div><span style="display:inline-block;width:10px;height:10px;border-radius:5px;'
                   f'background:{html.escape(r.color or "#888")};margin-right:6px"></span>'
                   f'{html.escape(str(names.get(r.code, r.code)))}</div>' for r in categories.itertuples())


def point_card(points: pd.DataFrame, point_id: str | None) -> dict | None:
    """The detail card of a service point shown on the map: its name and (label key, text) fields."""
    if not point_id or points.empty or "id" not in points:
        return None
    rows = points[points["id"] == point_id]
    if rows.empty:
        return None
    r = rows.iloc[0]
    fields = [("category", r["category_name"]), ("system", r["system"]), ("address", r["address"]),
              ("phone", r["phone"]), ("district", r["district_name"]), ("street", r["street_name"]),
              ("community", r["community_name"]), ("updated", r["updated_on"])]
    return {"id": point_id, "name": str(r["name"]),
            "fields": [(k, str(v)) for k, v in fields if v is not None and not pd.isna(v) and str(v) != ""]}


def picked(selection: Mapping | None) -> tuple[str, dict] | None:
    """(layer id, object) of a single-object selection from st.pydeck_chart(on_select=...), else None."""
    if not selection:
        return None
    objects = (selection.get("selection") or {}).get("objects") or {}
    for layer_id, objs in objects.items():
        if objs:
            return base_id(layer_id), objs[0]
    return None


# --- the whole map ---------------------------------------------------------------------------------------

# Queries whose rows are places (their `name` a district, street or community name, not a service point's).
PLACE_QUERIES = ("map_districts", "map_streets", "map_community_areas", "map_community_gaps")
OPTIONAL_LAYERS = ("rings", "density", "sites", "no_director", "no_home")
LABEL_KEYS = ("points", "points_per_10k", "compliance", "gaps", "gap_change", "click_district", "click_street",
              "label_category",
              "label_system", "label_address", "label_phone", "label_street", "label_community", "label_district",
              "label_project", "label_org", "label_domain", "site_kind", "bin_title", "site_bin_title", "bin_note",
              "no_director",
              "no_home", "gap_caveat", "sep")


def labels(translate) -> dict[str, str]:
    """The texts the layers need, from a translate(key) function such as caremap.common.i18n.t (unformatted)."""
    return {k: translate(f"map.{k}") for k in LABEL_KEYS}


@dataclass(frozen=True)
class MapOptions:
    """What the user chose: scope, colouring, filters (None = all), optional layers and where to look."""

    district: str | None = None
    street: str | None = None
    metric: str = "points"
    street_metric: str = "gaps"
    categories: tuple[str, ...] | None = None
    system: str | None = None
    level: str | None = None
    layers: tuple[str, ...] = ()
    ring_categories: tuple[str, ...] = ("children_home",)
    ring_m: int = 1000
    focus: tuple[float, float, float] | None = None  # (lon, lat, zoom) to fly to, e.g. a search result
    focus_code: str | None = None   # the street or community found by a search: outlined where it has a boundary
    changes: tuple[tuple[str, int], ...] = ()  # (district or street code, gaps new − closed) since a compared period


@dataclass
class MapResult:
    deck: pdk.Deck
    legend: list[dict]
    districts: pd.DataFrame
    points: pd.DataFrame  # the raw (unescaped) points shown, for the detail card; empty when binned
    n_points: int
    binned: bool = False
    cell_m: float = 0.0
    streets: pd.DataFrame | None = None   # the map_streets rows (with boundary where imported)


def bin_size_m(district: str | None, street: str | None) -> float:
    return 100.0 if street else 250.0 if district else 500.0


def build_map(run_query, opts: MapOptions, texts: Mapping[str, str], source: tiles.TileSource | None = None,
              max_raw_points: int = MAX_RAW_POINTS, language: str = "zh") -> MapResult:
    """Query everything the map shows through run_query(name, **params) (db.query) and compose the deck; its
    tooltips in `language` (in English place names as "Yuehai Subdistrict (粤海街道)", owning systems and domains
    translated: caremap.report.terms)."""
    target = source.crs if source else "WGS84"

    raw_query = run_query

    def query(name: str, **params) -> pd.DataFrame:
        rows = terms.frame(raw_query(name, **params), language)
        if language == "en" and name in PLACE_QUERIES and "name" in rows:
            rows = rows.assign(tip_name=rows["name"].map(lambda v: terms.place(v, language)))
            if "name_en" in rows:   # the names written on the map: Nanshan, Yuehai Subdistrict
                rows = rows.assign(label_name=rows["name_en"])
        return rows

    run_query = query
    scope = {"district": opts.district, "street": opts.street}
    filters = {"categories": opts.categories, "system": opts.system, "level": opts.level}
    districts = run_query("map_districts", **filters)
    streets = run_query("map_streets", district=opts.district, **filters)
    if opts.changes or CHANGE in (opts.metric, opts.street_metric):
        change = dict(opts.changes)
        districts[CHANGE] = districts["code"].map(change).fillna(0).astype(int)
        streets[CHANGE] = streets["code"].map(change).fillna(0).astype(int)
    n_points = int(run_query("map_point_count", **scope, **filters)["points"].iloc[0])
    binned = n_points > max_raw_points
    cell_m = bin_size_m(opts.district, opts.street) if binned else 0.0
    points = pd.DataFrame() if binned else run_query("map_points", **scope, **filters, max_rows=max_raw_points)
    breaks = CHANGE_BREAKS if opts.metric == CHANGE else class_breaks(districts[opts.metric],
                                                                       whole=is_count(opts.metric))
    if opts.focus:
        lon, lat = opts.focus[0], opts.focus[1]
        if target != "WGS84":
            lon, lat = crs.wgs84_to_gcj02(lon, lat)
        view = point_view(lon, lat, opts.focus[2])
    else:
        view = scope_view(districts, streets, opts.district, opts.street, points, target)
    tolerance = draw_tolerance(view.zoom)   # the view first: the boundaries are drawn for the zoom it opens at
    layers: list[pdk.Layer] = [district_layer(districts, opts.metric, texts, breaks, opts.district, target,
                                              tolerance)]
    if "density" in opts.layers and not binned and not points.empty:
        layers.append(density_layer(shift_frame(points, target)))
    if "rings" in opts.layers and opts.ring_categories:
        ring_points = run_query("map_points", **scope, categories=tuple(opts.ring_categories), system=None,
                                level=None, max_rows=max_raw_points)
        if not ring_points.empty:
            layers.append(ring_layer(point_rows(ring_points, texts, target), opts.ring_m))
    if binned:
        bins = run_query("map_point_bins", **scope, **filters, cell_m=cell_m)
        layers.append(bin_layer(bins, texts, cell_m, target))
    elif not points.empty:
        layers.append(point_layer(point_rows(points, texts, target)))
    if "sites" in opts.layers:
        n_sites = int(run_query("map_site_count", **scope)["sites"].iloc[0])
        if n_sites > max_raw_points:  # too many to ship one by one: DuckDB bins them like the points
            site_cell_m = bin_size_m(opts.district, opts.street)
            layers.append(site_bin_layer(run_query("map_site_bins", **scope, org_id=None, cell_m=site_cell_m), texts,
                                         site_cell_m, target))
        elif n_sites:
            layers.append(site_layer(run_query("map_sites", **scope, max_rows=max_raw_points), texts, target))
    for gap in ("no_director", "no_home"):
        if gap in opts.layers:
            communities = run_query("map_community_gaps", **scope)
            if not communities.empty:
                layers.append(community_gap_layer(communities, "director" if gap == "no_director" else "home",
                                                  texts, target))
    # the bureau's boundaries, under the points and the symbols: the street and community fills, then the outlines
    # (the communities', the streets', the districts')
    areas, outlines = [], [district_outline_layer(districts, target, tolerance, view.zoom)]
    if has_boundary(streets).any():
        areas.append(street_area_layer(streets, opts.street_metric, texts, opts.street, target, opts.focus_code,
                                       tolerance))
        outlines.insert(0, area_outline_layer(areas[-1], dict(zip(streets["code"], streets["boundary"])),
                                              view.zoom, tolerance, target))
    if opts.district or opts.street:   # community areas below the city: 783 boundaries would crowd the city view
        units = run_query("map_community_areas", **scope)
        if not units.empty:
            areas.append(community_area_layer(units, texts, opts.focus_code, target, tolerance))
            outlines.insert(0, area_outline_layer(areas[-1], dict(zip(units["code"], units["boundary"])),
                                                  view.zoom, tolerance, target))
    layers[1:1] = [*areas, *outlines]
    if not streets.empty:
        layers.append(street_layer(streets, opts.street_metric, texts, opts.street, target))
        layers.append(street_labels_layer(streets, target))
    layers.append(district_labels_layer(districts, target))  # on top: place names orient every view
    if source:
        layers = tile_layers(source, view) + layers
    return MapResult(deck(layers, view), legend_classes(opts.metric, breaks), districts, points, n_points, binned,
                     cell_m, streets)


# --- small maps: district outlines and points or bins, for the directory and an organisation's sites ----------
# Same offline rule as the main deck: map_provider=None and no tiles, so the browser asks no tile server.

SHENZHEN = (114.06, 22.62)
DEFAULT_RGB = (31, 119, 180)


def boundaries_layer(boundaries: pd.DataFrame, zoom: float) -> pdk.Layer:
    """District areas and outlines (GeoJSON text per row; the district in scope filled a little darker), simplified
    for the view's zoom (draw_tolerance). Unlike the resource map's, these outlines are lines, not bands
    (outline_band): a small map is sent again at each page of results, and a band is twice the line's vertices to
    send and read (the directory's next page: 0.31 s with bands, 0.24 s with lines, both kept by the browser while
    unchanged: StableDeck; headless Chromium, 2026-12-08), while a frame of these few outlines costs less."""
    tolerance = draw_tolerance(zoom)
    features = [{"type": "Feature", "geometry": drawn(row.geojson, tolerance),
                 "properties": {"name": row.name, "fill": [60, 60, 60, 40] if row.in_scope else [200, 200, 200, 40]}}
                for row in boundaries.itertuples(index=False)]
    return pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features}, id="district-boundaries",
                     stroked=True, filled=True, get_fill_color="properties.fill", get_line_color=[90, 90, 90, 200],
                     line_width_min_pixels=1, pickable=False)


def _points_view(points: pd.DataFrame) -> pdk.ViewState:
    pts = points.dropna(subset=["lon", "lat"])
    if pts.empty:
        return pdk.ViewState(longitude=SHENZHEN[0], latitude=SHENZHEN[1], zoom=9)
    span = max(pts["lon"].max() - pts["lon"].min(), pts["lat"].max() - pts["lat"].min())
    zoom = 12 if span < 0.03 else 11 if span < 0.08 else 10 if span < 0.2 else 9
    return pdk.ViewState(longitude=float(pts["lon"].mean()), latitude=float(pts["lat"].mean()), zoom=zoom)


def points_deck(points: pd.DataFrame, boundaries: pd.DataFrame, tooltip: str, color_column: str | None = None,
                radius_m: int = 120) -> pdk.Deck:
    """Points (lon, lat; optional hex colour column) over the district outlines, with a text tooltip."""
    data = points.dropna(subset=["lon", "lat"]).copy()
    for col in data.columns:  # dates and decimals do not serialise to deck JSON
        if data[col].dtype == object or str(data[col].dtype).startswith(("datetime", "date")):
            data[col] = data[col].astype(str).where(data[col].notna(), "")
    data["dot_color"] = ([hex_rgb(c, 255, DEFAULT_RGB) for c in data[color_column]] if color_column
                         else [[*DEFAULT_RGB, 255]] * len(data))
    dots = pdk.Layer("ScatterplotLayer", data, id="points", get_position=["lon", "lat"], get_fill_color="dot_color",
                     get_line_color=[255, 255, 255], stroked=True, line_width_min_pixels=1,
                     get_radius=radius_m, radius_min_pixels=4, radius_max_pixels=12, pickable=True)
    view = _points_view(data)
    return StableDeck(layers=[boundaries_layer(boundaries, view.zoom), dots],
                      initial_view_state=view, map_provider=None, tooltip={"text": tooltip})


def bins_deck(bins: pd.DataFrame, boundaries: pd.DataFrame, title: str, cell_m: float) -> pdk.Deck:
    """Grid cells (lon, lat of the centre; `sites`) binned in DuckDB, as dark rings with area ∝ the count, for
    when there are too many points to ship one by one. `title` is formatted with n, the cell's count."""
    data = bins.dropna(subset=["lon", "lat"]).copy()
    data = pd.DataFrame({"lon": data["lon"].round(6), "lat": data["lat"].round(6),
                         "radius": bin_radius(data["sites"], cell_m),
                         "label": [title.format(n=int(n)) for n in data["sites"]]})
    rings = pdk.Layer("ScatterplotLayer", data, id="bins", get_position=["lon", "lat"], get_radius="radius",
                      radius_units="'meters'", radius_min_pixels=2, filled=True, get_fill_color=[31, 119, 180, 140],
                      stroked=True, get_line_color=[20, 20, 20, 230], line_width_min_pixels=1, pickable=True)
    view = _points_view(data)
    return StableDeck(layers=[boundaries_layer(boundaries, view.zoom), rings],
                      initial_view_state=view, map_provider=None, tooltip={"text": "{label}"})


# Site-planner colours: units still short, units the proposal closes, units already meeting, proposed sites.
PLAN_COLOURS = {"open": [214, 39, 40, 230], "closed": [44, 160, 44, 230], "met": [170, 170, 170, 160],
                "site": [31, 119, 180, 255]}


def planner_deck(units: pd.DataFrame, sites: pd.DataFrame, closed: set, boundaries: pd.DataFrame,
                 texts: Mapping[str, str], walk_m: float = 0.0) -> pdk.Deck:
    """The site planner on a map: every unit coloured before/after (still short, closed by the proposal, already
    meeting), the proposed sites as large rings (with their walking circle when a distance is set).
    `texts` holds the tooltip words: open, closed, met, site."""
    state = ["closed" if c in closed else "open" if d else "met" for c, d in zip(units["code"], units["demand"])]
    unit_rows = pd.DataFrame({"lon": units["lon"].round(6), "lat": units["lat"].round(6),
                              "color": [PLAN_COLOURS[s] for s in state],
                              "tip": [f"{safe_text(n)} · {texts[s]}" for n, s in zip(units["name"], state)]})
    site_rows = pd.DataFrame({"lon": sites["lon"].round(6), "lat": sites["lat"].round(6),
                              "tip": [f"{texts['site']} {i}: {safe_text(n)}" for i, n in enumerate(sites["name"], 1)]})
    view = _points_view(pd.concat([unit_rows[["lon", "lat"]], site_rows[["lon", "lat"]]]))
    layers = [boundaries_layer(boundaries, view.zoom)]
    if walk_m > 0 and len(site_rows):
        layers.append(pdk.Layer("ScatterplotLayer", site_rows, id="planner-walk", get_position=["lon", "lat"],
                                get_radius=float(walk_m), radius_units="'meters'", filled=True,
                                get_fill_color=[31, 119, 180, 40], stroked=True, get_line_color=[31, 119, 180, 160],
                                line_width_min_pixels=1, pickable=False))
    layers.append(pdk.Layer("ScatterplotLayer", unit_rows, id="planner-units", get_position=["lon", "lat"],
                            get_fill_color="color", get_radius=90, radius_min_pixels=4, radius_max_pixels=9,
                            pickable=True))
    layers.append(pdk.Layer("ScatterplotLayer", site_rows, id="planner-sites", get_position=["lon", "lat"],
                            get_radius=160, radius_min_pixels=9, radius_max_pixels=16, filled=False, stroked=True,
                            get_line_color=PLAN_COLOURS["site"], line_width_min_pixels=3, pickable=True))
    return StableDeck(layers=layers, initial_view_state=view, map_provider=None, tooltip={"text": "{tip}"})
