"""Headless Chromium as the benchmark and the browser tests start it: Debian's binary, offline flags.

Playwright cannot download browsers here, so it drives /usr/bin/chromium (Debian package `chromium`). Without
the background-networking flags Chromium keeps trying to reach Google's hosts from a closed network.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
# deck.gl needs WebGL; headless chromium without a GPU gets it from SwiftShader (software rendering).
WEBGL_ARGS = ["--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"]


def executable() -> str | None:
    """The Chromium binary, or None when it is not installed."""
    found = shutil.which("chromium") or CHROMIUM
    return found if Path(found).exists() else None
