"""Browser end-to-end helpers: start the real app on a free local port, and launch Debian's headless chromium.

    with streamlit_app(db=path) as url, chromium() as browser:
        page = browser.new_page(); log = ConsoleLog(page); page.goto(url + "/map")

Nothing here downloads anything: Playwright drives /usr/bin/chromium, and the app is started with
`streamlit run dashboard.py` (usage statistics off, headless, bound to 127.0.0.1).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from caremap.common import chromium as chromium_flags

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"  # git-ignored: screenshots and server logs of browser tests
CHROMIUM = chromium_flags.CHROMIUM
CHROMIUM_ARGS = chromium_flags.ARGS
WEBGL_ARGS = chromium_flags.WEBGL_ARGS


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:  # noqa: S310 (local URL)
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout:.0f} s:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")


@contextlib.contextmanager
def streamlit_app(script: str = "dashboard.py", db: str | os.PathLike | None = None, env: dict | None = None,
                  timeout: float = 120, name: str = "app", args: tuple[str, ...] = (),
                  port: int | None = None) -> Iterator[str]:
    """Run `streamlit run <script>` on a free port with $CAREMAP_DB set; yield its base URL; stop it after.

    `env` adds or overrides environment variables (e.g. tile settings); the server log is written to
    test-artifacts/<name>-<port>.log and its tail is raised if the app does not come up.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"{name}-{port}.log"
    run_env = {**os.environ, **(env or {})}
    if db is not None:
        run_env["CAREMAP_DB"] = str(db)
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--server.runOnSave", "false", *args]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=run_env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # its own process group: stopped as one below
        try:
            _wait_until_up(url, proc, timeout, log)
            yield url
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


@contextlib.contextmanager
def chromium(webgl: bool = True, extra_args: list[str] | None = None, **launch) -> Iterator[object]:
    """A headless Playwright browser on Debian's chromium (Playwright cannot download its own here)."""
    from playwright.sync_api import sync_playwright

    args = CHROMIUM_ARGS + (WEBGL_ARGS if webgl else []) + (extra_args or [])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args, headless=True, **launch)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class ConsoleLog:
    """Console errors, uncaught page errors and every requested URL of a Playwright page."""

    page: object
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    probe_404s: int = 0

    def __post_init__(self):
        self.page.on("response", self._response)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("request", lambda req: self.requests.append(req.url))

    def _response(self, response) -> None:
        # Opened at a page's URL (/coverage), Streamlit's front end first probes /coverage/_stcore/health and
        # /coverage/_stcore/host-config for a server mounted below a path, then uses the root: expected 404s.
        if response.status == 404 and "/_stcore/" in response.url and response.url.split("/_stcore/")[0].count("/") > 2:
            self.probe_404s += 1

    def _console(self, msg) -> None:
        if msg.type == "error" and "status of 404" in msg.text and self.probe_404s > 0:
            self.probe_404s -= 1
            return
        if msg.type == "error":
            self.errors.append(f"console: {msg.text}")
        elif msg.type == "warning":
            self.warnings.append(msg.text)

    def external_requests(self, base_url: str) -> list[str]:
        """Requests that left the app's own origin (data: and blob: URLs are local)."""
        return [u for u in self.requests if not u.startswith((base_url, "data:", "blob:", "about:"))]
