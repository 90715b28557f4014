"""Reference geography loaded from data/reference: district polygons, point-in-district tests."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

from caremap.common.paths import REFERENCE


@lru_cache(maxsize=4)
def district_geojson(folder: Path = REFERENCE) -> dict:
    return json.loads((folder / "districts.geojson").read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def district_shapes(folder: Path = REFERENCE) -> dict:
    """{district_code: shapely geometry}, prepared for fast containment tests."""
    shapes = {f["properties"]["code"]: shape(f["geometry"]) for f in district_geojson(folder)["features"]}
    for geom in shapes.values():
        shapely.prepare(geom)
    return shapes


def inside(district_code: str, lon, lat, folder: Path = REFERENCE) -> np.ndarray:
    """Vectorised: which of the points (lon, lat arrays) lie inside the district's polygon."""
    return shapely.contains_xy(district_shapes(folder)[district_code], np.asarray(lon), np.asarray(lat))


def locate_district(lon: float, lat: float, folder: Path = REFERENCE) -> str | None:
    """The code of the district whose polygon contains the point, or None outside Shenzhen."""
    for code, geom in district_shapes(folder).items():
        if shapely.contains_xy(geom, lon, lat):
            return code
    return None
