"""「使用我的位置」: the browser's geolocation, asked only when the visitor presses the button (never required).

A Streamlit component from a local folder (geolocate/index.html): no network, no build step. Browsers answer only
on a secure page (HTTPS or localhost); anywhere else, or when the visitor says no, the page says so and the other
ways to choose a starting point remain.
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

_component = components.declare_component("caremap_geolocate", path=str(Path(__file__).with_name("geolocate")))


def my_location(labels: dict[str, str], key: str = "geolocate") -> dict | None:
    """{lon, lat, accuracy} (WGS-84) once the visitor has shared it; {error: denied|failed|unavailable}; or None."""
    return _component(key=key, default=None, **labels)
