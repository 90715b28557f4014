"""Regenerate the README's screenshots (docs/screenshot-overview.png, docs/screenshot-map.png) from the app as
it is: `python3 scripts/screenshots.py`. Starts `streamlit run dashboard.py` on a fresh demo database in a
temporary folder and photographs the pages in headless Chromium at 1440 × 900 (Debian's chromium, Playwright)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from caremap.common import chromium  # noqa: E402

SHOTS = (("overview", "", "儿童服务点"), ("map", "map", "资源地图"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_map(page, timeout: float = 120) -> None:
    """Until deck.gl has drawn the districts (a fifth of the map's pixels not white)."""
    import io

    from PIL import Image

    deck = page.locator("[data-testid=stDeckGlJsonChart]")
    deck.locator("canvas").first.wait_for(timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        img = Image.open(io.BytesIO(deck.screenshot())).convert("L")
        if sum(1 for v in img.get_flattened_data() if v < 235) > 0.2 * img.width * img.height:
            return
        time.sleep(0.5)


def main() -> int:
    from playwright.sync_api import sync_playwright

    executable = chromium.executable()
    if executable is None:
        print("needs Debian chromium (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {**os.environ, "CAREMAP_DB": str(Path(tmp) / "caremap.duckdb")}
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                                 "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(600):
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):  # noqa: S310 (local)
                        break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=executable, args=chromium.ARGS + chromium.WEBGL_ARGS)
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(url)
                page.get_by_role("button", name="知道了，不再显示").click()  # the guide, as after a first visit
                page.wait_for_function("() => document.cookie.includes('caremap_guide=dismissed')")
                for name, path, ready in SHOTS:
                    page.goto(f"{url}/{path}")
                    page.get_by_text(ready).first.wait_for(timeout=120_000)
                    page.wait_for_load_state("networkidle")
                    if name == "map":
                        _wait_for_map(page)
                    page.evaluate("() => document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
                    out = ROOT / "docs" / f"screenshot-{name}.png"
                    page.screenshot(path=str(out))
                    print(out.relative_to(ROOT))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
