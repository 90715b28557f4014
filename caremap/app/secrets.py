"""What the app reads from .streamlit/secrets.toml through st.secrets: [admin] and [map]."""

from __future__ import annotations

import streamlit as st

from caremap.report import tiles


def section(name: str) -> dict | None:
    """Section [name] of st.secrets, or None without a secrets file or section."""
    try:
        value = st.secrets.get(name)
    except Exception:  # no secrets file (StreamlitSecretNotFoundError) or a malformed one (reported at start)
        return None
    return dict(value) if value is not None and hasattr(value, "keys") else None


def tile_source() -> tiles.TileSource | None:
    """The app's tile source: [map] of st.secrets when a secrets file exists, else the environment."""
    return tiles.from_settings(section("map"))
