"""Small offline pydeck maps (no basemap, no tiles): district outlines plus coloured points.

Pure functions returning a pdk.Deck; they never call st.*. map_provider=None with pydeck's default
"__MAP_STYLE__" placeholder is what Streamlit 1.67 reads as "no base map" (a null map style would make it
fetch a Carto style from the internet), so the browser asks no tile server and the maps read the same offline.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pydeck as pdk

SHENZHEN = (114.06, 22.62)
DEFAULT_RGB = [31, 119, 180]


def hex_rgb(color: str | None) -> list[int]:
    """'#2ca02c' → [44, 160, 44]; anything else → the default blue."""
    text = (color or "").lstrip("#")
    if len(text) != 6:
        return list(DEFAULT_RGB)
    try:
        return [int(text[i:i + 2], 16) for i in (0, 2, 4)]
    except ValueError:
        return list(DEFAULT_RGB)


def boundaries_layer(boundaries: pd.DataFrame) -> pdk.Layer:
    """District outlines (GeoJSON text per row; the district in scope filled a little darker)."""
    features = [{"type": "Feature", "geometry": json.loads(row.geojson),
                 "properties": {"name": row.name, "fill": [60, 60, 60, 40] if row.in_scope else [200, 200, 200, 40]}}
                for row in boundaries.itertuples(index=False)]
    return pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features}, id="district-boundaries",
                     stroked=True, filled=True, get_fill_color="properties.fill", get_line_color=[90, 90, 90, 200],
                     line_width_min_pixels=1, pickable=False)


def _view(points: pd.DataFrame) -> pdk.ViewState:
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
    data["dot_color"] = [hex_rgb(c) for c in data[color_column]] if color_column else [DEFAULT_RGB] * len(data)
    dots = pdk.Layer("ScatterplotLayer", data, id="points", get_position=["lon", "lat"], get_fill_color="dot_color",
                     get_line_color=[255, 255, 255], stroked=True, line_width_min_pixels=1,
                     get_radius=radius_m, radius_min_pixels=4, radius_max_pixels=12, pickable=True)
    return pdk.Deck(layers=[boundaries_layer(boundaries), dots], initial_view_state=_view(data),
                    map_provider=None, tooltip={"text": tooltip})


def bins_deck(bins: pd.DataFrame, boundaries: pd.DataFrame, title: str, cell_m: float) -> pdk.Deck:
    """Grid cells (lon, lat of the centre; `sites`) binned in DuckDB, as dark rings with area ∝ the count, for
    when there are too many points to ship one by one. `title` is formatted with n, the cell's count."""
    data = bins.dropna(subset=["lon", "lat"]).copy()
    top = max(float(data["sites"].max()), 1.0) if not data.empty else 1.0
    data = pd.DataFrame({"lon": data["lon"].round(6), "lat": data["lat"].round(6),
                         "radius": (cell_m / 2 * np.sqrt(data["sites"] / top)).round(1).clip(lower=cell_m / 8),
                         "label": [title.format(n=int(n)) for n in data["sites"]]})
    rings = pdk.Layer("ScatterplotLayer", data, id="bins", get_position=["lon", "lat"], get_radius="radius",
                      radius_units="'meters'", radius_min_pixels=2, filled=True, get_fill_color=[31, 119, 180, 140],
                      stroked=True, get_line_color=[20, 20, 20, 230], line_width_min_pixels=1, pickable=True)
    return pdk.Deck(layers=[boundaries_layer(boundaries), rings], initial_view_state=_view(data),
                    map_provider=None, tooltip={"text": "{label}"})
